"""Resources: the two DuckDB databases (waiting a bounded time for a file another process holds), the folder layout and the pseudonymisation key, chosen from the environment."""

from __future__ import annotations

import os

import dagster as dg

from assets.folders import IndexFolders, StoryFolders
from assets.ingest.sealing import SEALING_KEY_ENV
from assets.ingest.sealing_key import SealingKey
from assets.linkage.person_links import PseudonymisationKey
from assets.linkage.pseudonyms import KEY_ENV
from orchestration.database_lock import WaitingDuckDBResource
from orchestration.deployment import BOTH_ROLES, CONTENT_ROLE, INDEX_ROLE
from orchestration.settings import Settings, key_file, sealing_key_file


def pseudonymisation_key() -> PseudonymisationKey:
    """The key from ``STORY_PSEUDONYMISATION_KEY`` (as a ``dg.EnvVar``, resolved when a run starts), else from the key file."""
    if os.environ.get(KEY_ENV) is not None:
        return PseudonymisationKey(hex_key=dg.EnvVar(KEY_ENV))
    return PseudonymisationKey(key_file=str(key_file()))


# What each role is given: the content side nothing that reaches the index zone (no path, database or key).
INDEX_RESOURCES = ("index_folders", "linkage_zone", "pseudonymisation_key", "sealing_key")
CONTENT_RESOURCES = ("folders", "warehouse")


def sealing_key() -> SealingKey:
    """The key that seals agencies' originals, from ``STORY_SEALING_KEY`` (a ``dg.EnvVar``), else from its key file."""
    if os.environ.get(SEALING_KEY_ENV) is not None:
        return SealingKey(hex_key=dg.EnvVar(SEALING_KEY_ENV))
    return SealingKey(key_file=str(sealing_key_file()))


def build_resources(settings: Settings | None = None, role: str = BOTH_ROLES) -> dict[str, object]:
    """The resources of one role (``INDEX_ROLE``: intake and linkage; ``CONTENT_ROLE``: analysis to
    reports), or of both in one process (``BOTH_ROLES``, the local default)."""
    settings = settings or Settings.from_env()
    content_dir = settings.content.content_dir
    if role != CONTENT_ROLE:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    content_dir.mkdir(parents=True, exist_ok=True)
    resources = {
        # One resource per role: the content side's folders name no path into the index zone.
        "folders": lambda: StoryFolders(content_dir=str(content_dir), shared_dir=str(settings.shared_dir)),
        "warehouse": lambda: WaitingDuckDBResource(database=str(settings.warehouse_path), lock_wait_seconds=settings.lock_wait_seconds),
        "index_folders": lambda: IndexFolders(data_dir=str(settings.data_dir), shared_dir=str(settings.shared_dir), content_dir=str(content_dir), settle_seconds=settings.settle_seconds),
        "linkage_zone": lambda: WaitingDuckDBResource(database=str(settings.linkage_zone_path), lock_wait_seconds=settings.lock_wait_seconds),
        "pseudonymisation_key": pseudonymisation_key,
        "sealing_key": sealing_key,
    }
    wanted = {INDEX_ROLE: INDEX_RESOURCES, CONTENT_ROLE: CONTENT_RESOURCES, BOTH_ROLES: (*INDEX_RESOURCES, *CONTENT_RESOURCES)}[role]
    return {name: resources[name]() for name in wanted}
