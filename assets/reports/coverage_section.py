"""Data quality and coverage: which agencies sent what and when, what was refused, what is overdue.

Read from ``mart.data_coverage`` (the ingest ledger) and the data contracts: a contract says
which agencies send a dataset and how often (``refreshDays``). A return is overdue when an
expected agency has sent nothing accepted within that many days, or never. The same rows
make the coverage section of every report and the monthly digest for agencies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from assets.ingest.contracts import Contract


@dataclass(frozen=True)
class Expectation:
    """What a contract expects: who sends the dataset and how many days may pass between files."""

    dataset: str
    agencies: tuple[str, ...]  # empty when senders are matched by a pattern: only those seen are tracked
    refresh_days: int


def expectations(contracts: dict[str, Contract], council_codes: frozenset[str]) -> list[Expectation]:
    return [
        Expectation(c.id, tuple(sorted(council_codes)) if c.agencies.councils else tuple(c.agencies.codes), c.refresh_days)
        for c in sorted(contracts.values(), key=lambda c: c.id)
    ]


def dataset_summary(coverage: pd.DataFrame) -> list[dict]:
    out = []
    for dataset, rows in coverage.groupby("dataset", sort=True):
        outcome = rows.outcome.value_counts()
        out.append({
            "dataset": dataset.replace("_", " "),
            "agencies": int(rows[rows.outcome == "accepted"].agency.nunique()),
            "accepted": int(outcome.get("accepted", 0)),
            "superseded": int(outcome.get("superseded", 0)),
            "refused": int(outcome.get("refused", 0)),
            "rows": f"{int(rows[rows.outcome == 'accepted'].rows.fillna(0).sum()):,}",
        })
    return out


def agency_returns(coverage: pd.DataFrame, expected: list[Expectation], names: dict[str, str], today: dt.date) -> pd.DataFrame:
    """One row per agency and dataset: latest period and file, refusals, and whether a return is overdue."""
    rows = []
    for e in expected:
        sent = coverage[coverage.dataset == e.dataset]
        agencies = sorted(set(e.agencies) | set(sent.agency))
        for agency in agencies:
            mine = sent[sent.agency == agency]
            accepted = mine[mine.outcome.isin(["accepted", "superseded"])]
            last = pd.to_datetime(accepted.received_at, utc=True).max() if not accepted.empty else None
            days = (today - last.date()).days if last is not None else None
            rows.append({
                "agency": agency,
                "agency_name": names.get(agency, agency),
                "dataset": e.dataset.replace("_", " "),
                "latest_period": accepted.period.max() if not accepted.empty else "none",
                "last_received": last.strftime("%d %b %Y") if last is not None else "never",
                "refused": int((mine.outcome == "refused").sum()),
                "refresh_days": e.refresh_days,
                "overdue": days is None or days > e.refresh_days,
                "expected": agency in e.agencies or not e.agencies,
            })
    return pd.DataFrame(rows, columns=["agency", "agency_name", "dataset", "latest_period", "last_received", "refused", "refresh_days", "overdue", "expected"])


def coverage_section(coverage: pd.DataFrame, returns: pd.DataFrame, agency: str | None) -> dict:
    """The coverage section for Scotland (``agency`` None: every agency) or for one council."""
    refused = coverage[coverage.outcome == "refused"]
    mine = returns if agency is None else returns[returns.agency == agency]
    if agency is not None:
        refused = refused[refused.agency == agency]
    overdue = mine[mine.overdue & mine.expected]
    by_dataset = [
        {"dataset": dataset, "refresh_days": int(rows.refresh_days.iloc[0]), "count": len(rows), "agencies": ", ".join(sorted(rows.agency_name))}
        for dataset, rows in overdue.groupby("dataset", sort=True)
    ]
    return {
        "overdue_by_dataset": by_dataset,
        "datasets": dataset_summary(coverage if agency is None else coverage[coverage.agency == agency]),
        "returns": mine[mine.expected | (mine.latest_period != "none")].to_dict("records") if agency is not None else [],
        "overdue": overdue.to_dict("records"),
        "refusals": [{"agency": r.agency, "dataset": r.dataset.replace("_", " "), "file_name": r.file_name} for r in refused.itertuples()],
    }
