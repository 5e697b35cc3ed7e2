"""The publication stage's Dagster wiring: data coverage, the published linkage rates, Q1's voices,
Q3's progress, the Data Map, the mart's export and the published measures (disclosure control
and its audit, from ``mart.py``) as assets, with the checks (``checks.voices``, ``checks.data_map``,
``checks.publication``) that judge what they stored; the published measures' blocking checks
roll the mart back."""

import datetime as dt

import dagster as dg
import pandas as pd
import sqlalchemy as sa
from dagster_duckdb import DuckDBResource

from assets.check_results import check_result
from assets.disclosure.disclosure_control import CONFIDENTIAL, WITHHELD
from assets.folders import StoryFolders
from assets.measures.early_warning import latest_accepted_files
from assets.measures.indicators import COLUMNS as INDICATOR_COLUMNS
from assets.measures.indicators import SOURCE as INDICATOR_SOURCE
from assets.measures.indicators import declared_streams, indicator_rows, revisions
from assets.model.contracts import Contract
from assets.model.keys import (
    COMMUNITY_VOICE,
    DATA_COVERAGE,
    DATA_MAP,
    LINKAGE_RATES,
    MART_EXPORT,
    ORGANISATION_PROGRESS,
    PUBLISHED_LINKAGE_RATES,
    PUBLISHED_MEASURES,
    analysis_key,
    measure_key,
    raw_key,
)
from assets.model.measures import Measure
from assets.model.reference import councils, vision_statements
from assets.model.zones import ENTRIES, ENTRIES_DDL, ENTRY_COLUMNS, LINKAGE_RATE_COLUMNS, attached_content_side
from assets.privacy.identifier_scan import scan_database
from assets.publication import mart
from assets.publication.community_voice import EVIDENCE_SQL, RULE, community_themes, experience_change, published_quotes, write_mart_table
from assets.publication.data_holdings import HOLDINGS
from assets.publication.data_map import data_map, data_map_returns, is_analysed, producer_dates, with_framework_gaps, write_holdings, write_map_table
from assets.publication.edition_revisions import hidden_before, moved_figures, previous_figures
from assets.publication.export import export_mart
from assets.publication.frameworks import Frameworks
from assets.publication.linkage_rates import ROUNDING_BASE, controlled_linkage_rates
from assets.publication.organisation_progress import ACCOUNT_TEXTS, ORGANISATION, latest_milestones, organisation_learning, organisation_progress
from assets.publication.redaction import lexicon
from checks.data_map import map_coverage_problems, map_covers_every_vision_measure_and_dataset, no_gaps_on_the_map
from checks.publication import every_indicator_declared, intruder_audit, no_disclosive_cells, no_identifiers_in_warehouse, stored_mart_problems
from checks.voices import accounts_consented_and_redacted, no_disclosive_theme_counts, no_ranking, quotes_consented_and_redacted


@dg.asset(
    key=ORGANISATION_PROGRESS,
    group_name="publication",
    kinds={"duckdb"},
    deps=[analysis_key("route_map_milestones"), analysis_key("organisational_learning")],
    description="Q3 for publication: organisations' milestone progress per theme and round and each milestone as last reported, beside their own consented, redacted account of their learning. Never a ranking.",
    check_specs=[
        dg.AssetCheckSpec("accounts_consented_and_redacted", asset=ORGANISATION_PROGRESS, blocking=True, description="Every published account was given with consent and has nothing left for redaction to remove."),
        dg.AssetCheckSpec("no_ranking", asset=ORGANISATION_PROGRESS, blocking=True, description="No rank, score or league column; rows ordered by organisation name."),
    ],
)
def organisation_progress_asset(folders: StoryFolders, warehouse: DuckDBResource):
    words = lexicon(folders.layout.reference_dir)
    with warehouse.get_connection() as con:
        milestones = con.execute(
            f"SELECT {', '.join(ORGANISATION)}, _period AS period, commitment_id, commitment, milestone_id, milestone, responsible, due_date, status, status_date, completed_date FROM analysis.route_map_milestones"
        ).df()
        accounts = con.execute("SELECT * EXCLUDE (period) RENAME (_period AS period) FROM analysis.organisational_learning").df()
        progress = organisation_progress(milestones)
        learning, withheld = organisation_learning(accounts, words)
        write_mart_table(con, "organisation_progress", progress)
        write_mart_table(con, "organisation_learning", learning)
        write_mart_table(con, "route_map_milestones", latest_milestones(milestones))
        landed = con.execute("SELECT * FROM mart.organisation_learning").df()
        landed_progress = con.execute("SELECT * FROM mart.organisation_progress").df()
        landed_milestones = con.execute("SELECT * FROM mart.route_map_milestones").df()
    consented = accounts[accounts["consent_to_publish"] == "Y"][["organisation_code", "theme", "period"]].astype(str)
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(progress) + len(learning),
            "organisations": int(progress["organisation_code"].nunique()),
            "progress_rows": len(progress),
            "accounts_consented": len(consented),
            "accounts_published": len(learning),
            "accounts_withheld_by_redaction": withheld,
        }
    )
    yield check_result("accounts_consented_and_redacted", accounts_consented_and_redacted(landed, accounts, words, ACCOUNT_TEXTS))
    yield check_result("no_ranking", no_ranking(landed_progress, landed, landed_milestones))


def build_community_voice_asset(entries: dict[str, Measure]) -> dg.AssetsDefinition:
    """``entries``: the catalogue, whose Q1 measures (one per vision statement) give the shares compared."""
    q1 = {m.id: m.vision_id for m in entries.values() if m.question == "Q1" and m.vision_id is not None}

    @dg.asset(
        key=COMMUNITY_VOICE,
        group_name="publication",
        kinds={"duckdb"},
        deps=[analysis_key("engagement_evidence"), PUBLISHED_MEASURES],
        description="Q1 for publication beside the published shares: change since the last period (from published shares only), theme counts under each lens (disclosure controlled) and consented quotes with names, places and identifiers removed.",
        check_specs=[
            dg.AssetCheckSpec("no_disclosive_theme_counts", asset=COMMUNITY_VOICE, blocking=True, description="No published theme count is 1-4."),
            dg.AssetCheckSpec("quotes_consented_and_redacted", asset=COMMUNITY_VOICE, blocking=True, description="Every published quote was given with consent and has nothing left for redaction to remove."),
        ],
    )
    def community_voice(folders: StoryFolders, warehouse: DuckDBResource):
        words = lexicon(folders.layout.reference_dir)
        with warehouse.get_connection() as con:
            evidence = con.execute(EVIDENCE_SQL).df()
            change = experience_change(con.execute("SELECT * FROM mart.published_measures WHERE measure_id IN (SELECT unnest(?))", [list(q1)]).df(), q1)
            themes, violations = community_themes(evidence)
            quotes, withheld = published_quotes(evidence, words)
            write_mart_table(con, "experience_change", change)
            write_mart_table(con, "community_themes", themes)
            write_mart_table(con, "published_quotes", quotes)
            # Check what landed in the mart, not the frame that was meant to.
            landed = con.execute("SELECT * FROM mart.published_quotes").df()
        consented = evidence[evidence["consent_to_quote"] == "Y"]
        yield dg.MaterializeResult(
            metadata={
                "dagster/row_count": len(change) + len(themes) + len(quotes),
                "change_rows_compared": int(change["change_points"].notna().sum()),
                "theme_rows": len(themes),
                "theme_counts_hidden": int((themes["count_display"] == CONFIDENTIAL).sum()),
                "quotes_consented": int(consented["quote"].fillna("").str.strip().ne("").sum()),
                "quotes_published": len(quotes),
                "quotes_withheld": dg.MetadataValue.json(withheld),
            }
        )
        yield check_result("no_disclosive_theme_counts", no_disclosive_theme_counts(violations, RULE))
        yield check_result("quotes_consented_and_redacted", quotes_consented_and_redacted(landed, evidence, words))

    return community_voice


def build_data_map_asset(contracts: dict[str, Contract], entries: dict[str, Measure], readers: dict[str, tuple[str, ...]]) -> dg.AssetsDefinition:
    holdings = HOLDINGS in contracts
    if holdings:  # the map itself reads what organisations hold
        readers = {**readers, HOLDINGS: (*readers.get(HOLDINGS, ()), DATA_MAP.to_user_string())}

    @dg.asset(
        key=DATA_MAP,
        group_name="publication",
        kinds={"duckdb", "csv"},
        deps=[DATA_COVERAGE, PUBLISHED_MEASURES, *(analysis_key(d) for d in (INDICATOR_SOURCE, HOLDINGS) if d in contracts)],
        description="The Data Map: per vision statement, the datasets and measures that inform it, which agencies sent which periods, how recent, and the gaps (mart.data_map, data_map_returns, data_map_gaps); what organisations hold, held but not sent, collected more than once, and gaps nothing held would fill (mart.data_holdings, data_map_findings).",
        check_specs=[
            dg.AssetCheckSpec("map_covers_every_vision_measure_and_dataset", asset=DATA_MAP, blocking=False, description="The stored map names every vision statement, every catalogue measure and every contract's dataset."),
            dg.AssetCheckSpec("no_gaps_on_the_map", asset=DATA_MAP, blocking=False, description="Advisory: no vision statement without a measure, no measure without council figures, no dataset unused, unsent or incomplete."),
        ],
    )
    def data_map_asset(folders: StoryFolders, warehouse: DuckDBResource):
        reference = folders.layout.reference_dir
        visions = vision_statements(reference)
        names = councils(reference).names
        with warehouse.get_connection() as con:
            coverage = con.execute("SELECT dataset, agency, period, received_on, outcome FROM mart.data_coverage").df()
            published = con.execute("SELECT DISTINCT measure_id, period, geography_code FROM mart.published_measures WHERE breakdown = 'total'").df()
            table, gaps = data_map(contracts, entries, visions, coverage, published, names, producer_dates(con), readers, dt.date.today())
            gaps = with_framework_gaps(gaps, Frameworks.load(reference).checked(entries), entries, published)
            returns = data_map_returns(contracts, coverage, names)
            write_map_table(con, "data_map", table)
            write_map_table(con, "data_map_returns", returns)
            write_map_table(con, "data_map_gaps", gaps)
            findings = write_holdings(con, coverage, gaps, visions, names) if holdings and is_analysed(con, HOLDINGS) else 0
            stored = con.execute("SELECT vision_id, measure_id, dataset FROM mart.data_map").df()
        problems = map_coverage_problems(stored, set(visions["vision_id"]), entries, contracts)
        yield dg.MaterializeResult(metadata={
            "dagster/row_count": len(table),
            "visions": int(visions["vision_id"].nunique()),
            "measures": len(entries),
            "datasets": len(contracts),
            "gaps": dg.MetadataValue.md("\n".join(f"- {g}" for g in gaps["gap"]) or "none"),
            "holdings_findings": findings,
        })
        yield check_result("map_covers_every_vision_measure_and_dataset", map_covers_every_vision_measure_and_dataset(problems, int(visions["vision_id"].nunique()), len(entries), len(contracts)))
        yield check_result("no_gaps_on_the_map", no_gaps_on_the_map(gaps))

    return data_map_asset


def build_data_coverage_asset(contracts: dict[str, Contract]) -> dg.AssetsDefinition:
    """Which agencies sent what, when, and what was refused: copied to the mart from the content
    zone's ``main.ingest_entries``, the ingest ledger as it may leave the index zone
    (``assets.ingest.entries`` says what that holds and why). It never opens the index zone."""

    @dg.asset(
        key=DATA_COVERAGE,
        group_name="publication",
        kinds={"duckdb"},
        deps=[raw_key(d) for d in contracts],
        description="The ingest ledger (files accepted, superseded and refused per agency, dataset and period) as it may leave the index zone: random entry ids, days and only the contracts' own names; copied to the mart.",
    )
    def data_coverage(folders: StoryFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as con:
            with attached_content_side(con, {"cz": folders.layout.content_zone_path}, read_only=False):
                con.execute(ENTRIES_DDL.format(zone="cz"))  # a content zone no intake has written yet has none
                con.execute("CREATE SCHEMA IF NOT EXISTS mart")
                con.execute(f"CREATE OR REPLACE TABLE mart.data_coverage AS SELECT {', '.join(ENTRY_COLUMNS)} FROM cz.{ENTRIES} ORDER BY dataset, agency, period, entry_id")
            summary = con.execute("SELECT outcome, count(*) AS files FROM mart.data_coverage GROUP BY outcome ORDER BY outcome").df()
        return dg.MaterializeResult(metadata={"files": dg.MetadataValue.md(summary.to_markdown(index=False))})

    return data_coverage


def build_mart_export_asset(url: str) -> dg.AssetsDefinition:
    """The published mart copied to the production database. It exists only when ``STORY_MART_URL``
    is set (always in production, see ``orchestration/deployment.py``), so a laptop run needs no
    database server; it follows every asset that writes a ``mart`` table, so the copy is always of
    one finished edition's mart."""
    target = sa.make_url(url).render_as_string(hide_password=True)

    @dg.asset(
        key=MART_EXPORT,
        group_name="publication",
        kinds={"sql"},
        deps=[PUBLISHED_MEASURES, COMMUNITY_VOICE, ORGANISATION_PROGRESS, DATA_COVERAGE, DATA_MAP],
        description=f"Copies every table of the published mart (after disclosure control) to {target}.",
    )
    def mart_export(folders: StoryFolders) -> dg.MaterializeResult:
        written = export_mart(folders.layout.warehouse_path, url)
        return dg.MaterializeResult(
            metadata={
                "target": target,
                "tables": dg.MetadataValue.md("\n".join(f"- `{t}`: {n:,} rows" for t, n in written.items())),
                "dagster/row_count": sum(written.values()),
            }
        )

    return mart_export


@dg.asset(
    key=PUBLISHED_LINKAGE_RATES,
    group_name="publication",
    kinds={"duckdb"},
    deps=[LINKAGE_RATES],
    description=f"Each dataset's records and the share the linkage joined to another record of the same person, rounded to the nearest {ROUNDING_BASE} with small counts hidden; copied to the mart from the linkage's hand-over of counts.",
)
def published_linkage_rates(folders: StoryFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
    source = folders.layout.linkage_rates_path
    counts = pd.read_csv(source) if source.exists() else pd.DataFrame(columns=list(LINKAGE_RATE_COLUMNS))
    published = controlled_linkage_rates(counts)
    with warehouse.get_connection() as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS mart")
        con.execute("CREATE OR REPLACE TABLE mart.linkage_rates AS SELECT * FROM published ORDER BY dataset")
    return dg.MaterializeResult(metadata={"datasets": len(published), "published": dg.MetadataValue.md(published.to_markdown(index=False) if len(published) else "none")})


def build_published_measures_asset(entries: dict[str, Measure], contracts: dict[str, Contract]) -> dg.AssetsDefinition:
    refresh_days = {c.id: c.refresh_days for c in contracts.values()}
    public_denominators, compositions, balances = mart.disclosure_declarations(entries)
    streams = declared_streams()

    @dg.asset(
        key=PUBLISHED_MEASURES,
        group_name="publication",
        kinds={"duckdb"},
        # It reads the published indicators' revisions straight from their analysis table.
        deps=[measure_key(m) for m in entries] + [analysis_key(c) for c in contracts if c == "indicator_values"],
        description="All measures with statistical disclosure control applied (small counts shown as [c], with secondary suppression), the revisions of published indicators and the early warnings.",
        check_specs=[
            dg.AssetCheckSpec("no_disclosive_cells", asset=PUBLISHED_MEASURES, blocking=True, description="No published count is 1-4 and no suppressed cell can be worked out from totals, in the mart as stored (a failing mart is rolled back)."),
            dg.AssetCheckSpec("intruder_audit", asset=PUBLISHED_MEASURES, blocking=True, description="An intruder with a solver, given every published figure (assets.disclosure.intruder_audit, independent of the suppression), pins no hidden small count and cannot prove one is below 5, in the mart as stored (a failing mart is rolled back)."),
            dg.AssetCheckSpec("no_identifiers_in_warehouse", asset=PUBLISHED_MEASURES, blocking=True, description="No table in the analysis warehouse holds names, dates of birth, postcodes, CHI or SCN."),
            dg.AssetCheckSpec("every_indicator_declared", asset=PUBLISHED_MEASURES, blocking=False, description="Every indicator in indicator_values has a declaration in indicator_streams.yaml, so it is published."),
        ],
    )
    def published_measures(context: dg.AssetExecutionContext, folders: StoryFolders, warehouse: DuckDBResource):
        names = councils(folders.layout.reference_dir).names
        with warehouse.get_connection() as con:
            measures = pd.concat([con.execute(f"SELECT * FROM measures.{m}").df() for m in entries], ignore_index=True)
            measures["numerator"] = measures["numerator"].astype("Int64")
            # What the latest edition published: what it hid stays hidden, and what moved since is marked revised.
            previous = previous_figures(folders.layout.published_dir / "latest")
            controlled, judged = mart.control_measures(measures, entries, names, progress=context.log.info, memo=mart.stored_memo(con), keep_hidden=hidden_before(measures, previous))
            # Only published figures leave this asset: the raw counts of hidden cells stay
            # behind, and figures left out of the edition are not in it at all.
            left_out = controlled["suppression"].eq(WITHHELD).to_numpy()
            published = controlled.loc[~left_out, list(mart.PUBLISHED_COLUMNS)]
            indicator_values = indicator_rows(con) if mart.has_table(con, "analysis", "indicator_values") else pd.DataFrame(columns=INDICATOR_COLUMNS)
            revised = revisions(indicator_values[indicator_values["indicator_id"].isin(streams)])
            # Compared with what the latest edition published, never with unpublished values (``edition_revisions``).
            moved = moved_figures(published, previous)
            warnings = mart.mart_early_warnings(published, entries, latest_accepted_files(con, folders.layout.content_zone_path, sorted(refresh_days)), refresh_days, dt.date.today(), names)
            con.execute("CREATE SCHEMA IF NOT EXISTS mart")
            con.execute("CREATE SCHEMA IF NOT EXISTS disclosure")
            # Written and re-checked in one transaction: a mart that fails the check is rolled
            # back, so the warehouse keeps the last edition that passed, never a disclosive one.
            con.execute("BEGIN TRANSACTION")
            mart.write_table(con, "published_measures", published)
            mart.write_table(con, "indicator_revisions", revised)
            mart.write_table(con, "figure_revisions", moved)
            mart.write_table(con, "early_warnings", warnings)
            mart.write_table(con, "suppressed_cells", controlled.loc[controlled["suppression"].ne(""), list(mart.SUPPRESSION_COLUMNS)], schema="disclosure")
            # Both checks judge the mart as stored, read back once. The audit reads it its own
            # way; when that is exactly what the judge's last round audited, its verdict stands.
            stored = con.execute("SELECT * FROM mart.published_measures").df()
            violations = stored_mart_problems(stored, measures, mart.RULE, public_denominators, compositions, left_out, balances)
            audit = mart.audit_mart(stored, measures, compositions, balances, earlier=judged, memo=judged.memo if judged else None)
            mart.store_memo(con, audit.memo)
            con.execute("ROLLBACK" if violations or not audit.passed else "COMMIT")
            identifiers = no_identifiers_in_warehouse(scan_database(con))
        counts = controlled["suppression"].value_counts().to_dict()
        counted = controlled["numerator"].notna()
        yield dg.MaterializeResult(
            metadata={
                "dagster/row_count": len(published),
                "cells_primary_suppressed": int(counts.get("primary", 0)),
                "cells_secondary_suppressed": int(counts.get("secondary", 0)),
                "cells_left_out": int(counts.get(WITHHELD, 0)),
                "share_of_counted_total_hidden": f"{controlled.loc[controlled['suppression'].ne('') & counted, 'numerator'].sum() / max(controlled.loc[counted, 'numerator'].sum(), 1):.3%}",
                "rule": f"counts {mart.RULE.min_count}-{mart.RULE.max_suppressed_count} shown as [c]",
                "indicator_revisions": len(revised),
                "figures_revised_since_last_edition": len(moved),
                "early_warnings": dg.MetadataValue.md(warnings["kind"].value_counts().to_frame().to_markdown() if len(warnings) else "none"),
            }
        )
        yield check_result("no_disclosive_cells", no_disclosive_cells(violations))
        yield check_result("intruder_audit", intruder_audit(audit, mart.RULE.max_suppressed_count + 1))
        yield check_result("no_identifiers_in_warehouse", identifiers)
        yield check_result("every_indicator_declared", every_indicator_declared(indicator_values["indicator_id"], streams))

    return published_measures
