"""The publication mart: built by the real asset on a small warehouse, checked, exported, downloaded.

The warehouse is made by hand (two small measures and the reference indicator values), so
the test runs in seconds and every figure in it is known.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest
from dagster_duckdb import DuckDBResource

import assets.publication.mart as mart
from assets.folders import StoryFolders
from assets.measures.catalogue import catalogue
from assets.model.contracts import load_contracts
from assets.model.measures import Measure
from assets.model.reference import councils
from assets.publication import factory
from assets.publication.downloads import all_figures_downloads, measure_download, write_downloads
from assets.publication.export import export_mart, read_exported
from tests.support.paths import CONTRACTS, REFERENCE, SHARED

SCOTLAND, GLASGOW, FIFE = "S92000003", "S12000049", "S12000047"


def declared(measure_id: str, unit: str, sources: tuple[str, ...], denominator: str | None, public_denominator: bool = False) -> Measure:
    return Measure(
        id=measure_id, question="Q2", vision_id=1, title=measure_id.replace("_", " "), numerator="children", denominator=denominator,
        unit=unit, breakdowns=("sex",), desired_direction="down", baseline_period="2022", counted_in="social_work_year", sources=sources, figures=lambda con: None,
        public_denominator=public_denominator,
    )


def counts() -> pd.DataFrame:
    """Children by sex in two councils and Scotland, two years; Glasgow 2023 has 3 girls."""
    rows = []
    for period, glasgow, fife in (("2022", (40, 30), (12, 20)), ("2023", (3, 44), (15, 22))):
        for code, (girls, boys) in ((GLASGOW, glasgow), (FIFE, fife)):
            rows += [(period, code, "council", "sex", "female", girls), (period, code, "council", "sex", "male", boys), (period, code, "council", "total", "total", girls + boys)]
    table = pd.DataFrame(rows, columns=["period", "geography_code", "geography_level", "breakdown", "category", "numerator"])
    scotland = table.groupby(["period", "breakdown", "category"], as_index=False)["numerator"].sum().assign(geography_code=SCOTLAND, geography_level="scotland")
    table = pd.concat([table, scotland], ignore_index=True)
    table["numerator"] = table["numerator"].astype("Int64")
    return table


@pytest.fixture
def warehouse(story_env: Path) -> tuple[Path, dict[str, Measure]]:
    """A warehouse with a count, a rate per 1,000 (population denominator) and the indicator streams."""
    story_env.mkdir(parents=True)
    path = story_env / "warehouse.duckdb"
    table = counts()
    rate = table.assign(denominator=5000.0)
    rate["value"] = (1000 * rate["numerator"] / rate["denominator"]).round(1)
    entries = {
        "children": declared("children", "children", ("looked_after_episodes",), None),
        "children_rate": declared("children_rate", "per 1,000 children aged 0-17", ("looked_after_episodes", "population_estimates"), "children aged 0-17", public_denominator=True),
    }
    frames = {measure_id: entries[measure_id].long_format(figures) for measure_id, figures in (("children", table), ("children_rate", rate))}
    indicators = {m: e for m, e in catalogue(REFERENCE, load_contracts(CONTRACTS)).items() if m.startswith("indicator_")}
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA analysis; CREATE SCHEMA measures")
        con.register("indicator_frame", pd.read_csv(REFERENCE / "national_indicator_values.csv", dtype={"period": str, "vintage": str}).assign(numerator=np.nan, denominator=np.nan))
        con.execute("CREATE TABLE analysis.indicator_values AS SELECT * FROM indicator_frame")
        con.execute("INSERT INTO analysis.indicator_values BY NAME SELECT 'not_yet_declared' AS indicator_id, 'S92000003' AS geography_code, '2024' AS period, 1.0 AS value, 'x' AS unit, 'x' AS source, '2025-04' AS vintage")
        for measure_id, entry in indicators.items():
            frames[measure_id] = entry.compute(con)
        for measure_id, frame in frames.items():
            con.execute(f"CREATE TABLE measures.{measure_id} AS SELECT * FROM frame")
    return path, entries | indicators


def materialize(path: Path, entries: dict[str, Measure]) -> dict[str, dg.AssetCheckEvaluation]:
    result = dg.materialize(
        [factory.build_published_measures_asset(entries, load_contracts(CONTRACTS))],
        resources={"folders": StoryFolders(content_dir=str(path.parent), shared_dir=str(SHARED)), "warehouse": DuckDBResource(database=str(path))},
        raise_on_error=False,
    )
    return {c.check_name: c for c in result.get_asset_check_evaluations()}


def mart_table(path: Path, table: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"SELECT * FROM mart.{table}").df()


def test_the_mart_is_checked_exported_and_downloaded(warehouse, tmp_path: Path):
    path, entries = warehouse
    checks = materialize(path, entries)
    assert checks["no_disclosive_cells"].passed and checks["no_identifiers_in_warehouse"].passed
    assert not checks["every_indicator_declared"].passed and checks["every_indicator_declared"].metadata["undeclared"].text == "not_yet_declared"

    published = mart_table(path, "published_measures").set_index(["measure_id", "period", "geography_code", "category"])
    assert published.loc[("children", "2023", GLASGOW, "female"), "value_display"] == "[c]"
    # One symbol: nothing published says which hidden cells are small; the reasons stay in the warehouse.
    assert not {"suppression", "suppression_reason"} & set(published.columns)
    with duckdb.connect(str(path), read_only=True) as con:
        reasons = con.execute("SELECT * FROM disclosure.suppressed_cells").df().set_index(["measure_id", "period", "geography_code", "category"])
    assert reasons.loc[("children", "2023", GLASGOW, "female"), "suppression"] == "primary"
    assert set(reasons.index) == set(published.index[published.value_display == "[c]"])
    # The intruder audit ran on what was published: the one small count, in both measures that hold it.
    audit = checks["intruder_audit"]
    assert audit.passed and audit.metadata["cells_audited"].value == 2
    assert {"cells_failing", "failures", "narrowest_interval", "seconds", "threshold"} <= set(audit.metadata)
    # Population denominators are public, even beside a hidden rate; a count's row has none.
    assert published.loc[("children_rate", "2023", GLASGOW, "female"), "denominator_published"] == 5000
    assert published.loc[("indicator_looked_after_31_july", "2023", SCOTLAND, "total"), "value_published"] == 12084
    revisions = mart_table(path, "indicator_revisions")
    assert "revised from 12,206 to 12,084" in " ".join(revisions.note)
    warnings = mart_table(path, "early_warnings")
    assert {"indicator_seclusion_school_care_accommodation", "indicator_care_experienced_leavers_scqf6_pct"} <= set(warnings.measure_id)

    for url in (f"sqlite:///{tmp_path / 'copy.sqlite'}", f"duckdb:///{tmp_path / 'copy.duckdb'}"):
        written = export_mart(path, url)
        assert set(written) == {"published_measures", "indicator_revisions", "figure_revisions", "early_warnings"}  # no earlier edition: no figure revised
        for table, rows in written.items():
            original, copy = mart_table(path, table), read_exported(url, table)
            assert len(copy) == rows == len(original)
            pd.testing.assert_frame_equal(copy.astype(object).where(copy.notna(), None), original.astype(object).where(original.notna(), None), check_dtype=False)

    names = {SCOTLAND: "Scotland", **councils(SHARED / "reference").names}
    files = write_downloads(duckdb.connect(str(path), read_only=True), tmp_path / "downloads", edition="e1", titles={m: e.title for m, e in entries.items()}, geography_names=names)
    children_file = measure_download("e1", "children", [SCOTLAND, GLASGOW])
    assert {f.relative_to(tmp_path / "downloads").as_posix() for f in files} >= {children_file, measure_download("e1", "indicator_looked_after_31_july", [SCOTLAND]),
                                                                               "story-of-progress_e1_indicator-revisions_scotland.csv", "story-of-progress_e1_early-warnings_scotland-and-councils.csv"}
    children = pd.read_csv(tmp_path / "downloads" / children_file, dtype={"period": str})
    assert len(children) == len(published.loc["children"]) and set(children.measure_id) == {"children"}
    assert children.loc[children.value_display == "[c]", "numerator_published"].isna().all()
    assert not {"suppression", "suppression_reason"} & set(children.columns)
    # Every figure in one tidy file: a blank value always says why, and no raw count is in it.
    every = pd.read_csv(tmp_path / "downloads" / all_figures_downloads("e1", [SCOTLAND, GLASGOW])[0], dtype={"period": str})
    assert len(every) == len(published)
    assert list(every.columns) == ["geography_code", "geography_name", "geography_level", "period", "measure_id", "measure_title", "breakdown", "category", "value", "lower", "upper", "unit", "vintage", "status"]
    assert (every.status == "[c]").sum() == (published.value_display == "[c]").sum() > 0
    blank = every.value.isna()
    assert set(every.loc[blank, "status"]) <= {"[c]", "[x]", "[z]"} and set(every.loc[~blank, "status"]) <= {"published", "[r]"}
    assert (every.status == "[r]").any(), "the revised national figure is marked"


def test_a_small_cell_planted_in_the_mart_is_caught_by_the_blocking_check(warehouse, monkeypatch: pytest.MonkeyPatch):
    path, entries = warehouse
    genuine = mart.apply_disclosure_control

    def plant_a_small_cell(measures, *args, **kwargs):
        out = genuine(measures, *args, **kwargs)
        planted = out.index[(out.suppression == "primary")][0]
        out.loc[planted, ["suppression", "suppression_reason", "value_display"]] = ["", "", str(out.loc[planted, "numerator"])]
        out.loc[planted, "numerator_published"] = out.loc[planted, "numerator"]
        return out

    monkeypatch.setattr(mart, "apply_disclosure_control", plant_a_small_cell)
    check = materialize(path, entries)["no_disclosive_cells"]
    assert not check.passed and check.blocking
    assert "a count 3 is published" in check.metadata["violations"].value
    with duckdb.connect(str(path), read_only=True) as con:  # rolled back: nothing disclosive stays in the mart
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'mart'").fetchone()[0] == 0


def narrowed_incidents() -> pd.DataFrame:
    """A table the sums' exact check passes and the intruder audit does not (found by search):
    councils' incidents in three categories, with headlines and Scotland."""
    cells = {GLASGOW: (3, 6, 6), FIFE: (2, 5, 15), "S12000005": (5, 1, 9), "S12000006": (15, 1, 2), "S12000008": (15, 6, 5)}
    rows = []
    for code, per in cells.items():
        rows += [("2023", code, "council", "practice", c, n) for c, n in zip("abc", per)] + [("2023", code, "council", "total", "total", sum(per))]
    table = pd.DataFrame(rows, columns=["period", "geography_code", "geography_level", "breakdown", "category", "numerator"])
    scotland = table.groupby(["period", "breakdown", "category"], as_index=False)["numerator"].sum().assign(geography_code=SCOTLAND, geography_level="scotland")
    table = pd.concat([table, scotland], ignore_index=True)
    table["numerator"] = table["numerator"].astype("Int64")
    return declared("incidents", "incidents", ("restraint_incidents",), None).long_format(table)


def test_an_edition_an_intruder_can_narrow_down_is_refused_and_the_judge_prevents_it(warehouse, monkeypatch: pytest.MonkeyPatch):
    path, entries = warehouse
    with duckdb.connect(str(path)) as con:
        con.register("incidents_frame", narrowed_incidents())
        con.execute("CREATE TABLE measures.incidents AS SELECT * FROM incidents_frame")
    entries = entries | {"incidents": declared("incidents", "incidents", ("restraint_incidents",), None)}
    genuine = mart.apply_disclosure_control
    monkeypatch.setattr(mart, "apply_disclosure_control", lambda measures, *args, **kwargs: genuine(measures, *args, **{**kwargs, "judge": None}))
    checks = materialize(path, entries)
    audit = checks["intruder_audit"]
    assert checks["no_disclosive_cells"].passed  # the exact check cannot see it
    assert not audit.passed and audit.blocking and audit.metadata["cells_failing"].value > 0
    # The cells are named, with what each intruder can say about them.
    assert "incidents, 2023, S12000005, practice=b: intruder (a) [0, 5+], intruder (b) [1, 1]; intruder (b) pins it exactly" in audit.metadata["failures"].value
    assert "incidents, 2023, S12000006, practice=c: intruder (a) [0, 3], intruder (b) [1, 2]; intruder (a) proves it is below 5" in audit.metadata["failures"].value
    with duckdb.connect(str(path), read_only=True) as con:  # rolled back
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'mart'").fetchone()[0] == 0
    monkeypatch.setattr(mart, "apply_disclosure_control", genuine)
    checks = materialize(path, entries)
    assert checks["intruder_audit"].passed and checks["no_disclosive_cells"].passed
    assert len(mart_table(path, "published_measures").query("measure_id == 'incidents'")) > 0


def test_a_count_denominator_is_published_only_beside_a_published_figure_and_never_when_hidden_elsewhere():
    rows = pd.DataFrame({
        "measure_id": ["share", "share", "rate", "count", "published_indicator"],
        "period": "2024", "geography_code": GLASGOW, "breakdown": "total", "category": "total",
        "numerator": pd.array([30, 3, 3, 12, pd.NA], dtype="Int64"),
        "denominator": pd.array([60.0, 40.0, 5000.0, pd.NA, 12.0], dtype="Float64"),
        "suppression": ["", "primary", "primary", "secondary", ""],
    })
    shown = mart.publishable_denominators(rows, public={"rate"}).tolist()
    # published share: shown; hidden share: hidden; population rate: public even when hidden;
    # a count has none; an indicator's denominator equal to the hidden count 12: hidden.
    assert shown[0] == 60.0 and pd.isna(shown[1])
    assert shown[2] == 5000.0 and pd.isna(shown[3]) and pd.isna(shown[4])
