"""Datasets not about identified people: care services, money, published indicators, experience and Plan 24-30 returns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from synthetic_agencies.people import COUNCIL_PROFILE

COUNCILS = sorted(COUNCIL_PROFILE)
SERVICE_TYPES = ["residential_house", "school_care_accommodation", "secure_accommodation"]
RESPONDENT_GROUPS = ["child_8_11", "young_person_12_17", "young_adult_18_26", "adult_26_plus", "parent_family", "workforce"]
QUOTES = [
    "My worker {name} in {place} listened to me and I got to stay with my gran.",
    "Nobody asked what I wanted before I moved.",
    "I see my brother every week now, that made a big difference.",
    "{name} from the school in {place} helped me get to college.",
    "It still feels like the system decides, not me.",
]
NAMES = ["Sarah", "Mark", "Aileen", "Gordon", "Fiona"]
PLACES = ["Paisley", "Dundee", "Kirkcaldy", "Inverness", "Motherwell"]
ORGANISATIONS = [
    ("ORG001", "Clydeside Family Support Trust", "third_sector"), ("ORG002", "Forth Valley Children's Services", "local_authority"),
    ("ORG003", "Highland Health Board Children's Team", "health_board"), ("ORG004", "National Care Standards Body", "national_body"),
    ("ORG005", "Borders Kinship Carers Network", "third_sector"), ("ORG006", "Tayside Youth Advocacy", "third_sector"),
    ("ORG007", "Lothian Children's Partnership", "local_authority"), ("ORG008", "Grampian Health Board Family Nurse Team", "health_board"),
    ("ORG009", "Ayrshire Throughcare Service", "local_authority"), ("ORG010", "Scottish Residential Care Forum", "national_body"),
    ("ORG011", "Island Families Together", "third_sector"), ("ORG012", "West of Scotland Secure Care Centre", "third_sector"),
]


def care_services(rng: np.random.Generator, years: list[int], scale: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_services = max(int(round(90 * scale)), 6)
    services = pd.DataFrame({
        "service_id": [f"CS{i:05d}" for i in range(n_services)],
        "service_type": rng.choice(SERVICE_TYPES, n_services, p=[0.7, 0.2, 0.1]),
        "la_code": rng.choice(COUNCILS, n_services),
        "places": rng.integers(3, 25, n_services),
    })
    places = pd.concat([services.assign(period=y) for y in years], ignore_index=True).assign(agency="CI")
    incidents = []
    for year in years:
        n = int(round(3000 * scale * (1 - 0.04 * (year - years[0]))))
        chosen = services.iloc[rng.integers(0, n_services, n)].reset_index(drop=True)
        incidents.append(chosen.assign(
            incident_id=[f"RI-{year}-{i:06d}" for i in range(n)],
            child_ref=[f"{s}-C{c:03d}" for s, c in zip(chosen["service_id"], rng.integers(0, 40, n))],
            incident_date=[dt.date(year, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 365, n)],
            practice=rng.choice(["physical_restraint", "seclusion", "other_restrictive"], n, p=[0.8, 0.05, 0.15]),
            duration_minutes=rng.integers(1, 60, n),
            injury=np.where(rng.random(n) < 0.05, "Y", "N"),
            agency="CI", period=year,
        ))
    return pd.concat(incidents, ignore_index=True), places


def family_support_spend(rng: np.random.Generator, financial_years: list[int]) -> pd.DataFrame:
    rows = []
    for start in financial_years:
        for council in COUNCILS:
            total = int(COUNCIL_PROFILE[council][0] * 1.6e9 * rng.uniform(0.95, 1.05))
            share = 0.012 + 0.004 * (start - financial_years[0]) + rng.uniform(-0.004, 0.006)
            rows.append({"financial_year": f"{start}-{(start + 1) % 100:02d}", "la_code": council, "community_health_social_care_spend_gbp": total, "preventative_whole_family_support_spend_gbp": int(total * share)})
    return pd.DataFrame(rows).assign(agency=lambda t: t["la_code"])


def indicator_values(reference_dir: Path) -> pd.DataFrame:
    published = pd.read_csv(reference_dir / "national_indicator_values.csv", dtype=str)
    vintage = pd.to_datetime(published["vintage"] + "-01")
    return published.assign(
        numerator="", denominator="",
        last_updated=vintage.dt.strftime("%Y-%m-%d"),
        next_update_due=(vintage + pd.DateOffset(years=1)).dt.strftime("%Y-%m-%d"),
        agency="SG", file_period=published["vintage"],
    )


def experience_responses(rng: np.random.Generator, years: list[int], scale: float) -> pd.DataFrame:
    frames = []
    for year in years:
        n = max(int(round(4000 * scale)), 300)
        vision = rng.integers(1, 11, n)
        improving = 0.45 + 0.05 * (year - years[0])
        free_text = [QUOTES[int(q)].format(name=NAMES[int(q) % 5], place=PLACES[int(q) % 5]) if r < 0.15 else "" for q, r in zip(rng.integers(0, 5, n), rng.random(n))]
        frames.append(pd.DataFrame({
            "response_id": [f"EXP-{year}-{i:06d}" for i in range(n)],
            "respondent_ref": [f"R{year}{i // 10:05d}" for i in range(n)],
            "collected_by": rng.choice([o[0] for o in ORGANISATIONS], n),
            "collection_date": [dt.date(year, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 365, n)],
            "la_code": rng.choice(COUNCILS, n),
            "respondent_group": rng.choice(RESPONDENT_GROUPS, n),
            "vision_id": vision,
            "item_id": [f"V{v}_Q{q}" for v, q in zip(vision, rng.integers(1, 4, n))],
            "answer": [str(a) for a in np.clip(np.round(rng.normal(3 + 2 * (improving - 0.5), 1.1, n)), 1, 5).astype(int)],
            "free_text": free_text,
            "consent_to_quote": np.where(rng.random(n) < 0.6, "Y", "N"),
            "agency": "TPS", "period": year,
        }))
    return pd.concat(frames, ignore_index=True)


def engagement_evidence(rng: np.random.Generator, themes: list[str], years: list[int]) -> pd.DataFrame:
    frames = []
    for year in years:
        n = 120
        frames.append(pd.DataFrame({
            "evidence_id": [f"EV-{year}-{i:04d}" for i in range(n)],
            "source": rng.choice(["listening event", "peer research", "survey comment", "practitioner forum"], n),
            "collected_date": [dt.date(year, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 365, n)],
            "vision_id": rng.integers(1, 11, n),
            "lens": rng.choice(["whats_working", "gaps", "experience_of_change"], n),
            "theme": rng.choice(themes, n),
            "summary": rng.choice(["Relationships with workers matter most", "Moves still happen at short notice", "Brothers and sisters kept together more often", "Aftercare support ends too abruptly"], n),
            "quote": [QUOTES[int(q)].format(name=NAMES[int(q) % 5], place=PLACES[int(q) % 5]) for q in rng.integers(0, 5, n)],
            "consent_to_quote": np.where(rng.random(n) < 0.5, "Y", "N"),
            "agency": "TPS", "period": year,
        }))
    return pd.concat(frames, ignore_index=True)


def plan_returns(rng: np.random.Generator, themes: pd.DataFrame, periods: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    learning, milestones = [], []
    for code, name, kind in ORGANISATIONS:
        chosen = themes.iloc[rng.choice(len(themes), 3, replace=False)]
        for round_number, period in enumerate(periods):
            year, half = int(period[:4]), period[-1]
            status_date = dt.date(year, 6, 30) if half == "1" else dt.date(year, 12, 31)
            for t, theme in enumerate(chosen.itertuples()):
                learning.append({"organisation_code": code, "organisation_name": name, "organisation_type": kind, "foundation": theme.foundation, "theme": theme.theme, "period": period,
                                 "what_is_being_tried": f"Testing a new approach to {theme.theme.lower()} with families", "what_is_working": "Earlier conversations with families",
                                 "what_has_been_learned": "Change takes longer where staff turnover is high", "barriers": "Recruitment and short-term funding",
                                 "consent_to_publish": "Y" if (t + round_number) % 4 else "N", "agency": code})
                for m in range(3):
                    due = dt.date(2024, 9, 30) + dt.timedelta(days=120 * (m + t))
                    progress = rng.random() + 0.3 * round_number
                    status = "complete" if due < status_date and progress > 0.6 else str(rng.choice(["on_track", "at_risk", "delayed", "not_started"], p=[0.5, 0.2, 0.2, 0.1]))
                    milestones.append({"organisation_code": code, "organisation_name": name, "organisation_type": kind, "foundation": theme.foundation, "theme": theme.theme,
                                       "commitment_id": f"{code}-C{t + 1}", "commitment": f"Improve {theme.theme.lower()} for care-experienced children and families",
                                       "milestone_id": f"{code}-C{t + 1}-M{m + 1}", "milestone": f"Milestone {m + 1}: {['plan agreed', 'pilot running', 'changes embedded'][m]}",
                                       "responsible": name, "due_date": due, "status": status, "status_date": status_date,
                                       "completed_date": min(due, status_date) if status == "complete" else None,
                                       "evidence": "Reported to the partnership board", "agency": code, "period": period})
    return pd.DataFrame(learning), pd.DataFrame(milestones)
