"""The linkage rates the edition publishes are disclosure controlled: rounded, small counts hidden."""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.disclosure.disclosure_control import CONFIDENTIAL, DisclosureRule
from assets.publication.linkage_rates import MIN_RECORDS_FOR_A_RATE, ROUNDING_BASE, controlled_linkage_rates


def _count(shown: str) -> int | None:
    return None if shown.startswith("[") else int(shown.replace(",", ""))


def test_no_exact_or_small_count_is_published_and_rates_come_from_what_is_shown():
    rng = np.random.default_rng(31)
    records = rng.integers(0, 400, 300)
    counts = pd.DataFrame({"dataset": [f"d{i}" for i in range(300)], "records": records, "linked_records": (records * rng.uniform(0, 1, 300)).astype(int)})
    published = controlled_linkage_rates(counts)
    rule = DisclosureRule()
    for exact, shown in zip(counts.itertuples(index=False), published.itertuples(index=False)):
        records_shown, linked_shown = _count(shown.records), _count(shown.linked_records)
        for value, true in ((records_shown, exact.records), (linked_shown, exact.linked_records)):
            assert value is None or (value % ROUNDING_BASE == 0 and abs(value - true) <= ROUNDING_BASE // 2)
        small = rule.is_small(np.array([exact.records, exact.linked_records, exact.records - exact.linked_records]))
        if small.any():
            assert shown.linked_records == CONFIDENTIAL and shown.linked_percent == CONFIDENTIAL
        if small[0]:
            assert shown.records == CONFIDENTIAL
        if shown.linked_percent.endswith("%"):
            assert records_shown >= MIN_RECORDS_FOR_A_RATE and shown.linked_percent == f"{round(100 * linked_shown / records_shown):.0f}%"
    assert (published["records"] == CONFIDENTIAL).any() and published["linked_percent"].str.endswith("%").any()


def test_a_small_dataset_is_not_published_exactly():
    published = controlled_linkage_rates(pd.DataFrame({"dataset": ["secure_admissions"], "records": [37], "linked_records": [33]}))
    assert published.iloc[0].to_dict() == {"dataset": "secure_admissions", "records": "40", "linked_records": CONFIDENTIAL, "linked_percent": CONFIDENTIAL}
