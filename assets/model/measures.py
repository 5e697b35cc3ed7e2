"""The measure catalogue: every measure declared once, with the computation beside it.

A declaration says what the measure means (question, vision statement, plain-words title,
numerator, denominator, unit, breakdowns, desired direction, baseline, sources, the kind of year
it counts in) and what
disclosure control needs to know of its nature (whether its numerators add up, whether its
denominator is a public statistic, whether its count is made of another measure's
categories); the decorated function computes its figures from analysis tables, and the
declaration turns them into the standard long format below. The factory in ``assets.measures.factory`` turns each entry into an asset, so
adding a measure is one decorated function.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from assets.model.contracts import YEAR_SPANS, Contract

# Every measure returns these columns (see assets/publication/disclosure_control.py).
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
    # What of the published frameworks it gives figures for, by the reference tables' ids: Promise
    # Progress Framework indicators (``ppf_indicators.csv``) or, where it informs an outcome but
    # none of its indicators, the outcome (``ppf_outcomes.csv``); core wellbeing indicators
    # (``core_wellbeing_indicators.csv``). The website places the measure under them by these.
    progress_framework: tuple[str, ...] = ()
    core_wellbeing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.counted_in not in YEAR_SPANS:
            raise ValueError(f"measure {self.id}: counted_in {self.counted_in!r} is not one of {tuple(YEAR_SPANS)}")

    @property
    def year_counted_in(self) -> str:
        return YEAR_SPANS[self.counted_in]

    def compute(self, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        """The measure in the standard long format, from the analysis tables behind ``con``."""
        return self.long_format(self.figures(con))

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
# statement, say): called by ``catalogue``, never at import time.
DeclareMeasures = Callable[[Path, Mapping[str, Contract]], Iterable[Measure]]
_DECLARED: list[Measure | DeclareMeasures] = []  # in the order the modules declared them


def measure(**declaration) -> Callable[[Compute], Compute]:
    """Register the decorated computation of figures under its declaration; the name it is
    given then computes the measure in the long format."""

    def register(figures: Compute) -> Compute:
        entry = declare(Measure(figures=figures, **declaration))

        @functools.wraps(figures)
        def compute(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
            return entry.compute(con)

        return compute

    return register


def declare(entry: Measure) -> Measure:
    """Register a measure declared in full (a stream of ``indicator_streams.yaml``, say)."""
    _DECLARED.append(entry)
    return entry


def measures_from_configuration(declare: DeclareMeasures) -> DeclareMeasures:
    """Register a function that declares measures from the reference folder and the contracts."""
    _DECLARED.append(declare)
    return declare


def catalogue(reference_dir: Path, contracts: Mapping[str, Contract]) -> dict[str, Measure]:
    """Import every module of ``assets.measures`` (each registers its declarations on import),
    then return every measure, declared from ``reference_dir`` and ``contracts`` where it depends on them.

    Discovery keeps adding a measure to one place: a new module in the package is found here.
    """
    import assets.measures as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    entries: dict[str, Measure] = {}
    for declared in _DECLARED:
        for entry in [declared] if isinstance(declared, Measure) else declared(reference_dir, contracts):
            if entry.id in entries:
                raise ValueError(f"measure {entry.id} declared twice")
            entries[entry.id] = entry
    return entries
