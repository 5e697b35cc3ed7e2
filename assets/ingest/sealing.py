"""Agencies' originals sealed at rest: what an agency sent is kept byte for byte, but only the index role can open it.

A kept copy (``accepted/``, ``quarantine/``) holds identifiers beside content, so it is written
encrypted with ChaCha20-Poly1305 (the ``cryptography`` package's AEAD) under the sealing key,
which only the index role holds (``STORY_SEALING_KEY``, or a key file locally). The ledger
entry's key (dataset, agency, content hash) is the associated data, so a sealed copy opens only
as the file it was sealed as: swapped or altered, it does not open. Opened with the right key,
the bytes hash to the ledger's sha256 (``opened``). No Dagster here: ``story ingest`` and
``story check`` import the intake; the resource is ``sealing_key.SealingKey``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from assets.linkage.pseudonyms import UnusableKey, parse_key

SEALING_KEY_ENV = "STORY_SEALING_KEY"
SEALING_KEY_FILE_ENV = "STORY_SEALING_KEY_FILE"
SEALED_SUFFIX = ".sealed"
_MAGIC = b"STORY-SEALED-1\n"
_NONCE_BYTES = 12


class CannotOpen(RuntimeError):
    """A sealed copy that the key given does not open (the wrong key, or the wrong file)."""


def _label(dataset: str, agency: str, sha256: str) -> bytes:
    return f"{dataset}|{agency}|{sha256}".encode()


def seal(plain: bytes, key: bytes, dataset: str, agency: str, sha256: str) -> bytes:
    """The sealed copy: a header naming its ledger entry (so an operator can open it without the
    ledger, ``entry_of``), the nonce, then the ciphertext bound to that entry."""
    nonce, label = os.urandom(_NONCE_BYTES), _label(dataset, agency, sha256)
    return _MAGIC + label + b"\n" + nonce + ChaCha20Poly1305(key[:32]).encrypt(nonce, plain, label)


def entry_of(sealed: bytes) -> tuple[str, str, str]:
    """The dataset, agency and content hash a sealed copy says it is (checked only when it is opened)."""
    if not sealed.startswith(_MAGIC):
        raise CannotOpen("This is not a sealed copy made by the Story of Progress intake.")
    label = sealed[len(_MAGIC):sealed.index(b"\n", len(_MAGIC))].decode()
    dataset, agency, sha256 = label.split("|")
    return dataset, agency, sha256


def opened(sealed: bytes, key: bytes, dataset: str, agency: str, sha256: str) -> bytes:
    """The original bytes of a sealed copy, checked against the ledger's hash; ``CannotOpen`` naming the setting otherwise."""
    if entry_of(sealed) != (dataset, agency, sha256):
        raise CannotOpen("The sealed copy is not the file its ledger entry names.")
    start = sealed.index(b"\n", len(_MAGIC)) + 1
    nonce = sealed[start:start + _NONCE_BYTES]
    try:
        plain = ChaCha20Poly1305(key[:32]).decrypt(nonce, sealed[start + _NONCE_BYTES:], _label(dataset, agency, sha256))
    except InvalidTag:
        raise CannotOpen(
            f"The sealed copy does not open with this key: {SEALING_KEY_ENV} (or {SEALING_KEY_FILE_ENV}) is not the key it was sealed under, "
            "or the copy is not the file its ledger entry names."
        ) from None
    if hashlib.sha256(plain).hexdigest() != sha256:
        raise CannotOpen("The sealed copy opened, but its bytes are not the ones its ledger entry records.")
    return plain


def load_sealing_key(hex_key: str | None, key_file: Path | None) -> bytes:
    """The sealing key from its setting (hex), else its key file; ``UnusableKey`` naming the setting when missing or guessable."""
    if hex_key is not None:
        return parse_key(hex_key, SEALING_KEY_ENV)
    if key_file is None or not key_file.exists():
        raise UnusableKey(
            f"No sealing key for agencies' originals: set {SEALING_KEY_ENV} or create the key file {key_file} "
            f"({SEALING_KEY_FILE_ENV}; `story demo-key` creates one locally)."
        )
    return parse_key(key_file.read_text(encoding="utf-8"), f"the sealing key file {key_file} ({SEALING_KEY_FILE_ENV})")
