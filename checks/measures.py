"""Measure checks, on every ``measures/<id>`` asset (advisory): it covers every council, and it is on track.

``on_track`` sees the figures before disclosure control, so what it reports names places and
periods but quotes no figure (alerts forward check metadata); ``mart.early_warnings`` words
the same warnings with published figures only.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from assets.measures.early_warning import DATA_OVERDUE, early_warnings, headline_rows, place_name
from assets.model.measures import Measure
from assets.model.outcome import CheckOutcome

WARNINGS_LISTED = 50


def covers_every_council(table: pd.DataFrame, council_count: int) -> CheckOutcome:
    """Every council has a headline figure for every period of the measure's long-format ``table``."""
    headlines = table[(table.geography_level == "council") & (table.breakdown == "total")]
    missing = {p: council_count - n for p, n in headlines.groupby("period")["geography_code"].nunique().items() if n < council_count}
    return CheckOutcome(
        passed=not missing,
        threshold=f"{council_count} councils",
        seen={"councils_missing_by_period": str(missing or "none")},
        warn_only=True,
    )


def on_track(
    table: pd.DataFrame, latest_files: pd.DataFrame, entry: Measure, refresh_days: dict[str, int], today: dt.date, names: dict[str, str],
) -> CheckOutcome:
    """No early warning (``assets.measures.early_warning``): the latest headline has not moved
    against the desired direction beyond the declared tolerance, and no source is overdue."""
    warnings = early_warnings(headline_rows(table), latest_files, entry, refresh_days, today, names)
    return CheckOutcome(
        passed=warnings.empty,
        threshold=f"{entry.tolerance_percent:g}% against the desired direction ({entry.desired_direction}); refresh days {', '.join(f'{d}: {refresh_days[d]}' for d in entry.sources)}",
        seen={"warnings": len(warnings), "by_kind": str(warnings["kind"].value_counts().to_dict() or "none")},
        listed={"warnings_seen": _without_figures(warnings, entry, names)[:WARNINGS_LISTED]},
        warn_only=True,
    )


def _without_figures(warnings: pd.DataFrame, entry: Measure, names: dict[str, str]) -> list[str]:
    """The warnings in words without their figures: check metadata reaches alert notifiers,
    and these figures have not been through disclosure control."""
    return [
        row.message if row.kind == DATA_OVERDUE
        else f"{place_name(row.geography_code, names)}, {row.period}: "
        f"moved against the desired direction ({entry.desired_direction}) by more than {entry.tolerance_percent:g}% since the previous period"
        for row in warnings.itertuples()
    ]
