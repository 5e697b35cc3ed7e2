"""Early warning: which measures have moved off track, and whose data have stopped arriving.

Two kinds of warning, each one row of ``mart.early_warnings`` (``measure_id, geography_code,
period, kind, message``) and, together, the WARN check ``on_track`` on the measure's asset:

* ``against_direction``: the latest period's headline value moved against the measure's
  desired direction by more than its declared ``tolerance_percent``, compared with the
  **previous period** (not the 2020 baseline). The baseline comparison is the direction of
  travel the report already shows; a warning is about the latest change, the one somebody
  can still act on. A measure with no desired direction never warns, and neither does a
  change from a previous value of zero (no percentage can be given) nor one where either
  value is missing (not available, or hidden by disclosure control in the mart).
* ``data_overdue``: an agency's latest accepted file for one of the measure's source datasets
  was received more than the contract's ``refreshDays`` ago. Its geography is the agency when
  the agency is a council, otherwise Scotland; its period is the latest period that agency
  sent. Agencies that never sent a file are coverage gaps (``mart.data_coverage``), not
  overdue.

Only the headline row (breakdown ``total``) of each geography is compared: breakdowns of
small groups swing by chance and would bury the warnings that matter.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from assets.model.measures import Measure
from assets.model.reference import SCOTLAND_CODE
from assets.model.zones import ENTRIES, attached_content_side

WARNING_COLUMNS = ["measure_id", "geography_code", "period", "kind", "message"]
AGAINST_DIRECTION = "against_direction"
DATA_OVERDUE = "data_overdue"
AIM = {"up": "rise", "down": "fall"}


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in WARNING_COLUMNS})


def place_name(code: str, place_names: dict[str, str]) -> str:
    return "Scotland" if code == SCOTLAND_CODE else place_names.get(code, code)


def _figure(value: float, unit: str) -> str:
    if float(value).is_integer() and not unit.lower().startswith(("per", "percent", "%", "rate")):
        return f"{int(value):,}"
    return f"{value:,.1f}"


def against_direction(headlines: pd.DataFrame, entry: Measure, place_names: dict[str, str]) -> pd.DataFrame:
    """Warnings for geographies whose latest value moved the wrong way beyond tolerance.

    ``headlines``: one measure's headline rows with ``geography_code``, ``period`` and
    ``value`` (NA where not available or hidden). Periods compare in text order, which is
    time order for every label the contracts allow ("2021", "2020-21", "2024-04").
    """
    if entry.desired_direction not in AIM or headlines.empty:
        return _empty()
    rows = []
    for code, series in headlines.sort_values("period").groupby("geography_code", sort=True):
        if len(series) < 2:
            continue
        previous, latest = series.iloc[-2], series.iloc[-1]
        if pd.isna(previous.value) or pd.isna(latest.value) or previous.value == 0:
            continue
        change = 100 * (float(latest.value) - float(previous.value)) / float(previous.value)
        wrong_way = change > entry.tolerance_percent if entry.desired_direction == "down" else change < -entry.tolerance_percent
        if not wrong_way:
            continue
        moved = "rose" if change > 0 else "fell"
        rows.append({
            "measure_id": entry.id,
            "geography_code": code,
            "period": latest.period,
            "kind": AGAINST_DIRECTION,
            "message": (
                f"{entry.title}, {place_name(code, place_names)}: {moved} by {abs(change):.1f}% from "
                f"{_figure(previous.value, entry.unit)} in {previous.period} to {_figure(latest.value, entry.unit)} in {latest.period}, "
                f"against the aim that it should {AIM[entry.desired_direction]} (warning beyond {entry.tolerance_percent:g}%)."
            ),
        })
    return pd.DataFrame(rows, columns=WARNING_COLUMNS) if rows else _empty()


def latest_accepted_files(con: duckdb.DuckDBPyConnection, content_zone: Path, datasets: list[str]) -> pd.DataFrame:
    """Per dataset and agency, the latest accepted file's period and the day it was received,
    from the content zone's ledger entries (``assets.model.zones.ENTRIES``; none before any intake)."""
    if not datasets or not content_zone.exists():
        return pd.DataFrame(columns=["dataset", "agency", "period", "received_on"])
    with attached_content_side(con, {"cz": content_zone}):
        if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'cz' AND table_name = ?", [ENTRIES.split(".")[1]]).fetchone()[0]:
            return pd.DataFrame(columns=["dataset", "agency", "period", "received_on"])
        return con.execute(
            f"SELECT dataset, agency, arg_max(period, received_on) AS period, max(received_on) AS received_on FROM cz.{ENTRIES} "
            f"WHERE outcome = 'accepted' AND dataset IN ({', '.join('?' * len(datasets))}) GROUP BY dataset, agency ORDER BY dataset, agency",
            datasets,
        ).df()


def data_overdue(
    latest_files: pd.DataFrame, entry: Measure, refresh_days: dict[str, int], today: dt.date, place_names: dict[str, str],
) -> pd.DataFrame:
    """Warnings for agencies whose latest accepted file for one of the measure's sources is too old.

    ``latest_files``: ``dataset, agency, period, received_on`` (as from
    ``latest_accepted_files``); ``refresh_days``: per dataset, the contract's ``refreshDays``.
    """
    rows = []
    for file in latest_files[latest_files["dataset"].isin(entry.sources)].itertuples():
        received = pd.Timestamp(file.received_on).date()
        age = (today - received).days
        allowed = refresh_days[file.dataset]
        if age <= allowed:
            continue
        is_council = file.agency in place_names and file.agency != SCOTLAND_CODE
        rows.append({
            "measure_id": entry.id,
            "geography_code": file.agency if is_council else SCOTLAND_CODE,
            "period": file.period,
            "kind": DATA_OVERDUE,
            "message": (
                f"{entry.title}: the latest {file.dataset.replace('_', ' ')} file from {place_name(file.agency, place_names)} "
                f"(for {file.period}) was received on {received:%d %B %Y}, {age} days ago; a new one is expected every {allowed} days."
            ),
        })
    return pd.DataFrame(rows, columns=WARNING_COLUMNS) if rows else _empty()


def early_warnings(
    headlines: pd.DataFrame, latest_files: pd.DataFrame, entry: Measure, refresh_days: dict[str, int],
    today: dt.date, place_names: dict[str, str],
) -> pd.DataFrame:
    """Both kinds of warning for one measure, in the ``mart.early_warnings`` columns."""
    return pd.concat(
        [
            against_direction(headlines, entry, place_names),
            data_overdue(latest_files, entry, refresh_days, today, place_names),
        ],
        ignore_index=True,
    )


def headline_rows(table: pd.DataFrame, value_column: str = "value") -> pd.DataFrame:
    """The headline (breakdown 'total') rows of a long-format table, as ``geography_code, period, value``."""
    headline = table[table["breakdown"] == "total"]
    return pd.DataFrame({
        "geography_code": headline["geography_code"].astype(str),
        "period": headline["period"].astype(str),
        "value": pd.to_numeric(headline[value_column], errors="coerce").astype(float),
    })
