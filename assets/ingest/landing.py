"""What an agency has dropped in its landing folders: found without trusting the file system, read once.

Method notes: docs/intake.md, "Notes on `assets/ingest/landing.py`".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import os
import re
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from assets.ingest.problems import Problem
from assets.ingest.split_names import period_and_part

_CHUNK = 1 << 20
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# O_NONBLOCK: a named pipe that slipped past the look must not hang the intake on open.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC
_FOLDER_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | _CLOEXEC
# Waiting for a file still being written stops after this many settle intervals; it is then
# left for the next intake (the sensor asks again once it has settled).
SETTLE_ROUNDS = 6
MISPLACED = "misplaced_file"  # the check of a file in no dataset's folder: answered once it has settled, like a return
# How a return's name may end: CSV text, or a workbook read by ``reading.read_return``.
RETURN_SUFFIXES = (".csv", ".xlsx", ".ods")


@dataclass(frozen=True)
class LandingEntry:
    """Something found in the landing area for one dataset.

    ``path`` is the file, or the agency or dataset folder when that is what is wrong with it.
    ``refusal`` says what it is when it is not a file inside its own folder: it is never opened.
    ``skip`` says why it is not taken this time (a hidden name).
    """

    path: Path
    agency: str
    dataset: str
    size: int
    mtime_ns: int
    refusal: Problem | None = None
    skip: Problem | None = None

    @property
    def observed(self) -> tuple[int, int]:
        return self.size, self.mtime_ns

    @property
    def may_grow(self) -> bool:
        """A file, in its place or not, may still be uploading; a link or a folder has nothing to wait for."""
        return self.refusal is None or self.refusal.check == MISPLACED


@dataclass(frozen=True)
class Strays:
    """Which dataset answers an entry in no dataset's own folder, and where that entry should have gone.

    Every dataset's walk meets the same strays, so each has one owner and is answered once: the
    dataset its folder names in another spelling (``Looked_After_Episodes``), else the one its
    name starts with, else the first its agency sends, else the first of all.
    """

    dataset: str  # the dataset whose walk this is
    datasets: tuple[str, ...]  # every dataset, in order
    sent_by: Callable[[str], tuple[str, ...]] = lambda agency: ()  # the datasets an agency sends, in order

    def named(self, folder: str | None, name: str) -> str | None:
        """The dataset a misplaced entry's folder, or else its name, points to."""
        by_folder = [d for d in self.datasets if folder is not None and _plain(folder) == _plain(d)]
        by_name = [d for d in self.datasets if _plain(name).startswith(_plain(d))]
        return next(iter(by_folder), None) or max(by_name, key=len, default=None)

    def answers(self, agency: str, folder: str | None, name: str) -> bool:
        owner = self.named(folder, name) or next(iter(self.sent_by(agency)), None) or self.datasets[0]
        return owner == self.dataset

    def home(self, agency: str, folder: str | None, name: str) -> tuple[str, str]:
        """The folder it belongs in (``<agency>``, ``<dataset>`` where unknown), and what fills those in."""
        dataset = self.named(folder, name)
        named_agency = name[len(dataset) + 1 :].split("_", 1)[0] if dataset and name.startswith(f"{dataset}_") else ""
        agency = next((a for a in (agency, named_agency) if self.sent_by(a)), None)
        unknown = [] if agency else ["<agency> is your agency's code"]
        if dataset is None:
            unknown.append(f"<dataset> is the dataset it holds: {', '.join(self.sent_by(agency or '') or self.datasets)}")
        return f"landing/{agency or '<agency>'}/{dataset or '<dataset>'}/", ", where " + " and ".join(unknown) if unknown else ""


def _plain(name: str) -> str:
    """A name as a person might have meant it: any case, any separators."""
    return re.sub(r"[^0-9a-z]+", "_", name.casefold())


@dataclass(frozen=True)
class LandedFile:
    path: Path  # where the agency dropped it
    agency: str
    dataset: str
    sha256: str  # the content hash; for an entry never read, a hash of what and where it is
    bytes: int
    received_at: dt.datetime
    snapshot: Path | None = None  # the one copy read, hashed, validated and kept; None when judged in place (`story check`)
    refusal: Problem | None = None  # refused on sight: never opened
    skip: Problem | None = None  # not taken this time; tried again at the next intake
    location: str = ""  # the path as reports name it, from ``landing/``

    @property
    def name(self) -> str:
        """The file name as the ledger and reports keep it: as sent, bytes that are not UTF-8 written as escapes."""
        return os.fsencode(self.path.name).decode("utf-8", "backslashreplace")

    @property
    def period(self) -> str | None:
        """The period named in the file name, or None if the name does not follow the convention."""
        return self._named[0]

    @property
    def part(self) -> str | None:
        """Which file of a return sent in several the name says this is (a split half, ``split_names``, or a layered return's part), or None."""
        return self._named[1]

    @property
    def _named(self) -> tuple[str | None, str | None]:
        prefix = f"{self.dataset}_{self.agency}_"
        name = self.name
        suffix = next((s for s in RETURN_SUFFIXES if name.endswith(s)), None)
        if suffix is None or not name.startswith(prefix) or len(name) == len(prefix) + len(suffix):
            return None, None
        return period_and_part(name[len(prefix) : -len(suffix)])

    @property
    def content(self) -> Path:
        """The bytes to check: the snapshot when there is one."""
        return self.snapshot or self.path

    @property
    def readable(self) -> bool:
        return self.refusal is None and self.skip is None


class StillChanging(Exception):
    """The file changed while it was being copied: it is left for the next intake."""


def shown(path: Path, landing_dir: Path) -> str:
    """The path as a report names it: from ``landing/``, with invisible or look-alike characters made visible."""
    try:
        relative = "landing/" + path.relative_to(landing_dir).as_posix()
    except ValueError:
        relative = path.name
    return relative if relative.isascii() and relative.isprintable() else ascii(relative)


def _what(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _linked(where: str, folder_level: bool, home: str) -> Problem:
    kind = "folder" if folder_level else "file"
    return Problem(
        check="symlink",
        message=f"{where} is a shortcut (a symbolic link) to somewhere else, not a {kind}: nothing was read from where it points.",
        fix=f"Put the files themselves in the real folder {home}, not a link to them or to their folder.",
    )


def _not_a_file(where: str, mode: int, home: str) -> Problem:
    return Problem(
        check="not_a_file",
        message=f"{where} is {_what(mode)}, not a file: it was not opened.",
        fix=f"Send each return as a CSV file directly inside {home}; remove anything else from the folder.",
    )


def _not_a_folder(where: str, mode: int, home: str) -> Problem:
    return Problem(
        check="not_a_folder",
        message=f"{where} should be a folder holding your files, but it is {_what(mode) if not stat.S_ISREG(mode) else 'a file'}: it was not opened.",
        fix=f"Files go inside the folder {home}.",
    )


def _hard_link(where: str, links: int, home: str) -> Problem:
    return Problem(
        check="hard_link",
        message=f"{where} is stored under {links} names on the server (a hard link), so its real location may be outside the landing folder: it was not read.",
        fix=f"Copy the file itself into {home} instead of linking it.",
    )


def _misplaced(where: str, home: str, hint: str) -> Problem:
    return Problem(
        check=MISPLACED,
        message=f"{where} is not in a dataset's folder (landing/<agency>/<dataset>/, folder names exactly as given, in lower case): it was not opened.",
        fix=f"Move it into {home}{hint}; it is taken in from there.",
    )


def _hidden(where: str) -> Problem:
    return Problem(
        check="hidden_file",
        message=f"{where} has a name starting with a dot, which makes it a hidden file (a system file such as .DS_Store, or an upload a transfer program has not renamed yet): it was not taken in.",
        fix="If it is a return, rename it without the leading dot, following the usual file name pattern.",
    )


def _unreadable(where: str, error: OSError) -> Problem:
    if error.errno in (errno.EACCES, errno.EPERM):
        message, fix = "could not be read: permission denied", "The data team must let the pipeline read the file (its permissions); it is tried again at the next intake."
    elif error.errno == errno.ENOENT:
        message, fix = "disappeared while it was being taken in (moved or deleted)", "If it is still meant to be sent, drop it again."
    else:
        message, fix = f"could not be read ({error.strerror or error})", "The data team should check the server's disk; the file is tried again at the next intake."
    return Problem(check="unreadable", message=f"{where} {message}. Nothing from it was taken in.", fix=fix)


def _stat_entry(path: Path, agency: str, dataset: str, **problems: Problem | None) -> LandingEntry:
    st = path.lstat()
    return LandingEntry(path, agency, dataset, st.st_size, st.st_mtime_ns, **problems)


def _listing(folder: Path) -> list[os.DirEntry]:
    """A folder's entries by name, without those starting with a dot: system entries (``.snapshot``), not agencies or datasets."""
    with os.scandir(folder) as listing:
        return sorted((e for e in listing if not e.name.startswith(".")), key=lambda e: e.name)


def files_waiting(landing_dir: Path, dataset: str, strays: Strays | None = None) -> list[LandingEntry]:
    """Everything in any agency's folder for this dataset, and the strays it answers (``Strays``), oldest first so corrections apply last.

    An entry at the top of the landing folder (a file or a link where an agency folder should be)
    is refused as it is: nothing below it can be looked at. So is one directly in an agency
    folder; a folder there named like no dataset is looked into one level, each entry refused
    for its place. Names starting with a dot at the top and agency levels are not walked; in a
    dataset folder, or a misnamed one, they are hidden files, answered with a skip.
    """
    strays = strays or Strays(dataset, (dataset,))
    if not landing_dir.is_dir():
        return []
    entries: list[LandingEntry] = []
    for agency_entry in _listing(landing_dir):
        agency = agency_entry.name
        agency_dir = landing_dir / agency
        try:
            if not agency_entry.is_dir(follow_symlinks=False):
                if strays.answers(agency, None, agency):
                    where, mode = shown(agency_dir, landing_dir), agency_entry.stat(follow_symlinks=False).st_mode
                    home, hint = strays.home(agency, None, agency)
                    if agency_entry.is_symlink():
                        problem = _linked(where, True, home)
                    elif stat.S_ISREG(mode) and not strays.sent_by(agency):
                        problem = _misplaced(where, home, hint)
                    else:
                        problem = _not_a_folder(where, mode, home)
                    entries.append(_stat_entry(agency_dir, agency, dataset, refusal=problem))
                continue
            found = _listing(agency_dir)
        except FileNotFoundError:
            continue  # gone between the listing and the look
        for entry in found:
            path = agency_dir / entry.name
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except FileNotFoundError:
                continue
            where = shown(path, landing_dir)
            if entry.name == dataset:
                home = f"landing/{agency}/{dataset}/"
                if stat.S_ISLNK(mode):
                    entries.append(_stat_entry(path, agency, dataset, refusal=_linked(where, True, home)))
                elif not stat.S_ISDIR(mode):
                    entries.append(_stat_entry(path, agency, dataset, refusal=_not_a_folder(where, mode, home)))
                else:
                    entries += _folder_entries(landing_dir, path, agency, dataset, home)
            elif entry.name in strays.datasets:
                continue  # another dataset's folder
            elif stat.S_ISDIR(mode):
                entries += _folder_entries(landing_dir, path, agency, dataset, strays=strays)
            elif strays.answers(agency, None, entry.name):
                home, hint = strays.home(agency, None, entry.name)
                problem = _linked(where, False, home) if stat.S_ISLNK(mode) else _misplaced(where, home, hint) if stat.S_ISREG(mode) else _not_a_file(where, mode, home)
                entries.append(_stat_entry(path, agency, dataset, refusal=problem))
    return sorted(entries, key=lambda e: (e.mtime_ns, str(e.path)))


def _folder_entries(landing_dir: Path, folder: Path, agency: str, dataset: str, home: str = "", strays: Strays | None = None) -> list[LandingEntry]:
    """The entries of the dataset's folder; of a misnamed folder (``strays``), those this dataset answers, a file refused for its place."""
    entries = []
    with os.scandir(folder) as listing:
        found = list(listing)
    for entry in found:
        hint = ""
        if strays is not None:
            if not strays.answers(agency, folder.name, entry.name):
                continue
            home, hint = strays.home(agency, folder.name, entry.name)
        path = folder / entry.name
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        where = shown(path, landing_dir)
        if stat.S_ISLNK(st.st_mode):
            problems = {"refusal": _linked(where, False, home)}
        elif not stat.S_ISREG(st.st_mode):
            problems = {"refusal": _not_a_file(where, st.st_mode, home)}
        elif st.st_nlink > 1:
            problems = {"refusal": _hard_link(where, st.st_nlink, home)}
        elif entry.name.startswith("."):
            problems = {"skip": _hidden(where)}
        elif strays is not None:
            problems = {"refusal": _misplaced(where, home, hint)}
        else:
            problems = {}
        entries.append(LandingEntry(path, agency, dataset, st.st_size, st.st_mtime_ns, **problems))
    return entries


def settle(
    entries: Iterable[LandingEntry],
    seconds: float,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[LandingEntry], list[LandingEntry]]:
    """The entries that have stopped changing, and those still changing after ``SETTLE_ROUNDS`` intervals.

    A file is settled when its size and modification time stay the same over ``seconds``. One
    last modified more than ``seconds`` ago (by this machine's clock, and not in the future) is
    settled already; the others are looked at again once the youngest of them was last
    modified ``seconds`` ago (the time it has already stood unchanged counts), then every
    ``seconds`` until they stop changing. A file that disappears meanwhile is dropped: an upload
    renamed on completion reappears under its own name. Entries refused on sight for what they
    are (a link, a folder) need no waiting; a file refused for its place waits like any other.
    """
    settled: list[LandingEntry] = []
    waiting: dict[Path, LandingEntry] = {}
    now_ns = int(clock() * 1e9)
    unchanged_for = seconds  # the shortest time a waiting file has stood unchanged (none in the future)
    for entry in entries:
        age = (now_ns - entry.mtime_ns) / 1e9
        recent = not (0 <= age) or age < seconds
        if entry.may_grow and recent and seconds > 0:
            waiting[entry.path] = entry
            unchanged_for = min(unchanged_for, age if age >= 0 else 0.0)
        else:
            settled.append(entry)
    for round_number in range(SETTLE_ROUNDS):
        if not waiting:
            break
        sleep(seconds - unchanged_for if round_number == 0 else seconds)
        for path, entry in list(waiting.items()):
            try:
                st = path.lstat()
            except FileNotFoundError:
                del waiting[path]
                continue
            if (st.st_size, st.st_mtime_ns) == entry.observed:
                settled.append(waiting.pop(path))
            else:
                waiting[path] = LandingEntry(path, entry.agency, entry.dataset, st.st_size, st.st_mtime_ns, entry.refusal, entry.skip)
    return sorted(settled, key=lambda e: (e.mtime_ns, str(e.path))), list(waiting.values())


def _open_inside(landing_dir: Path, path: Path) -> int:
    """Open ``landing/<agency>/<dataset>/<name>`` one level at a time, following no link at any level."""
    parts = path.relative_to(landing_dir).parts
    if len(parts) != 3:
        raise OSError(errno.ENOTDIR, "not inside an agency's dataset folder", str(path))
    # The landing folder itself is the operator's setting (it may be a link to an upload area); below it, nothing is.
    descriptor = os.open(landing_dir, _FOLDER_FLAGS & ~os.O_NOFOLLOW)
    try:
        for folder in parts[:2]:
            inner = os.open(folder, _FOLDER_FLAGS, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
        return os.open(parts[2], _FILE_FLAGS, dir_fd=descriptor)
    finally:
        os.close(descriptor)


def entry_identity(entry: LandingEntry, landing_dir: Path, reason: Problem) -> str:
    """The identity of an entry that is not read: what it is, where, and its state (a link's text too).

    The same entry in the same state is answered once; a changed one (a link pointed
    elsewhere, a file given back its permissions) is answered again.
    """
    target = os.readlink(entry.path) if entry.path.is_symlink() else ""
    described = "\0".join([reason.check, entry.path.relative_to(landing_dir).as_posix(), target, str(entry.size), str(entry.mtime_ns)])
    return hashlib.sha256(b"landing entry\0" + os.fsencode(described)).hexdigest()


def _received(mtime_ns: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(mtime_ns / 1e9, tz=dt.timezone.utc)


def unread(entry: LandingEntry, landing_dir: Path, problem: Problem | None = None, *, skip: bool = False) -> LandedFile:
    """The answer for an entry that is not (or could not be) read."""
    refusal = None if skip else (problem or entry.refusal)
    skipped = (problem or entry.skip) if skip else None
    reason = refusal or skipped
    assert reason is not None
    return LandedFile(
        entry.path, entry.agency, entry.dataset, entry_identity(entry, landing_dir, reason), 0, _received(entry.mtime_ns),
        refusal=refusal, skip=skipped, location=shown(entry.path, landing_dir),
    )


def as_listed(entry: LandingEntry, landing_dir: Path) -> LandedFile:
    """An entry as it was listed, not read (a file still changing, answered next time)."""
    return LandedFile(entry.path, entry.agency, entry.dataset, "", entry.size, _received(entry.mtime_ns), location=shown(entry.path, landing_dir))


def snapshot(entry: LandingEntry, landing_dir: Path, copy_to: Path) -> LandedFile:
    """Read the file once into ``copy_to``, hashing what is written; the copy is the file from now on.

    Raises ``StillChanging`` when the file changed while it was read. A file that cannot be
    opened or read comes back with ``skip`` (tried again next time), one that turns out not to
    be a regular file inside its folder with ``refusal``.
    """
    return _read(entry, landing_dir, copy_to)


def identify(entry: LandingEntry, landing_dir: Path) -> LandedFile:
    """What ``snapshot`` would make of the entry, without keeping a copy (for the landing sensor)."""
    return _read(entry, landing_dir, None)


def _read(entry: LandingEntry, landing_dir: Path, copy_to: Path | None) -> LandedFile:
    if entry.refusal or entry.skip:
        return unread(entry, landing_dir, skip=entry.refusal is None)
    home = f"landing/{entry.agency}/{entry.dataset}/"
    where = shown(entry.path, landing_dir)
    try:
        descriptor = _open_inside(landing_dir, entry.path)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            return unread(entry, landing_dir, _linked(where, False, home))  # became a link since the look
        return unread(entry, landing_dir, _unreadable(where, error), skip=True)
    digest = hashlib.sha256()
    try:
        before = os.fstat(descriptor)
        if not stat.S_ISREG(before.st_mode):
            return unread(entry, landing_dir, _not_a_file(where, before.st_mode, home))
        if before.st_nlink > 1:
            return unread(entry, landing_dir, _hard_link(where, before.st_nlink, home))
        written = 0
        with os.fdopen(os.dup(descriptor), "rb") as source:
            if copy_to is not None:
                copy_to.parent.mkdir(parents=True, exist_ok=True)
            with copy_to.open("wb") if copy_to is not None else contextlib.nullcontext() as copy:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    written += len(chunk)
                    if copy is not None:
                        copy.write(chunk)
        after = os.fstat(descriptor)
    except OSError as error:
        if copy_to is not None:
            copy_to.unlink(missing_ok=True)
        return unread(entry, landing_dir, _unreadable(where, error), skip=True)
    finally:
        os.close(descriptor)
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or written != before.st_size:
        if copy_to is not None:
            copy_to.unlink(missing_ok=True)
        raise StillChanging(str(entry.path))
    return LandedFile(entry.path, entry.agency, entry.dataset, digest.hexdigest(), written, _received(before.st_mtime_ns), snapshot=copy_to, location=where)


def landed_file(path: Path) -> LandedFile:
    """A file judged where it is, named by its folders (``story check`` places a copy as an agency would)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    st = path.stat()
    agency, dataset = path.parent.parent.name, path.parent.name
    return LandedFile(path, agency, dataset, digest.hexdigest(), st.st_size, _received(st.st_mtime_ns), location=f"landing/{agency}/{dataset}/{path.name}")
