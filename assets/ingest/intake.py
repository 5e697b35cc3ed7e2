"""Take landed files through their contract: refuse each into quarantine or load it atomically.

This is the single code path behind the ingest assets, the ``story ingest`` command and
``story check``, so an agency checking a file before sending it gets exactly the verdict the
pipeline would give. A dataset's new files are checked together (one Great Expectations run
per dataset, see ``validation``) and then accepted or refused one by one.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assets.ingest import raw_zone
from assets.ingest.contracts import Contract
from assets.ingest.file_checks import check_file, explain_unreadable_rows, no_rows_problem
from assets.ingest.landing import LandedFile
from assets.ingest.problems import Problem, Verdict
from assets.ingest.refusal_report import write_refusal
from assets.ingest.validation import StagedFile, compile_rules, stage_files, validate_staged
from assets.reference import Councils


_SAFE_NAME_CHARACTER = re.compile(r"[A-Za-z0-9_.-]")


@dataclass(frozen=True)
class IntakeResult:
    landed: LandedFile
    outcome: str  # accepted | refused | duplicate
    rows: int
    problems: list[Problem]
    kept_at: Path | None  # the immutable accepted copy or the quarantined copy


def _naming_problems(landed: LandedFile, contract: Contract, councils: Councils) -> list[Problem]:
    problems: list[Problem] = []
    if not contract.agencies.accepts(landed.agency, councils.codes):
        problems.append(Problem(
            check="agency",
            message=f"The folder '{landed.agency}' is not an agency that sends {contract.id}.",
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
    if not odd and (period is None or not contract.period_is_well_formed(period)):
        problems.append(Problem(
            check="file_name",
            message=f"The file name does not follow the pattern {expected}.",
            fix=f"Rename the file {expected}, where the period is written like {contract.period_example}.",
        ))
    return problems


def _symlink_problem(landed: LandedFile) -> Problem:
    return Problem(
        check="symlink",
        message="This is a shortcut (a symbolic link) to a file elsewhere, not a file: nothing was read from where it points.",
        fix="Put the file itself in the landing folder, not a link to it.",
    )


def judge(files: list[LandedFile], contract: Contract, councils: Councils, reference_dir: Path, staging_db: Path) -> list[Verdict]:
    """Every check the contract asks for, for each file; readable files stay staged in ``staging_db``."""
    verdicts = []
    readable: list[StagedFile] = []
    for number, landed in enumerate(files):
        verdict = Verdict(problems=[_symlink_problem(landed)] if landed.is_symlink else _naming_problems(landed, contract, councils))
        if not verdict.problems:
            verdict.problems += check_file(landed.path, contract)
        if not verdict.problems:
            readable.append(StagedFile(number, landed.path, landed.agency, landed.period))
        verdicts.append(verdict)
    if readable:
        rows, unreadable = stage_files(readable, staging_db, contract, councils)
        for staged in readable:
            verdict = verdicts[staged.number]
            verdict.rows = rows.get(staged.number, 0)
            if staged.number in unreadable:
                verdict.problems += explain_unreadable_rows(staged.path, len(contract.columns))
            elif verdict.rows == 0:
                verdict.problems.append(no_rows_problem())
        if any(rows.values()):
            found = validate_staged(staging_db, compile_rules(contract, reference_dir), suite_name=contract.id)
            for staged in readable:
                verdicts[staged.number].problems += found.get(staged.number, [])
    return verdicts


def accepted_copy(accepted_dir: Path, agency: str, dataset: str, sha256: str) -> Path:
    """Where an accepted file's immutable copy is kept: named by its content hash."""
    return accepted_dir / agency / dataset / f"{sha256}.csv"


def kept_before(accepted_dir: Path, quarantine_dir: Path, agency: str, dataset: str, sha256: str) -> bool:
    """These bytes were accepted or refused before (read from the kept copies, not the database,
    so the landing sensor can ask while a run holds the database)."""
    quarantined = _quarantine_folder(quarantine_dir, agency, dataset)
    return accepted_copy(accepted_dir, agency, dataset, sha256).exists() or any(quarantined.glob(f"{sha256[:12]}_*"))


def _quarantine_folder(quarantine_dir: Path, agency: str, dataset: str) -> Path:
    return quarantine_dir / re.sub(r"[^A-Za-z0-9_-]", "_", agency) / dataset


def _quarantine_path(quarantine_dir: Path, landed: LandedFile, contract: Contract) -> Path:
    """Where a refused file is kept: named by its hash and a safe form of its name, inside the quarantine folder."""
    safe_name = re.sub(r"[^A-Za-z0-9_.-]", "_", landed.path.name).lstrip(".")
    return _quarantine_folder(quarantine_dir, landed.agency, contract.id) / f"{landed.sha256[:12]}_{safe_name}"


def _keep_copy(source: Path, destination: Path) -> Path:
    """Copy byte for byte, atomically (write then rename), and make the copy read-only."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    if not destination.exists():
        tmp = destination.with_name(destination.name + ".partial")
        shutil.copyfile(source, tmp)
        os.chmod(tmp, 0o444)
        tmp.replace(destination)
    return destination


def take_in(
    files: list[LandedFile],
    contract: Contract,
    con: duckdb.DuckDBPyConnection,
    councils: Councils,
    reference_dir: Path,
    accepted_dir: Path,
    quarantine_dir: Path,
) -> list[IntakeResult]:
    """Process files against the raw zone connection ``con``; the same bytes are only ever processed once."""
    raw_zone.ensure_raw_zone(con, contract)
    results: list[IntakeResult] = []
    fresh: list[LandedFile] = []
    for landed in files:
        if raw_zone.already_seen(con, contract.id, landed.sha256) or any(f.sha256 == landed.sha256 for f in fresh):
            results.append(IntakeResult(landed, "duplicate", 0, [], None))
        else:
            fresh.append(landed)
    with tempfile.TemporaryDirectory(prefix="story-staging-") as tmp:
        staging_db = Path(tmp) / "staging.duckdb"
        for number, (landed, verdict) in enumerate(zip(fresh, judge(fresh, contract, councils, reference_dir, staging_db))):
            if verdict.accepted:
                kept = _keep_copy(landed.path, accepted_copy(accepted_dir, landed.agency, contract.id, landed.sha256))
                rows = raw_zone.load_accepted(con, contract, landed, landed.period, str(staging_db), number, councils, verdict.warnings)
                results.append(IntakeResult(landed, "accepted", rows, verdict.problems, kept))
            else:
                kept = _quarantine_path(quarantine_dir, landed, contract)
                if landed.is_symlink:
                    kept.parent.mkdir(parents=True, exist_ok=True)  # a link is never followed: only its report is kept
                else:
                    _keep_copy(landed.path, kept)
                write_refusal(kept, landed, contract, verdict.problems)
                raw_zone.record_outcome(con, contract, landed, landed.period, verdict.rows, "refused", verdict.problems)
                results.append(IntakeResult(landed, "refused", 0, verdict.problems, kept))
    return results
