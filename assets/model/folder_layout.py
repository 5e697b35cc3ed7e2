"""Where the pipeline keeps its files: every path named from the data root and the shared folder.

Everything sits under one data root beside the shared folder of reference tables, in two zones
kept apart (separation of functions): the **index zone** (landing folders, the kept copies of
agencies' files, the intake's working copies and ``linkage_zone.duckdb``: identifiers and
record references only) and the **content zone** (``content_zone.duckdb``: what happened to
people, with record references and no identifiers). Between them, ``person_index.duckdb``
holds only record references and person ids: what the linkage hands to the analysts. The
warehouse and the published editions are built from the content zone and that index alone.

``ContentLayout`` names only what the content side may open; ``FolderLayout`` adds the index
zone. Plain paths, no Dagster: ``orchestration.settings`` builds on this, and an agency's
``story check`` reads its settings without loading Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ContentLayout:
    """The paths the content side (analysis, measures, publication, reports) may open: no path into the index zone.

    Rooted at ``content_dir``: in production a volume of its own that the index side writes its
    hand-over into and the content side alone reads; locally the data root itself.
    """

    content_dir: Path
    shared_dir: Path

    @property
    def content_zone_path(self) -> Path:
        """Agencies' records without identifiers, each with its record reference (entry id, row)."""
        return self.content_dir / "content_zone.duckdb"

    @property
    def person_index_path(self) -> Path:
        """Record references and person ids only: the linkage's answer, handed to the content side."""
        return self.content_dir / "person_index.duckdb"

    @property
    def warehouse_path(self) -> Path:
        """Analysis warehouse: pseudonymous person ids only, never names or dates of birth."""
        return self.content_dir / "warehouse.duckdb"

    @property
    def linkage_rates_path(self) -> Path:
        """How many records of each dataset the linkage joined to another: counts only, handed over by the linkage."""
        return self.content_dir / "linkage_rates.csv"

    @property
    def published_dir(self) -> Path:
        return self.content_dir / "published"

    @property
    def reference_dir(self) -> Path:
        return self.shared_dir / "reference"


@dataclass(frozen=True)
class FolderLayout:
    """Every path: the index zone's under ``data_dir`` (the intake, the linkage and the operators'),
    and the content side's under ``content_dir`` (the data root too, unless set apart)."""

    data_dir: Path
    shared_dir: Path
    content_dir: Path | None = None

    @property
    def content(self) -> ContentLayout:
        return ContentLayout(content_dir=self.content_dir or self.data_dir, shared_dir=self.shared_dir)

    @property
    def content_zone_path(self) -> Path:
        return self.content.content_zone_path

    @property
    def person_index_path(self) -> Path:
        return self.content.person_index_path

    @property
    def warehouse_path(self) -> Path:
        return self.content.warehouse_path

    @property
    def linkage_rates_path(self) -> Path:
        return self.content.linkage_rates_path

    @property
    def published_dir(self) -> Path:
        return self.content.published_dir

    @property
    def reference_dir(self) -> Path:
        return self.content.reference_dir

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
    def clerical_review_dir(self) -> Path:
        """The linkage's review pages and its reviewers' decisions: beside the linkage zone, since they show identifiers."""
        return self.linkage_zone_path.parent / "clerical_review"

    @property
    def linkage_zone_path(self) -> Path:
        """The index zone's database: identifiers and record references, the ledger, the person registry and model."""
        return self.data_dir / "linkage_zone.duckdb"
