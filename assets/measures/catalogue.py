"""The measure catalogue: every measure declared once, with the computation beside it.

A declaration says what the measure means (question, vision statement, plain-words title,
numerator, denominator, unit, breakdowns, desired direction, baseline, sources); the
decorated function computes it from analysis tables and returns rows in the standard long
format below. The factory in ``assets.measures.factory`` turns each entry into an asset, so
adding a measure is one decorated function.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import duckdb
import pandas as pd

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
    compute: Compute
    theme: str | None = None
    tolerance_percent: float = 5.0
    # (measure, breakdown, categories): the headline numerator is the sum of these categories of
    # that measure's breakdown, for the same place and period. Disclosure control treats it as
    # one more sum, so a published composite cannot give a hidden category away.
    composed_of: tuple[str, str, tuple[str, ...]] | None = None


CATALOGUE: dict[str, Measure] = {}


def measure(**declaration) -> Callable[[Compute], Compute]:
    """Register the decorated computation under its declaration."""

    def register(compute: Compute) -> Compute:
        entry = Measure(compute=compute, **declaration)
        if entry.id in CATALOGUE:
            raise ValueError(f"measure {entry.id} declared twice")
        CATALOGUE[entry.id] = entry
        return compute

    return register


def catalogue() -> dict[str, Measure]:
    """Import every module of ``assets.measures`` (each declares its measures on import), then return the catalogue.

    Discovery keeps adding a measure to one place: a new module in the package is found here.
    """
    import assets.measures as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return CATALOGUE
