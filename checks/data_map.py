"""Checks on ``publication/data_map``: the stored map names everything it should, and (advisory) no gap remains."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from assets.model.outcome import CheckOutcome


def map_coverage_problems(table: pd.DataFrame, vision_ids: Collection[int], measure_ids: Collection[str], datasets: Collection[str]) -> list[str]:
    """What the stored map (``mart.data_map``) leaves out: a vision statement, a catalogue measure or a contract's dataset."""
    problems = [f"vision {v} is not on the map" for v in sorted(set(vision_ids) - set(table["vision_id"].dropna().astype(int)))]
    problems += [f"measure {m} is not on the map" for m in sorted(set(measure_ids) - set(table["measure_id"].dropna()))]
    problems += [f"dataset {d} is not on the map" for d in sorted(set(datasets) - set(table["dataset"].dropna()))]
    return problems


def map_covers_every_vision_measure_and_dataset(problems: list[str], visions: int, measures: int, datasets: int) -> CheckOutcome:
    """The map names every vision statement, catalogue measure and dataset (``map_coverage_problems`` found nothing)."""
    return CheckOutcome(passed=not problems, threshold="0 missing", seen={"visions": visions, "measures": measures, "datasets": datasets}, listed={"missing": problems})


def no_gaps_on_the_map(gaps: pd.DataFrame) -> CheckOutcome:
    """Advisory: no gap in ``mart.data_map_gaps`` (a vision statement without a measure, a measure without
    council figures, a dataset unused, unsent or incomplete); a gap is a finding to act on, not a fault."""
    by_kind = gaps["kind"].value_counts().to_dict()
    return CheckOutcome(passed=gaps.empty, threshold="0 gaps", seen={"gaps": len(gaps), "by_kind": str(by_kind or "none")}, listed={"listed": list(gaps["gap"])}, warn_only=True)
