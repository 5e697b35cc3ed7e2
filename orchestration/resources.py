"""Resources: the two DuckDB databases (waiting a bounded time for a file another process holds) and the folder layout, chosen from the environment."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.database_lock import WaitingDuckDBResource
from orchestration.settings import Settings


class StoryFolders(dg.ConfigurableResource):
    """Where agencies drop files, where accepted and refused copies are kept, where reports go."""

    data_dir: str
    shared_dir: str
    # How long a landing file must stay unchanged before it is taken; 0 takes files as they are
    # (tests that drop a file and ingest at once). ``build_resources`` passes STORY_SETTLE_SECONDS.
    settle_seconds: float = 0.0

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=Path(self.data_dir), shared_dir=Path(self.shared_dir), settle_seconds=self.settle_seconds)


def build_resources(settings: Settings | None = None) -> dict[str, object]:
    settings = settings or Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return {
        "folders": StoryFolders(data_dir=str(settings.data_dir), shared_dir=str(settings.shared_dir), settle_seconds=settings.settle_seconds),
        "warehouse": WaitingDuckDBResource(database=str(settings.warehouse_path), lock_wait_seconds=settings.lock_wait_seconds),
        "linkage_zone": WaitingDuckDBResource(database=str(settings.linkage_zone_path), lock_wait_seconds=settings.lock_wait_seconds),
    }
