"""Data quality and coverage: which agencies sent what and when, what was refused, what is overdue.

Read from ``mart.data_coverage`` (the ingest ledger) and the returns due under the data
contracts (``assets.ingest.returns``). The same rows make the coverage section of every
report and the monthly digest for agencies.
"""

from __future__ import annotations

import pandas as pd

UNKNOWN_AGENCY = "a folder that is no agency's"


def entry_label(row) -> str:
    """How a report names a ledger entry: its agreed file name, else only that it was named otherwise.

    The mart publishes an agency's file name only when it is exactly the agreed name; the
    entry id lets the agency and the operators find the entry and its refusal report.
    """
    name = row.file_name if isinstance(row.file_name, str) and row.file_name else "a file not named as agreed"
    return f"{name} (entry {row.entry_id})"


def dataset_label(dataset: object) -> str:
    return dataset.replace("_", " ") if isinstance(dataset, str) and dataset else "no dataset (a file outside the dataset folders)"


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
        })
    return out


def coverage_section(coverage: pd.DataFrame, returns: pd.DataFrame, agency: str | None, linkage_rates: pd.DataFrame | None = None) -> dict:
    """The coverage section for Scotland (``agency`` None: every agency) or for one council.
    ``linkage_rates``: ``mart.linkage_rates`` (Scotland's, per dataset, as published), None before the mart has it."""
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
        "refusals": [{"agency": r.agency or UNKNOWN_AGENCY, "dataset": dataset_label(r.dataset), "file_name": entry_label(r)} for r in refused.itertuples()],
        "linkage": None if linkage_rates is None else [{**row, "dataset": dataset_label(row["dataset"])} for row in linkage_rates.to_dict("records")],
    }
