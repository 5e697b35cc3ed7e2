"""The ingest stage's wiring: every data contract turned into its Dagster assets and checks.

For each contract: a ``raw/<dataset>`` asset that takes in every new file from the
dataset's landing folders (refused files go to quarantine with a report), with one check
per kind of contract rule (``checks.contract_rules``), a check that no file was refused, a blocking
check that the raw table still matches its contract (``checks.intake``), and a freshness
check that warns when an agency's return is overdue (the contract's ``refreshDays``,
``checks.freshness``); the checks' logic lives in ``checks/``, this factory attaches it. And the
``retention/destroyed`` asset. Adding a dataset means adding a contract YAML.
"""

import datetime as dt
from collections import Counter
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.check_results import check_result
from assets.folders import IndexFolders
from assets.ingest import raw_zone
from assets.ingest.destruction_log import IDENTIFIERS, REFUSED_COPY, SEALED_ORIGINAL, RetentionPeriods
from assets.ingest.intake import OUTCOMES, IntakeFolders, IntakeResult, answers_for, attached_content_zone, take_in
from assets.ingest.landing import files_waiting
from assets.ingest.retention import described, destroy, expired
from assets.ingest.sealing_key import SealingKey
from assets.ingest.validation import compile_rules
from assets.model.contracts import Contract
from assets.model.keys import RETENTION, raw_key
from assets.model.reference import councils
from checks.contract_rules import describe, files_breaking_rules, rules_by_kind
from checks.freshness import returns_on_time
from checks.intake import no_files_refused, raw_table_matches_contract


def build_raw_asset(contract: Contract, reference_dir: Path, contracts: dict[str, Contract] | None = None) -> dg.AssetsDefinition:
    """``reference_dir`` supplies the code lists the contract's rules name; ``contracts`` (every
    dataset's) says which misplaced agency-level entries this dataset answers for."""
    contracts = contracts or {contract.id: contract}
    kinds = rules_by_kind(compile_rules(contract, reference_dir))
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
            *(dg.AssetCheckSpec(kind, asset=raw_key(contract.id), blocking=False, description=describe(kind, rules)) for kind, rules in kinds.items()),
        ],
    )
    def raw_dataset(context: dg.AssetExecutionContext, index_folders: IndexFolders, linkage_zone: DuckDBResource, sealing_key: SealingKey):
        layout = index_folders.layout
        council_codes = councils(layout.reference_dir)
        entries = files_waiting(layout.landing_dir, contract.id, answers_for(contract, contracts, council_codes.codes))
        outcomes = dict.fromkeys(OUTCOMES, 0)
        rows_loaded = 0
        kept = IntakeFolders.of(layout, sealing_key.load())
        with linkage_zone.get_connection() as con:
            context.log.info(f"Checking {len(entries)} file(s) in the {contract.id} landing folders against the contract")
            results = take_in(entries, contract, con, council_codes, layout.reference_dir, kept, layout.landing_dir, settle_seconds=index_folders.settle_seconds)
            for result in results:
                outcomes[result.outcome] += 1
                rows_loaded += result.rows
            _log_outcomes(context.log, results)
            raw_zone.ensure_raw_zone(con, contract)
            total = con.execute(f"SELECT count(*) FROM {raw_zone.raw_table(contract)}").fetchone()[0]
            with attached_content_zone(con, layout.content_zone_path):
                columns, empty_required = raw_zone.table_shape(con, contract)
            ledger = con.execute(f"SELECT dataset, agency, period, outcome, CAST(received_at AS DATE) AS received_on FROM {raw_zone.LEDGER} WHERE dataset = ?", [contract.id]).df()
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
        yield check_result("no_files_refused", no_files_refused(results))
        yield check_result("raw_table_matches_contract", raw_table_matches_contract(contract, columns, empty_required))
        yield check_result("returns_on_time", returns_on_time(contract, ledger, council_codes, dt.datetime.now(dt.timezone.utc).date()))
        for kind, rules in kinds.items():
            yield check_result(kind, files_breaking_rules(kind, rules, results))

    return raw_dataset


def _log_outcomes(log: dg.DagsterLogManager, results: list[IntakeResult]) -> None:
    """One log message per outcome, each file on its own line: every message is an event Dagster
    stores (one write to its event log each), and a national intake answers hundreds of files."""
    for outcome in ("accepted", "refused", "skipped"):
        lines = [f"{r.landed.location}: {outcome} ({r.rows:,} rows)" for r in results if r.outcome == outcome]
        if lines:
            log.info(f"{len(lines)} file(s) {outcome}:\n" + "\n".join(lines))
    if waiting := [f"{r.landed.location}: still being written, left for the next intake" for r in results if r.outcome == "waiting"]:
        log.warning("\n".join(waiting))


def build_retention_asset(contracts: dict[str, Contract], periods: RetentionPeriods) -> dg.AssetsDefinition:
    """``retention/destroyed``: ``story retention`` as a run of the index role, on its own schedule; the
    destruction log keeps the rows its metadata shows. ``periods``: the operators' ``STORY_RETENTION_DAYS_*``, read by the settings and handed down."""

    @dg.asset(
        key=RETENTION,
        group_name="retention",
        kinds={"duckdb"},
        description=(
            f"Destroys sealed originals ({periods.sealed_originals_days} days after intake), refused files' sealed copies "
            f"({periods.refused_copies_days} days) and accepted entries' identifiers in the index zone ({periods.identifiers_days} days), "
            "and logs each in the index zone's destruction_log. Person ids and content are kept."
        ),
    )
    def retention(context: dg.AssetExecutionContext, index_folders: IndexFolders, linkage_zone: DuckDBResource) -> dg.MaterializeResult:
        layout = index_folders.layout
        with linkage_zone.get_connection() as con:
            done = destroy(con, contracts, expired(con, contracts, layout.accepted_dir, layout.quarantine_dir, periods, dt.date.today()), periods)
        lines = described(done, periods)
        for line in lines:
            context.log.info(f"Destroyed: {line}")
        kinds = Counter(item.kind for item in done)
        return dg.MaterializeResult(metadata={
            "destroyed": len(done),
            **{f"destroyed_{kind}": kinds[kind] for kind in (SEALED_ORIGINAL, REFUSED_COPY, IDENTIFIERS)},
            "retention_days": dg.MetadataValue.json({kind: periods.days(kind) for kind in (SEALED_ORIGINAL, REFUSED_COPY, IDENTIFIERS)}),
            "what_was_destroyed": dg.MetadataValue.md("| kind | entry | dataset | agency | rule |\n|---|---|---|---|---|\n" + "\n".join(f"| {line} |" for line in lines) if lines else "nothing was due"),
        })

    return retention
