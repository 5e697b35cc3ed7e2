"""The ``story`` command: the same code paths as the pipeline, for scripts, agencies and the demo.

Method notes: docs/architecture.md, "Notes on `orchestration/cli.py`".
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.settings import Settings, SettingsError, ensure_key, ensure_sealing_key

if TYPE_CHECKING:
    from assets.ingest.intake import IntakeResult

# `story ingest`'s exit statuses (README and docs/runbook.md list them).
INGEST_TAKEN, INGEST_NOT_ALL_TAKEN, USAGE_ERROR, INGEST_LOCKED, INGEST_FAILED = 0, 1, 2, 3, 4

# The agency code becomes a folder name: nothing that could climb out of it.
_AGENCY_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _check(args: argparse.Namespace, settings: Settings) -> int:
    import duckdb

    from assets.ingest.intake import judge
    from assets.ingest.landing import landed_file
    from assets.ingest.layered_returns import part_contract as layered_part_contract
    from assets.ingest.refusal_report import refusal_context, render_markdown
    from assets.ingest.split_parts import part_contract
    from assets.model.contracts import load_contracts
    from assets.model.reference import councils

    contracts = load_contracts(settings.contracts_dir)
    if args.dataset not in contracts:
        print(f"Unknown dataset {args.dataset!r}. Known datasets: {', '.join(sorted(contracts))}", file=sys.stderr)
        return USAGE_ERROR
    if not _AGENCY_CODE.fullmatch(args.agency):
        print(f"--agency must be an agency code such as S12000049 or SCRA (letters, digits, - and _ only), got {args.agency!r}", file=sys.stderr)
        return USAGE_ERROR
    path = Path(args.file)
    if not path.is_file():
        print(f"No such file: {path}", file=sys.stderr)
        return USAGE_ERROR
    contract = contracts[args.dataset]
    with tempfile.TemporaryDirectory() as tmp:
        # Judge a copy placed as the agency would drop it, so folder and name rules apply too.
        placed = Path(tmp) / "landing" / args.agency / args.dataset / path.name
        placed.parent.mkdir(parents=True)
        placed.write_bytes(path.read_bytes())
        landed = landed_file(placed)
        layered = {p.name: p for p in contract.layered}
        if landed.part in layered:  # one file of a layered return: its own columns and keys (the intake judges the files together)
            contract = layered_part_contract(contract, layered[landed.part])
        elif landed.part:  # one half of a return split at source: checked against its part of the contract
            contract = part_contract(contract, landed.part)
        with duckdb.connect() as staging:  # in memory, as an intake stages
            [verdict] = judge([landed], contract, councils(settings.reference_dir), settings.reference_dir, staging)
    if verdict.accepted:
        in_force = contract.in_force(landed.period)
        years = f", the version for {in_force.years_in_force()}" if in_force.years else ""
        print(f"Accepted: {path.name} meets data contract {contract.id} v{in_force.version}{years} ({verdict.rows:,} rows).")
        if landed.part in layered:
            print(f"This is the {landed.part} file of a layered return: the rules between its files are checked when the intake takes all {len(layered)} in together.")
        for warning in verdict.warnings:
            print(f"Warning: {warning.message}")
        return 0
    print(render_markdown(refusal_context(landed, contract.in_force(landed.period), verdict.problems, checked_at=str(path))))
    return 1


def _split(args: argparse.Namespace, settings: Settings) -> int:
    from assets.ingest.split_returns import split_return
    from assets.model.contracts import load_contracts

    contracts = load_contracts(settings.contracts_dir)
    if args.dataset not in contracts:
        print(f"Unknown dataset {args.dataset!r}. Known datasets: {', '.join(sorted(contracts))}", file=sys.stderr)
        return USAGE_ERROR
    source = Path(args.file)
    out = args.out or source.parent
    if not source.is_file() or not out.is_dir():
        print(f"No such {'file' if not source.is_file() else 'folder'}: {source if not source.is_file() else out}", file=sys.stderr)
        return USAGE_ERROR
    contract = contracts[args.dataset]
    split = split_return(source, contract, out)
    if split.problems:
        print(f"Not split, nothing was written: {source.name}, read against data contract {contract.id} v{contract.version}:")
        for problem in split.problems:
            print(f"- {problem.message} {problem.fix}")
        return 1
    print(f"Split {source.name} ({split.rows:,} rows) into two halves sharing a random record reference per row:")
    for part, path in split.halves.items():
        print(f"    {part}: {path}")
    if not source.stem.startswith(f"{contract.id}_"):
        print(f"Rename both halves {contract.id}_<agency>_<period>_identifiers.csv and {contract.id}_<agency>_<period>_content.csv before sending them.")
    print("Send both halves, to the same landing folder; they are taken in together.")
    return 0


def _ingest(settings: Settings) -> int:
    from assets.ingest.intake import OUTCOMES, IntakeFolders, answers_for, take_in
    from assets.ingest.landing import files_waiting
    from assets.linkage.pseudonyms import UnusableKey
    from assets.model.contracts import load_contracts
    from assets.model.reference import councils
    from orchestration.database_lock import DatabaseDamaged, DatabaseLocked, connect_waiting
    from orchestration.settings import sealing_key_from_env

    contracts = load_contracts(settings.contracts_dir)
    council_codes = councils(settings.reference_dir)
    try:
        kept = IntakeFolders.of(settings, sealing_key_from_env())
    except UnusableKey as unusable:
        print(unusable, file=sys.stderr)
        return USAGE_ERROR
    try:
        con = connect_waiting(settings.linkage_zone_path, settings.lock_wait_seconds)
    except DatabaseLocked as locked:
        print(locked, file=sys.stderr)
        return INGEST_LOCKED
    except DatabaseDamaged as damaged:
        print(f"{damaged} Nothing was taken in.", file=sys.stderr)
        return INGEST_FAILED
    not_taken: list[IntakeResult] = []
    failed: list[str] = []
    with con:
        for step, contract in enumerate(contracts.values(), start=1):
            entries = files_waiting(settings.landing_dir, contract.id, answers_for(contract, contracts, council_codes.codes))
            try:
                results = take_in(entries, contract, con, council_codes, settings.reference_dir, kept, settings.landing_dir, settle_seconds=settings.settle_seconds)
            except Exception as error:  # one dataset's failure must not stop the others'
                failed.append(f"{contract.id}: {type(error).__name__}: {error}")
                print(f"[{step}/{len(contracts)}] {contract.id}: FAILED ({type(error).__name__}: {error})")
                continue
            counts = {o: sum(r.outcome == o for r in results) for o in OUTCOMES}
            print(
                f"[{step}/{len(contracts)}] {contract.id}: {counts['accepted']} accepted, {counts['refused']} refused, "
                f"{counts['skipped']} skipped, {counts['waiting']} still being written, {counts['duplicate']} already processed"
            )
            for result in results:
                if result.outcome == "refused":
                    print(f"    refused {result.landed.location}: see {result.kept_at}.refusal.html")
            not_taken += [r for r in results if r.outcome in ("refused", "skipped", "waiting")]
    if not_taken:
        print(f"Not taken in ({len(not_taken)}):")
        for result in not_taken:
            print(f"    {result.outcome} {result.landed.location}: {_why(result)}")
    if failed:
        print("Intake failed for: " + "; ".join(failed), file=sys.stderr)
        return INGEST_FAILED
    return INGEST_NOT_ALL_TAKEN if not_taken else INGEST_TAKEN


def _why(result: IntakeResult) -> str:
    if result.outcome == "waiting":
        return result.problems[0].message if result.problems else "still being written; it is taken once it has stopped changing"
    blocking = [p for p in result.problems if p.blocking] or result.problems
    return blocking[0].message


def _contract_docs(out_dir: Path, settings: Settings) -> int:
    from assets.ingest.contract_docs import write_contract_docs
    from assets.model.contracts import load_contracts

    written = write_contract_docs(load_contracts(settings.contracts_dir), settings.reference_dir, out_dir)
    print(f"Wrote {len(written)} files; start at {out_dir / 'index.html'}")
    return 0


def _preflight(out_dir: Path, settings: Settings) -> int:
    from assets.model.contracts import load_contracts
    from assets.model.reference import councils
    from assets.reports.preflight import EngineMissing, write_preflight

    try:
        write_preflight(out_dir, load_contracts(settings.contracts_dir), councils(settings.reference_dir), settings.reference_dir)
    except EngineMissing as missing:
        print(missing, file=sys.stderr)
        return USAGE_ERROR
    print(f"Wrote the page 'Check a file before you send it'; open {out_dir / 'index.html'} (it works offline, from a copy of the folder).")
    return 0


def _latest(settings: Settings) -> int:
    from assets.reports.editions import NATIONAL_STEM

    national = settings.published_dir / "latest" / "national"
    html, pdf = national / f"{NATIONAL_STEM}.html", national / f"{NATIONAL_STEM}.pdf"
    if not (html.exists() and pdf.exists()):
        print(f"No published report yet under {national}", file=sys.stderr)
        return 1
    print(f"Website (home page):    {settings.published_dir / 'latest' / 'index.html'}")
    print(f"National report (HTML): {html}")
    print(f"National report (PDF):  {pdf}")
    print(f"Manifest:               {settings.published_dir / 'latest' / 'manifest.json'}")
    return 0


def _unseal(paths: list[Path], out_dir: Path) -> int:
    """Open kept copies (``accepted/``, ``quarantine/``) with the sealing key: the index role's operators only."""
    from assets.ingest.sealing import CannotOpen, entry_of, opened
    from assets.linkage.pseudonyms import UnusableKey
    from orchestration.settings import sealing_key_from_env

    try:
        key = sealing_key_from_env()
    except UnusableKey as unusable:
        print(unusable, file=sys.stderr)
        return USAGE_ERROR
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in paths:
        try:
            sealed = path.read_bytes()
            dataset, agency, sha256 = entry_of(sealed)
            (out_dir / f"{dataset}_{agency}_{sha256[:12]}.original").write_bytes(opened(sealed, key, dataset, agency, sha256))
        except (OSError, CannotOpen) as failed:
            print(f"{path}: {failed}", file=sys.stderr)
            return INGEST_NOT_ALL_TAKEN
        print(f"{path} -> {out_dir / f'{dataset}_{agency}_{sha256[:12]}.original'} ({dataset}, agency {agency})")
    return 0


def _withdraw(entry_id: str, reason: str, settings: Settings) -> int:
    from assets.ingest.entries import sync_entries
    from assets.ingest.intake import attached_content_zone
    from assets.ingest.raw_zone import CONTENT, LEDGER, withdraw
    from assets.model.contracts import load_contracts
    from assets.model.reference import councils

    con = _index_zone(settings, "Nothing was withdrawn.")
    if isinstance(con, int):
        return con
    contracts = load_contracts(settings.contracts_dir)
    with con, attached_content_zone(con, settings.content_zone_path):
        try:
            dataset, before, removed = withdraw(con, contracts, entry_id, reason)
            if dataset in contracts:
                sync_entries(con, LEDGER, CONTENT, contracts[dataset], councils(settings.reference_dir).codes)
        except KeyError:
            print(f"No ledger entry has the id {entry_id!r}: copy it from the check's message or the digest (like abcd-efgh-jkmn).", file=sys.stderr)
            return USAGE_ERROR
    print(f"Withdrew entry {entry_id} ({dataset}, {before} before): {removed} row(s) left the raw zone. The next run publishes without it.")
    return 0


def _index_zone(settings: Settings, nothing_done: str):
    """The linkage zone, held for a command, or the exit status when another process holds it or it is damaged."""
    from orchestration.database_lock import DatabaseDamaged, DatabaseLocked, connect_waiting

    try:
        return connect_waiting(settings.linkage_zone_path, settings.lock_wait_seconds)
    except (DatabaseLocked, DatabaseDamaged) as unusable:
        print(f"{unusable} {nothing_done}", file=sys.stderr)
        return INGEST_LOCKED if isinstance(unusable, DatabaseLocked) else INGEST_FAILED


def _retention(dry_run: bool, settings: Settings) -> int:
    import datetime as dt

    from assets.ingest.retention import described, destroy, expired
    from assets.model.contracts import load_contracts

    con = _index_zone(settings, "Nothing was destroyed.")
    if isinstance(con, int):
        return con
    contracts, periods = load_contracts(settings.contracts_dir), settings.retention
    with con:
        due = expired(con, contracts, settings.accepted_dir, settings.quarantine_dir, periods, dt.date.today())
        done = due if dry_run else destroy(con, contracts, due, periods)
    print(
        f"Retention: sealed originals {periods.sealed_originals_days} days, refused copies {periods.refused_copies_days} days, "
        f"identifiers {periods.identifiers_days} days after intake."
    )
    print(f"{'Due (dry run: nothing destroyed)' if dry_run else 'Destroyed'}: {len(done)}")
    for line in described(done, periods):
        print(f"    {line}")
    return 0


def _erase(args: argparse.Namespace, settings: Settings) -> int:
    from assets.ingest.erasure import NotAReference, erase, records_named, reference_columns
    from assets.linkage.pseudonyms import UnusableKey
    from assets.model.contracts import load_contracts
    from orchestration.settings import sealing_key_from_env

    contracts = load_contracts(settings.contracts_dir)
    if args.dataset not in contracts or not reference_columns(contracts[args.dataset]):
        print(f"{args.dataset!r} is not a dataset whose records name a person: use one of {', '.join(d for d, c in sorted(contracts.items()) if reference_columns(c))}", file=sys.stderr)
        return USAGE_ERROR
    try:
        sealing_key = sealing_key_from_env()  # to open the refused copies in quarantine/ and find the person's
    except UnusableKey as unusable:
        print(f"{unusable} Nothing was erased.", file=sys.stderr)
        return USAGE_ERROR
    con = _index_zone(settings, "Nothing was erased.")
    if isinstance(con, int):
        return con
    column = args.column or reference_columns(contracts[args.dataset])[0]
    with con:
        try:
            records = records_named(con, contracts, args.dataset, args.agency, column, args.record, args.every_agency, settings.content_zone_path)
        except NotAReference as wrong:
            print(wrong, file=sys.stderr)
            return USAGE_ERROR
        if records.empty:
            print(f"No record of {args.dataset} from {args.agency} has {column} {args.record!r}: nothing was erased.", file=sys.stderr)
            return USAGE_ERROR
        done = erase(con, contracts, records, args.reason, settings, sealing_key)
    print(f"Erasure {done.erasure_id}: {sum(done.records.values())} record(s) left the index zone, the person index and the content zone:")
    for (dataset, agency), n in sorted(done.records.items()):
        print(f"    {dataset} from {agency}: {n}")
    print(f"Sealed originals destroyed (entries): {', '.join(done.originals_destroyed) or 'none'}.")
    print(f"Refused copies holding them destroyed (entries): {', '.join(done.refused_copies_destroyed) or 'none'}.")
    if done.review_page_removed:
        print("The clerical review page showed them: removed until the next linkage run writes it again.")
    print("The index zone, the person index and the content zone were rebuilt without their bytes. The warehouse drops the records at its next run.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="story", description="Story of Progress pipeline commands")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check a file against its data contract before sending it")
    check.add_argument("file")
    check.add_argument("--dataset", required=True)
    check.add_argument("--agency", required=True)
    split = commands.add_parser("split", help="write a return as its identifier half and its content half, as Scotland's indexing expects")
    split.add_argument("file")
    split.add_argument("--dataset", required=True)
    split.add_argument("--out", type=Path, help="the folder to write the two halves in (default: the file's own)")
    commands.add_parser("ingest", help="take in every new landing file once")
    docs = commands.add_parser("contract-docs", help="write each dataset's documentation page and CSV template for agencies")
    docs.add_argument("out_dir", type=Path)
    preflight = commands.add_parser("preflight", help="write the page 'Check a file before you send it' as a folder that works offline")
    preflight.add_argument("out_dir", type=Path)
    commands.add_parser("demo-key", help="create a demo pseudonymisation key if none is configured")
    unseal = commands.add_parser("unseal", help="open agencies' kept copies with the sealing key (the index role's operators only)")
    unseal.add_argument("paths", nargs="+", type=Path)
    unseal.add_argument("--out", type=Path, required=True)
    withdrawal = commands.add_parser("withdraw", help="withdraw a ledger entry named by a check or the digest, so the next run publishes without it")
    withdrawal.add_argument("entry_id")
    withdrawal.add_argument("--reason", required=True)
    retention = commands.add_parser("retention", help="destroy sealed originals and identifiers kept their period, and log it (the index role's operators only)")
    retention.add_argument("--dry-run", action="store_true", help="list what is due and destroy nothing")
    erasure = commands.add_parser("erase", help="remove the records an agency names by its reference from both zones (erasure, or rectification with a corrected file)")
    erasure.add_argument("--agency", required=True)
    erasure.add_argument("--dataset", required=True)
    erasure.add_argument("--record", required=True, help="the agency's reference for the records (the value in --column)")
    erasure.add_argument("--column", help="the column that holds the reference (default: the dataset's own reference, e.g. child_ref)")
    erasure.add_argument("--every-agency", action="store_true", help="also every record the linkage gave the same person, in any dataset")
    erasure.add_argument("--reason", required=True)
    commands.add_parser("latest", help="print the latest national report paths")
    commands.add_parser("every-council", help="print the run tags selecting every council's report, as JSON")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) and USAGE_ERROR
    try:
        settings = Settings.from_env()
        if args.command in ("ingest", "latest", "withdraw", "retention", "erase"):  # the commands that read the data folder
            settings.require_data_dir()
    except SettingsError as unusable:
        print(unusable, file=sys.stderr)
        return USAGE_ERROR
    if args.command == "check":
        return _check(args, settings)
    if args.command == "split":
        return _split(args, settings)
    if args.command == "ingest":
        return _ingest(settings)
    if args.command == "contract-docs":
        return _contract_docs(args.out_dir, settings)
    if args.command == "preflight":
        return _preflight(args.out_dir, settings)
    if args.command == "withdraw":
        return _withdraw(args.entry_id, args.reason, settings)
    if args.command == "unseal":
        return _unseal(args.paths, args.out)
    if args.command == "retention":
        return _retention(args.dry_run, settings)
    if args.command == "erase":
        return _erase(args, settings)
    if args.command == "demo-key":
        import dagster as dg

        from assets.linkage.pseudonyms import UnusableKey
        from orchestration.resources import pseudonymisation_key, sealing_key

        created, sealing = ensure_key(), ensure_sealing_key()
        try:
            with dg.build_resources({"key": pseudonymisation_key(), "sealing": sealing_key()}) as configured:  # as a run would resolve them
                configured.key.load()
                configured.sealing.load()
        except UnusableKey as unusable:
            print(unusable, file=sys.stderr)
            return 1
        print(f"Created a demo pseudonymisation key at {created} (keep it secret; production sets STORY_PSEUDONYMISATION_KEY)." if created else "A pseudonymisation key is already configured.")
        print(f"Created a demo sealing key at {sealing} (it opens agencies' kept files; production sets STORY_SEALING_KEY)." if sealing else "A sealing key is already configured.")
        return 0
    if args.command == "every-council":
        from assets.partitions import council_partitions, every_council

        print(json.dumps(every_council(council_partitions(settings.reference_dir))))
        return 0
    return _latest(settings)


if __name__ == "__main__":
    sys.exit(main())
