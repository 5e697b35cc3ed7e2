"""Every path and setting the pipeline reads, in one place.

One environment variable, ``STORY_DATA_DIR`` (default ``./data``), roots all data:
landing folders where agencies drop files, the immutable accepted and quarantine
copies, the two DuckDB files (analysis warehouse and the separate linkage zone that
alone holds identifiers) and the published reports. Keeping it in one frozen object
means tests can point a whole run at a temporary folder. This is the only module that reads
the pipeline's settings from the environment.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from assets.ingest.destruction_log import RetentionPeriods
from assets.ingest.sealing import SEALING_KEY_ENV, SEALING_KEY_FILE_ENV, load_sealing_key
from assets.linkage.backends import LINKAGE_BACKENDS
from assets.linkage.pseudonyms import KEY_BYTES, KEY_ENV, KEY_FILE_ENV
from assets.model.folder_layout import FolderLayout

REPO_ROOT = Path(__file__).resolve().parents[1]
RETENTION_ENV = "STORY_RETENTION_DAYS_"  # + SEALED_ORIGINALS, REFUSED_COPIES, IDENTIFIERS


class SettingsError(ValueError):
    """A setting that cannot be used, said in one sentence that names it: an operator's mistake, not a crash."""


@dataclass(frozen=True)
class Settings(FolderLayout):
    """The folder layout (``STORY_DATA_DIR``, ``STORY_SHARED_DIR``) and every other setting.

    Read from the environment here and nowhere else (``from_env``); everything below
    ``orchestration`` is given the values it needs as arguments or resources.
    """

    contracts_dir: Path = REPO_ROOT / "data_contracts"  # one ODCS YAML per dataset: adding one adds the dataset
    linkage_backend: str = "duckdb"  # STORY_LINKAGE_BACKEND: one of LINKAGE_BACKENDS
    # STORY_SETTLE_SECONDS: a landing file is taken once its size and modification time have not
    # changed for this long (an upload in progress keeps changing them).
    settle_seconds: float = 10.0
    # STORY_LOCK_WAIT_SECONDS: how long `story ingest` waits for another process to let go of the
    # linkage zone before it gives up with its own exit status.
    lock_wait_seconds: float = 60.0
    # STORY_RETENTION_DAYS_SEALED_ORIGINALS, _REFUSED_COPIES, _IDENTIFIERS: how long each is kept
    # after its file was taken in, before `story retention` (or its schedule) destroys it.
    retention: RetentionPeriods = field(default_factory=RetentionPeriods)

    def __post_init__(self) -> None:
        if self.linkage_backend not in LINKAGE_BACKENDS:
            raise SettingsError(f"STORY_LINKAGE_BACKEND={self.linkage_backend!r} is not a linkage backend: use one of {', '.join(LINKAGE_BACKENDS)}")
        for name, value in (("STORY_SETTLE_SECONDS", self.settle_seconds), ("STORY_LOCK_WAIT_SECONDS", self.lock_wait_seconds)):
            if not value >= 0:
                raise SettingsError(f"{name}={value!r} must be a number of seconds, 0 or more")
        if self.retention.sealed_originals_days > self.retention.identifiers_days:
            raise SettingsError(
                f"{RETENTION_ENV}SEALED_ORIGINALS={self.retention.sealed_originals_days} is longer than {RETENTION_ENV}IDENTIFIERS="
                f"{self.retention.identifiers_days}: a sealed original holds its entry's identifiers, so it may not outlive them"
            )

    def require_data_dir(self) -> None:
        """Stop a command that reads or writes the data root when it does not exist.

        A misspelt ``STORY_DATA_DIR`` must not become a new, empty data root (an empty linkage
        zone, a run that finds no files and says all is well): only what makes a data root (the
        synthetic generator, an operator's ``mkdir``) creates it.
        """
        if not self.data_dir.is_dir():
            raise SettingsError(
                f"STORY_DATA_DIR is {self.data_dir}, which does not exist: correct the setting, "
                "or create the folder first if this is a new installation."
            )

    @classmethod
    def from_env(cls) -> "Settings":
        data_dir = _data_dir()
        shared_dir = Path(os.environ.get("STORY_SHARED_DIR", REPO_ROOT.parent / "shared")).resolve()
        contracts_dir = Path(os.environ.get("STORY_CONTRACTS_DIR", REPO_ROOT / "data_contracts")).resolve()
        linkage_backend = os.environ.get("STORY_LINKAGE_BACKEND", "duckdb").strip().lower() or "duckdb"
        content_dir = os.environ.get("STORY_CONTENT_DIR", "").strip()
        return cls(
            data_dir=data_dir, shared_dir=shared_dir, contracts_dir=contracts_dir, linkage_backend=linkage_backend,
            content_dir=Path(content_dir).resolve() if content_dir else None,
            settle_seconds=_seconds("STORY_SETTLE_SECONDS", cls.settle_seconds),
            lock_wait_seconds=_seconds("STORY_LOCK_WAIT_SECONDS", cls.lock_wait_seconds),
            retention=RetentionPeriods(**{
                f"{kind}_days": _days(f"{RETENTION_ENV}{kind.upper()}", getattr(RetentionPeriods, f"{kind}_days"))
                for kind in ("sealed_originals", "refused_copies", "identifiers")
            }),
        )


def _data_dir() -> Path:
    """``STORY_DATA_DIR`` (default ``./data``), refused when it or a folder above it is a file."""
    data_dir = Path(os.environ.get("STORY_DATA_DIR", REPO_ROOT / "data")).resolve()
    found = next((p for p in (data_dir, *data_dir.parents) if p.exists()), None)
    if found is not None and not found.is_dir():
        raise SettingsError(f"STORY_DATA_DIR is {data_dir}, but {found} is a file, not a folder: point the setting at the data folder.")
    return data_dir


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError:
        raise SettingsError(f"{name}={value!r} must be a number of seconds, 0 or more") from None


def _days(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise SettingsError(f"{name}={value!r} must be a whole number of days, 0 or more")
    return int(value)


def key_file() -> Path:
    """The pseudonymisation key file (``STORY_KEY_FILE``), read when ``STORY_PSEUDONYMISATION_KEY`` is not set."""
    default = Path.home() / ".config" / "story-of-progress" / "pseudonymisation.key"
    return Path(os.environ.get(KEY_FILE_ENV, default))


def sealing_key_file() -> Path:
    """The key file for sealing agencies' originals (``STORY_SEALING_KEY_FILE``), read when ``STORY_SEALING_KEY`` is not set."""
    default = Path.home() / ".config" / "story-of-progress" / "sealing.key"
    return Path(os.environ.get(SEALING_KEY_FILE_ENV, default))


def sealing_key_from_env() -> bytes:
    """The sealing key as ``story ingest`` reads it (``STORY_SEALING_KEY``, else its key file), checked."""
    return load_sealing_key(os.environ.get(SEALING_KEY_ENV), sealing_key_file())


def ensure_sealing_key() -> Path | None:
    """Create a random sealing key file if no sealing key is configured; returns the path created, else None."""
    if os.environ.get(SEALING_KEY_ENV) is not None or sealing_key_file().exists():
        return None
    return _write_key_file(sealing_key_file())


def ensure_key() -> Path | None:
    """Create a random key file if no key is configured; returns the path created, else None."""
    if os.environ.get(KEY_ENV) is not None or key_file().exists():
        return None
    return _write_key_file(key_file())


def _write_key_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_hex(KEY_BYTES) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path
