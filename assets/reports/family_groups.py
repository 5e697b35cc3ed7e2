"""A council beside councils like it: its family group's median and range, in plain words.

The group is the council's family group in the benchmarking framework's children's services
scheme (``assets.model.reference.family_groups``). Its statistics are worked out from the published
figures of the group's other councils only: a hidden (``[c]``) or unavailable (``[x]``) figure
is skipped, and each statistic says how many councils it covers. A median of published
figures is one of them or the mean of two, and the range is two of them, so it tells a reader
nothing the printed figures do not; no hidden figure enters it (docs/publication.md).
A council is said to differ from its group when its figure is further from the group's median
than the measure's tolerance (the one its direction of travel uses); the words never rank.
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import median

from assets.model.measures import Measure
from assets.model.reference import FAMILY_GROUP_SOURCE, FamilyGroups

# Below this a "median" would be one or two councils' own figures rather than a group's.
MIN_COUNCILS = 3
SCHEME_WORDS = {
    "people_services": "children's services scheme, which groups councils by the deprivation of the people they serve",
    "other_services": "scheme for other services, which groups councils by how rural or urban their area is",
}

Figure = tuple[float | None, str]  # value_published (None when hidden or not available), value_display


def family_group(code: str, groups: FamilyGroups, names: Mapping[str, str]) -> dict | None:
    """The council's group as a page names it: its number, the scheme and its source, its other councils."""
    number = groups.group_of.get(code)
    if number is None:
        return None
    others = sorted((c for c in groups.members(number) if c != code), key=lambda c: names.get(c, c))
    return {
        "number": number,
        "scheme": SCHEME_WORDS.get(groups.scheme, groups.scheme.replace("_", " ")),
        "source": FAMILY_GROUP_SOURCE,
        "others": [{"code": c, "name": names.get(c, c)} for c in others],
    }


def _shown(value: float) -> str:
    return f"{value:,.1f}"  # as disclosure control prints a rate or percentage


def compare_with_group(place: str, mine: Figure | None, others: list[Figure], entry: Measure, period: str) -> dict:
    """The group's median and range for ``period`` from the others' published figures, and how
    ``place`` (its own figure ``mine``) compares, in one sentence."""
    published = sorted(value for value, _ in others if value is not None)
    base = {"period": period, "covered": len(published), "of": len(others)}
    if len(published) < MIN_COUNCILS:
        return {**base, "median": None, "words": None, "summary": "too few councils like it have a figure to compare",
                "sentence": f"Too few councils like {place} have a published figure for {period} to compare ({len(published)} of {len(others)})."}
    middle = median(published)
    stats = {**base, "median": _shown(middle), "low": _shown(published[0]), "high": _shown(published[-1])}
    value, display = mine if mine is not None else (None, "[x]")
    if value is None:
        why = "hidden to protect privacy" if display == "[c]" else "not available"
        return {**stats, "words": None, "summary": f"not compared: its figure is {display}", "sentence": f"The figure for {place} in {period} is {why} ({display}), so it is not compared with councils like it."}
    if middle == 0:
        change = 0.0 if value == 0 else float("inf") * (1 if value > 0 else -1)
    else:
        change = 100 * (value - middle) / abs(middle)
    words = "about the same as" if abs(change) <= entry.tolerance_percent else ("higher than" if change > 0 else "lower than")
    return {**stats, "words": words, "summary": f"{words} councils like it", "sentence": f"In {period}, {place} ({display}) was {words} councils like it."}
