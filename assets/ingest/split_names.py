"""How the two halves of a return split at source are named, and the record reference they share.

An agency may send a return as one file, ``<dataset>_<agency>_<period>.csv``, or split at source
as Scotland's indexing expects (``story split``): an identifier half and a content half, named
``<dataset>_<agency>_<period>_identifiers.csv`` and ``<dataset>_<agency>_<period>_content.csv``
(or ``.xlsx``, ``.ods``), dropped in the same landing folder. The names say which half each
is and which return, contract and period both belong to.

Every row of each half starts with its ``record_reference``: random letters (about 71 bits),
the same on the two rows of one record. It carries nothing about the record (not a row
number, not a hash of its content) and, being letters only, never reads as a CHI number,
a postcode or a date.
"""

from __future__ import annotations

import re
import secrets

IDENTIFIERS, CONTENT = "identifiers", "content"
PARTS = (IDENTIFIERS, CONTENT)
REFERENCE = "record_reference"
REFERENCE_PATTERN = r"^[a-z]{4}(-[a-z]{4}){3}$"
_PART = re.compile(r"(?P<period>[^_]+)_(?P<part>[a-z]+(_[a-z]+)*)")
_LETTERS = "abcdefghjkmnpqrstvwxyz"  # as the ledger's entry ids: no vowel that could spell a word with the rest


def new_reference() -> str:
    """A random record reference, like ``kdqm-xwtz-bvnh-prsa``."""
    letters = "".join(secrets.choice(_LETTERS) for _ in range(16))
    return "-".join(letters[i:i + 4] for i in range(0, 16, 4))


def period_and_part(named: str) -> tuple[str, str | None]:
    """What a return's name gives between ``<dataset>_<agency>_`` and its extension: the period, and which file of
    a return sent in several it is (a half, or a layered return's part, ``layered_returns``; None for a single file).
    A period never holds an underscore; a part is lower-case words."""
    found = _PART.fullmatch(named)
    return (found["period"], found["part"]) if found else (named, None)


def half_name(dataset: str, agency: str, period: str, part: str, suffix: str = ".csv") -> str:
    return f"{dataset}_{agency}_{period}_{part}{suffix}"


def other(part: str) -> str:
    return CONTENT if part == IDENTIFIERS else IDENTIFIERS
