"""Take landed files through their contract: refuse each into quarantine or load it atomically.

This is the single code path behind the ingest assets, the ``story ingest`` command and
``story check``, so an agency checking a file before sending it gets exactly the verdict the
pipeline would give. A dataset's new files are checked together (one validation pass
per dataset, see ``validation``) and then accepted or refused one by one.

Every entry in a landing folder gets an answer in the ledger: accepted, refused (with a report
beside the quarantined copy, or beside nothing when the entry was refused on sight and never
read), skipped (could not be taken this time: unreadable, a hidden name) or, for bytes already
answered for that agency, nothing new. One bad file never stops the others.

Crash safety. Each intake works in its own folder under the staging folder, which sits in the
data root beside the linkage zone because snapshots hold identifiers (the staged rows are kept in
memory, ``_staging_in_memory``).
A file's kept copy (``accepted/`` or ``quarantine/``) is made final only after its ledger row
commits, by renames listed beforehand in the folder's manifest. An intake killed at any step
leaves its folder behind; the next intake (which holds the linkage zone, so no other intake is
running) finishes the renames of every file whose ledger row committed, forgets the rest (they
are still in landing and are taken again) and removes the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assets.ingest import layered_returns, raw_zone, split_pairs
from assets.ingest.entries import sync_entries
from assets.ingest.file_checks import check_file, explain_unreadable_rows, no_rows_problem, workbook_problem
from assets.ingest.landing import LandedFile, LandingEntry, StillChanging, Strays, as_listed, identify, settle, snapshot
from assets.ingest.layered_returns import part_names
from assets.ingest.problems import Problem, Verdict
from assets.ingest.reading import read_return
from assets.ingest.refusal_report import render_refusal
from assets.ingest.sealing import SEALED_SUFFIX, seal
from assets.ingest.split_names import CONTENT, IDENTIFIERS, PARTS, other
from assets.ingest.split_parts import part_contract
from assets.ingest.validation import StagedFile, compile_rules, stage_files, validate_staged
from assets.model.contracts import Contract
from assets.model.folder_layout import FolderLayout
from assets.model.reference import Councils

_SAFE_NAME_CHARACTER = re.compile(r"[A-Za-z0-9_.-]")
_MANIFEST = "manifest.json"
_REPORTS = (".refusal.html", ".refusal.md")
_MARKER = ".refusal.json"  # the last of a refusal's reports written: it is complete once this exists
# Ledger answers whose entry has a sealed copy kept: the landing file can go.
KEPT = ("accepted", "superseded", "refused", "withdrawn")
# Outcomes an intake result can have; only the first four are ledger outcomes.
OUTCOMES = ("accepted", "refused", "skipped", "duplicate", "waiting")


@dataclass(frozen=True)
class IntakeFolders:
    """Where kept copies go, and where an intake works before they are final."""

    accepted: Path
    quarantine: Path
    staging: Path  # inside the linkage zone's folder: it holds identifiers while an intake runs
    content_zone: Path  # the content zone's database: where an accepted file's content goes (``raw_zone``)
    sealing_key: bytes  # what kept copies are sealed under (``sealing``): only the index role holds it

    @classmethod
    def of(cls, layout: FolderLayout, sealing_key: bytes) -> "IntakeFolders":
        return cls(layout.accepted_dir, layout.quarantine_dir, layout.staging_dir, layout.content_zone_path, sealing_key)


@dataclass(frozen=True)
class IntakeResult:
    landed: LandedFile
    outcome: str  # one of OUTCOMES
    rows: int
    problems: list[Problem]
    kept_at: Path | None  # the immutable accepted copy or the quarantined copy


def answers_for(contract: Contract, contracts: dict[str, Contract], council_codes: frozenset[str]) -> Strays:
    """The entries in no dataset's own folder that this dataset answers: those it is the one owner of (``landing.Strays``)."""
    datasets = tuple(sorted(contracts))

    def sent_by(agency: str) -> tuple[str, ...]:
        return tuple(d for d in datasets if contracts[d].agencies.accepts(agency, council_codes))

    return Strays(contract.id, datasets, sent_by)


def _naming_problems(landed: LandedFile, contract: Contract, councils: Councils) -> list[Problem]:
    problems: list[Problem] = []
    if not contract.agencies.accepts(landed.agency, councils.codes):
        problems.append(Problem(
            check="agency",
            message=f"The folder {ascii(landed.agency)} is not an agency that sends {contract.id}.",
            fix=f"Drop the file in your own agency's folder: the folder name must be {contract.agencies.describe()}.",
        ))
    expected = contract.expected_file_name(landed.agency, "<period>")
    odd = sorted({c for c in landed.path.name if not _SAFE_NAME_CHARACTER.fullmatch(c)})
    if odd:
        problems.append(Problem(
            check="file_name",
            message=f"The file name contains characters that are not allowed: {' '.join(ascii(c) for c in odd)}.",
            fix=f"Use only letters A-Z, digits, underscores, hyphens and full stops. Name the file {expected}, where the period is written like {contract.period_example}.",
        ))
    period = landed.period
    if not odd and (period is None or not contract.period_is_well_formed(period) or landed.part not in (None, *PARTS, *part_names(contract))):
        problems.append(workbook_problem(landed.path.name, contract, landed.agency) or Problem(
            check="file_name",
            message=f"The file name does not follow the pattern {expected}.",
            fix=f"Rename the file {expected}, where the period is written like {contract.period_example}.",
        ))
    return problems


def judge(
    files: list[LandedFile], contract: Contract, councils: Councils, reference_dir: Path, staging: Path | duckdb.DuckDBPyConnection,
) -> list[Verdict]:
    """Every check the contract asks for, for each file; readable files stay staged in ``staging``:
    a DuckDB file, or the current database of an open connection (an intake stages in memory
    beside the linkage zone, ``_staging_in_memory``)."""
    if isinstance(staging, Path):
        with duckdb.connect(str(staging)) as con:
            return judge(files, contract, councils, reference_dir, con)
    with tempfile.TemporaryDirectory(prefix="story-reading-") as spare:
        return _judged(files, contract, councils, reference_dir, staging, Path(spare))


def _judged(
    files: list[LandedFile], contract: Contract, councils: Councils, reference_dir: Path, staging: duckdb.DuckDBPyConnection, spare: Path,
) -> list[Verdict]:
    """``judge``, each file read first as the checks read it (``reading``): a converted working copy goes
    beside the file's snapshot in the intake's folder, or in ``spare`` for a file judged in place."""
    verdicts = []
    readable: list[StagedFile] = []
    for number, landed in enumerate(files):
        verdict = Verdict(problems=[landed.refusal] if landed.refusal else _naming_problems(landed, contract, councils))
        text = landed.content
        if not verdict.problems:
            working = landed.snapshot.with_name(f"{landed.snapshot.name}.read.csv") if landed.snapshot else spare / f"{number}.csv"
            reading = read_return(landed.content, landed.name, contract, working)
            verdict.read_as, text = reading.read_as, reading.text
            verdict.problems += list(reading.problems) or check_file(text, contract)
        if verdict.accepted:  # a warning (a header in capitals) does not stop the file being read
            readable.append(StagedFile(number, text, landed.agency, landed.period))
        verdicts.append(verdict)
    if readable:
        rows, unreadable = stage_files(readable, staging, contract, councils)
        for staged in readable:
            verdict = verdicts[staged.number]
            verdict.rows = rows.get(staged.number, 0)
            if staged.number in unreadable:
                verdict.problems += explain_unreadable_rows(staged.path, len(contract.columns))
            elif verdict.rows == 0:
                verdict.problems.append(no_rows_problem())
        # Each file is judged by the version in force for its period (``Contract.in_force``): one pass per version present.
        by_version: dict[str, list[StagedFile]] = {}
        for staged in readable:
            by_version.setdefault(contract.in_force(staged.period).version, []).append(staged)
        for files_of_version in by_version.values() if any(rows.values()) else ():
            version = contract.in_force(files_of_version[0].period)
            found = validate_staged(staging, compile_rules(version, reference_dir))
            for staged in files_of_version:
                verdicts[staged.number].problems += found.get(staged.number, [])
    return verdicts


def accepted_copy(accepted_dir: Path, agency: str, dataset: str, sha256: str) -> Path:
    """Where an accepted file's immutable copy is kept, sealed: named by its content hash."""
    return accepted_dir / agency / dataset / f"{sha256}{SEALED_SUFFIX}"


def name_max(folder: Path) -> int:
    """The longest name, in bytes, the file system holding ``folder`` (or its nearest existing parent) allows."""
    place = next((p for p in (folder, *folder.parents) if p.exists()), folder)
    try:
        limit = os.pathconf(place, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = -1  # no such setting here
    return limit if limit > 0 else 255


def fitted(name: str, limit: int) -> str:
    """``name`` if it fits in ``limit`` bytes of UTF-8, else its start, a digest of the whole and its extension.

    An agency's file name may be as long as the file system allows, and the names made from it
    are longer; the digest keeps two long names that start alike apart.
    """
    encoded = name.encode()
    if len(encoded) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 8:
        stem, extension = name, ""
    tail = f"~{hashlib.sha256(encoded).hexdigest()[:16]}{dot if extension else ''}{extension}"
    return stem.encode()[: limit - len(tail.encode())].decode(errors="ignore") + tail


def quarantine_folder(quarantine_dir: Path, agency: str, dataset: str) -> Path:
    return quarantine_dir / fitted(re.sub(r"[^A-Za-z0-9_-]", "_", agency), name_max(quarantine_dir)) / dataset


def _quarantine_path(quarantine_dir: Path, landed: LandedFile, contract: Contract, staging: Path) -> Path:
    """Where a refused file is kept: named by its hash and a safe form of its name, short enough for its
    reports' names (staged in ``staging`` first) to fit both file systems."""
    safe_name = re.sub(r"[^A-Za-z0-9_.-]", "_", landed.path.name).lstrip(".")
    folder = quarantine_folder(quarantine_dir, landed.agency, contract.id)
    room = min(name_max(folder), name_max(staging)) - max(len(s) for s in (*_REPORTS, _MARKER)) - len(SEALED_SUFFIX)
    return folder / (fitted(f"{landed.sha256[:12]}_{safe_name}", room) + SEALED_SUFFIX)


def _same_bytes_elsewhere(others: list[tuple[str, object]]) -> Problem:
    agency, when = others[0]
    return Problem(
        check="same_bytes_as_another_agency",
        message=f"This file is byte for byte the file accepted from agency {agency} on {when:%d %b %Y}: a file is one agency's return, so it cannot also be yours.",
        fix="Send your own agency's return from your own folder; if this file was put in your folder by mistake, remove it.",
    )


def _sent_again(period: str | None) -> Problem:
    return Problem(
        check="sent_again",
        message=f"These exact bytes were accepted before and later replaced by a corrected file; sent again, they are taken as the newest return for {period}, and replace the file accepted since.",
        fix="Nothing to do if you meant to go back to this version; otherwise send the corrected file again.",
        blocking=False,
    )


class _Workspace:
    """One intake's staging folder: snapshots, reports, and the manifest of renames."""

    def __init__(self, staging_dir: Path, dataset: str) -> None:
        self.folder = staging_dir / f"{dataset}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        (self.folder / "files").mkdir(parents=True)
        self.items: list[dict] = []

    def snapshot_path(self, number: int) -> Path:
        return self.folder / "files" / f"{number}.csv"

    def plan(self, dataset: str, landed: LandedFile, outcome: str, moves: list[tuple[Path, Path]]) -> dict:
        """Record the renames that make this file's copies final, before its ledger row is written."""
        item = {"dataset": dataset, "agency": landed.agency, "sha256": landed.sha256, "outcome": outcome, "moves": [[str(s), str(d)] for s, d in moves]}
        self.items.append(item)
        tmp = self.folder / f"{_MANIFEST}.partial"
        tmp.write_text(json.dumps(self.items), encoding="utf-8")
        tmp.replace(self.folder / _MANIFEST)
        return item


def _finish(item: dict) -> None:
    for source, destination in item["moves"]:
        if Path(source).exists():  # moved already by an intake stopped half-way
            _move(Path(source), Path(destination))


def _move(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    source.replace(destination)


@contextmanager
def _staging_in_memory(con: duckdb.DuckDBPyConnection, alias: str = raw_zone.STAGING) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory database attached to the linkage zone's connection as ``alias`` (``raw_zone.STAGING``),
    and a cursor whose current database it is, for ``judge``.

    The staged rows never touch the disk (writing them to a staging file cost more than
    checking them), and accepted files are loaded from them by the same connection. An intake
    killed here leaves nothing of them behind.
    """
    con.execute(f"ATTACH ':memory:' AS {alias}")
    staging = con.cursor()
    try:
        staging.execute(f"USE {alias}")
        yield staging
    finally:
        staging.close()
        con.execute(f"DETACH {alias}")


def recover_staging(con: duckdb.DuckDBPyConnection, staging_dir: Path) -> int:
    """Finish or forget what intakes that were stopped left in ``staging_dir``; returns the folders removed.

    Only call it holding the linkage zone for writing: then no other intake is running.
    """
    removed = 0
    for folder in sorted(staging_dir.glob("*")) if staging_dir.is_dir() else []:
        manifest = folder / _MANIFEST
        items = json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else []
        if items:
            con.execute(raw_zone.LEDGER_DDL)
        for item in items:
            now = raw_zone.already_seen(con, item["dataset"], item["agency"], item["sha256"])
            if now == item["outcome"] or (item["outcome"] == "accepted" and now == "superseded"):
                _finish(item)
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def take_in(
    entries: list[LandingEntry],
    contract: Contract,
    con: duckdb.DuckDBPyConnection,
    councils: Councils,
    reference_dir: Path,
    folders: IntakeFolders,
    landing_dir: Path,
    *,
    settle_seconds: float = 0.0,
) -> list[IntakeResult]:
    """Answer every entry against the index zone connection ``con``; the same bytes from one agency are only ever processed once.

    Files are first left ``settle_seconds`` to stop changing (see ``landing.settle``); one still
    changing is left for the next intake (outcome ``waiting``, no ledger row). Accepted files'
    content goes to the content zone (``folders.content_zone``, attached for the intake), and the
    ledger's entries as they may leave the index zone are rewritten there (``entries``).
    """
    with attached_content_zone(con, folders.content_zone):
        raw_zone.ensure_raw_zone(con, contract)
        raw_zone.reconcile_content(con, contract)  # what a load stopped half-way left
        try:
            return _answer(entries, contract, con, councils, reference_dir, folders, landing_dir, settle_seconds)
        finally:
            sync_entries(con, raw_zone.LEDGER, raw_zone.CONTENT, contract, councils.codes)


@contextmanager
def attached_content_zone(con: duckdb.DuckDBPyConnection, path: Path) -> Iterator[None]:
    """The content zone attached to the index zone's connection as ``raw_zone.CONTENT``, for an intake or a withdrawal."""
    con.execute(f"ATTACH '{path}' AS {raw_zone.CONTENT}")
    try:
        yield
    finally:
        con.execute(f"DETACH {raw_zone.CONTENT}")


def _answer(
    entries: list[LandingEntry], contract: Contract, con: duckdb.DuckDBPyConnection, councils: Councils, reference_dir: Path,
    folders: IntakeFolders, landing_dir: Path, settle_seconds: float,
) -> list[IntakeResult]:
    recover_staging(con, folders.staging)
    ready, changing = settle(entries, settle_seconds)
    results = [IntakeResult(as_listed(e, landing_dir), "waiting", 0, [], None) for e in changing]
    work = _Workspace(folders.staging, contract.id)
    try:
        fresh: list[tuple[LandedFile, list[Problem]]] = []  # each new file, and what the ledger adds to its verdict
        answered: set[tuple[str, str]] = set()
        def answered_before(landed: LandedFile) -> bool:
            return (landed.agency, landed.sha256) in answered or raw_zone.already_seen(con, contract.id, landed.agency, landed.sha256) in raw_zone.ANSWERED

        for number, entry in enumerate(ready):
            try:
                # Most files were answered at an earlier intake: hash them without a copy; a new one
                # is read again, into the copy that is hashed, judged and kept.
                landed = identify(entry, landing_dir)
                if landed.readable and not answered_before(landed):
                    landed = snapshot(entry, landing_dir, work.snapshot_path(number))
            except StillChanging:
                results.append(IntakeResult(as_listed(entry, landing_dir), "waiting", 0, [], None))
                continue
            if answered_before(landed):
                results.append(IntakeResult(landed, "duplicate", 0, [], None))
                continue
            seen = raw_zone.already_seen(con, contract.id, landed.agency, landed.sha256)
            answered.add((landed.agency, landed.sha256))
            if landed.skip:
                raw_zone.record_outcome(con, contract, landed, landed.period, None, "skipped", [landed.skip])
                results.append(IntakeResult(landed, "skipped", 0, [landed.skip], None))
            elif others := landed.readable and raw_zone.accepted_from_others(con, contract.id, landed.agency, landed.sha256):
                fresh.append((landed, [_same_bytes_elsewhere(others)]))
            else:
                fresh.append((landed, [_sent_again(landed.period)] if seen == "superseded" else []))
        halves = [(landed, extra) for landed, extra in fresh if _is_half(landed, contract, councils)]
        layered = [(landed, extra) for landed, extra in fresh if _is_layered_part(landed, contract, councils)]
        fresh = [(landed, extra) for landed, extra in fresh if not _is_half(landed, contract, councils) and not _is_layered_part(landed, contract, councils)]
        readable = [landed for landed, _ in fresh if landed.readable]
        with _staging_in_memory(con) as staging:
            verdicts = iter(judge(readable, contract, councils, reference_dir, staging))
            for landed, extra in fresh:
                verdict = next(verdicts) if landed.readable else Verdict(problems=[landed.refusal])
                in_force = contract.in_force(landed.period)  # the version the ledger and the report name
                if verdict.accepted and not any(p.blocking for p in extra):
                    results.append(_accept(landed, verdict.problems + extra, in_force, con, councils, folders, work, readable.index(landed), verdict.read_as))
                else:
                    results.append(_refuse(landed, verdict.rows, verdict.problems + [p for p in extra if p.blocking], in_force, con, folders, work, verdict.read_as))
        results += _take_pairs(halves, contract, con, councils, reference_dir, folders, work)
        results += _take_layered(layered, contract, con, councils, reference_dir, folders, work)
        for result in results:
            if result.landed.readable and raw_zone.already_seen(con, contract.id, result.landed.agency, result.landed.sha256) in KEPT:
                _leave_landing(result.landed)
    finally:
        try:
            recover_staging(con, folders.staging)
        except (duckdb.Error, OSError):
            pass  # the folder stays, and the next intake finishes it; the error that brought us here is the one to see
    return results


def _leave_landing(landed: LandedFile) -> None:
    """A landing file leaves ``landing/`` once its sealed copy is kept and its ledger row committed,
    if it still holds the bytes answered (an agency may have put a corrected file in its place)."""
    try:
        if landed.path.is_file() and not landed.path.is_symlink() and hashlib.sha256(landed.path.read_bytes()).hexdigest() == landed.sha256:
            landed.path.unlink()
    except OSError:
        pass  # it stays, and the next intake, finding it answered, tries again


def _sealed(landed: LandedFile, contract: Contract, folders: IntakeFolders, work: _Workspace) -> Path:
    """The snapshot sealed (``sealing``), beside it in the intake's folder, ready to be moved to where it is kept."""
    sealed = landed.snapshot.with_name(landed.snapshot.name + SEALED_SUFFIX)
    sealed.write_bytes(seal(landed.snapshot.read_bytes(), folders.sealing_key, contract.id, landed.agency, landed.sha256))
    os.chmod(sealed, 0o444)
    return sealed


def _is_half(landed: LandedFile, contract: Contract, councils: Councils) -> bool:
    """A half of a return split at source, well named, from an agency that sends a dataset with identifiers; anything
    else named like one is judged as a file of its own, and refused for its name (it has no other half to wait for)."""
    well_named = landed.part in PARTS and contract.period_is_well_formed(landed.period) and contract.agencies.accepts(landed.agency, councils.codes)
    return landed.readable and well_named and bool(contract.identifier_columns)


def _is_layered_part(landed: LandedFile, contract: Contract, councils: Councils) -> bool:
    """A file of a layered return (``layered_returns``), well named, from an agency that sends the dataset."""
    well_named = landed.part in part_names(contract) and contract.period_is_well_formed(landed.period) and contract.agencies.accepts(landed.agency, councils.codes)
    return landed.readable and well_named


def _take_pairs(
    halves: list[tuple[LandedFile, list[Problem]]], contract: Contract, con: duckdb.DuckDBPyConnection, councils: Councils,
    reference_dir: Path, folders: IntakeFolders, work: _Workspace,
) -> list[IntakeResult]:
    """The halves of returns split at source (``split_pairs``): each pair judged and kept or refused
    as one return, each half against its part of the contract; a half alone waits for the other."""
    pairs, waiting, doubled = split_pairs.paired(halves)
    results = _unmatched(waiting, doubled, contract, con, folders, work)
    if not pairs:
        return results
    with _staging_in_memory(con, split_pairs.STAGING[IDENTIFIERS]) as identifiers, _staging_in_memory(con, split_pairs.STAGING[CONTENT]) as content:
        staging = {IDENTIFIERS: identifiers, CONTENT: content}
        verdicts = {part: judge([p.halves[part] for p in pairs], part_contract(contract, part), councils, reference_dir, staging[part]) for part in PARTS}
        for number, pair in enumerate(pairs):
            found = {part: verdicts[part][number] for part in PARTS}
            problems = {part: found[part].problems + pair.extra[part] for part in PARTS}
            if all(v.rows for v in found.values()):
                for part, problem in split_pairs.unmatched(staging, number).items():
                    problems[part].append(problem)
                problems[CONTENT] += split_pairs.repeated_keys(con, contract, number)
            refused = {part for part in PARTS if any(p.blocking for p in problems[part])}
            in_force = contract.in_force(pair.halves[CONTENT].period)  # the version the ledger and the reports name
            if not refused:
                results += _accept_pair(pair, problems, in_force, con, councils, folders, work, number, {p: found[p].read_as for p in PARTS})
                continue
            for part, half in pair.halves.items():
                own = problems[part] if part in refused else [*problems[part], split_pairs.with_other_half(part, bool(found[other(part)].read_as))]
                results.append(_refuse(half, found[part].rows, own, in_force, con, folders, work, found[part].read_as))
    return results


def _unmatched(
    waiting: list[tuple[LandedFile, Problem]], doubled: list[tuple[LandedFile, Problem]], contract: Contract,
    con: duckdb.DuckDBPyConnection, folders: IntakeFolders, work: _Workspace,
) -> list[IntakeResult]:
    """Parts of a multi-file return with no whole return yet: one alone waits (answered in the ledger); one sent twice is refused."""
    results = []
    for landed, problem in waiting:
        raw_zone.record_outcome(con, contract, landed, landed.period, None, "waiting", [problem])
        results.append(IntakeResult(landed, "waiting", 0, [problem], None))
    return results + [_refuse(landed, 0, [problem], contract, con, folders, work, "") for landed, problem in doubled]


def _accept_pair(
    pair: split_pairs.Pair, problems: dict[str, list[Problem]], contract: Contract, con: duckdb.DuckDBPyConnection,
    councils: Councils, folders: IntakeFolders, work: _Workspace, number: int, read_as: dict[str, str],
) -> list[IntakeResult]:
    """Both halves sealed and loaded, as ``_accept`` keeps and loads a combined file."""
    kept = {part: accepted_copy(folders.accepted, half.agency, contract.id, half.sha256) for part, half in pair.halves.items()}
    items = [work.plan(contract.id, half, "accepted", [(_sealed(half, contract, folders, work), kept[part])]) for part, half in pair.halves.items()]
    warnings = {part: [p for p in found if not p.blocking] for part, found in problems.items()}
    rows = split_pairs.load_pair(con, contract, pair, number, councils, warnings, read_as)
    for item in items:
        _finish(item)
    return [IntakeResult(half, "accepted", rows, problems[part], kept[part]) for part, half in pair.halves.items()]


def _take_layered(
    files: list[tuple[LandedFile, list[Problem]]], contract: Contract, con: duckdb.DuckDBPyConnection, councils: Councils,
    reference_dir: Path, folders: IntakeFolders, work: _Workspace,
) -> list[IntakeResult]:
    """The files of layered returns (``layered_returns``), grouped as split halves are paired: each return's parts
    judged each against its part, then against each other and flattened into the dataset's shape; the return is
    kept or refused whole, every part's report listing every part's problems. A part alone waits for the others."""
    parts = part_names(contract)
    returns, waiting, doubled = split_pairs.paired(files, parts, lambda landed, missing: layered_returns.waiting_for(landed.part, missing, contract.id, landed.agency, landed.period))
    results = _unmatched(waiting, doubled, contract, con, folders, work)
    if not returns:
        return results
    with ExitStack() as stack:
        verdicts = {}
        for part in contract.layered:
            staging = stack.enter_context(_staging_in_memory(con, layered_returns.staging_alias(part.name)))
            verdicts[part.name] = judge([r.halves[part.name] for r in returns], layered_returns.part_contract(contract, part), councils, reference_dir, staging)
        for number, layered in enumerate(returns):
            found = {part: verdicts[part][number] for part in parts}
            problems = {part: found[part].problems + layered.extra[part] for part in parts}
            in_force = contract.in_force(layered.period)  # the version the ledger and the reports name
            if all(v.rows for v in found.values()):
                for part, crossing in layered_returns.cross_part_problems(con, contract, number).items():
                    problems[part] += crossing
            if all(v.rows for v in found.values()) and not any(p.blocking for found_in in problems.values() for p in found_in):
                results += _flattened(layered, problems, in_force, con, councils, reference_dir, folders, work, number, {p: found[p].read_as for p in parts})
                continue
            every = [layered_returns.in_part(p, part) for part in parts for p in problems[part]]
            results += [_refuse(landed, found[part].rows, every, in_force, con, folders, work, found[part].read_as) for part, landed in layered.halves.items()]
    return results


def _flattened(
    layered: split_pairs.Pair, problems: dict[str, list[Problem]], contract: Contract, con: duckdb.DuckDBPyConnection,
    councils: Councils, reference_dir: Path, folders: IntakeFolders, work: _Workspace, number: int, read_as: dict[str, str],
) -> list[IntakeResult]:
    """The layered return staged as file ``number``, flattened into the dataset's rows (``layered_returns.flatten``)
    and judged by the dataset's rules; then kept and loaded whole, or refused whole. The flattened rows are written
    beside the parts' snapshots in the intake's folder, as a flat file's snapshot is, and removed once staged."""
    flat = work.folder / "files" / f"layered-{number}.csv"
    con.execute(f"COPY ({layered_returns.flatten(contract, number)}) TO '{flat}' (HEADER, DELIMITER ',')")
    placement = layered_returns.FLAT_ROWS_FROM
    with _staging_in_memory(con) as staging:
        try:
            stage_files([StagedFile(0, flat, layered.halves[placement].agency, layered.period)], staging, contract, councils)
        finally:
            flat.unlink()
        found = validate_staged(staging, compile_rules(layered_returns.flattened_contract(contract), reference_dir))
        problems[placement] += [layered_returns.as_placement_rows(p) for p in found.get(0, [])]
        if any(p.blocking for found_in in problems.values() for p in found_in):
            every = [layered_returns.in_part(p, part) for part, found_in in problems.items() for p in found_in]
            return [_refuse(landed, 0, every, contract, con, folders, work, read_as[part]) for part, landed in layered.halves.items()]
        kept = {part: accepted_copy(folders.accepted, landed.agency, contract.id, landed.sha256) for part, landed in layered.halves.items()}
        items = [work.plan(contract.id, landed, "accepted", [(_sealed(landed, contract, folders, work), kept[part])]) for part, landed in layered.halves.items()]
        entry = next(iter(layered.halves))  # the child file's entry holds the return's rows, as an identifier half holds a split return's

        def answer(entry_id: str, loaded: int) -> None:
            for part, landed in layered.halves.items():
                warnings = [p for p in problems[part] if not p.blocking]
                raw_zone.record_outcome(con, contract, landed, layered.period, loaded, "accepted", warnings, entry_id if part == entry else None, read_as[part])

        rows = raw_zone.load_accepted(con, contract, layered.halves[entry], layered.period, 0, councils, [], answer=answer)
    for item in items:
        _finish(item)
    return [IntakeResult(landed, "accepted", rows, problems[part], kept[part]) for part, landed in layered.halves.items()]


def _accept(
    landed: LandedFile, problems: list[Problem], contract: Contract, con: duckdb.DuckDBPyConnection,
    councils: Councils, folders: IntakeFolders, work: _Workspace, staged_number: int, read_as: str,
) -> IntakeResult:
    kept = accepted_copy(folders.accepted, landed.agency, contract.id, landed.sha256)
    item = work.plan(contract.id, landed, "accepted", [(_sealed(landed, contract, folders, work), kept)])
    rows = raw_zone.load_accepted(con, contract, landed, landed.period, staged_number, councils, [p for p in problems if not p.blocking], read_as)
    _finish(item)
    return IntakeResult(landed, "accepted", rows, problems, kept)


def _refuse(
    landed: LandedFile, rows: int, problems: list[Problem], contract: Contract, con: duckdb.DuckDBPyConnection,
    folders: IntakeFolders, work: _Workspace, read_as: str,
) -> IntakeResult:
    kept = _quarantine_path(folders.quarantine, landed, contract, work.folder)
    entry_id = raw_zone.new_entry_id()
    reports = render_refusal(landed, contract, problems, entry_id)
    moves = []
    for suffix in _REPORTS:
        staged = work.folder / f"{kept.name}{suffix}"
        staged.write_text(reports[suffix], encoding="utf-8")
        moves.append((staged, kept.with_name(kept.name + suffix)))
    if landed.snapshot is not None:  # an entry refused on sight was never read: only its report is kept
        moves.append((_sealed(landed, contract, folders, work), kept))
    marker = work.folder / f"{kept.name}{_MARKER}"
    marker.write_text(reports[_MARKER], encoding="utf-8")
    moves.append((marker, kept.with_name(marker.name)))
    item = work.plan(contract.id, landed, "refused", moves)
    raw_zone.record_outcome(con, contract, landed, landed.period, rows, "refused", problems, entry_id, read_as)
    _finish(item)
    return IntakeResult(landed, "refused", 0, problems, kept)
