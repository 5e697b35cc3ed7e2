"""Every path and setting the pipeline reads, in one place.

One environment variable, ``STORY_DATA_DIR`` (default ``./data``), roots all data:
landing folders where agencies drop files, the immutable accepted and quarantine
copies, the two DuckDB files (analysis warehouse and the separate linkage zone that
alone holds identifiers) and the published reports. Keeping it in one frozen object
means tests can point a whole run at a temporary folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SCOTLAND_CODE = "S92000003"
# Where Splink scores record pairs (``STORY_LINKAGE_BACKEND``); see ``assets.linkage.probabilistic``.
LINKAGE_BACKENDS = ("duckdb", "spark")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    shared_dir: Path
    contracts_dir: Path = REPO_ROOT / "data_contracts"  # one ODCS YAML per dataset: adding one adds the dataset
    linkage_backend: str = "duckdb"  # STORY_LINKAGE_BACKEND: one of LINKAGE_BACKENDS
    # STORY_SETTLE_SECONDS: a landing file is taken once its size and modification time have not
    # changed for this long (an upload in progress keeps changing them).
    settle_seconds: float = 10.0
    # STORY_LOCK_WAIT_SECONDS: how long `story ingest` waits for another process to let go of the
    # linkage zone before it gives up with its own exit status.
    lock_wait_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.linkage_backend not in LINKAGE_BACKENDS:
            raise ValueError(f"STORY_LINKAGE_BACKEND={self.linkage_backend!r} is not a linkage backend: use one of {', '.join(LINKAGE_BACKENDS)}")
        for name, value in (("STORY_SETTLE_SECONDS", self.settle_seconds), ("STORY_LOCK_WAIT_SECONDS", self.lock_wait_seconds)):
            if not value >= 0:
                raise ValueError(f"{name}={value!r} must be a number of seconds, 0 or more")

    @classmethod
    def from_env(cls) -> "Settings":
        data_dir = Path(os.environ.get("STORY_DATA_DIR", REPO_ROOT / "data")).resolve()
        shared_dir = Path(os.environ.get("STORY_SHARED_DIR", REPO_ROOT.parent / "shared")).resolve()
        contracts_dir = Path(os.environ.get("STORY_CONTRACTS_DIR", REPO_ROOT / "data_contracts")).resolve()
        linkage_backend = os.environ.get("STORY_LINKAGE_BACKEND", "duckdb").strip().lower() or "duckdb"
        return cls(
            data_dir=data_dir, shared_dir=shared_dir, contracts_dir=contracts_dir, linkage_backend=linkage_backend,
            settle_seconds=_seconds("STORY_SETTLE_SECONDS", cls.settle_seconds),
            lock_wait_seconds=_seconds("STORY_LOCK_WAIT_SECONDS", cls.lock_wait_seconds),
        )

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def accepted_dir(self) -> Path:
        return self.data_dir / "accepted"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def staging_dir(self) -> Path:
        """Where an intake works (snapshots, staging database): beside the linkage zone, since it holds identifiers."""
        return self.linkage_zone_path.parent / "staging"

    @property
    def warehouse_path(self) -> Path:
        """Analysis warehouse: pseudonymous person ids only, never names or dates of birth."""
        return self.data_dir / "warehouse.duckdb"

    @property
    def linkage_zone_path(self) -> Path:
        """Linkage zone: the only database allowed to hold identifiers."""
        return self.data_dir / "linkage_zone.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.data_dir / "published"

    @property
    def reference_dir(self) -> Path:
        return self.shared_dir / "reference"


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError:
        raise ValueError(f"{name}={value!r} must be a number of seconds, 0 or more") from None
