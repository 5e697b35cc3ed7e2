"""Faults at intake (issue 16): an unreadable file, a file still being written, bytes sent again,
an intake killed at each step. One bad file never stops the others, and a stopped intake
leaves nothing behind that the next one does not finish or clear.

Tests run as root, whose override of file permissions would read a file anyone else could
not; the unreadable-file test drops that override (CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH)
in a forked child, which then meets the file exactly as the pipeline's own user would. The
kill tests fork a child that runs the intake and SIGKILLs itself at one step, so nothing of
its own (no ``finally``, no exit handler) runs after the kill.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
import signal
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

import assets.ingest.intake as intake
from assets.folders import IndexFolders
from assets.ingest import raw_zone
from assets.ingest.intake import IntakeFolders, IntakeResult, take_in
from assets.ingest.landing import files_waiting, settle, snapshot
from assets.ingest.sealing import SEALED_SUFFIX, CannotOpen, opened
from assets.model.contracts import load_contracts
from assets.model.reference import councils
from orchestration.sensors import landing_run_requests
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import DATASET, EpisodesFile
from tests.support.sealed import SEALING_KEY, original

REFERENCE = SHARED / "reference"
CONTRACT = load_contracts(CONTRACTS)[DATASET]
GOOD, BAD = "S12000049", "S12000036"


def _intake(data_dir: Path, settle_seconds: float = 0.0) -> list[IntakeResult]:
    landing = data_dir / "landing"
    kept = IntakeFolders(data_dir / "accepted", data_dir / "quarantine", data_dir / "staging", data_dir / "content_zone.duckdb", SEALING_KEY)
    with duckdb.connect(str(data_dir / "linkage_zone.duckdb")) as con:
        return take_in(files_waiting(landing, DATASET), CONTRACT, con, councils(REFERENCE), REFERENCE, kept, landing, settle_seconds=settle_seconds)


def _drop(data_dir: Path, sample: EpisodesFile, data: bytes | None = None) -> Path:
    path = data_dir / "landing" / sample.agency / DATASET / sample.file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(sample.bytes() if data is None else data)
    return path


def _ledger(data_dir: Path) -> list[tuple]:
    with duckdb.connect(str(data_dir / "linkage_zone.duckdb"), read_only=True) as con:
        return con.execute(f"SELECT agency, period, file_name, sha256, rows, outcome, superseded_by FROM {raw_zone.LEDGER} ORDER BY ALL").fetchall()


def _raw_rows(data_dir: Path) -> list[tuple]:
    with duckdb.connect(str(data_dir / "linkage_zone.duckdb"), read_only=True) as con:
        return con.execute(f"SELECT _agency, _period, _file_sha256, count(*) FROM {raw_zone.raw_table(CONTRACT)} GROUP BY ALL ORDER BY ALL").fetchall()


def _start_child(work: Callable[[], None]) -> int:
    """Fork a child that runs ``work``; its pid."""
    pid = os.fork()
    if pid == 0:
        try:
            work()
            os._exit(0)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
    return pid


def _ended(pid: int, timeout: float = 120) -> int:
    """The child's exit status, or the signal that ended it, negated."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the child intake hung")


def _drop_root_override() -> None:
    """Give up CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so file permissions apply to this (root) process."""
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    libc = ctypes.CDLL(None, use_errno=True)
    header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3
    assert libc.capget(ctypes.byref(header), data) == 0
    keep = ~((1 << 1) | (1 << 2)) & 0xFFFFFFFF
    data[0].effective &= keep
    data[0].permitted &= keep
    assert libc.capset(ctypes.byref(header), data) == 0, os.strerror(ctypes.get_errno())


def test_an_unreadable_file_is_skipped_the_others_taken_and_it_is_taken_once_readable(tmp_path: Path):
    unreadable = _drop(tmp_path, EpisodesFile.valid(BAD, "2024"))
    readable = _drop(tmp_path, EpisodesFile.valid(GOOD, "2024"))
    unreadable.chmod(0)
    outcomes: dict[str, str] = {}

    def without_override() -> None:
        if os.geteuid() == 0:
            _drop_root_override()
        with pytest.raises(PermissionError):
            unreadable.read_bytes()  # the child meets the file as any other user would
        results = _intake(tmp_path)
        assert {r.landed.path.name: r.outcome for r in results} == {unreadable.name: "skipped", readable.name: "accepted"}
        [skipped] = [r for r in results if r.outcome == "skipped"]
        assert "could not be read: permission denied" in skipped.problems[0].message

    assert _ended(_start_child(without_override)) == 0
    ledger = {(agency, outcome) for agency, _, _, _, _, outcome, _ in _ledger(tmp_path)}
    assert ledger == {(BAD, "skipped"), (GOOD, "accepted")}
    assert not (tmp_path / "quarantine").exists()  # nothing was read, so nothing is kept
    # Given back its permissions, the file is taken in at the next intake.
    unreadable.chmod(0o644)
    outcomes = {r.landed.path.name: r.outcome for r in _intake(tmp_path)}
    assert outcomes == {unreadable.name: "accepted"} and not readable.exists()  # the one taken before, sealed and kept, left landing then


def test_a_file_that_vanishes_before_it_is_read_is_skipped_with_its_reason(tmp_path: Path):
    path = _drop(tmp_path, EpisodesFile.valid(GOOD, "2024"))
    [entry] = files_waiting(tmp_path / "landing", DATASET)
    path.unlink()
    landed = snapshot(entry, tmp_path / "landing", tmp_path / "copy.csv")
    assert landed.skip is not None and "disappeared while it was being taken in" in landed.skip.message
    assert not (tmp_path / "copy.csv").exists()


def test_a_return_being_written_is_waited_for_and_taken_whole_and_sent_again_it_is_the_newest(tmp_path: Path):
    earlier = EpisodesFile.valid(GOOD, "2024")
    path = _drop(tmp_path, earlier)
    assert [r.outcome for r in _intake(tmp_path)] == ["accepted"]
    # The council rewrites its return with 8 rows, a few at a time, while the intake runs.
    corrected = EpisodesFile.valid(GOOD, "2024")
    corrected.rows += [{**corrected.rows[2], "child_ref": f"C1{n:03d}"} for n in range(5)]
    lines = corrected.bytes().splitlines(keepends=True)

    def upload() -> None:
        with path.open("wb") as handle:
            for line in lines:
                handle.write(line)
                handle.flush()
                time.sleep(0.15)

    writer = threading.Thread(target=upload)
    writer.start()
    time.sleep(0.2)  # the upload has begun: three of eight rows would be a complete-looking file
    [result] = _intake(tmp_path, settle_seconds=0.4)
    writer.join()
    assert result.outcome == "accepted" and result.rows == 8
    kept = original(result, DATASET)
    assert kept == corrected.bytes() and hashlib.sha256(kept).hexdigest() == result.landed.sha256
    # The earlier return, sent again after its correction, is taken as the newest, and says so.
    path.write_bytes(earlier.bytes())
    [again] = _intake(tmp_path)
    assert again.outcome == "accepted" and again.rows == 3 and "sent_again" in {p.check for p in again.problems}
    first, second = hashlib.sha256(earlier.bytes()).hexdigest(), result.landed.sha256
    assert {(sha, outcome, by) for _, _, _, sha, _, outcome, by in _ledger(tmp_path)} == {(first, "accepted", None), (second, "superseded", first)}
    assert _raw_rows(tmp_path) == [(GOOD, "2024", first, 3)]



def test_a_file_waits_only_for_what_is_left_of_the_settle_interval(tmp_path: Path):
    path = _drop(tmp_path, EpisodesFile.valid(GOOD, "2024"))
    os.utime(path, (1_000.0, 1_000.0))
    slept: list[float] = []
    # Modified 4 s before the look: it has stood unchanged 4 of the 10 s, so 6 s are waited.
    ready, changing = settle(files_waiting(tmp_path / "landing", DATASET), 10.0, clock=lambda: 1_004.0, sleep=slept.append)
    assert [e.path for e in ready] == [path] and changing == [] and slept == [6.0]
    # Modified "in the future" by this clock, it is given the whole interval.
    slept.clear()
    settle(files_waiting(tmp_path / "landing", DATASET), 10.0, clock=lambda: 990.0, sleep=slept.append)
    assert slept == [10.0]

# Each step at which the intake is killed, by what is left behind: the function the child
# replaces, and at which of its calls the kill comes (before the real call).
KILL_POINTS = {
    "after reading the files into staging": ("judge", 1),  # snapshots only, no plan
    "inside the load's transaction": ("raw_zone.record_outcome", 2),  # planned, not committed (the refusal's row is in)
    "after the load commits, before its copy is final": ("_finish", 2),  # committed, nothing moved
    "half-way through making a refusal's copies final": ("_move", 2),  # committed, some copies moved
}


def _landing(data_dir: Path) -> None:
    """A council's good return and another's bad one, the bad one older so it is answered first."""
    _drop(data_dir, EpisodesFile.valid(GOOD, "2024"))
    bad = _drop(data_dir, EpisodesFile.valid(BAD, "2024").set(2, "sex", "X"))
    os.utime(bad, (2, 2))


def _kill_at(target: str, call: int) -> None:
    """Replace ``target`` in the intake so that its ``call``-th call kills this process, before it runs."""
    owner, name = (raw_zone, target.split(".")[1]) if target.startswith("raw_zone.") else (intake, target)
    real, calls = getattr(owner, name), []

    def killing(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    setattr(owner, name, killing)


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Every kill point's data root and system temporary folder, after its intake was killed (the children run at once)."""
    roots = {}
    for step, (target, call) in KILL_POINTS.items():
        root = tmp_path_factory.mktemp("killed")
        data_dir, system_tmp = root / "data", root / "system_tmp"
        system_tmp.mkdir()
        _landing(data_dir)

        def work(data_dir=data_dir, system_tmp=system_tmp, target=target, call=call) -> None:
            import tempfile

            tempfile.tempdir = str(system_tmp)  # anything put in the system's temporary folder lands here
            _kill_at(target, call)
            _intake(data_dir)

        roots[step] = (data_dir, system_tmp, _start_child(work))
    assert {step: _ended(pid) for step, (_, _, pid) in roots.items()} == dict.fromkeys(KILL_POINTS, -signal.SIGKILL)
    return {step: (data_dir, system_tmp) for step, (data_dir, system_tmp, _) in roots.items()}


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("clean")
    _landing(data_dir)
    assert [r.outcome for r in _intake(data_dir)] == ["refused", "accepted"]
    return data_dir


def _kept_files(data_dir: Path) -> dict[str, bytes]:
    """Every kept file, sealed copies opened and refusal reports' entry references blanked (sealing
    draws a new nonce and each entry a new random id, so those bytes differ run to run)."""
    shas = {sha for _, _, _, sha, *_ in _ledger(data_dir)}

    def read(path: Path) -> bytes:
        if path.suffix != SEALED_SUFFIX:
            return re.sub(rb"\b[a-z]{4}-[a-z]{4}-[a-z]{4}\b", b"<entry>", path.read_bytes())
        agency = path.relative_to(data_dir).parts[1]
        for sha in shas:
            try:
                return opened(path.read_bytes(), SEALING_KEY, DATASET, agency, sha)
            except CannotOpen:
                continue
        raise AssertionError(f"{path} opens as no file of the ledger")

    return {p.relative_to(data_dir).as_posix(): read(p) for folder in ("accepted", "quarantine") for p in (data_dir / folder).rglob("*") if p.is_file()}


@pytest.mark.parametrize("step", KILL_POINTS, ids=list(KILL_POINTS))
def test_an_intake_killed_at_any_step_leaves_nothing_outside_and_the_next_takes_every_file(killed, clean_run: Path, step: str):
    data_dir, system_tmp = killed[step]
    # Nothing with identifiers outside the data root: what the intake left is in its staging folder.
    assert list(system_tmp.iterdir()) == []
    assert [p.name for p in (data_dir / "staging").iterdir()] and not list((data_dir / "staging").glob("*/*.duckdb.wal"))
    # The sensor asks for every file the ledger has not answered (a kept copy alone is not an answer).
    folders = IndexFolders(data_dir=str(data_dir), shared_dir=str(SHARED))
    _, seen = landing_run_requests({DATASET: CONTRACT}, folders, {})
    asked = {r.tags["story/agency"] for r in landing_run_requests({DATASET: CONTRACT}, folders, seen)[0]}
    assert asked == {GOOD, BAD} - {agency for agency, *_ in _ledger(data_dir)}
    # The next intake finishes or clears what was left, and the result is the clean run's.
    _intake(data_dir)
    assert _ledger(data_dir) == _ledger(clean_run) and _raw_rows(data_dir) == _raw_rows(clean_run)
    assert _kept_files(data_dir) == _kept_files(clean_run)
    for path in (data_dir / "accepted").rglob(f"*{SEALED_SUFFIX}"):  # each kept copy opens, and hashes, to its ledger row
        assert hashlib.sha256(opened(path.read_bytes(), SEALING_KEY, DATASET, path.parent.parent.name, path.stem)).hexdigest() == path.stem
    assert list((data_dir / "staging").iterdir()) == []
