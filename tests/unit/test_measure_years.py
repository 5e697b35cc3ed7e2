"""Each measure says which year it counts in, and it is the year its main source is collected by.

SCRA's referrals are counted in SCRA's own year (1 April to 31 March), the looked after
children in the social work year (1 August to 31 July), school leavers in the school year:
a measure declares its kind of year (``Measure.counted_in``) and the reports print it.
"""

from __future__ import annotations

from assets.measures.catalogue import catalogue
from assets.model.contracts import YEAR_SPANS, load_contracts
from tests.support.paths import CONTRACTS, SHARED


def test_every_measure_counts_in_the_year_its_main_source_is_collected_by():
    contracts = load_contracts(CONTRACTS)
    for entry in catalogue(SHARED / "reference", contracts).values():
        main = contracts[entry.sources[0]]
        if main.period_kind == "vintage":  # published figures: counted in the year their source publishes them by
            assert entry.counted_in in YEAR_SPANS and entry.counted_in != "vintage", entry.id
        else:
            assert entry.counted_in == main.period_kind, (entry.id, entry.counted_in, main.period_kind)


def test_hearings_are_counted_in_scras_year_from_1_april():
    contracts = load_contracts(CONTRACTS)
    hearings = catalogue(SHARED / "reference", contracts)["hearings_child_views_recorded_share"]
    assert "1 April to 31 March" in hearings.year_counted_in
    assert contracts["hearings_referrals"].period_bounds("2023-24")[0].isoformat() == "2023-04-01"
