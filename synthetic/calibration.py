"""How many children are looked after at each 31 July, by council and placement type.

By default the national total for each year is the published figure (latest
vintage in ``reference/national_indicator_values.csv``) times the scale factor,
spread over councils by child population and each council's care rate, and over
placement types by the published average mix. ``--calibrate FILE`` replaces a
year's placement-type counts with the file's exact figures, whatever the scale:
the generated landing files then reproduce that table to the child. Council
totals always come from largest-remainder rounding so they add up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from synthetic import periods
from synthetic.geography import Councils
from synthetic.reference import PLACEMENT_TYPES, Reference
from synthetic.sampling import largest_remainder

CALIBRATION_COLUMNS = ("year_ending_31_july", "placement_group", "placement_type", "children", "source", "vintage")
MINIMUM_LOOKED_AFTER_PER_COUNCIL = 5  # so every council has someone to report, even at tiny scale
_YEARLY_DRIFT = 0.02  # used to extend the published series one year either side
_COUNCIL_YEAR_NOISE = 0.05  # year-to-year wobble in each council's share


def read_calibration(path: Path) -> dict[int, np.ndarray]:
    """Children at 31 July by placement type (in ``PLACEMENT_TYPES`` order) for each year in the file."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CALIBRATION_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: calibration file lacks columns {missing}")
    unknown = sorted(set(table["placement_type"]) - set(PLACEMENT_TYPES))
    if unknown:
        raise ValueError(f"{path}: unknown placement types {unknown}")
    table["year"] = table["year_ending_31_july"].astype(int)
    table["children"] = table["children"].astype(int)
    outside = sorted(set(table["year"]) - set(periods.CENSUS_YEARS))
    if outside:
        raise ValueError(f"{path}: years {outside} are outside the simulated years {periods.CENSUS_YEARS[0]}-{periods.CENSUS_YEARS[-1]}")
    if (table["children"] < 0).any():
        raise ValueError(f"{path}: negative counts")
    result: dict[int, np.ndarray] = {}
    for year, rows in table.groupby("year"):
        counts = rows.groupby("placement_type")["children"].sum().reindex(list(PLACEMENT_TYPES), fill_value=0)
        result[int(year)] = counts.to_numpy(dtype=np.int64)
    return result


def published_totals(reference: Reference) -> dict[int, float]:
    """National children looked after at 31 July for every simulated year (published or extended)."""
    published = reference.looked_after_totals()
    known = sorted(published)
    totals: dict[int, float] = {}
    for year in periods.CENSUS_YEARS:
        nearest = min(known, key=lambda k: abs(k - year))
        totals[year] = published[nearest] * (1 - _YEARLY_DRIFT) ** (year - nearest)
    return totals


@dataclass(frozen=True)
class StockTargets:
    """Exact looked after counts at 31 July for each census year."""

    by_council: dict[int, np.ndarray]  # year -> children per council
    by_type: dict[int, np.ndarray]  # year -> children per placement type (national)
    calibrated_years: frozenset[int]

    @classmethod
    def build(
        cls,
        rng: np.random.Generator,
        reference: Reference,
        councils: Councils,
        scale_factor: float,
        calibration: dict[int, np.ndarray],
    ) -> "StockTargets":
        """Targets for every simulated 31 July: calibrated where the file has the year, the published series times the scale otherwise."""
        totals = published_totals(reference)
        shares = reference.placement_shares().to_numpy()
        expected = councils.child_share * councils.looked_after_rate
        by_council: dict[int, np.ndarray] = {}
        by_type: dict[int, np.ndarray] = {}
        for year in periods.CENSUS_YEARS:
            if year in calibration:
                by_type[year] = calibration[year]
                total = int(calibration[year].sum())
            else:
                total = int(round(totals[year] * scale_factor))
                by_type[year] = largest_remainder(total, shares)
            weights = expected * rng.lognormal(0.0, _COUNCIL_YEAR_NOISE, size=len(councils))
            by_council[year] = largest_remainder(total, weights, minimum=MINIMUM_LOOKED_AFTER_PER_COUNCIL)
        return cls(by_council=by_council, by_type=by_type, calibrated_years=frozenset(calibration))

    def pool_factor(self, reference: Reference, scale_factor: float) -> float:
        """Population size (share of Scotland) that keeps care rates realistic in calibrated years too."""
        totals = published_totals(reference)
        calibrated = [float(self.by_council[y].sum()) / totals[y] for y in self.calibrated_years]
        return max([scale_factor, *calibrated])
