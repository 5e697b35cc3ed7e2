"""Where the pipeline keeps its files, as assets and sensors are given them.

Everything sits under one data root (landing folders, the accepted and quarantine copies,
the two DuckDB files, the published reports) beside the shared folder of reference tables.
``FolderLayout`` names each path from those two folders; ``StoryFolders`` is the Dagster
resource that hands them to assets and sensors. Neither reads the environment:
``orchestration.settings`` does that once and passes the folders down.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg


@dataclass(frozen=True)
class FolderLayout:
    data_dir: Path
    shared_dir: Path

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


class StoryFolders(dg.ConfigurableResource):
    """Where agencies drop files, where accepted and refused copies are kept, where reports go."""

    data_dir: str
    shared_dir: str
    # How long a landing file must stay unchanged before it is taken; 0 takes files as they are
    # (tests that drop a file and ingest at once). ``orchestration.resources`` passes STORY_SETTLE_SECONDS.
    settle_seconds: float = 0.0

    @property
    def layout(self) -> FolderLayout:
        return FolderLayout(data_dir=Path(self.data_dir), shared_dir=Path(self.shared_dir))
