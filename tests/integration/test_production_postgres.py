"""Production configuration against a real PostgreSQL server: same code, one setting changed.

A throwaway server (Debian's postgresql, installed by the project's setup) holds the Dagster
instance and receives the mart. The job runs through the ``dagster`` command as an operator
would run it, on synthetic drops trimmed to one council and the national bodies to stay
quick. The run must be recorded in PostgreSQL and the mart read back must equal the
warehouse's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import sqlalchemy as sa
from postgres_server import running_postgres

from assets.publication.export import read_exported
from orchestration.settings import REPO_ROOT

COUNCIL = "S12000005"  # Clackmannanshire
NATIONAL_BODIES = {"NRS", "SG", "TPS", "SCRA", "CI", "SPS"}


def _trim_landing(landing: Path) -> None:
    """Keep one council's files, the national bodies' and one organisation's."""
    organisations = sorted(p.name for p in landing.iterdir() if p.name.startswith("ORG"))
    keep = {COUNCIL, *NATIONAL_BODIES, *organisations[:1]}
    for agency in landing.iterdir():
        if agency.name not in keep:
            shutil.rmtree(agency)


def _create_database(server_url: str, name: str) -> str:
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as con:
        con.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def test_pipeline_runs_on_postgres_and_the_mart_reads_back(story_env):
    bin_dir = Path(sys.executable).parent
    subprocess.run([sys.executable, "-m", "synthetic", "--scale", "tiny", "--seed", "11", "--out", str(story_env)], check=True, capture_output=True)
    _trim_landing(story_env / "landing")
    with running_postgres("dagster") as instance_url:
        mart_url = _create_database(instance_url, "story_mart")
        home = Path(os.environ["DAGSTER_HOME"])
        shutil.copy(REPO_ROOT / "deploy" / "dagster.production.yaml", home / "dagster.yaml")
        env = {
            **os.environ,
            "STORY_DEPLOYMENT": "production",
            "STORY_DAGSTER_PG_URL": instance_url,
            "STORY_MART_URL": mart_url,
        }
        # One council's report partition: the run an operator starts for one council's new file.
        run = subprocess.run(
            [str(bin_dir / "dagster"), "job", "execute", "-m", "orchestration.definitions", "-j", "story_of_progress", "--tags", json.dumps({"dagster/partition": COUNCIL})],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900,
        )
        failures = [line for line in run.stderr.splitlines() if "STEP_FAILURE" in line or "Error" in line]
        assert run.returncode == 0, "\n".join(failures[-20:])

        engine = sa.create_engine(instance_url)
        with engine.connect() as con:
            statuses = con.execute(sa.text("SELECT status FROM runs")).scalars().all()
            exported = con.execute(
                sa.text("SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION' AND asset_key LIKE '%mart_export%'")
            ).scalar()
        engine.dispose()
        assert statuses == ["SUCCESS"]
        assert exported == 1

        with duckdb.connect(str(story_env / "warehouse.duckdb"), read_only=True) as warehouse:
            expected = warehouse.execute("SELECT * FROM mart.published_measures").df()
        copied = read_exported(mart_url, "published_measures")
    assert len(expected) > 0
    key = ["measure_id", "period", "geography_code", "breakdown", "category"]
    expected = expected.sort_values(key, ignore_index=True)
    copied = copied.sort_values(key, ignore_index=True)
    assert list(copied.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(_comparable(copied), _comparable(expected))


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as floats and text as text, missing as NaN/None: PostgreSQL has no pandas nullable types."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        is_number = numbers.notna().sum() == frame[column].notna().sum()
        out[column] = numbers.astype(float) if is_number else frame[column].astype(object).where(frame[column].notna(), None).astype(str)
    return out
