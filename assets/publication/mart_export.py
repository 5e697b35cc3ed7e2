"""The ``publication/mart_export`` asset: the published mart copied to the production database.

It exists only when ``STORY_MART_URL`` is set (always in production, see
``orchestration/deployment.py``), so a laptop run needs no database server. It follows every
asset that writes a ``mart`` table, so the copy is always of one finished edition's mart.
"""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa

from assets.folders import StoryFolders
from assets.model.keys import COMMUNITY_VOICE, DATA_COVERAGE, DATA_MAP, MART_EXPORT, ORGANISATION_PROGRESS, PUBLISHED_MEASURES
from assets.publication.export import export_mart


def build_mart_export_asset(url: str) -> dg.AssetsDefinition:
    target = sa.make_url(url).render_as_string(hide_password=True)

    @dg.asset(
        key=MART_EXPORT,
        group_name="publication",
        kinds={"sql"},
        deps=[PUBLISHED_MEASURES, COMMUNITY_VOICE, ORGANISATION_PROGRESS, DATA_COVERAGE, DATA_MAP],
        description=f"Copies every table of the published mart (after disclosure control) to {target}.",
    )
    def mart_export(folders: StoryFolders) -> dg.MaterializeResult:
        written = export_mart(folders.layout.warehouse_path, url)
        return dg.MaterializeResult(
            metadata={
                "target": target,
                "tables": dg.MetadataValue.md("\n".join(f"- `{t}`: {n:,} rows" for t, n in written.items())),
                "dagster/row_count": sum(written.values()),
            }
        )

    return mart_export
