"""Each dataset's linkage rate, disclosure controlled, for the mart (the ``publication/linkage_rates`` asset).

Read from the linkage's hand-over (``linkage_rates.csv`` in the content folder: per dataset, the
records and how many were joined to another record of the same person; counts only), never
from the index zone. Published as the edition's other counts are protected, with rounding as
well, since these counts sit beside no table that the intruder audit models:

- every count is rounded to the nearest ``ROUNDING_BASE`` (10), so no published figure is an
  exact count and none can be subtracted from another to give one (records less linked is
  known only to within 10);
- a count in the confidential range (``DisclosureRule``, 1 to 4) is shown as ``[c]``, and so
  is the linked count when the records not linked are that few (they would otherwise be
  "records less linked");
- the rate is worked out from the rounded counts (so it says nothing they do not), as a
  whole percentage, and only for a dataset of at least ``MIN_RECORDS_FOR_A_RATE`` records
  (below that, rounding moves it by more than 5 points): ``[x]`` otherwise, ``[c]`` with its count.

The mart holds only the shown values (text), never the exact counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.disclosure.disclosure_control import CONFIDENTIAL, NOT_AVAILABLE, DisclosureRule

ROUNDING_BASE = 10
MIN_RECORDS_FOR_A_RATE = 100
PUBLISHED_COLUMNS = ("dataset", "records", "linked_records", "linked_percent")


def _rounded(counts: np.ndarray, base: int) -> np.ndarray:
    """To the nearest ``base``, halves up (5 is 10, 14 is 10, 15 is 20)."""
    return (counts + base // 2) // base * base


def controlled_linkage_rates(counts: pd.DataFrame, rule: DisclosureRule = DisclosureRule(), base: int = ROUNDING_BASE) -> pd.DataFrame:
    """``counts`` (``dataset``, ``records``, ``linked_records``) as published: the module's rules, every value as text."""
    records = counts["records"].to_numpy(dtype=np.int64)
    linked = counts["linked_records"].to_numpy(dtype=np.int64)
    records_hidden = rule.is_small(records)
    linked_hidden = records_hidden | rule.is_small(linked) | rule.is_small(records - linked)
    shown_records, shown_linked = _rounded(records, base), _rounded(linked, base)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.round(100 * shown_linked / shown_records)
    rate = np.where(linked_hidden, CONFIDENTIAL, np.where(shown_records >= MIN_RECORDS_FOR_A_RATE, [f"{p:.0f}%" for p in np.nan_to_num(percent)], NOT_AVAILABLE))
    return pd.DataFrame(
        {
            "dataset": counts["dataset"].to_numpy(),
            "records": np.where(records_hidden, CONFIDENTIAL, [f"{n:,}" for n in shown_records]),
            "linked_records": np.where(linked_hidden, CONFIDENTIAL, [f"{n:,}" for n in shown_linked]),
            "linked_percent": rate,
        }
    )
