"""Keyed pseudonyms (HMAC-SHA256) for people and agency record references.

The key is a secret kept outside the repository and outside both databases: from the
environment (``STORY_PSEUDONYMISATION_KEY``, hex) or a key file (``STORY_KEY_FILE``, default
``~/.config/story-of-progress/pseudonymisation.key``). Without it a pseudonym can neither be
reversed nor recomputed from a name or CHI. Assets are given it by a resource
(``assets.linkage.person_links.PseudonymisationKey``) that ``orchestration`` builds from those
settings; nothing here reads the environment. The demo creates a key file when none is
configured, and says so; production sets the key explicitly.

A key anyone could guess is no key: an empty one (a blank variable), a short one (``00``) or
one byte repeated would let anyone recompute every ``person_id`` from a CHI. So a key must be
hexadecimal for at least ``KEY_BYTES`` bytes, not all one byte; anything else stops every
asset that would use it (and a production process at start-up) with a message naming the
setting it came from.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

KEY_ENV = "STORY_PSEUDONYMISATION_KEY"
KEY_FILE_ENV = "STORY_KEY_FILE"
KEY_BYTES = 32  # as many as the HMAC-SHA256 output: a shorter key is the weak link
_MAKE_ONE = f"make one with: python -c 'import secrets; print(secrets.token_hex({KEY_BYTES}))'"


class UnusableKey(RuntimeError):
    """The configured pseudonymisation key could be guessed, or is not a key at all."""


def parse_key(text: str, source: str) -> bytes:
    """The key written in ``text`` (hex), or ``UnusableKey`` naming ``source`` and saying what is wrong."""
    value = text.strip()
    if not value:
        raise UnusableKey(f"{source} is empty: the pseudonymisation key must be at least {KEY_BYTES * 2} hexadecimal characters; {_MAKE_ONE}")
    try:
        key = bytes.fromhex(value)
    except ValueError:
        raise UnusableKey(f"{source} is not hexadecimal (only 0-9 and a-f, two per byte): {_MAKE_ONE}") from None
    if len(key) < KEY_BYTES:
        raise UnusableKey(f"{source} holds {len(key)} byte(s); the pseudonymisation key must be at least {KEY_BYTES} random bytes ({KEY_BYTES * 2} hexadecimal characters): {_MAKE_ONE}")
    if len(set(key)) == 1:
        raise UnusableKey(f"{source} is one byte repeated, which anyone could guess: {_MAKE_ONE}")
    return key


def read_key_file(path: Path) -> bytes:
    """The key written in the key file at ``path``, or ``UnusableKey`` saying how to set one."""
    if not path.exists():
        raise UnusableKey(
            f"No pseudonymisation key: set {KEY_ENV} or create the key file {path} "
            "(`make demo` creates one for the demo)."
        )
    return parse_key(path.read_text(encoding="utf-8"), f"the key file {path} ({KEY_FILE_ENV})")


def pseudonym(key: bytes, value: str, prefix: str) -> str:
    return prefix + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:20]
