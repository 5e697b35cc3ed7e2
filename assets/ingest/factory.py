"""One factory turns every data contract into its Dagster assets and checks.

For each contract: a ``raw/<dataset>`` asset that takes in every new file from the
dataset's landing folders (refused files go to quarantine with a report), with one check
per contract rule (``rule_checks``), a check that no file was refused, a blocking check
that the raw table still matches its contract, and a freshness check that warns when an
agency's return is overdue (the contract's ``refreshDays``); and an
``analysis/<dataset>`` asset that publishes the dataset into the analysis warehouse with
identifiers replaced by pseudonyms. Adding a dataset means adding a contract YAML.
"""

import datetime as dt
from pathlib import Path

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.folders import StoryFolders
from assets.ingest import raw_zone
from assets.ingest.contracts import Contract
from assets.ingest.intake import OUTCOMES, IntakeFolders, answers_for, take_in
from assets.ingest.landing import files_waiting
from assets.ingest.returns import agency_returns, expectations
from assets.ingest.rule_checks import rule_check_results, rule_check_specs
from assets.ingest.validation import compile_rules
from assets.keys import raw_key
from assets.reference import Councils, councils


def build_raw_asset(contract: Contract, reference_dir: Path, contracts: dict[str, Contract] | None = None) -> dg.AssetsDefinition:
    """``reference_dir`` supplies the code lists the contract's rules name; ``contracts`` (every
    dataset's) says which misplaced agency-level entries this dataset answers for."""
    contracts = contracts or {contract.id: contract}
    rules = compile_rules(contract, reference_dir)
    @dg.asset(
        key=raw_key(contract.id),
        group_name="ingest",
        kinds={"duckdb", "csv"},
        description=f"{contract.name}: {contract.purpose} Files are checked against data contract {contract.path.name} v{contract.version}.",
        metadata={"contract": dg.MetadataValue.path(str(contract.path)), "contract_version": contract.version, "owner_agency": contract.owner},
        check_specs=[
            dg.AssetCheckSpec("no_files_refused", asset=raw_key(contract.id), description="Fails when an agency's file was refused in this run, for any reason (file, name or contract rule), or could not be taken (skipped: unreadable, a hidden name).", blocking=False),
            dg.AssetCheckSpec("raw_table_matches_contract", asset=raw_key(contract.id), description="The raw table has the contract's columns and no empty required values.", blocking=True),
            dg.AssetCheckSpec("returns_on_time", asset=raw_key(contract.id), description=f"Warns when an agency's return is overdue: nothing accepted within the contract's {contract.refresh_days} days (refreshDays), or never."),
            *rule_check_specs(rules, raw_key(contract.id)),
        ],
    )
    def raw_dataset(context: dg.AssetExecutionContext, folders: StoryFolders, linkage_zone: DuckDBResource):
        layout = folders.layout
        council_codes = councils(layout.reference_dir)
        entries = files_waiting(layout.landing_dir, contract.id, answers_for(contract, contracts, council_codes.codes))
        outcomes = dict.fromkeys(OUTCOMES, 0)
        refused: list[str] = []
        rows_loaded = 0
        kept = IntakeFolders(layout.accepted_dir, layout.quarantine_dir, layout.staging_dir)
        with linkage_zone.get_connection() as con:
            context.log.info(f"Checking {len(entries)} file(s) in the {contract.id} landing folders against the contract")
            results = take_in(entries, contract, con, council_codes, layout.reference_dir, kept, layout.landing_dir, settle_seconds=folders.settle_seconds)
            for result in results:
                outcomes[result.outcome] += 1
                rows_loaded += result.rows
                if result.outcome in ("refused", "skipped"):
                    refused.append(f"{result.landed.location}: {result.outcome}, {result.problems[0].message}")
                if result.outcome == "waiting":
                    context.log.warning(f"{result.landed.location}: still being written, left for the next intake")
                elif result.outcome != "duplicate":
                    context.log.info(f"{result.landed.location}: {result.outcome} ({result.rows:,} rows)")
            raw_zone.ensure_raw_zone(con, contract)
            total = con.execute(f"SELECT count(*) FROM {raw_zone.raw_table(contract)}").fetchone()[0]
            check_result = _raw_table_matches_contract(con, contract)
            ledger = con.execute(f"SELECT dataset, agency, period, outcome, received_at FROM {raw_zone.LEDGER} WHERE dataset = ?", [contract.id]).df()
        yield dg.MaterializeResult(
            metadata={
                "files_seen": len(entries),
                "files_accepted": outcomes["accepted"],
                "files_refused": outcomes["refused"],
                "files_skipped": outcomes["skipped"],
                "files_still_being_written": outcomes["waiting"],
                "files_already_processed": outcomes["duplicate"],
                "rows_loaded": rows_loaded,
                "dagster/row_count": total,
            }
        )
        yield dg.AssetCheckResult(
            check_name="no_files_refused",
            passed=not refused,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"files_refused": outcomes["refused"], "files_skipped": outcomes["skipped"], "refused": dg.MetadataValue.md("\n".join(f"- {r}" for r in refused) or "none"), "threshold": "0 refused or skipped files"},
        )
        yield check_result
        yield _returns_on_time(contract, ledger, council_codes)
        yield from rule_check_results(rules, results)

    return raw_dataset


def _returns_on_time(contract: Contract, ledger: pd.DataFrame, council_codes: Councils) -> dg.AssetCheckResult:
    """The dataset's freshness, agency by agency, from the ingest ledger and the contract."""
    today = dt.datetime.now(dt.timezone.utc).date()
    returns = agency_returns(ledger, expectations({contract.id: contract}, council_codes.codes), council_codes.names, today)
    overdue = returns[returns.overdue & returns.expected]
    listing = "\n".join(f"- {r.agency_name} ({r.agency}): last accepted file {r.last_received}" for r in overdue.itertuples())
    return dg.AssetCheckResult(
        check_name="returns_on_time",
        passed=overdue.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "agencies_expected": int(returns.expected.sum()),
            "returns_overdue": len(overdue),
            "overdue": dg.MetadataValue.md(listing or "none"),
            "threshold": f"a file accepted within {contract.refresh_days} days from every expected agency",
        },
    )


def _raw_table_matches_contract(con, contract: Contract) -> dg.AssetCheckResult:
    table = raw_zone.raw_table(contract)
    actual = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    expected = contract.column_names + list(raw_zone.LINEAGE_COLUMNS)
    empty_required = {
        c.name: con.execute(f"SELECT count(*) FROM {table} WHERE {c.name} IS NULL").fetchone()[0]
        for c in contract.columns
        if c.required
    }
    broken = {k: v for k, v in empty_required.items() if v}
    return dg.AssetCheckResult(
        check_name="raw_table_matches_contract",
        passed=actual == expected and not broken,
        metadata={"columns_match": actual == expected, "required_columns_with_empty_values": str(broken or "none"), "threshold": "0 empty required values"},
    )
