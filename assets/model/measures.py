"""A measure's declaration: what it means, what disclosure control must know of it, and its computation.

A declaration says what the measure means (question, vision statement, plain-words title,
numerator, denominator, unit, breakdowns, desired direction, baseline, sources, the kind of year
it counts in) and what disclosure control needs to know of its nature (whether its numerators
add up, whether its denominator is a public statistic, whether its count is made of another
measure's categories, whether it is a stock that flows in and out); its computation gives its figures from analysis tables, and the
declaration turns them into the standard long format below. The stage lists every measure in
``assets.measures.catalogue.MEASURES``; ``catalogue_of`` turns such a list into the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from assets.model.contracts import YEAR_SPANS, Contract

# Every measure returns these columns (see assets/disclosure/disclosure_control.py).
# ``lower``/``upper`` hold a confidence interval where the measure has one (NA otherwise);
# ``vintage`` names the release a published figure comes from (NA for our own counts).
LONG_FORMAT = (
    "measure_id", "period", "geography_code", "geography_level", "breakdown", "category",
    "numerator", "denominator", "value", "unit", "additive", "lower", "upper", "vintage",
)

Compute = Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]


@dataclass(frozen=True)
class Measure:
    """A measure's declaration, its nature stated once, with the computation of its figures.

    ``figures`` returns the figure columns of ``LONG_FORMAT`` (period, geography, breakdown,
    category, numerator, and denominator, value, interval or vintage where it has them);
    ``compute`` adds what the declaration says (id, unit, whether its numerators add up).
    """

    id: str
    question: Literal["Q1", "Q2", "Q3"]
    vision_id: int | None
    title: str
    numerator: str
    denominator: str | None
    unit: str
    breakdowns: tuple[str, ...]
    desired_direction: Literal["up", "down", "none"]
    baseline_period: str
    sources: tuple[str, ...]
    figures: Compute
    # The kind of year its periods are (a period kind of the contracts, ``YEAR_SPANS``): the reports say which.
    counted_in: str
    theme: str | None = None
    tolerance_percent: float = 5.0
    # Its numerators add up: a breakdown's categories to the headline row, councils to Scotland.
    # True of counts, and of shares and rates, whose numerators are counts that disclosure
    # control protects by those sums; False for figures published by others, which we do not sum.
    numerators_add_up: bool = True
    # Its denominator is a public statistic (a mid-year population estimate), so disclosure
    # control may publish it beside a hidden rate; any other denominator is a count of people
    # and is protected like one.
    public_denominator: bool = False
    # (measure, breakdown, categories): the headline numerator is the sum of these categories of
    # that measure's breakdown, for the same place and period. Disclosure control treats it as
    # one more sum, so a published composite cannot give a hidden category away.
    composed_of: tuple[str, str, tuple[str, ...]] | None = None
    # (inflow measure, outflow measure, breakdowns): a stock counted on one day a year, with the
    # measures whose numerators count what flowed in and out during the year. For each place and
    # period t after another, stock(t) = stock(t-1) + inflow(t) - outflow(t), for the headline
    # ("total") and each category of the named breakdowns. Disclosure control and the intruder
    # audit treat it as one more relation, so a published year cannot give a hidden one away.
    stock_and_flow: tuple[str, str, tuple[str, ...]] | None = None
    # What of the published frameworks it gives figures for, by the reference tables' ids: Promise
    # Progress Framework indicators (``ppf_indicators.csv``) or, where it informs an outcome but
    # none of its indicators, the outcome (``ppf_outcomes.csv``); core wellbeing indicators
    # (``core_wellbeing_indicators.csv``). The website places the measure under them by these.
    progress_framework: tuple[str, ...] = ()
    core_wellbeing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.counted_in not in YEAR_SPANS:
            raise ValueError(f"measure {self.id}: counted_in {self.counted_in!r} is not one of {tuple(YEAR_SPANS)}")
        if self.stock_and_flow and not set(self.stock_and_flow[2]) <= {"total", *self.breakdowns}:
            raise ValueError(f"measure {self.id}: stock_and_flow names breakdowns {self.stock_and_flow[2]} it does not have")

    @property
    def year_counted_in(self) -> str:
        return YEAR_SPANS[self.counted_in]

    def compute(self, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        """The measure in the standard long format, from the analysis tables behind ``con``."""
        return self.long_format(self.figures(con))

    __call__ = compute  # a decorated computation's name computes its measure, as the function did

    def long_format(self, figures: pd.DataFrame) -> pd.DataFrame:
        """``figures`` under this declaration's id, unit and additivity, in the canonical column and row order."""
        table = figures.assign(measure_id=self.id, unit=self.unit, additive=self.numerators_add_up)
        if "denominator" not in table:
            table["denominator"] = pd.NA
        if "value" not in table:
            table["value"] = table["numerator"].astype("Float64")
        for optional in ("lower", "upper", "vintage"):
            if optional not in table:
                table[optional] = pd.NA
        for number in ("denominator", "value", "lower", "upper"):
            table[number] = table[number].astype("Float64")
        table["vintage"] = table["vintage"].astype("string")
        return table[list(LONG_FORMAT)].sort_values(["period", "geography_code", "breakdown", "category"], ignore_index=True)


# Declares measures from the reference tables and the data contracts in force (one per vision
# statement, say): called by ``catalogue_of``, never at import time.
DeclareMeasures = Callable[[Path, Mapping[str, Contract]], Iterable[Measure]]


def measure(**declaration) -> Callable[[Compute], Measure]:
    """Declare the decorated computation of figures: the name it is given becomes the measure,
    which computes itself in the long format when called."""

    def declare(figures: Compute) -> Measure:
        return Measure(figures=figures, **declaration)

    return declare


def catalogue_of(declared: Iterable[Measure | DeclareMeasures], reference_dir: Path, contracts: Mapping[str, Contract]) -> dict[str, Measure]:
    """Every measure of ``declared`` by id, in order, those declared from configuration declared
    from ``reference_dir`` and ``contracts``; a measure declared twice is refused."""
    entries: dict[str, Measure] = {}
    for entry in (e for d in declared for e in ([d] if isinstance(d, Measure) else d(reference_dir, contracts))):
        if entry.id in entries:
            raise ValueError(f"measure {entry.id} declared twice")
        entries[entry.id] = entry
    return entries
