"""Alerts: a record for every failed run and every failed asset check, and an optional notifier.

Data engineers run this for years; a failure nobody hears about is a report that silently
goes stale. Two sensors watch finished runs: one for runs that failed, one for runs that
succeeded. Both look through the run's asset check evaluations, because a WARN check fails
inside a successful run and a blocking check stops a run from publishing. Each finding is
appended as one JSON line to ``<data>/alerts/alerts.jsonl`` (the record of what went wrong
and when) and then handed to a notifier if one is configured.

A notifier is any callable taking an :class:`Alert`, named in ``STORY_ALERT_NOTIFIER`` as
``package.module:function``: e-mail, a chat webhook or a ticketing system can be plugged in
without touching this module. A notifier that fails is logged; the alert record stays.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster_shared.error import SerializableErrorInfo

from assets.bidi_controls import bidi_controls_shown
from orchestration.settings import Settings

Notifier = Callable[["Alert"], None]


@dataclass(frozen=True)
class Alert:
    """One thing that went wrong, in words a data engineer can act on."""

    kind: str  # "run_failed" or "check_failed"
    run_id: str
    job_name: str
    subject: str  # the job, or the asset and check that failed
    severity: str
    message: str
    raised_at: str


def alert_log_path(settings: Settings) -> Path:
    return settings.data_dir / "alerts" / "alerts.jsonl"


def notifier_from_env() -> Notifier | None:
    """The callable named in ``STORY_ALERT_NOTIFIER`` (``module:function``), or None."""
    target = os.environ.get("STORY_ALERT_NOTIFIER", "").strip()
    if not target:
        return None
    module_name, _, function_name = target.partition(":")
    if not function_name:
        raise ValueError(f"STORY_ALERT_NOTIFIER must look like package.module:function, got {target!r}")
    return getattr(importlib.import_module(module_name), function_name)


def record(alerts: list[Alert], settings: Settings, log: dg.DagsterLogManager | None = None) -> None:
    """Append the alerts to the alert log, then pass each to the configured notifier.

    A check's words may name an agency's file: a bidirectional control in them is written out
    (``[U+202E]``, ``assets.bidi_controls``), so no log line, e-mail or chat message draws reordered."""
    if not alerts:
        return
    alerts = [replace(a, subject=bidi_controls_shown(a.subject), message=bidi_controls_shown(a.message)) for a in alerts]
    path = alert_log_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        for alert in alerts:
            out.write(json.dumps(asdict(alert)) + "\n")
    notifier = notifier_from_env()
    for alert in alerts:
        if notifier is None:
            continue
        try:
            notifier(alert)
        except Exception as error:  # the record is kept; a broken notifier must not hide it
            if log:
                log.error(f"alert notifier failed for {alert.subject}: {error}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _root_cause(error: SerializableErrorInfo) -> str:
    """The innermost error's message: Dagster wraps the real cause in its own step error."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def failed_checks(instance: dg.DagsterInstance, run: dg.DagsterRun) -> list[Alert]:
    """An alert for each asset check that failed in the run."""
    alerts = []
    for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = entry.dagster_event.event_specific_data
        if evaluation.passed:
            continue
        key = evaluation.asset_check_key
        subject = f"{key.asset_key.to_user_string()} / {key.name}"
        details = "; ".join(f"{name}: {value.value}" for name, value in evaluation.metadata.items())
        alerts.append(
            Alert(
                kind="check_failed",
                run_id=run.run_id,
                job_name=run.job_name,
                subject=subject,
                severity=evaluation.severity.value,
                message=f"Check {subject} failed ({evaluation.severity.value}). {details}".strip(),
                raised_at=_now(),
            )
        )
    return alerts


def build_alert_sensors(settings: Settings) -> list[dg.SensorDefinition]:
    """The run-failure and check-failure sensors, writing under ``settings.data_dir``."""

    @dg.run_failure_sensor(
        name="run_failure_alerts",
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Records an alert (and notifies, when configured) for every failed run and the checks that failed in it.",
    )
    def run_failure_alerts(context: dg.RunFailureSensorContext):
        run = context.dagster_run
        step_errors = [f"{e.step_key}: {_root_cause(e.event_specific_data.error)}" for e in context.get_step_failure_events()]
        failure = Alert(
            kind="run_failed",
            run_id=run.run_id,
            job_name=run.job_name,
            subject=run.job_name,
            severity="ERROR",
            message=" ".join([f"Run of {run.job_name} failed: {context.failure_event.message}", *step_errors]),
            raised_at=_now(),
        )
        record([failure, *failed_checks(context.instance, run)], settings, context.log)

    @dg.run_status_sensor(
        name="check_failure_alerts",
        run_status=dg.DagsterRunStatus.SUCCESS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Records an alert (and notifies, when configured) for every asset check that failed in a successful run.",
    )
    def check_failure_alerts(context: dg.RunStatusSensorContext):
        record(failed_checks(context.instance, context.dagster_run), settings, context.log)

    return [run_failure_alerts, check_failure_alerts]
