"""The runbook's "Rebuild the warehouse", followed step by step on a tiny data root: the warehouse
is built, damaged, moved aside and rebuilt from the linkage zone, and the mart is the same.

The commands are read from docs/runbook.md, so the procedure an operator follows is the one tested.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.support.paths import REPO_ROOT, SHARED

pytestmark = pytest.mark.slow


def _procedure() -> tuple[str, str]:
    """The section's move-aside and rebuild commands, with ``.venv/bin/`` as this interpreter's."""
    runbook = (REPO_ROOT / "docs" / "runbook.md").read_text()
    section = runbook.split("\n## Rebuild the warehouse\n", 1)[1].split("\n## ", 1)[0]
    [move_aside] = re.findall(r"`(mv [^`]+)`", section)
    [rebuild] = re.findall(r"`(\.venv/bin/dagster asset materialize [^`]+)`", section)
    return move_aside, rebuild.replace(".venv/bin/", f"{Path(sys.executable).parent}/", 1)


def _run(command: str, environment: dict[str, str]) -> None:
    done = subprocess.run(["bash", "-c", command], cwd=REPO_ROOT, env=environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


def _mart(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'mart' ORDER BY 1").fetchall()]
        return {t: con.execute(f"SELECT * FROM mart.{t} ORDER BY ALL").fetchall() for t in tables}


def test_the_warehouse_rebuilt_by_the_runbook_holds_the_same_mart(tmp_path: Path):
    data, home = tmp_path / "data", tmp_path / "dagster_home"
    subprocess.run([sys.executable, "-m", "synthetic", "--scale", "tiny", "--seed", "1", "--out", str(data)], check=True, capture_output=True)
    home.mkdir()
    (home / "dagster.yaml").write_text("")
    environment = {
        **os.environ, "STORY_DATA_DIR": str(data), "STORY_SHARED_DIR": str(SHARED), "DAGSTER_HOME": str(home),
        "STORY_PSEUDONYMISATION_KEY": secrets.token_hex(32), "STORY_SEALING_KEY": secrets.token_hex(32), "STORY_SETTLE_SECONDS": "0",
    }
    move_aside, rebuild = _procedure()
    _run(rebuild, environment)  # the first build: what the runs made
    warehouse = data / "warehouse.duckdb"
    built = _mart(warehouse)
    # Every mart table holds rows, but the revisions list: a first edition has no earlier one to revise.
    assert {"published_measures", "data_coverage", "data_map"} <= set(built) and {t for t, rows in built.items() if not rows} <= {"figure_revisions"}

    os.truncate(warehouse, warehouse.stat().st_size // 3)  # a full disk cut it short
    _run(move_aside, environment)
    assert (data / "warehouse.duckdb.damaged").exists() and not warehouse.exists()
    _run(rebuild, environment)
    assert _mart(warehouse) == built
