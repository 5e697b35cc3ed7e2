"""Resources: the two DuckDB databases (waiting a bounded time for a file another process holds), the folder layout and the pseudonymisation key, chosen from the environment."""

from __future__ import annotations

import os

import dagster as dg

from assets.folders import IndexFolders, StoryFolders
from assets.linkage.person_links import PseudonymisationKey
from assets.linkage.pseudonyms import KEY_ENV
from orchestration.database_lock import WaitingDuckDBResource
from orchestration.settings import Settings, key_file


def pseudonymisation_key() -> PseudonymisationKey:
    """The key from ``STORY_PSEUDONYMISATION_KEY`` (as a ``dg.EnvVar``, resolved when a run starts), else from the key file."""
    if os.environ.get(KEY_ENV) is not None:
        return PseudonymisationKey(hex_key=dg.EnvVar(KEY_ENV))
    return PseudonymisationKey(key_file=str(key_file()))


def build_resources(settings: Settings | None = None) -> dict[str, object]:
    settings = settings or Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return {
        # One resource per role: the content side's folders name no path into the index zone.
        "folders": StoryFolders(data_dir=str(settings.data_dir), shared_dir=str(settings.shared_dir)),
        "index_folders": IndexFolders(data_dir=str(settings.data_dir), shared_dir=str(settings.shared_dir), settle_seconds=settings.settle_seconds),
        "warehouse": WaitingDuckDBResource(database=str(settings.warehouse_path), lock_wait_seconds=settings.lock_wait_seconds),
        "linkage_zone": WaitingDuckDBResource(database=str(settings.linkage_zone_path), lock_wait_seconds=settings.lock_wait_seconds),
        "pseudonymisation_key": pseudonymisation_key(),
    }
