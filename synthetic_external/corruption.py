"""Corrupt a person's record the way the FEBRL and GeCo generators do.

As in FEBRL's generated data sets, a person's first record is the original, as drawn, and
each further record (a duplicate) has errors: how many is drawn from ``ERRORS_PER_DUPLICATE``
(FEBRL modifies every duplicate at least once, up to a maximum per record); each error is one
kind of ``ERROR_KINDS``, drawn by weight, applied to the field it names. Independently the
person of a duplicate may have moved house (a new address and postcode of the same locale). The kinds follow GeCo's
attribute corruptors: keyboard typos (insert, delete, substitute a neighbouring key, swap
two letters), OCR confusions, phonetic variants, missing values, swapped values, plus the
errors of people's own records: dropped diacritics, one part of a double-barrelled surname,
a shortened forename, an abbreviated address, day and month of birth swapped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import numpy as np
from faker import Faker

from synthetic_external.people import new_address

# How many errors a duplicate carries: one to three, each as likely.
ERRORS_PER_DUPLICATE = {1: 1 / 3, 2: 1 / 3, 3: 1 / 3}
MOVED_SHARE = 0.1
_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
# Characters an OCR engine reads for another (GeCo's OCR lookup, in both directions).
_OCR = (("m", "rn"), ("d", "cl"), ("l", "1"), ("o", "0"), ("s", "5"), ("b", "8"), ("e", "c"), ("i", "l"), ("u", "v"), ("h", "b"), ("g", "q"), ("w", "vv"))
# Spellings that sound alike (a subset of GeCo's phonetic rules), in both directions.
_PHONETIC = (
    ("ph", "f"), ("ck", "k"), ("c", "k"), ("ie", "y"), ("ou", "ow"), ("th", "t"), ("ae", "e"), ("sch", "sh"),
    ("v", "w"), ("z", "s"), ("ei", "ai"), ("ll", "l"), ("tt", "t"), ("nn", "n"), ("ss", "s"), ("y", "i"),
    ("ch", "k"), ("gh", "g"), ("dt", "t"), ("ks", "x"), ("qu", "kw"),
)


def _neighbours() -> dict[str, str]:
    near: dict[str, str] = {}
    for row_index, row in enumerate(_ROWS):
        for column, key in enumerate(row):
            around = [row[c] for c in (column - 1, column + 1) if 0 <= c < len(row)]
            for other in (row_index - 1, row_index + 1):
                if 0 <= other < len(_ROWS):
                    around += [_ROWS[other][c] for c in (column - 1, column, column + 1) if 0 <= c < len(_ROWS[other])]
            near[key] = "".join(around)
    return near


_NEAR = _neighbours()


def _with_case(original: str, replacement: str) -> str:
    return replacement.upper() if original.isupper() else replacement


def typo(rng: np.random.Generator, text: str) -> str:
    """One keyboard slip: a neighbouring key inserted or typed instead, a letter lost, or two swapped."""
    positions = [i for i, ch in enumerate(text) if ch.lower() in _NEAR]
    if not positions:
        return text
    i = positions[int(rng.integers(len(positions)))]
    near = _NEAR[text[i].lower()]
    key = _with_case(text[i], near[int(rng.integers(len(near)))])
    kind = int(rng.integers(4))
    if kind == 0:
        return text[:i] + key + text[i:]
    if kind == 1 and len(text) > 1:
        return text[:i] + text[i + 1 :]
    if kind == 2 and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + key + text[i + 1 :]


def _replace_one(rng: np.random.Generator, text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """One occurrence of either side of one of ``pairs`` replaced by the other side."""
    lower = text.lower()
    options = [(a, b, i) for x, y in pairs for a, b in ((x, y), (y, x)) for i in range(len(lower)) if lower.startswith(a, i)]
    if not options:
        return text
    a, b, i = options[int(rng.integers(len(options)))]
    return text[:i] + _with_case(text[i : i + len(a)], b) + text[i + len(a) :]


def ocr_error(rng: np.random.Generator, text: str) -> str:
    return _replace_one(rng, text, _OCR)


def phonetic_variant(rng: np.random.Generator, text: str) -> str:
    return _replace_one(rng, text, _PHONETIC)


def without_diacritics(text: str) -> str:
    """"Jos\u00e9 M\u00fcller" as "Jose Muller": what a system without accents keeps."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def one_part_of_surname(rng: np.random.Generator, surname: str) -> str:
    """A double-barrelled surname with one part only, or a space for the hyphen."""
    parts = surname.split("-")
    if len(parts) < 2:
        return surname
    choice = int(rng.integers(3))
    return " ".join(parts) if choice == 2 else parts[choice]


def shortened(rng: np.random.Generator, forename: str) -> str:
    """"Alexander" as "Alex": the first three to five letters of a longer forename."""
    return forename[: int(rng.integers(3, 6))] if len(forename) > 5 else forename


def abbreviated(rng: np.random.Generator, address: str) -> str:
    """One long word of an address cut to a few letters and a dot ("Street" as "Str.")."""
    words = address.split(" ")
    long = [i for i, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    if not long:
        return address
    i = long[int(rng.integers(len(long)))]
    words[i] = words[i][: int(rng.integers(2, 5))] + "."
    return " ".join(words)


def day_and_month_swapped(date_of_birth: str) -> str:
    year, month, day = date_of_birth.split("-")
    return f"{year}-{day}-{month}" if int(day) <= 12 else date_of_birth


def _digit_typo(rng: np.random.Generator, text: str) -> str:
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if not digits:
        return text
    i = digits[int(rng.integers(len(digits)))]
    return text[:i] + str((int(text[i]) + int(rng.integers(1, 10))) % 10) + text[i + 1 :]


def _on(field: str, change: Callable[[np.random.Generator, str], str]) -> Callable[[np.random.Generator, dict], None]:
    def apply(rng: np.random.Generator, record: dict) -> None:
        if isinstance(record[field], str):
            record[field] = change(rng, record[field])

    return apply


def _missing(field: str) -> Callable[[np.random.Generator, dict], None]:
    def apply(rng: np.random.Generator, record: dict) -> None:
        record[field] = None

    return apply


def _swap_names(rng: np.random.Generator, record: dict) -> None:
    record["forename"], record["surname"] = record["surname"], record["forename"]


def _plain(rng: np.random.Generator, record: dict) -> None:
    for field in ("forename", "surname", "address"):
        if isinstance(record[field], str):
            record[field] = without_diacritics(record[field])


# (kind, weight, what it does to a record)
ERROR_KINDS: tuple[tuple[str, float, Callable[[np.random.Generator, dict], None]], ...] = (
    ("forename typo", 2, _on("forename", typo)),
    ("surname typo", 2, _on("surname", typo)),
    ("address typo", 1, _on("address", typo)),
    ("date of birth digit", 1, _on("date_of_birth", _digit_typo)),
    ("postcode typo", 1, _on("postcode", typo)),
    ("forename OCR", 0.5, _on("forename", ocr_error)),
    ("surname OCR", 0.5, _on("surname", ocr_error)),
    ("address OCR", 0.5, _on("address", ocr_error)),
    ("forename phonetic", 1, _on("forename", phonetic_variant)),
    ("surname phonetic", 1, _on("surname", phonetic_variant)),
    ("forename missing", 0.5, _missing("forename")),
    ("surname missing", 0.5, _missing("surname")),
    ("date of birth missing", 1, _missing("date_of_birth")),
    ("address missing", 1, _missing("address")),
    ("postcode missing", 1, _missing("postcode")),
    ("names swapped", 1, _swap_names),
    ("day and month swapped", 1, _on("date_of_birth", lambda rng, value: day_and_month_swapped(value))),
    ("diacritics dropped", 1, _plain),
    ("one part of a double-barrelled surname", 1, _on("surname", one_part_of_surname)),
    ("forename shortened", 1, _on("forename", shortened)),
    ("address abbreviated", 1, _on("address", abbreviated)),
)
_WEIGHTS = np.array([weight for _, weight, _ in ERROR_KINDS]) / sum(weight for _, weight, _ in ERROR_KINDS)


def corrupt(person: dict, rng: np.random.Generator, fakers: dict[str, Faker], errors_per_record: dict[int, float] = ERRORS_PER_DUPLICATE) -> dict:
    """A duplicate record of ``person`` (a row of ``people.draw_people``), with errors."""
    record = dict(person)
    if rng.random() < MOVED_SHARE:
        record["address"], record["postcode"] = new_address(fakers[person["locale"]])
    counts, shares = zip(*errors_per_record.items())
    for _ in range(int(rng.choice(counts, p=np.array(shares) / sum(shares)))):
        ERROR_KINDS[int(rng.choice(len(ERROR_KINDS), p=_WEIGHTS))][2](rng, record)
    return record
