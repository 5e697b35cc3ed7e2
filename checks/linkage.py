"""Linkage check on ``linkage/person_links`` (advisory): the share of linked records has not fallen beyond a tolerance since the previous run."""

from __future__ import annotations

from assets.linkage.summary import LINKAGE_RATE_TOLERANCE_POINTS, rate_fall_points
from checks.outcome import CheckOutcome


def linkage_rate_holds(rate: float, previous_rate: float | None, tolerance_points: float = LINKAGE_RATE_TOLERANCE_POINTS) -> CheckOutcome:
    """``rate`` and ``previous_rate`` (None on a first run): linkage rates in percent."""
    fall = rate_fall_points(rate, previous_rate)
    return CheckOutcome(
        passed=fall <= tolerance_points,
        threshold=f"a fall of at most {tolerance_points:g} percentage points",
        seen={"linkage_rate_percent": rate, "previous_linkage_rate_percent": previous_rate, "fall_points": fall, "tolerance_points": tolerance_points},
        warn_only=True,
    )
