"""Where the pipeline keeps its files, as assets and sensors are given them.

``StoryFolders`` is the Dagster resource that hands the folder layout
(``assets.folder_layout.FolderLayout``) to assets and sensors. Neither reads the environment:
``orchestration.settings`` does that once and passes the folders down.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.folder_layout import FolderLayout


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
