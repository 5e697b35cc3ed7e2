"""Indicator streams: the published reference values, shown at their latest vintage, revisions logged."""

from __future__ import annotations

import pandas as pd
import pytest

from assets.measures.catalogue import catalogue
from assets.measures.indicators import COLUMNS, declared_streams, latest_vintage, measure_id_of, revisions, stream_figures, stream_measure
from assets.model.contracts import load_contracts
from assets.reports.direction import direction_of_travel
from tests.support.paths import CONTRACTS, REFERENCE

PUBLISHED_VALUES = REFERENCE / "national_indicator_values.csv"


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    """The reference table as the ``indicator_values`` dataset holds it (every vintage)."""
    table = pd.read_csv(PUBLISHED_VALUES, dtype={"period": str, "vintage": str})
    return table.assign(numerator=pd.NA, denominator=pd.NA)[COLUMNS]


def stream(published: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    return stream_measure(declared_streams()[indicator_id]).long_format(stream_figures(published[published.indicator_id == indicator_id]))


def test_every_indicator_in_the_reference_data_is_a_catalogued_stream(published):
    entries = catalogue(REFERENCE, load_contracts(CONTRACTS))
    for indicator_id in published.indicator_id.unique():
        entry = entries[measure_id_of(indicator_id)]
        assert entry.sources == ("indicator_values",) and entry.question == "Q2"
    # A stream never takes the id of a measure computed from records.
    assert "looked_after_31_july" in entries and entries["indicator_looked_after_31_july"].title != entries["looked_after_31_july"].title


def test_a_revised_figure_is_shown_at_its_latest_vintage_and_every_vintage_is_kept(published):
    looked_after = stream(published, "looked_after_31_july").set_index("period")
    assert looked_after.loc["2023", "value"] == 12084 and looked_after.loc["2023", "vintage"] == "2025-04"
    assert looked_after.loc["2019", "value"] == 14262 and looked_after.loc["2019", "vintage"] == "2021-03"
    assert looked_after.loc["2020", "value"] == 14458
    assert len(looked_after) == 6 and set(looked_after.geography_level) == {"scotland"}
    # Latest-vintage selection drops nothing but the superseded vintages.
    assert len(latest_vintage(published)) == len(published) - 4


def test_each_revision_is_recorded_in_plain_words(published):
    revised = revisions(published).set_index(["indicator_id", "period"])
    assert set(revised.index) == {
        ("looked_after_31_july", "2019"), ("looked_after_31_july", "2023"),
        ("child_protection_register_31_july", "2022"), ("child_protection_register_31_july", "2023"),
    }
    row = revised.loc[("looked_after_31_july", "2023")]
    assert (row.earlier_value, row.earlier_vintage, row.revised_value, row.revised_vintage) == (12206, "2024-04", 12084, "2025-04")
    assert row.note.startswith("revised from 12,206 to 12,084")
    assert row.measure_id == "indicator_looked_after_31_july" and bool(row.is_latest)


def test_a_figure_revised_twice_has_two_revisions_and_an_unchanged_republication_none():
    values = pd.DataFrame({
        "indicator_id": ["leavers_pct"] * 4, "geography_code": ["S92000003"] * 4, "period": ["2019-20"] * 3 + ["2020-21"],
        "value": [75.3, 75.0, 75.0, 71.0], "vintage": ["2023-08", "2024-08", "2025-08", "2025-08"],
    })
    revised = revisions(values)
    assert revised[["earlier_vintage", "revised_vintage"]].values.tolist() == [["2023-08", "2024-08"]]
    assert revised.note.iloc[0].startswith("revised from 75.3 to 75.0")
    chain = values.assign(value=[75.3, 75.0, 74.8, 71.0])
    twice = revisions(chain)
    assert twice.revised_value.tolist() == [75.0, 74.8] and twice.is_latest.tolist() == [False, True]
    assert latest_vintage(chain).set_index("period").loc["2019-20", "value"] == 74.8


def test_a_published_numerator_is_kept_only_when_it_is_a_whole_count():
    values = pd.DataFrame({
        "indicator_id": ["seclusion_school_care_accommodation"] * 2, "geography_code": ["S92000003", "S12000049"],
        "period": ["2024", "2024"], "value": [61.0, 3.0], "numerator": [61.0, 2.5], "denominator": [pd.NA, pd.NA],
        "unit": ["incidents"] * 2, "source": ["CI"] * 2, "vintage": ["2025-07"] * 2,
    })
    table = stream_measure(declared_streams()["seclusion_school_care_accommodation"]).long_format(stream_figures(values)).set_index("geography_code")
    assert table.loc["S92000003", "numerator"] == 61 and pd.isna(table.loc["S12000049", "numerator"])
    assert table.loc["S12000049", "geography_level"] == "council" and not table.additive.any()


@pytest.mark.parametrize(
    ("indicator_id", "baseline", "latest", "judgement"),
    [
        ("looked_after_31_july", ("2020", 14458), ("2024", 11844), "improving"),
        ("care_experienced_leavers_scqf6_pct", ("2019-20", 14.2), ("2023-24", 11.7), "worsening"),
        ("care_experienced_leavers_positive_destination_9_months_pct", ("2019-20", 75.0), ("2023-24", 72.4), "worsening"),
        ("ceased_to_be_looked_after", ("2019-20", 3325), ("2023-24", 3398), "little_change"),
    ],
)
def test_baseline_latest_and_direction_of_travel_from_the_reference_values(published, indicator_id, baseline, latest, judgement):
    entry = catalogue(REFERENCE, load_contracts(CONTRACTS))[measure_id_of(indicator_id)]
    series = stream(published, indicator_id).set_index("period")["value"]
    assert entry.baseline_period == baseline[0] and series[baseline[0]] == baseline[1]
    assert series.index.max() == latest[0] and series[latest[0]] == latest[1]
    assert direction_of_travel(series[baseline[0]], series[latest[0]], entry.desired_direction, entry.tolerance_percent).judgement == judgement
