"""Resources: the two DuckDB databases and the folder layout, chosen from the environment."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.settings import Settings


class StoryFolders(dg.ConfigurableResource):
    """Where agencies drop files, where accepted and refused copies are kept, where reports go."""

    data_dir: str
    shared_dir: str

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=Path(self.data_dir), shared_dir=Path(self.shared_dir))


def build_resources(settings: Settings | None = None) -> dict[str, object]:
    settings = settings or Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return {
        "folders": StoryFolders(data_dir=str(settings.data_dir), shared_dir=str(settings.shared_dir)),
        "warehouse": DuckDBResource(database=str(settings.warehouse_path)),
        "linkage_zone": DuckDBResource(database=str(settings.linkage_zone_path)),
    }
