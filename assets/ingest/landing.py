"""What an agency has dropped in its landing folders, named and fingerprinted.

Files live in ``landing/<agency>/<dataset>/<dataset>_<agency>_<period>.csv``. The content
hash (sha256) is the file's identity: the same bytes dropped twice, under any name, are
one file, and a run key derived from it means they are never processed twice.

A symbolic link in a landing folder is never followed: it could point anywhere on the
server, so its target is neither read nor copied; it is identified by the link text alone
and refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LandedFile:
    path: Path
    agency: str
    dataset: str
    sha256: str
    bytes: int
    received_at: dt.datetime
    is_symlink: bool = False

    @property
    def period(self) -> str | None:
        """The period named in the file name, or None if the name does not follow the convention."""
        prefix = f"{self.dataset}_{self.agency}_"
        name = self.path.name
        if not (name.startswith(prefix) and name.endswith(".csv")) or len(name) == len(prefix) + 4:
            return None
        return name[len(prefix) : -4]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(path: Path) -> str:
    """The file's identity: its content hash, or for a symbolic link the hash of the link text."""
    if path.is_symlink():
        return hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(path))).hexdigest()
    return sha256_of(path)


def landed_file(path: Path) -> LandedFile:
    stat = path.lstat()
    symlink = path.is_symlink()
    return LandedFile(
        path=path,
        agency=path.parent.parent.name,
        dataset=path.parent.name,
        sha256=fingerprint(path),
        bytes=0 if symlink else stat.st_size,
        received_at=dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.timezone.utc),
        is_symlink=symlink,
    )


def files_waiting(landing_dir: Path, dataset: str) -> list[Path]:
    """Every file (or link) in any agency's folder for this dataset, oldest first so corrections apply last.

    Names starting with a dot are uploads in progress or system files (``.DS_Store``) and wait.
    """
    paths = [p for p in landing_dir.glob(f"*/{dataset}/*") if (p.is_symlink() or p.is_file()) and not p.name.startswith(".")]
    return sorted(paths, key=lambda p: (p.lstat().st_mtime, str(p)))
