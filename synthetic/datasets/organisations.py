"""Q3 returns from organisations: their own account of learning, and route-map milestone updates.

Twelve fictional-but-plausible organisations (councils' children's services,
health boards, third-sector and national bodies) each work on two or three
Plan 24-30 themes read from the reference list. Milestones keep their ids from
one half-year return to the next and move through not started, on track, at
risk, delayed and complete according to one hidden completion date each, so
"change since the last round" is coherent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic import periods
from synthetic.output import AgencyFile, not_about_people
from synthetic.world import World

LEARNING = "organisational_learning"
MILESTONES = "route_map_milestones"
LEARNING_COLUMNS = (
    "organisation_code", "organisation_name", "organisation_type", "foundation", "theme", "period", "what_is_being_tried",
    "what_is_working", "what_has_been_learned", "barriers", "consent_to_publish",
)
MILESTONE_COLUMNS = (
    "organisation_code", "organisation_name", "organisation_type", "foundation", "theme", "commitment_id", "commitment",
    "milestone_id", "milestone", "responsible", "due_date", "status", "status_date", "completed_date", "evidence",
)
ORGANISATIONS: tuple[tuple[str, str, str], ...] = (
    ("ORG001", "Clydeside Family Support Trust", "third_sector"),
    ("ORG002", "Fife Council Children and Families Service", "local_authority"),
    ("ORG003", "Dundee City Council Children's Services", "local_authority"),
    ("ORG004", "Highland Council Children's Services", "local_authority"),
    ("ORG005", "Inverclyde Council Children and Families", "local_authority"),
    ("ORG006", "NHS Forth and Clyde Children's Health", "health_board"),
    ("ORG007", "NHS North East Coast Child Health Partnership", "health_board"),
    ("ORG008", "Borders Kinship Carers Network", "third_sector"),
    ("ORG009", "Hebrides Youth Voice", "third_sector"),
    ("ORG010", "Scottish Care Standards Collaborative", "national_body"),
    ("ORG011", "National Centre for Care Experienced Learning", "national_body"),
    ("ORG012", "Lothian Care Leavers Collective", "third_sector"),
)
_GOALS = {
    "Voice": "children's views shape the decisions made about them",
    "Family": "families get help early, before a crisis",
    "Care": "children stay with the people who love them",
    "People": "the workforce is supported to build lasting relationships",
    "Scaffolding": "systems support relationships instead of getting in the way",
}
_APPROACHES = (
    "a single named worker for each family", "family group decision making before any referral to the Reporter",
    "peer mentors with care experience", "a budget pooled with the health board", "a relationship-based practice framework",
    "short plans written in plain language with children", "out-of-hours support for kinship carers",
    "trauma-informed training for all staff", "a data sharing agreement across agencies",
    "advocacy offered to every child before their first hearing",
)
_WORKING = (
    "Families say they have had to tell their story fewer times.", "More children are attending their own meetings.",
    "Fewer emergency placements were needed this half year.", "Staff report more time for direct work with children.",
    "Kinship carers report feeling less alone.", "",
)
_LEARNED = (
    "Change takes longer where staff turnover is high.",
    "Young people want to design the service, not only be consulted on it.",
    "Data from partners arrives too late to steer the work.", "Small flexible funds unblock more than new processes.", "",
)
_BARRIERS = (
    "Recruiting and keeping staff.", "Short-term funding.", "Information systems that do not talk to each other.",
    "Competing national priorities.", "",
)
_COMMITMENTS = (
    "Redesign {theme} with care experienced people so that {goal}",
    "Make {theme} consistent across all our services by 2030",
    "Measure and report how {theme} feels to children and families",
)
_STEPS = (
    "Map current practice and gaps", "Agree a plan with children, families and partners", "Test the new approach in two areas",
    "Review what was learned and decide what to scale", "Roll out across all areas", "Report progress publicly",
)
_RESPONSIBLE = {
    "local_authority": ("Chief Social Work Officer", "Head of Children's Services", "Service Manager, Family Support"),
    "health_board": ("Director of Public Health", "Head of Children's Health", "Lead Nurse for Children"),
    "third_sector": ("Chief Executive", "Head of Services", "Participation Lead"),
    "national_body": ("Director of Improvement", "Head of Policy", "Programme Manager"),
}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def _status_day(rng: np.random.Generator, period: str) -> int:
    """A day in the last month of the half year, when organisations report."""
    year, half = int(period[:4]), period[-1]
    return periods.day(year, 6 if half == "1" else 12, int(rng.integers(1, 29)))


def build(world: World) -> list[AgencyFile]:
    """Learning accounts then milestone updates, for each organisation and half year."""
    rng = world.rng("organisations")
    themes = world.reference.themes
    learning: list[AgencyFile] = []
    milestones: list[AgencyFile] = []
    for code, name, kind in ORGANISATIONS:
        picked = themes.iloc[np.sort(rng.choice(len(themes), size=int(rng.integers(2, 4)), replace=False))]
        plan = []  # (foundation, theme, commitment id, commitment, milestone id, milestone, responsible, due, completed)
        number = 0
        for foundation, theme in zip(picked["foundation"], picked["theme"]):
            for _ in range(int(rng.integers(1, 3))):
                number += 1
                commitment = _COMMITMENTS[rng.integers(0, len(_COMMITMENTS))].format(theme=theme.lower(), goal=_GOALS.get(foundation, _GOALS["Scaffolding"]))
                first_step = int(rng.integers(0, 3))
                due = periods.day(2024, 6, 1) + int(rng.integers(0, 400))
                for m, step in enumerate(_STEPS[first_step:first_step + int(rng.integers(2, 4))], start=1):
                    completed = due + int(rng.normal(30, 90))
                    plan.append((foundation, theme, f"{code}-C{number:02d}", commitment, f"{code}-C{number:02d}-M{m:02d}", step,
                                 _RESPONSIBLE[kind][rng.integers(0, 3)], due, completed))
                    due += int(rng.integers(150, 420))
        for period in periods.HALF_YEARS:
            stories = []
            for foundation, theme in zip(picked["foundation"], picked["theme"]):
                stories.append({
                    "organisation_code": code, "organisation_name": name, "organisation_type": kind, "foundation": foundation, "theme": theme,
                    "period": period,
                    "what_is_being_tried": f"Testing {_APPROACHES[rng.integers(0, len(_APPROACHES))]} so that {_GOALS.get(foundation, _GOALS['Scaffolding'])}.",
                    "what_is_working": _WORKING[rng.integers(0, len(_WORKING))],
                    "what_has_been_learned": _LEARNED[rng.integers(0, len(_LEARNED))],
                    "barriers": _BARRIERS[rng.integers(0, len(_BARRIERS))],
                    "consent_to_publish": "Y" if rng.random() < 0.8 else "N",
                })
            frame = pd.DataFrame(stories, columns=list(LEARNING_COLUMNS))
            learning.append(AgencyFile(code, LEARNING, period, frame, not_about_people(len(frame))))

            updates = []
            for foundation, theme, commitment_id, commitment, milestone_id, step, responsible, due, completed in plan:
                status_day = _status_day(rng, period)
                if completed <= status_day:
                    status = "complete"
                elif due < status_day:
                    status = "delayed"
                elif due - status_day < 120 and completed > due:
                    status = "at_risk"
                elif due - 270 > status_day:
                    status = "not_started"
                else:
                    status = "on_track"
                month = periods.split_ymd(np.array([status_day]))[1][0]
                updates.append({
                    "organisation_code": code, "organisation_name": name, "organisation_type": kind, "foundation": foundation, "theme": theme,
                    "commitment_id": commitment_id, "commitment": commitment, "milestone_id": milestone_id, "milestone": step,
                    "responsible": responsible,
                    "due_date": periods.iso(np.array([due]))[0],
                    "status": status,
                    "status_date": periods.iso(np.array([status_day]))[0],
                    "completed_date": periods.iso(np.array([completed]))[0] if status == "complete" else "",
                    "evidence": f"Progress report to the board, {_MONTHS[month - 1]} {period[:4]}" if rng.random() < 0.7 else "",
                })
            frame = pd.DataFrame(updates, columns=list(MILESTONE_COLUMNS))
            milestones.append(AgencyFile(code, MILESTONES, period, frame, not_about_people(len(frame))))
    return learning + milestones
