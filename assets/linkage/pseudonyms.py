"""Keyed pseudonyms (HMAC-SHA256) for people and agency record references.

Method notes: docs/linkage.md, "Notes on `assets/linkage/pseudonyms.py`".
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections import Counter
from pathlib import Path

KEY_ENV = "STORY_PSEUDONYMISATION_KEY"
KEY_FILE_ENV = "STORY_KEY_FILE"
KEY_BYTES = 32  # as many as the HMAC-SHA256 output: a shorter key is the weak link
# Random 32 bytes average 4.88 bits per byte (at most 5: log2 32); a key from 16 values or fewer
# has at most 4. A random key falls under 4 with probability 1.5e-11 (its 31 steps: 1.0e-10).
MIN_BITS_PER_BYTE = 4.0
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
    if flaw := _guessable(key):
        raise UnusableKey(f"{source} {flaw}, which anyone could guess: {_MAKE_ONE}")
    return key


def _guessable(key: bytes) -> str | None:
    """How ``key`` shows it was made up rather than drawn at random, or None."""
    period = next((p for p in range(1, len(key) // 2 + 1) if key[p:] == key[:-p]), None)
    if period is not None:
        return "is one byte repeated" if period == 1 else f"repeats the same {period} bytes"
    if _bits_per_byte(key) < MIN_BITS_PER_BYTE:
        return f"uses too few byte values (under {MIN_BITS_PER_BYTE:g} bits of entropy per byte)"
    steps = bytes((b - a) % 256 for a, b in zip(key, key[1:]))  # uniform and independent when the key is random
    if _bits_per_byte(steps) < MIN_BITS_PER_BYTE:
        return f"counts up or down too regularly (the steps between its bytes have under {MIN_BITS_PER_BYTE:g} bits of entropy per byte)"
    if list(key) in (sorted(key), sorted(key, reverse=True)):
        return "only rises or only falls from byte to byte"
    if all(0x20 <= byte < 0x7F for byte in key):
        return "is text written in hex (every byte a printable character)"
    return None


def _bits_per_byte(data: bytes) -> float:
    """The plug-in Shannon entropy of ``data``'s byte values, in bits per byte."""
    return -sum(count / len(data) * math.log2(count / len(data)) for count in Counter(data).values())


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
