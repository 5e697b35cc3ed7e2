"""Q2 measures from published national indicators: one catalogue entry per declared stream.

The ``indicator_values`` dataset carries the published figures of the Promise Progress
Framework's national indicators, one file per release, each figure with its vintage. The
streams are data, so no stream has its own function: ``indicator_streams.yaml`` declares
what each ``indicator_id`` means (vision statement, plain-words title, desired direction,
baseline, tolerance), and this module turns each declaration into a catalogue entry whose
computation is the same function over that stream's rows.

Method notes: docs/publication.md, "Notes on `assets/measures/indicators.py`".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from assets.model.measures import Measure
from assets.model.reference import SCOTLAND_CODE

STREAMS_FILE = Path(__file__).with_name("indicator_streams.yaml")
SOURCE = "indicator_values"
FIGURE = ["indicator_id", "geography_code", "period"]
COLUMNS = ["indicator_id", "geography_code", "period", "value", "numerator", "denominator", "unit", "source", "vintage"]


@dataclass(frozen=True)
class IndicatorStream:
    """What one ``indicator_id`` means: a row of ``indicator_streams.yaml``."""

    indicator_id: str
    vision_id: int
    theme: str | None
    title: str
    numerator: str
    denominator: str | None
    unit: str
    desired_direction: str
    baseline_period: str
    tolerance_percent: float
    counted_in: str  # the kind of year the source publishes it by (``YEAR_SPANS``)
    progress_framework: tuple[str, ...] = ()
    core_wellbeing: tuple[str, ...] = ()

    @property
    def measure_id(self) -> str:
        return measure_id_of(self.indicator_id)


def measure_id_of(indicator_id: str) -> str:
    return f"indicator_{indicator_id}"


@cache
def declared_streams(path: Path = STREAMS_FILE) -> dict[str, IndicatorStream]:
    """The declared streams by indicator id (each declared once)."""
    streams: dict[str, IndicatorStream] = {}
    for entry in yaml.safe_load(path.read_text()):
        stream = IndicatorStream(**{k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()})
        if stream.indicator_id in streams:
            raise ValueError(f"indicator {stream.indicator_id} declared twice in {path.name}")
        streams[stream.indicator_id] = stream
    return streams


def _vintage_order(values: pd.DataFrame) -> pd.DataFrame:
    # Vintages are 'YYYY-MM' (the contract's pattern), so text order is release order.
    return values.sort_values([*FIGURE, "vintage"], ignore_index=True)


def latest_vintage(values: pd.DataFrame) -> pd.DataFrame:
    """Each figure (indicator, geography, period) at its latest vintage."""
    return _vintage_order(values).drop_duplicates(FIGURE, keep="last").reset_index(drop=True)


def _number(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def _decimals(value: float) -> int:
    """Decimal places a published value was given with (up to 3)."""
    text = f"{value:.3f}".rstrip("0")
    return len(text.split(".")[1])


def revisions(values: pd.DataFrame) -> pd.DataFrame:
    """Every change of a published figure between one vintage and the next.

    One row per revision: ``measure_id, indicator_id, geography_code, period, earlier_value,
    earlier_vintage, revised_value, revised_vintage, is_latest`` (the revision gives the
    figure's latest value) and ``note`` in plain words ("revised from 12,206 to 12,084 in the
    2025-04 release; first published in 2024-04"). A figure re-published unchanged is not a
    revision.
    """
    ordered = _vintage_order(values)
    earlier = ordered.groupby(FIGURE, sort=False)[["value", "vintage"]].shift(1)
    changed = earlier["vintage"].notna() & (earlier["value"] != ordered["value"])
    table = ordered.loc[changed, FIGURE].assign(
        earlier_value=earlier.loc[changed, "value"].astype(float),
        earlier_vintage=earlier.loc[changed, "vintage"],
        revised_value=ordered.loc[changed, "value"].astype(float),
        revised_vintage=ordered.loc[changed, "vintage"],
    )
    latest = latest_vintage(values).set_index(FIGURE)["vintage"]
    table["is_latest"] = table.set_index(FIGURE).index.map(latest).to_numpy() == table["revised_vintage"].to_numpy()
    table["note"] = [
        f"revised from {_number(a, d)} to {_number(b, d)} in the {rv} release; published as {_number(a, d)} in {ev}"
        for a, b, ev, rv, d in zip(
            table.earlier_value, table.revised_value, table.earlier_vintage, table.revised_vintage,
            (max(_decimals(a), _decimals(b)) for a, b in zip(table.earlier_value, table.revised_value)),
        )
    ]
    table.insert(0, "measure_id", table["indicator_id"].map(measure_id_of))
    return table.reset_index(drop=True)


def _whole_or_missing(column: pd.Series) -> pd.Series:
    """A published count as an integer; a fractional 'count' is not a count, so it is left out."""
    number = pd.to_numeric(column, errors="coerce")
    return number.where(number.round() == number).round().astype("Int64")


def stream_figures(values: pd.DataFrame) -> pd.DataFrame:
    """One stream's figures at their latest vintage.

    ``values`` holds that stream's rows of ``indicator_values`` (every vintage). Geography
    level follows the code: Scotland's code, otherwise a council (the contract admits only
    those). The figures are published ones, not sums we make, so their declarations say
    their numerators do not add up.
    """
    latest = latest_vintage(values)
    table = pd.DataFrame({
        "period": latest["period"].astype(str),
        "geography_code": latest["geography_code"].astype(str),
        "geography_level": latest["geography_code"].map(lambda code: "scotland" if code == SCOTLAND_CODE else "council"),
        "breakdown": "total",
        "category": "total",
        "numerator": _whole_or_missing(latest["numerator"]),
        "denominator": pd.to_numeric(latest["denominator"], errors="coerce"),
        "value": pd.to_numeric(latest["value"]),
        "vintage": latest["vintage"].astype(str),
    })
    return table


def indicator_rows(con: duckdb.DuckDBPyConnection, indicator_id: str | None = None) -> pd.DataFrame:
    """Rows of ``analysis.indicator_values`` (every vintage), for one indicator or all."""
    columns = ", ".join(COLUMNS)
    if indicator_id is None:
        return con.execute(f"SELECT {columns} FROM analysis.{SOURCE}").df()
    return con.execute(f"SELECT {columns} FROM analysis.{SOURCE} WHERE indicator_id = ?", [indicator_id]).df()


def _figures_of(con: duckdb.DuckDBPyConnection, indicator_id: str) -> pd.DataFrame:
    return stream_figures(indicator_rows(con, indicator_id))


def stream_measure(stream: IndicatorStream) -> Measure:
    """A declared stream as a catalogue measure: figures published by others, whose numerators we do not sum."""
    return Measure(
        id=stream.measure_id,
        question="Q2",
        vision_id=stream.vision_id,
        theme=stream.theme,
        title=stream.title,
        numerator=stream.numerator,
        denominator=stream.denominator,
        unit=stream.unit,
        breakdowns=(),
        desired_direction=stream.desired_direction,
        baseline_period=stream.baseline_period,
        counted_in=stream.counted_in,
        sources=(SOURCE,),
        figures=partial(_figures_of, indicator_id=stream.indicator_id),
        tolerance_percent=stream.tolerance_percent,
        numerators_add_up=False,
        progress_framework=stream.progress_framework,
        core_wellbeing=stream.core_wellbeing,
    )


STREAM_MEASURES = [stream_measure(stream) for stream in declared_streams().values()]
