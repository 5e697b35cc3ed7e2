"""`make demo`'s terminal: stage lines and a summary from the run's own event log; the noise goes to the log file."""

import sys
from pathlib import Path

import dagster as dg
import pytest

from orchestration.quiet_run import run_quietly


@dg.asset(group_name="ingest")
def intake(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    print("chatter a library prints")  # must reach the log file, not the terminal
    print("more chatter on stderr", file=sys.stderr)
    for done in (1, 2):
        context.log.info(f"[{done}/2] file {done}")
    return dg.MaterializeResult(metadata={"files_accepted": 3, "files_refused": 1, "files_already_processed": 0, "rows_loaded": 120})


@dg.asset(group_name="publication", deps=[intake], check_specs=[dg.AssetCheckSpec("no_disclosive_cells", asset="published_measures")])
def published_measures() -> dg.MaterializeResult:
    return dg.MaterializeResult(
        metadata={"cells_primary_suppressed": 4, "cells_secondary_suppressed": 2, "cells_left_out": 0},
        check_results=[dg.AssetCheckResult(check_name="no_disclosive_cells", passed=False)],
    )


@dg.asset(group_name="reports", deps=[published_measures])
def broken_report() -> None:
    raise RuntimeError("the template is missing")


def _definitions() -> dg.Definitions:
    return dg.Definitions(assets=[intake, published_measures, broken_report], jobs=[dg.define_asset_job("everything")], executor=dg.in_process_executor)


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def test_the_terminal_gets_one_line_per_stage_and_a_summary_and_the_log_gets_everything(dagster_home: Path, tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    log = tmp_path / "logs" / "run.log"
    code = run_quietly(_definitions, "everything", {}, log, tmp_path / "published")
    terminal = capfd.readouterr().out.splitlines()
    assert code == 1  # a step failed
    assert "Intake: 3 files taken in, 1 refused, 0 already taken (same bytes), 120 rows" in terminal
    assert "Disclosure control: 6 cells hidden as [c], 0 left out; 1 tables published" in terminal
    assert any(line.startswith("FAILED broken_report: ") and "the template is missing" in line for line in terminal)
    assert "Checks:   1 failed" in terminal
    assert "  - published_measures no_disclosive_cells (error)" in terminal
    assert terminal[-1] == f"Full log: {log}"
    assert not any("chatter" in line or "DEBUG" in line for line in terminal)
    assert len(terminal) < 15
    written = log.read_text()
    assert "chatter a library prints" in written and "more chatter on stderr" in written
    assert "STEP_SUCCESS" in written and "the template is missing" in written  # Dagster's own full log
