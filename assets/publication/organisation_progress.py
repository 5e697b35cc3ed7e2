"""Q3, how organisations are doing in their work to keep the promise (the ``publication/organisation_progress`` asset).

Q3 is organisational learning, not a league table: each organisation's milestone progress is
shown beside its own account of what it is trying, and nothing here ranks organisations.
Tables have no rank, score or percentile column and are ordered by organisation name.

Method notes: docs/publication.md, "Notes on `assets/publication/organisation_progress.py`".
"""

import pandas as pd

from assets.publication.redaction import Lexicon, redact

ORGANISATION = ["organisation_code", "organisation_name", "organisation_type", "foundation", "theme"]
FIGURES = ("commitments", "milestones", "milestones_due", "completed_on_time", "completed_late", "overdue", "at_risk")
CHANGED = ("completed_on_time", "overdue", "at_risk")
AT_RISK_STATUSES = ("at_risk", "delayed")
ACCOUNT_TEXTS = ("what_is_being_tried", "what_is_working", "what_has_been_learned", "barriers")
LEARNING_COLUMNS = ("organisation_code", "organisation_name", "theme", "period", *ACCOUNT_TEXTS)
MILESTONE_COLUMNS = (
    *ORGANISATION, "period", "commitment_id", "commitment", "milestone_id", "milestone", "responsible", "due_date", "status", "status_date", "completed_date",
)


def round_end(period: pd.Series) -> pd.Series:
    """The last day of a half-year round: ``2025-H1`` -> 2025-06-30, ``2025-H2`` -> 2025-12-31."""
    year = period.str[:4]
    return pd.to_datetime(year + period.str[-2:].map({"H1": "-06-30", "H2": "-12-31"}))


def _in_words(row: pd.Series) -> str:
    if pd.isna(row["completed_on_time_change"]):
        return "first round reported"
    parts = []
    for figure, words in (("completed_on_time", "completed on time"), ("overdue", "overdue"), ("at_risk", "at risk")):
        change = int(row[f"{figure}_change"])
        if change:
            parts.append(f"{abs(change)} {'more' if change > 0 else 'fewer'} {words}")
    return "; ".join(parts) or "no change"


def organisation_progress(milestones: pd.DataFrame) -> pd.DataFrame:
    """Milestone progress per organisation, theme and round (columns in the module doc)."""
    m = milestones.copy()
    end = round_end(m["period"])
    due = pd.to_datetime(m["due_date"]) <= end
    complete = m["status"].eq("complete")
    on_time = complete & (pd.to_datetime(m["completed_date"]) <= pd.to_datetime(m["due_date"]))
    m = m.assign(
        milestones_due=due.astype(int),
        completed_on_time=(due & on_time).astype(int),
        completed_late=(due & complete & ~on_time).astype(int),
        overdue=(due & ~complete).astype(int),
        at_risk=m["status"].isin(AT_RISK_STATUSES).astype(int),
    )
    keys = [*ORGANISATION, "period"]
    table = m.groupby(keys, as_index=False).agg(
        commitments=("commitment_id", "nunique"),
        milestones=("milestone_id", "count"),
        **{f: (f, "sum") for f in ("milestones_due", "completed_on_time", "completed_late", "overdue", "at_risk")},
    )
    table = table.sort_values([*ORGANISATION, "period"], ignore_index=True)
    previous = table.groupby(ORGANISATION)[list(CHANGED)].shift(1)
    for figure in CHANGED:
        table[f"{figure}_change"] = (table[figure] - previous[figure]).astype("Int64")
    table["change_since_last_round"] = table.apply(_in_words, axis=1)
    return table.sort_values(["organisation_name", "organisation_code", "theme", "period"], ignore_index=True)


def latest_milestones(milestones: pd.DataFrame) -> pd.DataFrame:
    """Each milestone at the latest round its organisation reported it (columns in the module doc)."""
    latest = milestones.sort_values("period").drop_duplicates(["organisation_code", "milestone_id"], keep="last")
    order = ["organisation_name", "organisation_code", "theme", "commitment_id", "milestone_id"]
    return latest[list(MILESTONE_COLUMNS)].sort_values(order, ignore_index=True)


def organisation_learning(accounts: pd.DataFrame, words: Lexicon) -> tuple[pd.DataFrame, int]:
    """Consented accounts with their texts redacted, and how many consented accounts were withheld."""
    consented = accounts[accounts["consent_to_publish"] == "Y"].copy()
    safe = pd.Series(True, index=consented.index)
    for column in ACCOUNT_TEXTS:
        texts = consented[column].fillna("").astype(str)
        results = [redact(t, words) if t.strip() else None for t in texts]
        consented[column] = ["" if r is None else r.text for r in results]
        safe &= pd.Series([r is None or r.text is not None for r in results], index=consented.index)
    published = consented[safe][list(LEARNING_COLUMNS)]
    return published.sort_values(["organisation_name", "organisation_code", "theme", "period"], ignore_index=True), int((~safe).sum())
