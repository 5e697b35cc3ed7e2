"""Where the pipeline keeps its files, as assets and sensors are given them, one resource per role.

``StoryFolders`` (resource ``folders``) hands the content side its layout
(``assets.model.folder_layout.ContentLayout``): it names no path into the index zone, so an analysis,
measure, publication or report asset cannot open one. ``IndexFolders`` (resource
``index_folders``) hands the intake, the linkage and the landing sensor every path. Neither
reads the environment: ``orchestration.settings`` does that once and passes the folders down.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.model.folder_layout import ContentLayout, FolderLayout


class StoryFolders(dg.ConfigurableResource):
    """The content side's folders: the content zone, the person index, the warehouse, the editions, the reference tables."""

    content_dir: str
    shared_dir: str

    @property
    def layout(self) -> ContentLayout:
        return ContentLayout(content_dir=Path(self.content_dir), shared_dir=Path(self.shared_dir))


class IndexFolders(dg.ConfigurableResource):
    """The index side's folders: where agencies drop files, the kept copies, the linkage zone, and where it hands its answers."""

    data_dir: str
    shared_dir: str
    content_dir: str = ""  # the content side's root, where the intake and the linkage hand over; the data root when empty
    # How long a landing file must stay unchanged before it is taken; 0 takes files as they are
    # (tests that drop a file and ingest at once). ``orchestration.resources`` passes STORY_SETTLE_SECONDS.
    settle_seconds: float = 0.0

    @property
    def layout(self) -> FolderLayout:
        return FolderLayout(data_dir=Path(self.data_dir), shared_dir=Path(self.shared_dir), content_dir=Path(self.content_dir) if self.content_dir else None)
