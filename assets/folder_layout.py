"""Where the pipeline keeps its files: every path named from the data root and the shared folder.

Everything sits under one data root (landing folders, the accepted and quarantine copies,
the two DuckDB files, the published reports) beside the shared folder of reference tables.
Plain paths, no Dagster: ``orchestration.settings`` builds on this, and an agency's
``story check`` reads its settings without loading Dagster. ``assets.folders.StoryFolders`` is
the Dagster resource that hands the same layout to assets and sensors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
        """Where an intake works (snapshots): beside the linkage zone, since it holds identifiers."""
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
