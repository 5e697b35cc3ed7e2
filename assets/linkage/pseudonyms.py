"""Keyed pseudonyms (HMAC-SHA256) for people and agency record references.

The key is a secret kept outside the repository and outside both databases: from the
environment (``STORY_PSEUDONYMISATION_KEY``, hex) or a key file (``STORY_KEY_FILE``, default
``~/.config/story-of-progress/pseudonymisation.key``). Without it a pseudonym can neither be
reversed nor recomputed from a name or CHI. ``ensure_key`` creates a key file only when asked
to (the demo does, and says so); production sets the key explicitly.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_ENV = "STORY_PSEUDONYMISATION_KEY"
KEY_FILE_ENV = "STORY_KEY_FILE"


def key_file() -> Path:
    default = Path.home() / ".config" / "story-of-progress" / "pseudonymisation.key"
    return Path(os.environ.get(KEY_FILE_ENV, default))


def ensure_key() -> Path | None:
    """Create a random key file if no key is configured; returns the path created, else None."""
    if os.environ.get(KEY_ENV) or key_file().exists():
        return None
    path = key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def load_key() -> bytes:
    if value := os.environ.get(KEY_ENV):
        return bytes.fromhex(value.strip())
    path = key_file()
    if not path.exists():
        raise RuntimeError(
            f"No pseudonymisation key: set {KEY_ENV} or create the key file {path} "
            "(`make demo` creates one for the demo)."
        )
    return bytes.fromhex(path.read_text(encoding="utf-8").strip())


def pseudonym(key: bytes, value: str, prefix: str) -> str:
    return prefix + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:20]
