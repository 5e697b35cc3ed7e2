"""The ``publication/published_measures`` asset: the publication mart, after disclosure control.

Disclosure control runs here and only here, before anything leaves the warehouse; reports,
downloads and the exported mart read the ``mart`` schema and nothing upstream of it. A
blocking check re-verifies the output so a publication can never follow a disclosive table.
This asset writes every mart table made from measures, so anything downstream of it sees
them all at once:

Method notes: docs/publication.md, "Notes on `assets/publication/mart.py`".
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.check_results import check_result
from assets.folders import StoryFolders
from assets.measures.early_warning import WARNING_COLUMNS, early_warnings, headline_rows, latest_accepted_files
from assets.measures.indicators import COLUMNS as INDICATOR_COLUMNS
from assets.measures.indicators import declared_streams, indicator_rows, revisions
from assets.model.contracts import Contract
from assets.model.keys import PUBLISHED_MEASURES, analysis_key, measure_key
from assets.model.measures import Measure
from assets.model.reference import councils
from assets.privacy.identifier_scan import scan_database
from assets.publication.disclosure_control import FIGURE_KEY, WITHHELD, DisclosureRule, apply_disclosure_control
from assets.publication.edition_revisions import moved_figures, previous_figures
from checks.disclosure_audit import AuditMemo, DisclosureAudit, audit_disclosure
from checks.publication import every_indicator_declared, intruder_audit, no_disclosive_cells, no_identifiers_in_warehouse, stored_mart_problems

RULE = DisclosureRule()
PUBLISHED_COLUMNS = (
    "measure_id", "period", "geography_code", "geography_level", "breakdown", "category", "unit",
    "numerator_published", "denominator_published", "value_published", "lower_published", "upper_published", "value_display", "vintage",
)
SUPPRESSION_COLUMNS = (*FIGURE_KEY, "suppression", "suppression_reason")
AUDIT_SECONDS = 240.0  # the audit's solving budget: a cell it cannot decide in time counts as failing
AUDIT_MEMO = "disclosure.audit_memo"
SAME_FIGURE = ["period", "geography_code", "breakdown", "category"]


Declared = dict[str, tuple[str, str, tuple[str, ...]]]


def disclosure_declarations(entries: dict[str, Measure]) -> tuple[set[str], Declared, Declared]:
    """What the catalogue's declarations tell disclosure control: measures whose denominators
    are public, composite counts (a measure's numerator made of another's categories), and
    stocks balanced by their flows in and out (``Measure.stock_and_flow``)."""
    public = {m for m, entry in entries.items() if entry.public_denominator}
    return public, {m: entry.composed_of for m, entry in entries.items() if entry.composed_of}, {m: entry.stock_and_flow for m, entry in entries.items() if entry.stock_and_flow}


def control_measures(
    measures: pd.DataFrame, entries: dict[str, Measure], place_names: dict[str, str], progress: Callable[[str], None] = lambda message: None,
    memo: AuditMemo | None = None,
) -> tuple[pd.DataFrame, DisclosureAudit | None]:
    """Disclosure control as the edition applies it: the catalogue says which denominators are
    public and which counts are composites. Returns ``apply_disclosure_control``'s output with
    ``denominator_published`` (raw counts are still in it, so publish only ``PUBLISHED_COLUMNS``)
    and the judge's last verdict (None when there was nothing to judge), whose ``memo`` holds
    what every round found. ``memo``: an earlier edition's (``audit_disclosure``); each round
    of judging reuses it and what the rounds before it found.
    """
    public, compositions, balances = disclosure_declarations(entries)
    verdicts: list[DisclosureAudit] = []
    found: AuditMemo = {}

    def judge(candidate: pd.DataFrame) -> pd.DataFrame:
        """The intruder audit of a candidate publication, as the gate will run it."""
        shown = candidate.assign(denominator_published=publishable_denominators(candidate, public))
        verdict = _audit(shown, measures, compositions, balances, memo={**(memo or {}), **found})
        progress(f"intruder audit: {verdict.components:,} parts, {verdict.components_reused:,} of them unchanged since an earlier audit ({verdict.seconds:.1f} s)")
        found.update(verdict.memo)
        verdicts[:] = [replace(verdict, memo=found)]
        return verdict.failing

    controlled = apply_disclosure_control(measures, RULE, geography_names=place_names, public_denominators=public, compositions=compositions, balances=balances, judge=judge, progress=progress)
    controlled["denominator_published"] = publishable_denominators(controlled, public)
    return controlled, (verdicts[0] if verdicts else None)


def publishable_denominators(published: pd.DataFrame, public: set[str]) -> pd.Series:
    """The denominator each row may show (NA where hidden); the rule is in the module doc.

    ``published``: the output of ``apply_disclosure_control`` (raw ``numerator`` and
    ``denominator`` still present); ``public``: measure ids whose denominators are public.
    """
    table = published.reset_index(drop=True)
    denominator = table["denominator"].astype("Float64")
    row_published = table["suppression"].fillna("").eq("").to_numpy()
    keys = table[SAME_FIGURE].astype(str)
    hidden = keys[~row_published & table["numerator"].notna().to_numpy()].assign(
        count=table["numerator"].astype("Float64").astype(float), hidden_in=table["measure_id"],
    ).dropna(subset=["count"])
    asked = keys.assign(count=denominator.astype(float), measure_id=table["measure_id"], row=np.arange(len(table)))
    matches = asked.dropna(subset=["count"]).merge(hidden, on=[*SAME_FIGURE, "count"])
    hidden_elsewhere = np.zeros(len(table), dtype=bool)
    hidden_elsewhere[matches.loc[matches["measure_id"] != matches["hidden_in"], "row"].to_numpy()] = True
    shown = table["measure_id"].isin(public).to_numpy() | (row_published & ~hidden_elsewhere)
    return pd.Series(denominator.mask(~shown).to_numpy(), index=published.index, dtype="Float64")


def _write(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, schema: str = "mart") -> None:
    con.register("mart_frame", frame)
    con.execute(f"CREATE OR REPLACE TABLE {schema}.{name} AS SELECT * FROM mart_frame")
    con.unregister("mart_frame")


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, table]).fetchone()[0] > 0


def mart_early_warnings(
    published: pd.DataFrame, entries: dict[str, Measure], latest_files: pd.DataFrame, refresh_days: dict[str, int],
    today: dt.date, place_names: dict[str, str],
) -> pd.DataFrame:
    """Every measure's early warnings, from published values only."""
    pieces = [
        early_warnings(headline_rows(rows, "value_published"), latest_files, entries[measure_id], refresh_days, today, place_names)
        for measure_id, rows in published.groupby("measure_id", sort=True)
    ]
    return pd.concat(pieces, ignore_index=True)[WARNING_COLUMNS] if pieces else pd.DataFrame(columns=WARNING_COLUMNS)


def _audit(
    published: pd.DataFrame, measures: pd.DataFrame, compositions: Declared, balances: Declared,
    earlier: DisclosureAudit | None = None, memo: AuditMemo | None = None,
) -> DisclosureAudit:
    """The intruder audit of ``published`` against the raw figures, under the edition's rule;
    ``earlier`` is the verdict to give again if it judged exactly these figures, ``memo``
    earlier findings to reuse (``audit_disclosure``)."""
    return audit_disclosure(
        published, measures, compositions=compositions, balances=balances, smallest_safe=RULE.max_suppressed_count + 1,
        allow_provably_small=RULE.allow_provably_small, time_limit=AUDIT_SECONDS, earlier=earlier, memo=memo,
    )


def _stored_memo(con: duckdb.DuckDBPyConnection) -> AuditMemo:
    if not _has_table(con, "disclosure", "audit_memo"):
        return {}
    return {digest: json.loads(findings) for digest, findings in con.execute(f"SELECT digest, findings FROM {AUDIT_MEMO}").fetchall()}


def _store_memo(con: duckdb.DuckDBPyConnection, memo: AuditMemo) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {AUDIT_MEMO} (digest VARCHAR, findings VARCHAR)")
    if memo:
        con.register("memo_rows", pd.DataFrame({"digest": list(memo), "findings": [json.dumps(findings) for findings in memo.values()]}))
        con.execute(f"INSERT INTO {AUDIT_MEMO} SELECT digest, findings FROM memo_rows")
        con.unregister("memo_rows")


def build_published_measures_asset(entries: dict[str, Measure], contracts: dict[str, Contract]) -> dg.AssetsDefinition:
    refresh_days = {c.id: c.refresh_days for c in contracts.values()}
    public_denominators, compositions, balances = disclosure_declarations(entries)
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
            dg.AssetCheckSpec("intruder_audit", asset=PUBLISHED_MEASURES, blocking=True, description="An intruder with a solver, given every published figure (checks.disclosure_audit, independent of the suppression), pins no hidden small count and cannot prove one is below 5, in the mart as stored (a failing mart is rolled back)."),
            dg.AssetCheckSpec("no_identifiers_in_warehouse", asset=PUBLISHED_MEASURES, blocking=True, description="No table in the analysis warehouse holds names, dates of birth, postcodes, CHI or SCN."),
            dg.AssetCheckSpec("every_indicator_declared", asset=PUBLISHED_MEASURES, blocking=False, description="Every indicator in indicator_values has a declaration in indicator_streams.yaml, so it is published."),
        ],
    )
    def published_measures(context: dg.AssetExecutionContext, folders: StoryFolders, warehouse: DuckDBResource):
        names = councils(folders.layout.reference_dir).names
        with warehouse.get_connection() as con:
            measures = pd.concat([con.execute(f"SELECT * FROM measures.{m}").df() for m in entries], ignore_index=True)
            measures["numerator"] = measures["numerator"].astype("Int64")
            controlled, judged = control_measures(measures, entries, names, progress=context.log.info, memo=_stored_memo(con))
            # Only published figures leave this asset: the raw counts of hidden cells stay
            # behind, and figures left out of the edition are not in it at all.
            left_out = controlled["suppression"].eq(WITHHELD).to_numpy()
            published = controlled.loc[~left_out, list(PUBLISHED_COLUMNS)]
            indicator_values = indicator_rows(con) if _has_table(con, "analysis", "indicator_values") else pd.DataFrame(columns=INDICATOR_COLUMNS)
            revised = revisions(indicator_values[indicator_values["indicator_id"].isin(streams)])
            # Compared with what the latest edition published, never with unpublished values (``edition_revisions``).
            moved = moved_figures(published, previous_figures(folders.layout.published_dir / "latest"))
            warnings = mart_early_warnings(published, entries, latest_accepted_files(con, folders.layout.content_zone_path, sorted(refresh_days)), refresh_days, dt.date.today(), names)
            con.execute("CREATE SCHEMA IF NOT EXISTS mart")
            con.execute("CREATE SCHEMA IF NOT EXISTS disclosure")
            # Written and re-checked in one transaction: a mart that fails the check is rolled
            # back, so the warehouse keeps the last edition that passed, never a disclosive one.
            con.execute("BEGIN TRANSACTION")
            _write(con, "published_measures", published)
            _write(con, "indicator_revisions", revised)
            _write(con, "figure_revisions", moved)
            _write(con, "early_warnings", warnings)
            _write(con, "suppressed_cells", controlled.loc[controlled["suppression"].ne(""), list(SUPPRESSION_COLUMNS)], schema="disclosure")
            # Both checks judge the mart as stored, read back once. The audit reads it its own
            # way; when that is exactly what the judge's last round audited, its verdict stands.
            stored = con.execute("SELECT * FROM mart.published_measures").df()
            violations = stored_mart_problems(stored, measures, RULE, public_denominators, compositions, left_out, balances)
            audit = _audit(stored, measures, compositions, balances, earlier=judged, memo=judged.memo if judged else None)
            _store_memo(con, audit.memo)
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
                "rule": f"counts {RULE.min_count}-{RULE.max_suppressed_count} shown as [c]",
                "indicator_revisions": len(revised),
                "figures_revised_since_last_edition": len(moved),
                "early_warnings": dg.MetadataValue.md(warnings["kind"].value_counts().to_frame().to_markdown() if len(warnings) else "none"),
            }
        )
        yield check_result("no_disclosive_cells", no_disclosive_cells(violations))
        yield check_result("intruder_audit", intruder_audit(audit, RULE.max_suppressed_count + 1))
        yield check_result("no_identifiers_in_warehouse", identifiers)
        yield check_result("every_indicator_declared", every_indicator_declared(indicator_values["indicator_id"], streams))

    return published_measures
