"""How many records of each dataset the linkage joined, handed to the content side (the ``linkage/linkage_rates`` asset).

The edition reports linkage rates per dataset, but the content side may not open the index
zone. So the linkage hands over what the edition needs and nothing more: per dataset, the
records it holds and how many of them it joined to another record of the same person, as a
small file in the content folder (``ContentLayout.linkage_rates_path``). No identifier, record
reference or person id; the counts are exact here and rounded and suppressed where they are
published (``assets.publication.linkage_rates``).
"""

from __future__ import annotations

import pandas as pd

from assets.linkage.incremental import REGISTRY
from assets.model.zones import LINKAGE_RATE_COLUMNS


def dataset_linkage_counts(con) -> pd.DataFrame:
    """Per dataset in the person registry: records, and records linked to another (by any route)."""
    return con.execute(
        f"SELECT dataset, count(*) AS records, count(*) FILTER (WHERE linked_by <> 'unlinked') AS linked_records FROM {REGISTRY} GROUP BY dataset ORDER BY dataset"
    ).df()[list(LINKAGE_RATE_COLUMNS)]
