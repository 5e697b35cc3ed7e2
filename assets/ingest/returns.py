"""Which returns are due: who sends each dataset, how often, and whether a return is overdue.

A contract says which agencies send a dataset and how many days may pass between files
(``refreshDays``). A return is overdue when an expected agency has sent nothing accepted
within that many days, or never. The raw assets' freshness checks, every report's coverage
section and the monthly digest for agencies read the same rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from assets.model.contracts import Contract


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


def agency_returns(coverage: pd.DataFrame, expected: list[Expectation], names: dict[str, str], today: dt.date) -> pd.DataFrame:
    """One row per agency and dataset: latest period and file, refusals, and whether a return is overdue."""
    rows = []
    for e in expected:
        sent = coverage[coverage.dataset == e.dataset]
        agencies = sorted(set(e.agencies) | set(sent.agency.dropna()))  # no agency: a folder that is no agency's
        for agency in agencies:
            mine = sent[sent.agency == agency]
            accepted = mine[mine.outcome.isin(["accepted", "superseded"])]
            last = pd.to_datetime(accepted.received_on).max() if not accepted.empty else None
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
