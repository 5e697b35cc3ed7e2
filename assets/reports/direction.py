"""Direction of travel since the baseline, in words and a symbol (never colour alone)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Direction:
    words: str
    symbol: str
    judgement: str  # improving | worsening | little_change | not_assessed


def direction_of_travel(baseline: float | None, latest: float | None, desired: str, tolerance_percent: float) -> Direction:
    if baseline is None or latest is None or baseline == 0:
        return Direction("not enough published data to say", "–", "not_assessed")
    change = 100 * (latest - baseline) / baseline
    if abs(change) <= tolerance_percent:
        return Direction(f"little change ({change:+.1f}%)", "►", "little_change")
    moved = "down" if change < 0 else "up"
    symbol = "▼" if change < 0 else "▲"
    if desired == "none":
        return Direction(f"{moved} {abs(change):.1f}%", symbol, "not_assessed")
    good = moved == desired
    return Direction(f"{moved} {abs(change):.1f}%, {'the right direction' if good else 'the wrong direction'}", symbol, "improving" if good else "worsening")
