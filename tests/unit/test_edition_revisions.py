"""An edition after a correction marks ``[r]`` on the figures whose shown value moved since the previous edition, and on no other (issue 30).

Hand-made: one measure's figures published as edition E1 (through the real downloads), then
a corrected mart compared with what E1 published.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from assets.model.measures import Measure
from assets.publication.downloads import write_downloads
from assets.publication.edition_revisions import hidden_before, moved_figures, previous_figures
from assets.publication.mart import PUBLISHED_COLUMNS
from assets.publication.published_figures import published_figures
from assets.reports.evidence_sections import revisions
from assets.reports.measure_sections import measure_section, revision_notes
from assets.reports.places import SCOTLAND

MEASURE = "children_looked_after"
ENTRY = Measure(
    id=MEASURE, question="Q2", vision_id=1, title="Children looked after", numerator="children looked after", denominator=None, unit="children",
    breakdowns=("sex",), desired_direction="down", baseline_period="2021", sources=("looked_after_episodes",), figures=None, counted_in="social_work_year",
)
TITLES, NAMES = {MEASURE: ENTRY.title}, {SCOTLAND.code: SCOTLAND.name}


def _mart(figures: list[tuple[str, str, str, float | None, str]]) -> pd.DataFrame:
    """(period, breakdown, category, value published, value shown) rows of mart.published_measures for Scotland."""
    rows = [
        {"measure_id": MEASURE, "period": period, "geography_code": SCOTLAND.code, "geography_level": "scotland", "breakdown": breakdown, "category": category,
         "unit": "children", "numerator_published": value, "denominator_published": None, "value_published": value, "lower_published": None,
         "upper_published": None, "value_display": shown, "vintage": None}
        for period, breakdown, category, value, shown in figures
    ]
    return pd.DataFrame(rows, columns=list(PUBLISHED_COLUMNS)).astype({"value_published": "Float64", "numerator_published": "Float64"})


# What edition E1 published, and the same figures after a corrected file: hidden counts behind [c] change too.
BEFORE = [
    ("2021", "total", "total", 10, "10"),      # unmoved
    ("2022", "total", "total", 12, "12"),      # moves to 13
    ("2023", "total", "total", None, "[c]"),   # hidden before and after (3 then 4 behind it): never marked
    ("2024", "total", "total", None, "[c]"),   # shown now: marked, whatever was behind it
    ("2024", "sex", "F", 7, "7"),              # hidden now: marked
    ("2024", "sex", "M", 5, "5"),              # unmoved
]
AFTER = [
    ("2021", "total", "total", 10, "10"),
    ("2022", "total", "total", 13, "13"),
    ("2023", "total", "total", None, "[c]"),
    ("2024", "total", "total", 6, "6"),
    ("2024", "sex", "F", None, "[c]"),
    ("2024", "sex", "M", 5, "5"),
    ("2020", "total", "total", 9, "9"),        # new: first published, not revised
]
MOVED = {("2022", "total", "total"), ("2024", "total", "total"), ("2024", "sex", "F")}


def _publish(edition_dir: Path, edition: str, mart: pd.DataFrame, moved: pd.DataFrame | None = None) -> pd.DataFrame:
    """Write the edition's downloads as the published edition does; returns its all-published-figures table as read back."""
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA mart")
        con.register("measures", mart)
        con.execute("CREATE TABLE mart.published_measures AS SELECT * FROM measures")
        if moved is not None:
            con.register("moved", moved)
            con.execute("CREATE TABLE mart.figure_revisions AS SELECT * FROM moved")
        write_downloads(con, edition_dir / "downloads", edition=edition, titles=TITLES, geography_names=NAMES)
    (edition_dir / "manifest.json").write_text(json.dumps({"edition": edition}), encoding="utf-8")
    [figures] = (edition_dir / "downloads").glob("*all-published-figures*.csv")
    return pd.read_csv(figures, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    latest = tmp_path_factory.mktemp("published") / "latest"
    _publish(latest, "E1", _mart(BEFORE))
    return moved_figures(_mart(AFTER), previous_figures(latest))


def test_only_figures_whose_shown_value_moved_are_revised(moved: pd.DataFrame):
    assert set(zip(moved["period"], moved["breakdown"], moved["category"])) == MOVED
    notes = dict(zip(zip(moved["period"], moved["category"]), moved["previous_display"]))
    # A figure hidden now does not say what it was (the old value beside a [c] invites working out the new one).
    assert notes == {("2022", "total"): "12", ("2024", "total"): "[c]", ("2024", "F"): ""}
    assert moved_figures(_mart(AFTER), None).empty  # the first edition revises nothing


def test_what_the_previous_edition_hid_or_left_out_is_hidden_again(tmp_path: Path):
    latest = tmp_path / "latest"
    _publish(latest, "E1", _mart(BEFORE))
    now = _mart([*AFTER, ("2024", "sex", "X", 1, "1")])  # a category E1 left out of a period it published
    flags = dict(zip(zip(now["period"], now["breakdown"], now["category"]), hidden_before(now, previous_figures(latest))))
    assert {key for key, hidden in flags.items() if hidden} == {("2023", "total", "total"), ("2024", "total", "total"), ("2024", "sex", "X")}
    assert not hidden_before(now, None).any()  # a first edition keeps nothing hidden


def test_the_next_editions_downloads_mark_them_r(moved: pd.DataFrame, tmp_path: Path):
    figures = _publish(tmp_path / "E2", "E2", _mart(AFTER), moved)
    status = dict(zip(zip(figures["period"], figures["breakdown"], figures["category"]), figures["status"]))
    assert {k for k, s in status.items() if "[r]" in s} == MOVED
    assert status[("2023", "total", "total")] == "[c]" and status[("2024", "sex", "F")] == "[c] [r]" and status[("2020", "total", "total")] == "published"
    assert published_figures(_mart(AFTER), None, TITLES, NAMES)["status"].str.contains(r"\[r\]").sum() == 0  # no comparison, no mark


def test_reports_mark_them_beside_the_figure_and_list_them_in_the_methods(moved: pd.DataFrame):
    section = measure_section(_mart(AFTER), ENTRY, SCOTLAND, {}, revision_notes(None, moved).get(MEASURE))
    marked = {row["period"]: row["revision"] for row in section["series"]}
    assert {p for p, note in marked.items() if note} == {"2022", "2024"}
    assert "where it was 12" in marked["2022"] and "where it was [c]" in marked["2024"]
    [by_sex] = section["breakdowns"]
    assert sorted(r["value"] for r in by_sex["rows"]) == ["5", "[c] [r]"]
    [listed] = revisions(None, moved, SCOTLAND, NAMES, TITLES)
    assert listed["note"].startswith("Children looked after: 3 figures revised since the previous edition (E1)")
    assert "Scotland 2024 (sex F): [c] now" in listed["note"] and "7 then" not in listed["note"] and "2023" not in listed["note"]
