"""Backtest: Q3 milestone progress on hand-made returns, against figures worked out by hand.

Alpha Trust (ORG900), theme Listening, commitments C1 (M1-M3) and C2 (M4, M5).
Round 2025-H1 ends 30 June 2025:
  M1 due 31 Mar, complete 15 Mar  -> due, completed on time
  M2 due 31 May, complete 10 Jun  -> due, completed late
  M3 due 30 Jun, delayed          -> due, overdue, at risk
  M4 due 30 Sep, at_risk          -> not due, at risk
  M5 due 31 Mar 2026, not_started -> not due
  => 2 commitments, 5 milestones, 3 due, 1 on time, 1 late, 1 overdue, 2 at risk.
Round 2025-H2 ends 31 December 2025: M3 complete 1 Aug (late), M4 complete 20 Sep (on time), M5 on_track
  => 4 due, 2 on time, 2 late, 0 overdue, 0 at risk; change +1 on time, -1 overdue, -2 at risk.
Aardvark Council (ORG901) reports once, in 2025-H2: one milestone due 31 Dec, on_track, not complete
  => 1 due, 1 overdue; first round. It comes first: rows are in name order, never by performance.
"""

from __future__ import annotations

import pandas as pd

from assets.publication.organisation_progress import organisation_progress

ALPHA = ("ORG900", "Alpha Trust", "third_sector", "Voice", "Listening")
AARDVARK = ("ORG901", "Aardvark Council", "local_authority", "Care", "Advocacy and legal advice")
RETURNS = [
    (*ALPHA, "2025-H1", "C1", "M1", "2025-03-31", "complete", "2025-03-15"),
    (*ALPHA, "2025-H1", "C1", "M2", "2025-05-31", "complete", "2025-06-10"),
    (*ALPHA, "2025-H1", "C1", "M3", "2025-06-30", "delayed", None),
    (*ALPHA, "2025-H1", "C2", "M4", "2025-09-30", "at_risk", None),
    (*ALPHA, "2025-H1", "C2", "M5", "2026-03-31", "not_started", None),
    (*ALPHA, "2025-H2", "C1", "M1", "2025-03-31", "complete", "2025-03-15"),
    (*ALPHA, "2025-H2", "C1", "M2", "2025-05-31", "complete", "2025-06-10"),
    (*ALPHA, "2025-H2", "C1", "M3", "2025-06-30", "complete", "2025-08-01"),
    (*ALPHA, "2025-H2", "C2", "M4", "2025-09-30", "complete", "2025-09-20"),
    (*ALPHA, "2025-H2", "C2", "M5", "2026-03-31", "on_track", None),
    (*AARDVARK, "2025-H2", "C1", "M1", "2025-12-31", "on_track", None),
]
COLUMNS = [
    "organisation_code", "organisation_name", "organisation_type", "foundation", "theme", "period",
    "commitment_id", "milestone_id", "due_date", "status", "completed_date",
]
EXPECTED = pd.DataFrame(
    [
        ("ORG901", "2025-H2", 1, 1, 1, 0, 0, 1, 0, pd.NA, pd.NA, pd.NA, "first round reported"),
        ("ORG900", "2025-H1", 2, 5, 3, 1, 1, 1, 2, pd.NA, pd.NA, pd.NA, "first round reported"),
        ("ORG900", "2025-H2", 2, 5, 4, 2, 2, 0, 0, 1, -1, -2, "1 more completed on time; 1 fewer overdue; 2 fewer at risk"),
    ],
    columns=[
        "organisation_code", "period", "commitments", "milestones", "milestones_due", "completed_on_time", "completed_late",
        "overdue", "at_risk", "completed_on_time_change", "overdue_change", "at_risk_change", "change_since_last_round",
    ],
)


def test_organisation_progress_matches_hand_worked_figures() -> None:
    returns = pd.DataFrame(RETURNS, columns=COLUMNS)
    returns[["due_date", "completed_date"]] = returns[["due_date", "completed_date"]].apply(pd.to_datetime)

    table = organisation_progress(returns)

    got = table[EXPECTED.columns].astype(object).where(table[EXPECTED.columns].notna(), pd.NA)
    assert got.to_dict("records") == EXPECTED.astype(object).to_dict("records")
    assert (table.milestones_due == table.completed_on_time + table.completed_late + table.overdue).all()
    assert table.organisation_name.tolist() == ["Aardvark Council", "Alpha Trust", "Alpha Trust"]
