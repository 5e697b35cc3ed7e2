"""The published frameworks our measures give figures for: the Promise Progress Framework
(vision > outcome > indicator) and the core wellbeing indicators (by My World Triangle side).

Both are reference data, and partial (the shared README says which parts were not found).
Which measure gives figures for which outcome or indicator is declared with the measure
(``progress_framework`` and ``core_wellbeing`` in its declaration or ``indicator_streams.yaml``),
never matched by name here. So the website can list every published outcome with its
indicators, each with our measures under it or a line saying no measure serves it, and the Data Map
can name an indicator that nothing in the edition gives figures for as a gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assets.model.measures import Measure
from assets.model.reference import core_wellbeing_indicators, progress_framework_indicators, progress_framework_outcomes

AS_PUBLISHED = "as published"  # the wellbeing table's ``wording`` for an indicator worded as its source words it


@dataclass(frozen=True)
class Frameworks:
    """The reference tables of both frameworks, read once per edition."""

    outcomes: pd.DataFrame  # vision_id, outcome_id, outcome, note
    indicators: pd.DataFrame  # vision_id, outcome_id, indicator_id, indicator, data_source
    wellbeing: pd.DataFrame  # indicator_id, my_world_triangle, indicator, data_source, wording

    @classmethod
    def load(cls, reference_dir: Path) -> Frameworks:
        return cls(progress_framework_outcomes(reference_dir), progress_framework_indicators(reference_dir), core_wellbeing_indicators(reference_dir))

    def undeclared(self, entries: Mapping[str, Measure]) -> list[str]:
        """Each id a measure declares that the reference tables do not hold, as 'measure: id'."""
        framework = set(self.outcomes["outcome_id"]) | set(self.indicators["indicator_id"])
        wellbeing = set(self.wellbeing["indicator_id"])
        return [f"{e.id}: {i}" for e in entries.values() for ids, known in ((e.progress_framework, framework), (e.core_wellbeing, wellbeing)) for i in ids if i not in known]

    def checked(self, entries: Mapping[str, Measure]) -> Frameworks:
        """Itself, once every declared id is known: a mistyped id would leave a measure off its outcome unseen."""
        if unknown := self.undeclared(entries):
            raise ValueError(f"measures declare framework ids the reference tables do not hold: {', '.join(unknown)}")
        return self


def _declaring(entries: Mapping[str, Measure], field: str) -> dict[str, list[str]]:
    """Framework id -> the measures (ids, in catalogue order) that declare it in ``field``."""
    by_id: dict[str, list[str]] = {}
    for entry in entries.values():
        for framework_id in getattr(entry, field):
            by_id.setdefault(framework_id, []).append(entry.id)
    return by_id


def vision_outcomes(frameworks: Frameworks, entries: Mapping[str, Measure], vision_id: int) -> list[dict]:
    """The vision's published outcomes in order, each with its indicators and the measures under
    each (``measures``: ids), and the measures that inform the outcome but none of its indicators."""
    declared = _declaring(entries, "progress_framework")
    indicators = frameworks.indicators
    return [
        {
            "id": o.outcome_id,
            "outcome": o.outcome,
            "indicators": [
                {"id": i.indicator_id, "indicator": i.indicator, "source": i.data_source, "measures": declared.get(i.indicator_id, [])}
                for i in indicators[indicators["outcome_id"] == o.outcome_id].itertuples()
            ],
            "measures": declared.get(o.outcome_id, []),
        }
        for o in frameworks.outcomes[frameworks.outcomes["vision_id"] == vision_id].itertuples()
    ]


def framework_places(frameworks: Frameworks, entry: Measure) -> list[dict]:
    """Where a measure sits in the Promise Progress Framework: its outcome and, where it has one, its indicator."""
    outcomes = frameworks.outcomes.set_index("outcome_id")
    indicators = frameworks.indicators.set_index("indicator_id")
    places = []
    for framework_id in entry.progress_framework:
        indicator = indicators.loc[framework_id] if framework_id in indicators.index else None
        outcome_id = indicator["outcome_id"] if indicator is not None else framework_id
        places.append({
            "vision_id": int(outcomes.loc[outcome_id, "vision_id"]), "outcome_id": outcome_id, "outcome": outcomes.loc[outcome_id, "outcome"],
            "indicator": None if indicator is None else indicator["indicator"],
        })
    return places


def wellbeing_indicators(frameworks: Frameworks, entries: Mapping[str, Measure], published: Iterable[str]) -> list[dict]:
    """Every known core wellbeing indicator with the measures that give figures for it in the
    edition (``measures``: ids of those with published figures) and ``has_figures``."""
    declared = _declaring(entries, "core_wellbeing")
    with_figures = set(published)
    rows = []
    for w in frameworks.wellbeing.itertuples():
        measures = [m for m in declared.get(w.indicator_id, []) if m in with_figures]
        rows.append({
            "id": w.indicator_id, "side": w.my_world_triangle, "indicator": w.indicator, "source": w.data_source,
            "as_published": w.wording == AS_PUBLISHED, "measures": measures, "has_figures": bool(measures),
        })
    return rows


def framework_gaps(frameworks: Frameworks, entries: Mapping[str, Measure], published: Iterable[str]) -> list[tuple]:
    """Each framework indicator that no measure gives published figures for, as a Data Map gap:
    ``(vision_id, measure_id, dataset, kind, gap)`` (a wellbeing indicator has no vision statement)."""
    with_figures = set(published)
    declared = _declaring(entries, "progress_framework")
    gaps: list[tuple] = []
    for i in frameworks.indicators.itertuples():
        if not with_figures & set(declared.get(i.indicator_id, [])):
            gaps.append((i.vision_id, "", "", "framework_indicator_without_figures", f"Vision {i.vision_id}, outcome {i.outcome_id}, indicator {i.indicator_id} ({i.indicator.rstrip('.')}): no measure in this edition gives figures for it."))
    for w in wellbeing_indicators(frameworks, entries, with_figures):
        if not w["has_figures"]:
            gaps.append((None, "", "", "wellbeing_indicator_without_figures", f"Core wellbeing indicator {w['id']} ({w['indicator']}; {w['side']}): no measure in this edition gives figures for it."))
    return gaps
