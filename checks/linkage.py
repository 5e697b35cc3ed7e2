"""Linkage check on ``linkage/person_links`` (advisory): the share of linked records has not fallen beyond a tolerance since the previous run."""

from __future__ import annotations

from collections.abc import Mapping

from assets.linkage.summary import LINKAGE_RATE_TOLERANCE_POINTS, rate_fall_points
from assets.model.outcome import CheckOutcome


def linkage_rate_holds(
    rate: float, previous_rate: float | None, tolerance_points: float = LINKAGE_RATE_TOLERANCE_POINTS, reported: Mapping[str, object] | None = None,
) -> CheckOutcome:
    """``rate`` and ``previous_rate`` (None on a first run): linkage rates in percent. ``reported``:
    the run's other quality figures (estimated precision and recall, records by route, the clerical
    queue, rates per dataset and council), shown with the check so they are read where it is."""
    fall = rate_fall_points(rate, previous_rate)
    return CheckOutcome(
        passed=fall <= tolerance_points,
        threshold=f"a fall of at most {tolerance_points:g} percentage points",
        seen={"linkage_rate_percent": rate, "previous_linkage_rate_percent": previous_rate, "fall_points": fall, "tolerance_points": tolerance_points, **(reported or {})},
        warn_only=True,
    )
