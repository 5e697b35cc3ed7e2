"""What redaction knows by name: people's names, Scottish places and ordinary English words.

Reference data, not test data: nothing here comes from the synthetic generator (which may use
these lists, never the reverse). Each source is a maintained public list, named with its
version and licence in ``lexicon_data/README.md``:

- **person names**: every Latin-script forename and surname in Faker's person lists for the
  locales of the UK's communities and many more (MIT), and the forenames of Jörg Michael's
  name dictionary shipped by ``gender-guesser`` (GFDL; read as data, its GPL code is not run),
  which records how common each name is in 54 countries;
- **places**: the GeoNames gazetteer's populated places in Scotland (``lexicon_data/scottish_places.tsv``,
  CC BY 4.0) and the councils reference table;
- **English words**: SCOWL's common British English words (size 35) that are written in lower
  case (``lexicon_data/english_words.txt``), which tells "Brilliant" (a word) from "Zainab" (not a
  word, a name) and "grace" the word from "Grace" the name only by where it stands.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assets.model.reference import councils

DATA = Path(__file__).parent / "lexicon_data"
# Locales whose names are common in the UK: with these, "a name is known" does not depend on
# the community it comes from. Every other Latin-script locale is included too (see person_names).
UK_LOCALES = ("en_GB", "en_IE", "ga_IE")
_NAME_LISTS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary", "last_names",
               "first_romanized_names", "last_romanized_names")
# gender-guesser's frequency columns: position 0 is Great Britain, 1 Ireland; hex 1 (rare) to D (very common).
_NAM_DICT_COLUMNS = 30
_COMMON_IN_UK = 4
# Words of council names that are not place names on their own.
_NOT_A_PLACE_WORD = frozenset("city of and the islands council east west north south scottish".split())
MIN_NAME_LETTERS = 3  # "li", "wu", "ng": too often parts of other things to remove in lower case


@dataclass(frozen=True)
class Lexicon:
    """The redaction's word lists, all in lower case."""

    person_names: frozenset[str]
    uk_names: frozenset[str]  # names common in the UK: an English word among them opening a sentence may be a name
    place_phrases: tuple[str, ...]  # places of more than one word as the gazetteer writes them, longest first
    place_words: frozenset[str]  # places of one word, and the distinctive words of council names
    english_words: frozenset[str]


def _latin(text: str) -> bool:
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in text)


def _faker_names(locales: tuple[str, ...] | None = None) -> set[str]:
    """Faker's person lists, by locale (every locale when ``locales`` is None), Latin script only."""
    import faker.providers.person as person

    chosen = locales or tuple(m.name for m in pkgutil.iter_modules(person.__path__))
    names: set[str] = set()
    for locale in chosen:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in _NAME_LISTS:
            values = getattr(provider, attribute, None)
            if isinstance(values, (list, tuple, dict)):
                names |= {v.lower() for v in values if isinstance(v, str) and _latin(v)}
    return names


def _nam_dict() -> dict[str, int]:
    """gender-guesser's name dictionary read as data: each forename with how common it is in Great Britain or Ireland (0-13)."""
    spec = importlib.util.find_spec("gender_guesser")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("gender-guesser is not installed: it is a pinned dependency (pyproject.toml)")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "nam_dict.txt"
    names: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line[0] in "#=":
            continue
        frequencies = line[_NAM_DICT_COLUMNS:-1]
        uk = max((int(c, 16) for c in frequencies[:2] if c.strip()), default=0)
        # "+" joins the parts of a compound name ("Abd+al"): written together, spaced or hyphenated.
        for name in {line.split()[1].replace("+", joiner) for joiner in ("", "-")}:
            names[name.lower()] = max(uk, names.get(name.lower(), 0))
    return names


@cache
def person_names() -> tuple[frozenset[str], frozenset[str]]:
    """Every known name, and those common in the UK."""
    nam_dict = _nam_dict()
    everyone = {n for n in _faker_names() | set(nam_dict) if len(n) >= MIN_NAME_LETTERS}
    common_in_uk = _faker_names(UK_LOCALES) | {n for n, f in nam_dict.items() if f >= _COMMON_IN_UK}
    return frozenset(everyone), frozenset(common_in_uk & everyone)


@cache
def english_words() -> frozenset[str]:
    return frozenset((DATA / "english_words.txt").read_text(encoding="utf-8").split())


@cache
def scottish_places() -> tuple[str, ...]:
    lines = (DATA / "scottish_places.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return tuple(sorted({line.split("\t")[0] for line in lines}))


@cache
def lexicon(reference_dir: Path) -> Lexicon:
    """Names, places (the gazetteer and the councils in ``reference_dir``) and English words."""
    council_names = list(councils(reference_dir).names.values())
    places = [p.replace("’", "'") for p in (*scottish_places(), *council_names)]
    words = english_words()
    council_words = {w.lower() for name in council_names for w in re.split(r"[\s,]+", name)}
    single = {p.lower() for p in places if " " not in p} | {w for w in council_words if w and w not in _NOT_A_PLACE_WORD and w not in words}
    phrases = sorted({p for p in places if " " in p}, key=len, reverse=True)
    everyone, common_in_uk = person_names()
    return Lexicon(
        person_names=everyone,
        uk_names=common_in_uk,
        place_phrases=tuple(phrases),
        place_words=frozenset(single),
        english_words=words,
    )
