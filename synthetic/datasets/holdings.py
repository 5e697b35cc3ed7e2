"""Data holdings returns: what organisations say they hold, for the Data Map.

The twelve Q3 organisations, the Children's Reporter and the Care Inspectorate each answer
the Data Map questionnaire once, from a list of what their kind of body plausibly keeps.
The answers have the gaps real ones have: a few organisations do not return (national bodies
always do), each holding is declared only with a probability, most are never sent to the
Story of Progress, some are kept by a council and its health board for the same children,
restraint is counted both by the Care Inspectorate and by a national body, and nothing anyone
holds is about children in custody (vision 8). Places are named councils, read from the reference list.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from synthetic.datasets.organisations import ORGANISATIONS
from synthetic.output import AgencyFile, not_about_people
from synthetic.world import World

HOLDINGS = "data_holdings"
PERIOD = "2025"
SCOTLAND = "S92000003"
COLUMNS = (
    "organisation_code", "organisation_name", "holding_id", "what_is_recorded", "topic", "about_whom", "kind", "vision_ids", "what_matters",
    "places", "first_year", "last_year", "frequency", "shared", "shared_with", "sent_as",
)
RETURN_RATE = 0.8  # share of the Q3 organisations that answer the questionnaire


class Holding(NamedTuple):
    topic: str
    about_whom: str
    kind: str
    vision_ids: str
    what_is_recorded: str
    what_matters: str
    frequency: str
    sent_as: str
    chance: float


_COUNCIL = (
    Holding("placements", "looked_after_children", "records", "1;2", "Placements and legal status of every looked after child", "Do children stay with the people who love them?", "continuous", "looked_after_episodes", 1.0),
    Holding("exclusions", "looked_after_children", "records", "3", "Exclusions of pupils from school", "Am I getting the support I need at school?", "continuous", "school_exclusions", 0.9),
    Holding("brothers_and_sisters", "looked_after_children", "records", "4", "Whether brothers and sisters in care live together and keep in touch", "Do I get to see my brothers and sisters?", "continuous", "", 0.7),
    Holding("family_support", "families", "records", "1", "Families given family support, and the help they got", "Did we get help early enough?", "continuous", "", 0.8),
    Holding("school_attendance", "looked_after_children", "records", "3", "School attendance of looked after pupils", "Am I getting the support I need at school?", "monthly", "", 0.6),
    Holding("aftercare", "care_leavers", "records", "9", "Care leavers in touch with aftercare, and the help they get", "Is there someone there for me after care?", "continuous", "", 0.7),
    Holding("views_of_children_and_families", "looked_after_children", "experience", "1;2", "Children's views recorded at their review meetings", "Am I listened to?", "continuous", "", 0.5),
    Holding("physical_health", "looked_after_children", "records", "7", "Health assessments of looked after children", "Are my health needs met?", "continuous", "", 0.6),
)
_HEALTH_BOARD = (
    Holding("physical_health", "looked_after_children", "records", "7", "Health assessments of looked after children", "Are my health needs met?", "continuous", "", 0.9),
    Holding("mental_health", "looked_after_children", "records", "6", "Referrals of care experienced children to mental health services, and waiting times", "Can I get help before crisis point?", "monthly", "", 0.8),
    Holding("mental_health", "care_leavers", "records", "6;9", "Care leavers seen by adult mental health services", "Can I get help before crisis point?", "monthly", "", 0.4),
)
_THIRD_SECTOR = (
    Holding("advocacy", "looked_after_children", "records", "1;9", "Advocacy cases: who asked, for what, and what happened", "Does someone stand up for me?", "continuous", "", 0.7),
    Holding("views_of_children_and_families", "families", "experience", "1", "What families told us in our yearly survey", "Was the help what we needed?", "annual", "", 0.8),
    Holding("aftercare", "care_leavers", "records", "9;10", "Young people supported after leaving care, and where they live", "Do I have a safe place to live?", "continuous", "", 0.5),
    Holding("views_of_children_and_families", "care_experienced_adults", "experience", "10", "Care experienced adults' accounts of the support they get", "Is there support for as long as I need it?", "less_often", "", 0.4),
)
# The two national bodies keep different things: care standards and learning.
_NATIONAL_BODIES = {
    "ORG010": (
        Holding("restraint", "looked_after_children", "statistics", "5", "Restraint reported by the care services we work with", "Am I held or restrained?", "quarterly", "", 1.0),
        Holding("workforce", "workforce", "statistics", "2", "Turnover of staff in the care services we work with", "Do I keep the same people around me?", "annual", "", 0.5),
    ),
    "ORG011": (
        Holding("attainment", "looked_after_children", "statistics", "3", "Qualifications gained by care experienced pupils", "Does school help me to thrive?", "annual", "", 0.9),
        Holding("leaver_destinations", "care_leavers", "statistics", "3", "Where care experienced school leavers go next", "What happens after I leave school?", "annual", "", 0.8),
    ),
}
_BODIES = {
    "SCRA": ("Scottish Children's Reporter Administration", (
        Holding("hearings", "children_referred_to_the_reporter", "records", "1;2", "Referrals to the Reporter and the decisions of hearings", "Are decisions about me made with me?", "continuous", "hearings_referrals", 1.0),
        Holding("views_of_children_and_families", "children_referred_to_the_reporter", "experience", "1", "Whether the child's views were recorded at the hearing", "Am I listened to?", "continuous", "hearings_referrals", 1.0),
    )),
    "CI": ("Care Inspectorate", (
        Holding("restraint", "looked_after_children", "records", "5", "Notifications of restraint and seclusion from children's care services", "Am I held or restrained?", "continuous", "restraint_incidents", 1.0),
        Holding("workforce", "workforce", "statistics", "2", "Staff in registered children's care services", "Do I keep the same people around me?", "annual", "", 0.8),
    )),
}
_BY_KIND = {"local_authority": _COUNCIL, "health_board": _HEALTH_BOARD, "third_sector": _THIRD_SECTOR}
# The councils each fictional organisation works in (national bodies: all of Scotland).
_AREAS = {
    "ORG001": ("Glasgow City", "West Dunbartonshire"), "ORG002": ("Fife",), "ORG003": ("Dundee City",), "ORG004": ("Highland",), "ORG005": ("Inverclyde",),
    "ORG006": ("Inverclyde", "Renfrewshire", "West Dunbartonshire"), "ORG007": ("Aberdeen City", "Aberdeenshire", "Moray"), "ORG008": ("Scottish Borders",),
    "ORG009": ("Na h-Eileanan Siar",), "ORG012": ("City of Edinburgh", "East Lothian", "Midlothian", "West Lothian"),
}
_SHARED_WITH = {
    "not_shared": ("",),
    "on_request": ("researchers", "the Scottish Government"),
    "routinely": ("the health board and the council", "partners in the children's services plan", "the Scottish Government"),
    "published": ("",),
}


def _places(code: str, council_codes: dict[str, str]) -> str:
    areas = _AREAS.get(code)
    return ";".join(council_codes[name] for name in areas) if areas else SCOTLAND


def _rows(rng: np.random.Generator, code: str, name: str, holdings: tuple[Holding, ...], places: str) -> list[dict]:
    rows = []
    for holding in holdings:
        if rng.random() >= holding.chance:
            continue
        shared = ("not_shared", "on_request", "routinely", "published")[int(rng.choice(4, p=(0.35, 0.3, 0.25, 0.1)))] if not holding.sent_as else "routinely"
        first = int(rng.integers(2008, 2021))
        rows.append({
            "organisation_code": code, "organisation_name": name, "holding_id": f"H{len(rows) + 1:02d}", "what_is_recorded": holding.what_is_recorded,
            "topic": holding.topic, "about_whom": holding.about_whom, "kind": holding.kind, "vision_ids": holding.vision_ids,
            # Some organisations leave the "What Matters" question blank.
            "what_matters": holding.what_matters if rng.random() < 0.7 else "",
            # A few holdings that only some keep have stopped; what every such body keeps goes on.
            "places": places, "first_year": str(first), "last_year": str(int(rng.integers(first, 2025))) if holding.chance < 1 and rng.random() < 0.1 else "",
            "frequency": holding.frequency, "shared": shared,
            "shared_with": "Story of Progress" if holding.sent_as else _SHARED_WITH[shared][int(rng.integers(0, len(_SHARED_WITH[shared])))],
            "sent_as": holding.sent_as,
        })
    return rows


def build(world: World) -> list[AgencyFile]:
    """One return per organisation that answers, in the latest year."""
    rng = world.rng(HOLDINGS)
    towns = world.reference.local_authorities
    council_codes = dict(zip(towns["la_name"], towns["la_code"]))
    # National bodies always answer the national questionnaire; other organisations mostly do.
    returns = [(code, name, _NATIONAL_BODIES[code] if kind == "national_body" else _BY_KIND[kind]) for code, name, kind in ORGANISATIONS if rng.random() < RETURN_RATE or kind == "national_body"]
    returns += [(code, name, holdings) for code, (name, holdings) in _BODIES.items()]
    files = []
    for code, name, holdings in returns:
        rows = _rows(rng, code, name, holdings, _places(code, council_codes))
        if rows:
            frame = pd.DataFrame(rows, columns=list(COLUMNS))
            files.append(AgencyFile(code, HOLDINGS, PERIOD, frame, not_about_people(len(frame))))
    return files
