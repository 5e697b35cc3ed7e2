"""Alert sensors: a failed run and a failed check each leave an alert record and reach the notifier."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from orchestration.alerts import Alert, alert_log_path, build_alert_sensors
from orchestration.settings import Settings

RECEIVED: list[Alert] = []


def collect(alert: Alert) -> None:
    """A notifier for the test: keeps what it is sent."""
    RECEIVED.append(alert)


@dg.asset(check_specs=[dg.AssetCheckSpec("has_rows", asset="returns")])
def returns():
    yield dg.MaterializeResult()
    yield dg.AssetCheckResult(check_name="has_rows", passed=False, severity=dg.AssetCheckSeverity.WARN, metadata={"rows": 0, "refused": "return\u202e.csv"})


@dg.asset
def broken():
    raise RuntimeError("the warehouse file is locked")


def _sensors(tmp_path: Path) -> tuple[Settings, dict[str, dg.SensorDefinition]]:
    settings = Settings(data_dir=tmp_path, shared_dir=tmp_path)
    return settings, {s.name: s for s in build_alert_sensors(settings)}


def _alerts(settings: Settings) -> list[dict]:
    return [json.loads(line) for line in alert_log_path(settings).read_text().splitlines()]


def test_failed_check_in_successful_run_is_recorded_and_notified(tmp_path, monkeypatch):
    monkeypatch.setenv("STORY_ALERT_NOTIFIER", f"{__name__}:collect")
    RECEIVED.clear()
    settings, sensors = _sensors(tmp_path)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([returns], instance=instance)
    assert result.success
    context = dg.build_run_status_sensor_context(
        sensor_name="check_failure_alerts", dagster_instance=instance, dagster_run=result.dagster_run, dagster_event=result.get_run_success_event()
    )
    sensors["check_failure_alerts"](context)
    alerts = _alerts(settings)
    assert [(a["kind"], a["subject"], a["severity"]) for a in alerts] == [("check_failed", "returns / has_rows", "WARN")]
    assert "rows: 0" in alerts[0]["message"]
    assert [a.subject for a in RECEIVED] == ["returns / has_rows"]
    assert "return[U+202E].csv" in alerts[0]["message"] == RECEIVED[0].message  # a direction control is written out, never obeyed


def test_failed_run_is_recorded_with_its_error(tmp_path, monkeypatch):
    monkeypatch.delenv("STORY_ALERT_NOTIFIER", raising=False)
    settings, sensors = _sensors(tmp_path)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([broken], instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alerts", dagster_instance=instance, dagster_run=result.dagster_run, dagster_event=failure
    ).for_run_failure()
    sensors["run_failure_alerts"](context)
    alerts = _alerts(settings)
    assert alerts[0]["kind"] == "run_failed"
    assert alerts[0]["run_id"] == result.run_id
    assert "the warehouse file is locked" in alerts[0]["message"]
