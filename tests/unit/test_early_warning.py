"""Early warning: hand-made series and ledgers, and the WARN check on a measure asset."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.folders import StoryFolders
from assets.measures.early_warning import against_direction, data_overdue, early_warnings
from assets.measures.factory import build_measure_asset
from assets.model.measures import Measure
from assets.model.zones import ENTRIES, ENTRIES_DDL
from tests.support.paths import SHARED

SCOTLAND, FIFE = "S92000003", "S12000047"
NAMES = {FIFE: "Fife"}
TODAY = dt.date(2025, 6, 1)


def entry(desired: str = "down", tolerance: float = 5.0, figures=None, sources: tuple[str, ...] = ("looked_after_episodes",)) -> Measure:
    return Measure(
        id="children_in_care", question="Q2", vision_id=1, title="Children looked after", numerator="children", denominator=None,
        unit="children", breakdowns=(), desired_direction=desired, baseline_period="2020", counted_in="social_work_year", sources=sources,
        figures=figures or (lambda con: None), tolerance_percent=tolerance,
    )


def series(values: dict[str, float | None], geography: str = SCOTLAND) -> pd.DataFrame:
    return pd.DataFrame({"geography_code": geography, "period": list(values), "value": [float("nan") if v is None else v for v in values.values()]})


def test_a_rise_beyond_tolerance_in_a_measure_that_should_fall_warns_in_plain_words():
    warned = against_direction(series({"2021": 1000, "2022": 900, "2023": 990}), entry(), NAMES)
    assert warned[["geography_code", "period", "kind"]].values.tolist() == [[SCOTLAND, "2023", "against_direction"]]
    assert warned.message.iloc[0] == (
        "Children looked after, Scotland: rose by 10.0% from 900 in 2022 to 990 in 2023, against the aim that it should fall (warning beyond 5%)."
    )


def test_the_latest_change_is_compared_with_the_previous_period_not_the_baseline():
    # Far above the 2020 baseline, but the latest year fell: no warning.
    assert against_direction(series({"2020": 100, "2022": 200, "2023": 190}), entry(), NAMES).empty
    # Within tolerance (+4%), or the right way, or no desired direction: no warning.
    assert against_direction(series({"2022": 100, "2023": 104}), entry(), NAMES).empty
    assert against_direction(series({"2022": 100, "2023": 150}), entry(desired="up"), NAMES).empty
    assert against_direction(series({"2022": 100, "2023": 150}), entry(desired="none"), NAMES).empty


def test_a_fall_in_a_measure_that_should_rise_warns_per_council():
    table = pd.concat([series({"2022-23": 71.0, "2023-24": 66.0}, FIFE), series({"2022-23": 71.0, "2023-24": 70.0})])
    warned = against_direction(table, entry(desired="up", tolerance=2.0), NAMES)
    assert warned.geography_code.tolist() == [FIFE]
    assert "Fife: fell by 7.0% from 71 in 2022-23 to 66 in 2023-24, against the aim that it should rise" in warned.message.iloc[0]


def test_a_hidden_or_zero_previous_value_is_not_compared():
    assert against_direction(series({"2022": None, "2023": 500}), entry(), NAMES).empty
    assert against_direction(series({"2022": 0, "2023": 7}), entry(), NAMES).empty
    assert against_direction(series({"2022": 10, "2023": None}), entry(), NAMES).empty


def latest_files(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["dataset", "agency", "period", "received_on"]).assign(received_on=lambda t: pd.to_datetime(t.received_on).dt.date)


def test_a_source_file_older_than_its_refresh_period_is_overdue():
    files = latest_files(
        ("looked_after_episodes", FIFE, "2023", "2024-01-15"),          # 503 days: overdue
        ("looked_after_episodes", "S12000049", "2024", "2024-09-01"),   # 273 days: fine
        ("indicator_values", "SG", "2024-04", "2024-04-30"),            # not this measure's source
    )
    overdue = data_overdue(files, entry(), {"looked_after_episodes": 400}, TODAY, NAMES)
    assert overdue[["geography_code", "period", "kind"]].values.tolist() == [[FIFE, "2023", "data_overdue"]]
    assert overdue.message.iloc[0] == (
        "Children looked after: the latest looked after episodes file from Fife (for 2023) was received on 15 January 2024, "
        "503 days ago; a new one is expected every 400 days."
    )


def test_a_national_agency_overdue_is_a_warning_for_scotland():
    files = latest_files(("indicator_values", "SG", "2024-04", "2024-04-30"))
    overdue = data_overdue(files, entry(sources=("indicator_values",)), {"indicator_values": 300}, TODAY, NAMES)
    assert overdue.geography_code.tolist() == [SCOTLAND] and "from SG" in overdue.message.iloc[0]
    both = early_warnings(series({"2022": 10, "2023": 20}), files, entry(sources=("indicator_values",)), {"indicator_values": 300}, TODAY, NAMES)
    assert both.kind.tolist() == ["against_direction", "data_overdue"]


def test_the_measure_asset_raises_a_warn_check_when_off_track(tmp_path: Path):
    def figures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        return pd.DataFrame({"period": ["2022", "2023"], "geography_code": SCOTLAND, "geography_level": "scotland", "breakdown": "total", "category": "total", "numerator": pd.array([100, 130], dtype="Int64")})

    data = tmp_path / "data"
    data.mkdir()
    with duckdb.connect(str(data / "content_zone.duckdb")) as cz:  # the measure reads the ledger's entries there, never the index zone
        cz.execute(ENTRIES_DDL.format(zone="content_zone"))
        cz.execute(f"INSERT INTO {ENTRIES} VALUES ('aaaa-bbbb-cccc', 'looked_after_episodes', '{FIFE}', '2023', NULL, DATE '2020-01-01', DATE '2020-01-01', '1.0.0', 'accepted', NULL, NULL)")
    asset = build_measure_asset(entry(figures=figures), council_count=32, refresh_days={"looked_after_episodes": 400})
    result = dg.materialize(
        [asset],
        resources={"folders": StoryFolders(content_dir=str(data), shared_dir=str(SHARED)), "warehouse": DuckDBResource(database=str(data / "warehouse.duckdb"))},
        raise_on_error=True,
    )
    (check,) = [c for c in result.get_asset_check_evaluations() if c.check_name == "on_track"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["warnings"].value == 2
    seen = check.metadata["warnings_seen"].value
    assert "Scotland, 2023: moved against the desired direction (down) by more than 5%" in seen and "Fife (for 2023)" in seen
    assert "130" not in seen  # figures before disclosure control stay out of check metadata
