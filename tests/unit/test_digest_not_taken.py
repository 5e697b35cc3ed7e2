"""Every file gets an answer (issue 16): one skipped at intake has a line in the agencies' digest, with why."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from assets.reports.digest_context import digest_context
from assets.reports.render import render_html

COVERAGE = pd.DataFrame(
    [
        ("looked_after_episodes", "S12000049", "2024", "looked_after_episodes_S12000049_2024.csv", "accepted", None),
        ("looked_after_episodes", "S12000036", None, ".~lock.return.csv#", "skipped", "landing/S12000036/looked_after_episodes/.~lock.return.csv# has a name starting with a dot"),
        ("school_exclusions", "S12000036", "2024-25", "school_exclusions_S12000036_2024-25.csv", "refused", None),
    ],
    columns=["dataset", "agency", "period", "file_name", "outcome", "reason"],
).assign(received_at=pd.Timestamp("2026-11-30", tz="UTC"))
RETURNS = pd.DataFrame(columns=["agency", "agency_name", "dataset", "overdue", "expected"]).astype({"overdue": bool, "expected": bool})


def test_a_skipped_file_is_listed_for_its_agency_with_its_reason():
    inputs = SimpleNamespace(returns=RETURNS, mart=SimpleNamespace(data_coverage=COVERAGE), council_names={"S12000036": "City of Edinburgh", "S12000049": "Glasgow City"},
                             edition="2026-12", generated="1 December 2026", tool_version="test")
    context = digest_context(inputs, "December 2026")
    [edinburgh] = context["agencies"]
    assert edinburgh["agency"] == "S12000036" and context["skipped_total"] == 1 and context["refused_total"] == 1
    assert edinburgh["skipped"] == [{"dataset": "looked after episodes", "file_name": ".~lock.return.csv#", "reason": COVERAGE.reason[1]}]
    page = render_html("digest.html.j2", context)
    assert "City of Edinburgh: files not taken in" in page and "has a name starting with a dot" in page
    assert "1 files were refused and 1 could not be taken in" in page
