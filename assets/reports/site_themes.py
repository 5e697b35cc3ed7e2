"""A Plan 24-30 route map (theme) on the website, laid out as the route maps are.

First where Scotland needs to be by 2030 (``assets.model.reference.route_maps``; where the stored
wording was cut off, or not found, the page says so rather than filling it in), then each
organisation's commitments and milestones under the theme (``mart.route_map_milestones``:
status, due date, who is responsible), beside its round's figures
(``mart.organisation_progress``) and, in its own words, what it has learned
(``mart.organisation_learning``, published with consent). Organisations are listed by name
and never ranked. Last, "how we'll know": the catalogue's measures declared under the theme.
"""

from __future__ import annotations

import pandas as pd

from assets.reports.organisation_context import ACCOUNT
from assets.reports.site_measures import text_of

STATUS_WORDS = {"not_started": "Not started", "on_track": "On track", "at_risk": "At risk", "delayed": "Delayed", "complete": "Complete"}


def destination(route_map: pd.Series) -> dict:
    """Where Scotland needs to be by 2030, and how much of the wording was found."""
    text, complete = text_of(route_map["where_scotland_needs_to_be_by_2030"]), text_of(route_map["complete"])
    state = "whole" if complete == "yes" else "not_found" if not text else "cut_off"
    return {"text": text, "state": state, "source": text_of(route_map["wording_from"])}


def _date(value) -> str:
    return "" if not text_of(value) else f"{pd.Timestamp(value):%d %B %Y}"


def _of_theme(table: pd.DataFrame | None, theme: str) -> pd.DataFrame | None:
    return None if table is None else table[table["theme"] == theme]


def commitments(milestones: pd.DataFrame | None, progress: pd.DataFrame | None, learning: pd.DataFrame | None, theme: str) -> list[dict] | None:
    """Each organisation working on ``theme``, alphabetically: its commitments and their milestones, its latest round, what it has learned."""
    mine, rounds, accounts = _of_theme(milestones, theme), _of_theme(progress, theme), _of_theme(learning, theme)
    if mine is None and rounds is None:
        return None
    names = pd.concat([t[["organisation_code", "organisation_name"]] for t in (mine, rounds) if t is not None]).drop_duplicates("organisation_code")
    out = []
    for org in names.sort_values(["organisation_name", "organisation_code"]).itertuples():
        own = mine[mine["organisation_code"] == org.organisation_code] if mine is not None else pd.DataFrame()
        latest = rounds[rounds["organisation_code"] == org.organisation_code].sort_values("period").tail(1) if rounds is not None else pd.DataFrame()
        account = accounts[accounts["organisation_code"] == org.organisation_code].sort_values("period").tail(1) if accounts is not None else pd.DataFrame()
        out.append({
            "code": org.organisation_code,
            "name": org.organisation_name,
            "commitments": [
                {"commitment": text_of(group["commitment"].iloc[0]), "milestones": [
                    {"milestone": text_of(m.milestone), "responsible": text_of(m.responsible), "due": _date(m.due_date), "status": STATUS_WORDS.get(m.status, text_of(m.status)),
                     "status_key": text_of(m.status), "completed": _date(m.completed_date), "as_of": text_of(m.period)}
                    for m in group.sort_values("milestone_id").itertuples()
                ]}
                for _, group in own.groupby("commitment_id", sort=True)
            ],
            "round": {"period": text_of(latest["period"].iloc[0]), "change": text_of(latest["change_since_last_round"].iloc[0]) if "change_since_last_round" in latest else ""} if not latest.empty else None,
            "account": [{"heading": heading, "text": text_of(account[column].iloc[0])} for column, heading in ACCOUNT if column in account and not account.empty and text_of(account[column].iloc[0])],
            "account_period": text_of(account["period"].iloc[0]) if not account.empty else "",
        })
    return out
