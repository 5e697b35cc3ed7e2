"""The Data Map: per vision statement, which datasets and measures inform it, who sent them, and the gaps.

Method notes: docs/publication.md, "Notes on `assets/publication/data_map.py`".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dagster as dg
import duckdb
import pandas as pd

from assets.ingest.returns import expectations
from assets.measures.indicators import SOURCE as INDICATOR_SOURCE
from assets.measures.indicators import measure_id_of
from assets.model.contracts import Contract
from assets.model.measures import Measure
from assets.model.reference import SCOTLAND_CODE
from assets.publication.data_holdings import HOLDINGS, held_data, latest_returns
from assets.publication.frameworks import Frameworks, framework_gaps

MAP_COLUMNS = (
    "vision_id", "vision", "question", "measure_id", "measure", "dataset", "dataset_name", "sent_by", "used_by",
    "agencies_expected", "agencies_sent", "periods", "latest_period", "agencies_in_latest_period", "last_received",
    "last_updated", "next_update_due", "published_by", "measure_latest_period", "councils_with_figures", "councils_without_figures",
)
RETURN_COLUMNS = ("dataset", "period", "agencies_expected", "agencies_sent", "agencies_missing")
GAP_COLUMNS = ("vision_id", "measure_id", "dataset", "kind", "gap")
HELD = ("accepted",)  # a superseded file was replaced by a correction for the same period


def dataset_readers(assets: Sequence[dg.AssetsDefinition]) -> dict[str, tuple[str, ...]]:
    """Which assets other than measures read each analysis dataset (the community voice, Q3 progress ...).

    Taken from the assembled asset graph, so a new publication asset that reads a dataset is
    on the map without an edit here.
    """
    readers: dict[str, set[str]] = {}
    for asset in assets:
        for key, deps in asset.asset_deps.items():
            if key.path[0] == "measures":
                continue
            for dep in deps:
                if dep.path[0] == "analysis":
                    readers.setdefault(dep.path[-1], set()).add(key.to_user_string())
    return {dataset: tuple(sorted(names)) for dataset, names in readers.items()}


def _join(names) -> str:
    return "; ".join(names)


def _held(coverage: pd.DataFrame) -> pd.DataFrame:
    return coverage[coverage["outcome"].isin(HELD)] if not coverage.empty else coverage


def data_map_returns(contracts: dict[str, Contract], coverage: pd.DataFrame, council_names: dict[str, str]) -> pd.DataFrame:
    """Per dataset and period: how many agencies were expected, how many sent, and who is missing."""
    held = _held(coverage)
    rows = []
    for expected in expectations(contracts, frozenset(council_names)):
        mine = held[held["dataset"] == expected.dataset] if not held.empty else held
        if mine.empty:
            rows.append((expected.dataset, "", len(expected.agencies) or pd.NA, 0, _join(council_names.get(a, a) for a in expected.agencies)))
            continue
        for period, files in mine.groupby("period", sort=True):
            sent = set(files["agency"])
            missing = [council_names.get(a, a) for a in expected.agencies if a not in sent]
            rows.append((expected.dataset, str(period), len(expected.agencies) or pd.NA, len(sent), _join(sorted(missing))))
    table = pd.DataFrame(rows, columns=list(RETURN_COLUMNS))
    return table.astype({"agencies_expected": "Int64", "agencies_sent": "Int64"})


def _dataset_facts(contract: Contract, expected: int | None, held: pd.DataFrame, today: dt.date) -> dict:
    mine = held[held["dataset"] == contract.id] if not held.empty else held
    if mine.empty:
        return {"agencies_expected": expected, "agencies_sent": 0, "periods": "", "latest_period": "", "agencies_in_latest_period": 0, "last_received": None, "last_updated": None, "next_update_due": None}
    periods = sorted(mine["period"].astype(str).unique())
    last = pd.to_datetime(mine["received_on"]).max().date()
    return {
        "agencies_expected": expected,
        "agencies_sent": int(mine["agency"].nunique()),
        "periods": ", ".join(periods),
        "latest_period": periods[-1],
        "agencies_in_latest_period": int(mine.loc[mine["period"].astype(str) == periods[-1], "agency"].nunique()),
        "last_received": last,
        "last_updated": last,
        "next_update_due": last + dt.timedelta(days=contract.refresh_days),
    }


def _figures(published: pd.DataFrame, measure_id: str, council_names: dict[str, str]) -> dict:
    """Which councils have a row in the measure's latest period (a [c] is a figure, only hidden)."""
    mine = published[published["measure_id"] == measure_id]
    if mine.empty:
        return {"measure_latest_period": "", "councils_with_figures": 0, "councils_without_figures": "all"}
    latest = mine["period"].astype(str).max()
    present = set(mine.loc[mine["period"].astype(str) == latest, "geography_code"])
    without = sorted(name for code, name in council_names.items() if code not in present)
    with_figures = len(council_names) - len(without)
    return {"measure_latest_period": latest, "councils_with_figures": with_figures, "councils_without_figures": "all" if not with_figures else _join(without)}


def data_map(
    contracts: dict[str, Contract],
    entries: dict[str, Measure],
    visions: pd.DataFrame,
    coverage: pd.DataFrame,
    published: pd.DataFrame,
    council_names: dict[str, str],
    producer_dates: pd.DataFrame,
    readers: dict[str, tuple[str, ...]],
    today: dt.date,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The map and its gaps (``mart.data_map`` and ``mart.data_map_gaps``; columns in the module doc).

    ``published``: ``measure_id, period, geography_code`` of the headline rows of
    ``mart.published_measures``. ``producer_dates``: ``measure_id, last_updated,
    next_update_due, published_by`` for national indicators (may be empty).
    """
    held = _held(coverage)
    expected = {e.dataset: len(e.agencies) or None for e in expectations(contracts, frozenset(council_names))}
    facts = {d: _dataset_facts(c, expected[d], held, today) for d, c in contracts.items()}
    vision_titles = dict(zip(visions["vision_id"].astype(int), visions["short_title"]))
    producer = producer_dates.set_index("measure_id").to_dict("index") if not producer_dates.empty else {}
    rows: list[dict] = []
    gaps: list[tuple] = []

    def dataset_columns(dataset: str) -> dict:
        contract = contracts.get(dataset)
        return {
            "dataset": dataset,
            "dataset_name": contract.name if contract else "",
            "sent_by": contract.agencies.describe() if contract else "no data contract",
            "used_by": _join(readers.get(dataset, ())),
            **(facts.get(dataset) or {"agencies_sent": 0}),
        }

    for entry in sorted(entries.values(), key=lambda e: (e.vision_id or 99, e.question, e.id)):
        figures = _figures(published, entry.id, council_names)
        base = {"vision_id": entry.vision_id, "vision": vision_titles.get(entry.vision_id, ""), "question": entry.question, "measure_id": entry.id, "measure": entry.title, **figures}
        for dataset in entry.sources:
            row = {**base, **dataset_columns(dataset)}
            if dataset == INDICATOR_SOURCE and entry.id in producer:
                row |= {k: v for k, v in producer[entry.id].items() if not pd.isna(v)}
            rows.append(row)
        if not figures["measure_latest_period"]:
            gaps.append((entry.vision_id, entry.id, "", "no_figures", f"{entry.title}: no figures published yet."))
        elif figures["councils_without_figures"] == "all":
            gaps.append((entry.vision_id, entry.id, "", "scotland_only", f"{entry.title}: published for Scotland only, no council figures ({figures['measure_latest_period']})."))
        elif figures["councils_without_figures"]:
            missing = figures["councils_without_figures"].split("; ")
            gaps.append((entry.vision_id, entry.id, "", "councils_missing", f"{entry.title}: no figures for {len(missing)} council{'s' if len(missing) != 1 else ''} in {figures['measure_latest_period']} ({', '.join(missing)})."))
    for vision in visions.itertuples():
        informing = [e for e in entries.values() if e.vision_id == vision.vision_id]
        if not informing:
            rows.append({"vision_id": vision.vision_id, "vision": vision.short_title})
            gaps.append((vision.vision_id, "", "", "no_measure", f"Vision {vision.vision_id} ({vision.short_title}): no measure informs it yet."))
            continue
        questions = {e.question for e in informing}
        if "Q2" not in questions:
            gaps.append((vision.vision_id, "", "", "no_indicator", f"Vision {vision.vision_id} ({vision.short_title}): no indicator of Scotland's progress (question 2)."))
        if "Q1" not in questions:
            gaps.append((vision.vision_id, "", "", "no_experience", f"Vision {vision.vision_id} ({vision.short_title}): no measure of the care community's experience (question 1)."))
    used = {s for e in entries.values() for s in e.sources}
    for dataset, contract in sorted(contracts.items()):
        if dataset not in used:
            rows.append(dataset_columns(dataset))
            if not readers.get(dataset):
                gaps.append((None, "", dataset, "dataset_unused", f"{contract.name} ({dataset}): no measure or report uses it."))
        fact = facts[dataset]
        if not fact["latest_period"]:
            gaps.append((None, "", dataset, "no_files", f"{contract.name} ({dataset}): no file has been received."))
        elif fact["agencies_expected"] and fact["agencies_in_latest_period"] < fact["agencies_expected"]:
            gaps.append((None, "", dataset, "incomplete_period", f"{contract.name} ({dataset}): {fact['agencies_in_latest_period']} of {fact['agencies_expected']} agencies sent {fact['latest_period']}."))
    table = pd.DataFrame(rows).reindex(columns=list(MAP_COLUMNS))
    table = table.astype({"vision_id": "Int64", "agencies_expected": "Int64", "agencies_sent": "Int64", "agencies_in_latest_period": "Int64", "councils_with_figures": "Int64"})
    for column in ("last_received", "last_updated", "next_update_due"):
        table[column] = pd.to_datetime(table[column]).dt.date
    gap_table = pd.DataFrame(gaps, columns=list(GAP_COLUMNS)).astype({"vision_id": "Int64"})
    return table, gap_table


def with_framework_gaps(gaps: pd.DataFrame, frameworks: Frameworks, entries: dict[str, Measure], published: pd.DataFrame) -> pd.DataFrame:
    """The map's gaps and every framework indicator that no measure with published figures serves."""
    extra = pd.DataFrame(framework_gaps(frameworks, entries, published["measure_id"]), columns=list(GAP_COLUMNS)).astype({"vision_id": "Int64"})
    return pd.concat([gaps, extra], ignore_index=True)


def is_analysed(con: duckdb.DuckDBPyConnection, dataset: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'analysis' AND table_name = ?", [dataset]).fetchall()[0][0] > 0


def producer_dates(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """A national indicator's release dates as its producer sent them, at the latest vintage."""
    if not is_analysed(con, INDICATOR_SOURCE):
        return pd.DataFrame(columns=["measure_id", "last_updated", "next_update_due", "published_by"])
    dates = con.execute(
        f"WITH latest AS (SELECT * FROM analysis.{INDICATOR_SOURCE} QUALIFY vintage = max(vintage) OVER (PARTITION BY indicator_id)) "
        "SELECT indicator_id, max(last_updated) AS last_updated, max(next_update_due) AS next_update_due, "
        "string_agg(DISTINCT source, '; ' ORDER BY source) AS published_by FROM latest GROUP BY indicator_id"
    ).df()
    return dates.assign(measure_id=dates["indicator_id"].map(measure_id_of)).drop(columns="indicator_id")


def write_map_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    con.register("data_map_frame", frame)
    con.execute(f"CREATE OR REPLACE TABLE mart.{name} AS SELECT * FROM data_map_frame")
    con.unregister("data_map_frame")


def write_holdings(con: duckdb.DuckDBPyConnection, coverage: pd.DataFrame, gaps: pd.DataFrame, visions: pd.DataFrame, names: dict[str, str]) -> int:
    """``mart.data_holdings`` and ``mart.data_map_findings`` from the organisations' latest holdings returns; how many findings."""
    holdings = latest_returns(con.execute(f"SELECT * FROM analysis.{HOLDINGS}").df())
    table, findings = held_data(holdings, coverage, gaps, visions, {SCOTLAND_CODE: "Scotland", **names}, dt.date.today().year)
    write_map_table(con, "data_holdings", table)
    write_map_table(con, "data_map_findings", findings)
    return len(findings)
