"""A small publication mart for report tests, built without running the pipeline.

Report tests must not depend on every upstream asset (other measures are being added all the
time). This builds ``mart.published_measures`` for every catalogue measure from seeded counts
for Scotland and the 32 councils, passed through the real disclosure control, plus the other
agreed mart tables with their agreed columns. ``optional=False`` leaves the optional tables
out, as in an early edition, so reports must say "not yet available".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from assets.disclosure.disclosure_control import apply_disclosure_control
from assets.ingest.entries import ENTRY_COLUMNS, published_entries
from assets.ingest.raw_zone import new_entry_id
from assets.measures.catalogue import catalogue
from assets.model.contracts import load_contracts
from assets.model.measures import LONG_FORMAT, Measure
from assets.model.reference import SCOTLAND_CODE, councils, vision_statements
from assets.publication.data_holdings import held_data
from assets.publication.data_map import data_map, data_map_returns, with_framework_gaps
from assets.publication.frameworks import Frameworks
from assets.publication.linkage_rates import controlled_linkage_rates
from assets.publication.mart import PUBLISHED_COLUMNS, RULE
from assets.reports.labels import LABELS
from tests.support.paths import CONTRACTS, REFERENCE

YEARS = range(2019, 2025)
# The linkage's hand-over as it might be (exact counts): a large dataset, a small one whose
# records not linked are few, and one of a handful of records.
LINKAGE_COUNTS = pd.DataFrame(
    [("looked_after_episodes", 12347, 10921), ("secure_admissions", 37, 33), ("custody_under_18", 3, 1)], columns=["dataset", "records", "linked_records"],
)


def report_test_measures() -> dict[str, Measure]:
    """A few catalogue measures, chosen by kind so report tests stay quick as the catalogue grows:
    a Q2 count with breakdowns, a Q2 rate or share, and a Q1 measure when there is one."""
    entries = list(catalogue(REFERENCE, load_contracts(CONTRACTS)).values())
    picks = [
        next(e for e in entries if e.question == "Q2" and e.denominator is None and e.breakdowns),
        next(e for e in entries if e.question == "Q2" and e.denominator is not None),
        *[e for e in entries if e.question == "Q1"][:1],
    ]
    return {e.id: e for e in picks}


def _periods(entry: Measure) -> list[str]:
    if "-" in entry.baseline_period:
        return [f"{y - 1}-{y % 100:02d}" for y in YEARS]
    return [str(y) for y in YEARS]


def _long_format(entry: Measure, council_codes: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """Seeded counts per council, split across each breakdown so categories add up to the total."""
    rows = []
    sizes = rng.integers(2, 400, len(council_codes))  # some councils small enough for [c]
    for step, period in enumerate(_periods(entry)):
        for code, size in zip(council_codes, sizes):
            total = int(rng.poisson(size * (1 - 0.03 * step)))
            rows.append((period, code, "council", "total", "total", total))
            for breakdown in entry.breakdowns:
                categories = list(LABELS.get(breakdown, {"group_a": "", "group_b": ""}))[:4]
                for category, count in zip(categories, rng.multinomial(total, [1 / len(categories)] * len(categories))):
                    rows.append((period, code, "council", breakdown, category, int(count)))
    table = pd.DataFrame(rows, columns=["period", "geography_code", "geography_level", "breakdown", "category", "numerator"])
    scotland = table.groupby(["period", "breakdown", "category"], as_index=False).numerator.sum().assign(geography_code=SCOTLAND_CODE, geography_level="country")
    table = pd.concat([table, scotland], ignore_index=True)
    if entry.denominator:
        table["denominator"] = (table.numerator * 9 + 50).astype(float)
        table["value"] = table.numerator * (1000 if "1,000" in entry.unit else 100) / table.denominator
    else:
        table["denominator"] = np.nan
        table["value"] = table.numerator.astype(float)
    return table.assign(measure_id=entry.id, unit=entry.unit, additive=entry.denominator is None, lower=np.nan, upper=np.nan, vintage=pd.NA)[list(LONG_FORMAT)]


def _data_map_tables(entries: dict[str, Measure], coverage: pd.DataFrame, published: pd.DataFrame, names: dict[str, str], reference_dir: Path) -> dict[str, pd.DataFrame]:
    """The Data Map of the sample, made by the pipeline's own function from the sample's ledger and figures."""
    contracts = load_contracts(CONTRACTS)
    headline = published.loc[published.breakdown == "total", ["measure_id", "period", "geography_code"]].drop_duplicates()
    table, gaps = data_map(contracts, entries, vision_statements(reference_dir), coverage, headline, names, pd.DataFrame(), {}, dt.date.today())
    gaps = with_framework_gaps(gaps, Frameworks.load(reference_dir), entries, headline)
    holdings, findings = held_data(sample_holdings(sorted(names)), coverage, gaps, vision_statements(reference_dir), {SCOTLAND_CODE: "Scotland", **names}, dt.date.today().year)
    return {"data_map": table, "data_map_returns": data_map_returns(contracts, coverage, names), "data_map_gaps": gaps, "data_holdings": holdings, "data_map_findings": findings}


def sample_holdings(council_codes: list[str]) -> pd.DataFrame:
    """Two organisations' holdings returns: one sent, one kept by both for the same council, one informing no vision statement."""
    columns = ["organisation_code", "organisation_name", "what_is_recorded", "topic", "about_whom", "kind", "vision_ids", "what_matters", "places", "first_year", "last_year", "frequency", "shared", "shared_with", "sent_as"]
    rows = [
        ("ORG001", "Sample Health Board", "Health assessments of looked after children", "physical_health", "looked_after_children", "records", "7", "Are my health needs met?", council_codes[0], 2015, None, "continuous", "on_request", "The council", ""),
        ("ORG002", "Sample Council Children's Services", "Health assessments of looked after children", "physical_health", "looked_after_children", "records", "7", "", council_codes[0], 2018, None, "continuous", "not_shared", "", ""),
        ("ORG002", "Sample Council Children's Services", "Placements of looked after children", "placements", "looked_after_children", "records", "1;2", "", council_codes[0], 2010, None, "continuous", "routinely", "Story of Progress", "looked_after_episodes"),
        ("ORG002", "Sample Council Children's Services", "Staff turnover", "workforce", "workforce", "statistics", "", "", council_codes[0], 2019, 2023, "annual", "published", "", ""),
    ]
    return pd.DataFrame(rows, columns=columns)


def build_sample_mart(path: Path, reference_dir: Path, *, entries: dict[str, Measure] | None = None, optional: bool = True, seed: int = 2020) -> Path:
    """Write the sample mart to ``path`` for ``entries`` (default: the whole catalogue)."""
    rng = np.random.default_rng(seed)
    ref = councils(reference_dir)
    codes = sorted(ref.names)
    entries = entries or catalogue(REFERENCE, load_contracts(CONTRACTS))
    measures = pd.concat([_long_format(e, codes, rng) for e in entries.values()], ignore_index=True)
    measures["numerator"] = measures["numerator"].astype("Int64")
    controlled = apply_disclosure_control(measures, RULE, geography_names=ref.names)
    published = controlled[[c for c in PUBLISHED_COLUMNS if c in controlled]]
    now = dt.datetime.now(dt.timezone.utc)
    ledger = pd.DataFrame(
        [("looked_after_episodes", code, "2024", f"looked_after_episodes_{code}_2024.csv", "0" * 64, now, now, "1.0.0", "accepted", None, "[]", new_entry_id()) for code in codes[1:]]
        + [("looked_after_episodes", codes[0], "2022", f"looked_after_episodes_{codes[0]}_2022.csv", "1" * 64, now - dt.timedelta(days=800), now, "1.0.0", "accepted", None, "[]", new_entry_id()),
           ("school_exclusions", codes[1], "2024-25", f"school_exclusions_{codes[1]}_2024-25.csv", "2" * 64, now, now, "1.0.0", "refused", None, "[]", new_entry_id())],
        columns=["dataset", "agency", "period", "file_name", "sha256", "received_at", "processed_at", "contract_version", "outcome", "superseded_by", "problems", "entry_id"],
    )
    coverage = pd.DataFrame(published_entries(ledger.to_dict("records"), load_contracts(CONTRACTS), ref.codes), columns=list(ENTRY_COLUMNS))
    tables = {"published_measures": published, "data_coverage": coverage}
    if optional:
        first = next(iter(entries.values()))
        tables |= {
            "early_warnings": pd.DataFrame([(first.id, codes[2], "2024", "against_direction", f"{first.title} rose two years running."), ("looked_after_31_july", codes[0], "2024", "data_overdue", "No looked after return since 2022.")], columns=["measure_id", "geography_code", "period", "kind", "message"]),
            "indicator_revisions": pd.DataFrame([(first.id, SCOTLAND_CODE, "2023", 12206.0, "2024-03", 12084.0, "2025-03", "revised from 12,206 to 12,084")], columns=["measure_id", "geography_code", "period", "earlier_value", "earlier_vintage", "latest_value", "latest_vintage", "note"]),
            "community_themes": pd.DataFrame([(1, "whats_working", "Being listened to", "2024", "12"), (1, "gaps", "Moving too often", "2024", "[c]")], columns=["vision_id", "lens", "theme", "period", "count_display"]),
            "published_quotes": pd.DataFrame([(1, "whats_working", "Being listened to", "My worker listens to me now.")], columns=["vision_id", "lens", "theme", "quote"]),
            "organisation_progress": pd.DataFrame([("ORG001", "Sample Health Board", "health_board", "Voice", "Listening", "2024-Q4", 4, 3, 2, 1, 0, "one more completed")], columns=["organisation_code", "organisation_name", "organisation_type", "foundation", "theme", "period", "commitments", "milestones_due", "completed_on_time", "overdue", "at_risk", "change_since_last_round"]),
            **_data_map_tables(entries, coverage, published, ref.names, reference_dir),
            "route_map_milestones": pd.DataFrame(
                [("ORG001", "Sample Health Board", "health_board", "Voice", "Listening", "2024-Q4", "ORG001-C01", "Ask every child what matters to them", "ORG001-C01-M01", "Agree the questions with young people", "Head of Children's Health", "2024-06-01", "complete", "2024-12-20", "2024-05-30"),
                 ("ORG001", "Sample Health Board", "health_board", "Voice", "Listening", "2024-Q4", "ORG001-C01", "Ask every child what matters to them", "ORG001-C01-M02", "Ask in every review", "Lead Nurse for Children", "2025-06-01", "at_risk", "2024-12-20", None)],
                columns=["organisation_code", "organisation_name", "organisation_type", "foundation", "theme", "period", "commitment_id", "commitment", "milestone_id", "milestone", "responsible", "due_date", "status", "status_date", "completed_date"],
            ),
            "linkage_rates": controlled_linkage_rates(LINKAGE_COUNTS),
            "organisation_learning": pd.DataFrame([("ORG001", "Sample Health Board", "Listening", "2024-Q4", "Drop-in sessions", "Young people come back", "Ask early", "Staff time")], columns=["organisation_code", "organisation_name", "theme", "period", "what_is_being_tried", "what_is_working", "what_has_been_learned", "barriers"]),
        }
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS mart")
        for name, frame in tables.items():
            con.register("frame", frame)
            con.execute(f"CREATE OR REPLACE TABLE mart.{name} AS SELECT * FROM frame")
            con.unregister("frame")
    return path
