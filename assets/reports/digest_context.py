"""The monthly data-quality digest for agencies: overdue returns, refused files and files not taken in, per agency.

Built from the ingest ledger in ``mart.data_coverage`` and each contract's ``refreshDays``
(see ``coverage_section.agency_returns``). It names agencies and entries (their agreed file names and opaque ids), never people.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from assets.reports.coverage_section import UNKNOWN_AGENCY, dataset_label, entry_label
from assets.reports.story_context import EditionInputs


def digest_context(inputs: EditionInputs, month: str) -> dict:
    returns = inputs.returns
    coverage = inputs.mart.data_coverage
    coverage = coverage.assign(agency=coverage["agency"].fillna("")) if not coverage.empty else coverage  # "": a folder that is no agency's
    refused = coverage[coverage.outcome == "refused"] if not coverage.empty else coverage
    skipped = coverage[coverage.outcome == "skipped"] if not coverage.empty else coverage
    overdue = returns[returns.overdue & returns.expected] if not returns.empty else returns
    agencies = sorted(set(overdue.agency) | set(refused.agency) | set(skipped.agency))
    names = {**inputs.council_names, **dict(zip(returns.agency, returns.agency_name)), "": UNKNOWN_AGENCY[0].upper() + UNKNOWN_AGENCY[1:]}
    per_agency = []
    for agency in agencies:
        late = overdue[overdue.agency == agency]
        bad = refused[refused.agency == agency]
        per_agency.append({
            "agency": agency,
            "name": names.get(agency, agency),
            "overdue": late.to_dict("records"),
            "refused": [
                {"dataset": dataset_label(r.dataset), "file_name": entry_label(r), "received": pd.Timestamp(r.received_on).strftime("%d %b %Y")}
                for r in bad.itertuples()
            ],
            "skipped": [
                {"dataset": dataset_label(r.dataset), "file_name": entry_label(r), "reason": r.reason or "it could not be taken in"}
                for r in skipped[skipped.agency == agency].itertuples()
            ],
        })
    return {
        "title": f"Story of Progress: data-quality digest for agencies, {month}",
        "month": month,
        "edition": inputs.edition,
        "generated": inputs.generated,
        "tool_version": inputs.tool_version,
        "agencies": per_agency,
        "overdue_total": len(overdue),
        "refused_total": len(refused),
        "skipped_total": len(skipped),
    }


def digest_month(today: dt.date) -> str:
    return f"{today:%B %Y}"
