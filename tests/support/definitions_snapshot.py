"""The committed snapshot of the Dagster definitions, so a rename or a lost check shows in review.

It lists every asset key with its group, every asset check with its asset and whether it
blocks, and every job, schedule and sensor, one per line and sorted, as the local deployment
assembles them from the repository's contracts and reference tables. After a deliberate
change, update it with one command and commit the difference:

    .venv/bin/python -m tests.support.definitions_snapshot
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import dagster as dg

from tests.support.paths import CONTRACTS, SHARED

SNAPSHOT = Path(__file__).resolve().parents[1] / "integration" / "definitions_snapshot.txt"
UPDATE = "python -m tests.support.definitions_snapshot"


def describe(defs: dg.Definitions) -> str:
    """The snapshot's text for ``defs``."""
    graph = defs.resolve_asset_graph()
    lines = [f"asset {key.to_user_string()} group={graph.get(key).group_name}" for key in graph.get_all_asset_keys()]
    lines += [
        f"check {spec.asset_key.to_user_string()}:{spec.name} {'blocking' if spec.blocking else 'advisory'}"
        for asset in defs.assets or []
        for spec in getattr(asset, "check_specs", [])
    ]
    lines += [f"job {job.name}" for job in defs.jobs or []]
    lines += [f"schedule {schedule.name}" for schedule in defs.schedules or []]
    lines += [f"sensor {sensor.name}" for sensor in defs.sensors or []]
    return "\n".join(sorted(lines)) + "\n"


def current() -> str:
    """The snapshot of the definitions as the code builds them now, in a throwaway data folder."""
    from orchestration.definitions import build_definitions
    from orchestration.settings import Settings

    with tempfile.TemporaryDirectory() as data:
        return describe(build_definitions(Settings(data_dir=Path(data), shared_dir=SHARED, contracts_dir=CONTRACTS)))


if __name__ == "__main__":
    SNAPSHOT.write_text(current(), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
