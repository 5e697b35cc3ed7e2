"""What an organisation's own report shows (Q3): its commitments by theme and round, beside its own account.

Read from ``mart.organisation_progress`` (figures per organisation, theme and round) and
``mart.organisation_learning`` (accounts published with the organisation's consent). Each
organisation's report is about that organisation alone: no other organisation appears and
nothing is ranked. A theme without a published account says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from assets.reports.evidence_sections import PROGRESS_FIGURES
from assets.reports.story_context import QUESTIONS, EditionInputs

ACCOUNT = (
    ("what_is_being_tried", "What we are trying"),
    ("what_is_working", "What is working"),
    ("what_has_been_learned", "What we have learned"),
    ("barriers", "What is getting in the way"),
)


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    kind: str

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{self.name} {self.code}".lower()).strip("-")


def organisations(progress: pd.DataFrame | None) -> list[Organisation]:
    """Every organisation in the Q3 returns, alphabetically (none when the table does not exist yet)."""
    if progress is None or progress.empty:
        return []
    firsts = progress.drop_duplicates("organisation_code").sort_values("organisation_name")
    return [Organisation(r.organisation_code, r.organisation_name, str(getattr(r, "organisation_type", ""))) for r in firsts.itertuples()]


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def organisation_context(inputs: EditionInputs, organisation: Organisation) -> dict:
    progress = inputs.mart.table("organisation_progress")
    learning = inputs.mart.table("organisation_learning")
    mine = progress[progress.organisation_code == organisation.code]
    accounts = learning[learning.organisation_code == organisation.code] if learning is not None else None
    change = next((c for c in mine.columns if c.startswith("change")), None)
    figures = [f for f in PROGRESS_FIGURES if f in mine]
    themes = []
    for theme, rows in mine.groupby("theme", sort=True):
        rounds = [{"period": r.period, **{f: _text(getattr(r, f)) for f in figures}, "change": _text(getattr(r, change)) if change else ""} for r in rows.sort_values("period").itertuples()]
        account = accounts[accounts.theme == theme].sort_values("period").tail(1) if accounts is not None else pd.DataFrame()
        themes.append({
            "theme": theme,
            "foundation": _text(rows.foundation.iloc[0]) if "foundation" in rows else "",
            "rounds": rounds,
            "account": [{"heading": heading, "text": _text(account[column].iloc[0])} for column, heading in ACCOUNT if column in account and _text(account[column].iloc[0])] if not account.empty else [],
            "account_period": account.period.iloc[0] if not account.empty else "",
        })
    return {
        "title": f"The Promise Story of Progress: {organisation.name}",
        "organisation": organisation.name,
        "kind": organisation.kind.replace("_", " "),
        "question": QUESTIONS["Q3"],
        "edition": inputs.edition,
        "generated": inputs.generated,
        "tool_version": inputs.tool_version,
        "figures": [f.replace("_", " ").capitalize() for f in figures],
        "figure_keys": figures,
        "has_change": change is not None,
        "learning_available": learning is not None,
        "themes": themes,
    }
