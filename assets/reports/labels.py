"""Plain-words labels and reading order for the codes that appear in published tables."""

from __future__ import annotations

LABELS = {
    "placement_type": {
        "at_home_with_parents": "At home with parents",
        "kinship_friends_relatives": "With friends or relatives (kinship care)",
        "foster_provided_by_la": "With foster carers provided by the council",
        "foster_purchased_by_la": "With foster carers bought in by the council",
        "prospective_adopters": "With prospective adopters",
        "other_community": "In other community settings",
        "la_home": "In a council children's home",
        "voluntary_home": "In a voluntary children's home",
        "residential_school": "In a residential school",
        "secure_accommodation": "In secure care",
        "crisis_care": "In crisis care",
        "other_residential": "In other residential care",
    },
    "sex": {"F": "Girls", "M": "Boys"},
    "age_band": {"0-4": "Aged 0 to 4", "5-11": "Aged 5 to 11", "12-15": "Aged 12 to 15", "16-17": "Aged 16 to 17"},
}


def ordered(breakdown: str, categories: list[str]) -> list[tuple[str, str]]:
    """(code, label) in the order readers expect: the label table's order, then anything unlisted."""
    known = LABELS.get(breakdown, {})
    listed = [c for c in known if c in categories]
    rest = sorted(c for c in categories if c not in known)
    return [(c, known.get(c, c.replace("_", " "))) for c in listed + rest]
