"""Take landed files through their contract: refuse each into quarantine or load it atomically.

This is the single code path behind the ingest assets, the ``story ingest`` command and
``story check``, so an agency checking a file before sending it gets exactly the verdict the
pipeline would give. A dataset's new files are checked together (one Great Expectations run
per dataset, see ``validation``) and then accepted or refused one by one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assets.ingest import raw_zone
from assets.ingest.contracts import Contract
from assets.ingest.file_checks import check_file
from assets.ingest.landing import LandedFile
from assets.ingest.problems import Problem, Verdict
from assets.ingest.refusal_report import write_refusal
from assets.ingest.validation import StagedFile, compile_rules, stage_files, validate_staged
from assets.reference import Councils


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
        problems.append(Problem(check="agency", message=f"The folder '{landed.agency}' is not an agency that sends {contract.id}: it must be {contract.agencies.describe()}."))
    period = landed.period
    if period is None or not contract.period_is_well_formed(period):
        problems.append(Problem(
            check="file_name",
            message=f"The file name must be {contract.id}_{landed.agency}_<period>.csv, where the period is written like {contract.period_example}; got '{landed.path.name}'.",
        ))
    return problems


def judge(files: list[LandedFile], contract: Contract, councils: Councils, reference_dir: Path, staging_db: Path) -> list[Verdict]:
    """Every check the contract asks for, for each file; readable files stay staged in ``staging_db``."""
    verdicts = []
    readable: list[StagedFile] = []
    for number, landed in enumerate(files):
        verdict = Verdict(problems=_naming_problems(landed, contract, councils))
        if not verdict.problems:
            file_problems, verdict.rows = check_file(landed.path, contract)
            verdict.problems += file_problems
        if not verdict.problems:
            readable.append(StagedFile(number, landed.path, landed.agency, landed.period))
        verdicts.append(verdict)
    if readable:
        stage_files(readable, staging_db, contract, councils)
        found = validate_staged(staging_db, compile_rules(contract, reference_dir), suite_name=contract.id)
        for staged in readable:
            verdicts[staged.number].problems += found.get(staged.number, [])
    return verdicts


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
                kept = _keep_copy(landed.path, accepted_dir / landed.agency / contract.id / f"{landed.sha256}.csv")
                rows = raw_zone.load_accepted(con, contract, landed, landed.period, str(staging_db), number, councils, verdict.warnings)
                results.append(IntakeResult(landed, "accepted", rows, verdict.problems, kept))
            else:
                kept = _keep_copy(landed.path, quarantine_dir / landed.agency / contract.id / f"{landed.sha256[:12]}_{landed.path.name}")
                write_refusal(kept, landed, contract, verdict.problems)
                raw_zone.record_outcome(con, contract, landed, landed.period, verdict.rows, "refused", verdict.problems)
                results.append(IntakeResult(landed, "refused", 0, verdict.problems, kept))
    return results
