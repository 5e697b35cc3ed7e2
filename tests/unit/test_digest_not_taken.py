"""Every file gets an answer (issue 16): one skipped at intake has a line in the agencies' digest, with why,
in the pipeline's own words: the name the agency gave it is not published (issue 33)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd

from assets.bidi_controls import BIDI_CONTROLS
from assets.ingest.entries import ENTRY_COLUMNS, SKIP_REASONS, published_entries
from assets.model.contracts import load_contracts
from assets.reports.digest_context import digest_context
from assets.reports.render import render_html
from tests.support.paths import CONTRACTS

HIDDEN = [{"check": "hidden_file", "message": "landing/S12000036/looked_after_episodes/.~lock.return.csv# has a name starting with a dot"}]
LEDGER = pd.DataFrame(
    [
        ("looked_after_episodes", "S12000049", "2024", "looked_after_episodes_S12000049_2024.csv", "a" * 64, "accepted", "[]", "aaaa-bbbb-cccc"),
        ("looked_after_episodes", "S12000036", None, ".~lock.return.csv#", "b" * 64, "skipped", json.dumps(HIDDEN), "dddd-eeee-ffff"),
        ("school_exclusions", "S12000036", "2024-25", "school_exclusions_S12000036_2024-25.csv", "c" * 64, "refused", "[]", "gggg-hhhh-jjjj"),
    ],
    columns=["dataset", "agency", "period", "file_name", "sha256", "outcome", "problems", "entry_id"],
).assign(received_at=pd.Timestamp("2026-11-30 14:03:07", tz="UTC"), processed_at=pd.Timestamp("2026-11-30 14:05:00", tz="UTC"), contract_version="1.0.0", superseded_by=None)
RETURNS = pd.DataFrame(columns=["agency", "agency_name", "dataset", "overdue", "expected"]).astype({"overdue": bool, "expected": bool})


def test_a_skipped_file_is_listed_for_its_agency_with_its_reason():
    coverage = pd.DataFrame(published_entries(LEDGER.to_dict("records"), load_contracts(CONTRACTS), frozenset({"S12000036", "S12000049"})), columns=list(ENTRY_COLUMNS))
    inputs = SimpleNamespace(returns=RETURNS, mart=SimpleNamespace(data_coverage=coverage), council_names={"S12000036": "City of Edinburgh", "S12000049": "Glasgow City"},
                             edition="2026-12", generated="1 December 2026", tool_version="test")
    context = digest_context(inputs, "December 2026")
    [edinburgh] = context["agencies"]
    assert edinburgh["agency"] == "S12000036" and context["skipped_total"] == 1 and context["refused_total"] == 1
    assert edinburgh["skipped"] == [{"dataset": "looked after episodes", "file_name": "a file not named as agreed (entry dddd-eeee-ffff)", "reason": SKIP_REASONS["hidden_file"]}]
    assert edinburgh["refused"][0]["file_name"] == "school_exclusions_S12000036_2024-25.csv (entry gggg-hhhh-jjjj)"
    page = render_html("digest.html.j2", context)
    assert "City of Edinburgh: files not taken in" in page and "makes it a hidden file" in page
    assert ".~lock" not in page and "1 files were refused and 1 could not be taken in" in page


def test_a_direction_control_in_an_agency_or_file_name_never_reaches_the_digest():
    """The digest is published: a bidirectional control in the strings it names from the ledger is taken out (``assets.bidi_controls``)."""
    ledger = LEDGER.assign(agency=LEDGER["agency"].replace("S12000036", "S12000036\u2067"), file_name=LEDGER["file_name"].str.replace("_S12000036_", "_S12000036\u2067_"))
    coverage = pd.DataFrame(published_entries(ledger.to_dict("records"), load_contracts(CONTRACTS), frozenset({"S12000036\u2067", "S12000049"})), columns=list(ENTRY_COLUMNS))
    inputs = SimpleNamespace(returns=RETURNS, mart=SimpleNamespace(data_coverage=coverage), council_names={}, edition="2026-12", generated="1 December 2026", tool_version="test")
    context = digest_context(inputs, "December 2026")
    assert not BIDI_CONTROLS.isdisjoint(map(ord, json.dumps(context["agencies"], ensure_ascii=False)))  # the ledger's strings hold them
    page = render_html("digest.html.j2", context)
    assert not BIDI_CONTROLS & set(map(ord, page)) and "school_exclusions_S12000036_2024-25.csv (entry gggg-hhhh-jjjj)" in page
