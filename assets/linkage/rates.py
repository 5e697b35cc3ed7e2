"""The ``linkage/linkage_rates`` asset: how many records of each dataset the linkage joined, handed to the content side.

The edition reports linkage rates per dataset, but the content side may not open the index
zone. So the linkage hands over what the edition needs and nothing more: per dataset, the
records it holds and how many of them it joined to another record of the same person, as a
small file in the content folder (``ContentLayout.linkage_rates_path``). No identifier, record
reference or person id; the counts are exact here and rounded and suppressed where they are
published (``assets.publication.linkage_rates``).
"""

from __future__ import annotations

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.folders import IndexFolders
from assets.linkage.incremental import REGISTRY
from assets.model.keys import LINKAGE_RATES, PERSON_LINKS
from assets.model.zones import LINKAGE_RATE_COLUMNS


def dataset_linkage_counts(con) -> pd.DataFrame:
    """Per dataset in the person registry: records, and records linked to another (by any route)."""
    return con.execute(
        f"SELECT dataset, count(*) AS records, count(*) FILTER (WHERE linked_by <> 'unlinked') AS linked_records FROM {REGISTRY} GROUP BY dataset ORDER BY dataset"
    ).df()[list(LINKAGE_RATE_COLUMNS)]


@dg.asset(
    key=LINKAGE_RATES,
    group_name="linkage",
    kinds={"csv"},
    deps=[PERSON_LINKS],
    description="Per dataset, the records the linkage holds and how many it joined to another record of the same person: counts only, handed to the content side for the edition's linkage rates.",
)
def linkage_rates(index_folders: IndexFolders, linkage_zone: DuckDBResource) -> dg.MaterializeResult:
    with linkage_zone.get_connection() as con:
        counts = dataset_linkage_counts(con)
    target = index_folders.layout.linkage_rates_path
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(target.name + ".new")
    counts.to_csv(building, index=False)
    building.replace(target)
    # No "records" total: the quiet run adds the linkage stage's figures up, and person_links gives it.
    return dg.MaterializeResult(metadata={"datasets": len(counts), "counts": dg.MetadataValue.md(counts.to_markdown(index=False))})
