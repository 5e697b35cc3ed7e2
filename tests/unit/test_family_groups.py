"""A council beside councils like it, on hand-made tables: the sentences, hidden figures, and the intruder audit."""

from __future__ import annotations

import dataclasses
import statistics

import pandas as pd
import pytest

from assets.disclosure.intruder_audit import audit_disclosure
from assets.model.reference import SCOTLAND_CODE, family_groups
from assets.reports.family_groups import MIN_COUNCILS, family_group
from assets.reports.measure_sections import measure_section
from assets.reports.places import Place
from assets.reports.site_links import SiteLinks
from assets.reports.site_places import PlaceFigures, place_sections
from tests.support.family_group_figures import with_group_figures
from tests.support.paths import REFERENCE
from tests.support.sample_mart import report_test_measures

HIDDEN = "[c]"
PERIOD = "2024"
RATE = next(e for e in report_test_measures().values() if e.question == "Q2" and e.denominator)
GROUPS = family_groups(REFERENCE)
COUNCIL, *OTHERS = GROUPS.members(1)
# The other councils' rates: their median, 10.0, is worked out below, never written into a test.
OTHER_RATES = [9.0, 10.0, 10.0, 10.5, 11.0, 9.5, 10.0]


def published(rates: dict[str, float | str], period: str = PERIOD) -> pd.DataFrame:
    """``mart.published_measures`` rows (headline only) for ``period``: a rate, or ``[c]`` where hidden."""
    rows = [
        {"measure_id": RATE.id, "period": period, "geography_code": code, "geography_level": "scotland" if code == SCOTLAND_CODE else "council",
         "breakdown": "total", "category": "total", "value_published": None if rate == HIDDEN else rate, "value_display": HIDDEN if rate == HIDDEN else f"{rate:.1f}",
         "lower_published": None, "upper_published": None, "vintage": None}
        for code, rate in rates.items()
    ]
    return pd.DataFrame(rows).astype({"value_published": "Float64"})


def table(council: float | str, others: list[float | str] = OTHER_RATES) -> pd.DataFrame:
    """The council and its group in ``PERIOD``, after a year when the council's figure was published."""
    earlier = published({COUNCIL: 10.0}, str(int(PERIOD) - 1))
    return pd.concat([earlier, published({SCOTLAND_CODE: 11.0, COUNCIL: council, **dict(zip(OTHERS, others))})], ignore_index=True)


def report_comparison(rates: pd.DataFrame, entry=RATE) -> dict:
    return measure_section(rates, entry, Place(COUNCIL, "Our council", "council"), {}, group=OTHERS)["family_group"]


def page_comparison(rates: pd.DataFrame) -> dict:
    sections = place_sections(PlaceFigures(rates, {RATE.id: RATE}), Place(COUNCIL, "Our council", "council"), [{"id": RATE.vision_id, "title": "A vision"}], SiteLinks.from_page("site/x.html"), None, OTHERS)
    [row] = [m for q in sections.values() for s in q for m in s["measures"]]
    return row["group"]


@pytest.mark.parametrize("step, words", [(1.3, "higher than"), (0.7, "lower than"), (1.03, "about the same as")])
def test_a_council_is_higher_lower_or_about_the_same_as_councils_like_it(step, words):
    middle = statistics.median(OTHER_RATES)
    rates = table(round(middle * step, 1))
    for compared in (report_comparison(rates), page_comparison(rates)):
        assert compared["words"] == words
        assert f"was {words} councils like it." in compared["sentence"]
        assert compared["median"] == f"{middle:.1f}" and (compared["low"], compared["high"]) == (f"{min(OTHER_RATES):.1f}", f"{max(OTHER_RATES):.1f}")
        assert (compared["covered"], compared["of"]) == (len(OTHERS), len(OTHERS))
        assert not any(ch.isdigit() for ch in compared["words"]), "plain words, never a rank"


def test_the_tolerance_is_the_measures_own():
    middle = statistics.median(OTHER_RATES)
    rates = table(round(middle * 1.03, 1))
    assert report_comparison(rates, dataclasses.replace(RATE, tolerance_percent=5.0))["words"] == "about the same as"
    assert report_comparison(rates, dataclasses.replace(RATE, tolerance_percent=1.0))["words"] == "higher than"


def test_a_hidden_council_figure_stays_hidden_and_is_not_compared():
    rates = table(HIDDEN)
    section = measure_section(rates, RATE, Place(COUNCIL, "Our council", "council"), {}, group=OTHERS)
    assert section["latest_display"] == HIDDEN
    compared = section["family_group"]
    assert compared["words"] is None and "hidden to protect privacy ([c]), so it is not compared" in compared["sentence"]
    assert compared["median"] == f"{statistics.median(OTHER_RATES):.1f}", "the group's own figures are still shown"


def test_hidden_members_are_left_out_and_counted():
    others = [HIDDEN, HIDDEN, *OTHER_RATES[2:]]
    compared = report_comparison(table(10.0, others))
    shown = OTHER_RATES[2:]
    assert (compared["covered"], compared["of"]) == (len(shown), len(OTHERS))
    assert compared["median"] == f"{statistics.median(shown):.1f}" and compared["low"] == f"{min(shown):.1f}"
    assert page_comparison(table(10.0, others)) == compared


def test_too_few_published_members_give_no_median():
    others = [HIDDEN] * (len(OTHERS) - MIN_COUNCILS + 1) + OTHER_RATES[: MIN_COUNCILS - 1]
    compared = report_comparison(table(10.0, others))
    assert compared["median"] is None and compared["words"] is None and compared["sentence"].startswith("Too few councils like Our council")


def test_the_group_is_named_from_the_reference_file():
    names = {code: f"Council {code}" for code in GROUPS.group_of}
    group = family_group(COUNCIL, GROUPS, names)
    assert group["number"] == GROUPS.group_of[COUNCIL] and "children's services" in group["scheme"]
    assert [c["code"] for c in group["others"]] == sorted(OTHERS, key=names.get) and COUNCIL not in [c["code"] for c in group["others"]]
    assert "Local Government Benchmarking Framework" in group["source"]
    assert family_group("S99999999", GROUPS, names) is None


def _edition_with_group_figures(counts: dict[str, int], denominators: dict[str, int], hidden: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(published, truth) of a rate per council of a family group and Scotland, with the group
    figures the council pages print appended as published rows."""
    codes = [*GROUPS.members(1)]
    truth = pd.DataFrame([
        {"measure_id": RATE.id, "period": PERIOD, "geography_code": c, "geography_level": "council", "breakdown": "total", "category": "total",
         "unit": RATE.unit, "numerator": counts[c], "denominator": denominators[c], "value": round(1000 * counts[c] / denominators[c], 1)} for c in codes
    ])
    scotland = {"numerator": sum(counts.values()), "denominator": sum(denominators.values())}
    truth.loc[len(truth)] = {**truth.iloc[0].to_dict(), "geography_code": SCOTLAND_CODE, "geography_level": "scotland", **scotland, "value": round(1000 * scotland["numerator"] / scotland["denominator"], 1)}
    truth = truth.astype({"numerator": "Float64", "denominator": "Float64", "value": "Float64"})
    shown = truth.drop(columns=["numerator", "denominator", "value"]).assign(
        numerator_published=truth["numerator"].where(~truth["geography_code"].isin(hidden)),
        denominator_published=truth["denominator"],
        value_published=truth["value"].where(~truth["geography_code"].isin(hidden)),
        value_display=[HIDDEN if c in hidden else f"{v:.1f}" for c, v in zip(truth["geography_code"], truth["value"])],
    )
    return with_group_figures(shown, truth, GROUPS, {RATE.id: RATE})


def test_an_audit_of_an_edition_with_group_figures_finds_nothing_new():
    """The group figures, published beside a hidden small rate, let neither intruder pin it or
    narrow it: the audit's verdict and intervals are those of the edition without them."""
    members = GROUPS.members(1)
    counts = {c: 40 + 7 * i for i, c in enumerate(members)} | {members[2]: 3}  # one small count, hidden
    denominators = {c: 4000 + 250 * i for i, c in enumerate(members)}
    # Scotland's total is published, so a second council must be hidden too (as secondary suppression would).
    published_rows, truth = _edition_with_group_figures(counts, denominators, hidden={members[2], members[5]})
    assert (published_rows["geography_level"] == "family_group").sum() == 3 * len(members), "every council's median, lowest and highest are in what the audit sees"
    with_groups = audit_disclosure(published_rows, truth, exact_intervals=True)
    without = audit_disclosure(*(frame[frame["geography_level"] != "family_group"] for frame in (published_rows, truth)), exact_intervals=True)
    assert with_groups.passed and with_groups.cells_audited == without.cells_audited == 1
    pd.testing.assert_frame_equal(with_groups.intervals, without.intervals)
    # The same edition without the second hidden council fails: the audit is live on it.
    assert not audit_disclosure(*_edition_with_group_figures(counts, denominators, hidden={members[2]})).passed
