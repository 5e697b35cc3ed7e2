"""Remove names, places and identifiers from free text before it is published.

Quotes and organisations' accounts are published only with consent, and only after anything
that could point to a person has been taken out. ``redact`` replaces what it recognises with
a bracketed label and **withholds** (returns no text) what it cannot make safe: the rule is
that a quote is lost rather than a person named.

Replaced, in this order (labels in brackets):

1. e-mail addresses ``[email]``, web links ``[link]``, postcodes ``[postcode]`` (any case,
   with or without the space), phone numbers ``[phone]`` (UK forms: eleven digits from 0,
   or +44), dates ``[date]`` (numeric, ISO, "3rd of March 2024", "March 3", "March 2024", a
   month name alone, a year 1900-2099), and CHI-, SCN- or other reference-shaped numbers of
   six or more digits ``[number]``;
2. council names and the place words in them ("City of Edinburgh", "Edinburgh", "Orkney")
   from the councils reference table ``[place]`` (a place word in lower case too, when it
   has ``MIN_LOWER_CASE_PLACE`` letters or more);
3. a title and the name after it ("Mrs Smith") ``[name]``; any capitalised word in the
   names lists (the forenames and surnames the synthetic population is drawn from) ``[name]``;
4. any other capitalised word in mid-sentence that is not an everyday word of this domain
   (``EVERYDAY``): it is taken to be a person or a place (towns, schools, teams), ``[name]``.
   Words in capitals (initialisms such as a school's) are treated the same unless they are
   known public bodies (``INITIALISMS``).

Withheld: text that starts a sentence with a capitalised word that is neither a known name
nor an everyday word (listed in ``OPENERS``, ending like one, ``WORD_ENDINGS``, or
hyphenated like "Short-term"): it may be an unknown name, and a sentence's first word
cannot be told apart by its capital; text with a number of three or more digits
left over (house numbers, partial references), text with an ``@`` left over, and text with
more than ``MAX_REMOVALS`` removals (so much was identifying that the rest may still be).

Limits: a name written in lower case is not caught (many surnames are everyday words:
Young, Love, Black, Wood); the surname "Young" at the start of a sentence is read as the word
("Young people said...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assets.reference import councils
from synthetic.names import FORENAMES, SURNAMES

MAX_REMOVALS = 3
# A place word in lower case ("dundee") is still a place when it is this long; shorter ones
# ("na", "bute") are too often parts of other words to remove without a capital.
MIN_LOWER_CASE_PLACE = 5

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("link", re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)),
    ("postcode", re.compile(r"\b[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)),
    ("phone", re.compile(r"\+44\s?(?:\(0\)\s?)?\d(?:[\s-]?\d){8,9}\b|\b0\d(?:[\s-]?\d){9}\b")),
    ("date", re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")),
    ("date", re.compile(rf"\b{_DAY}\s+(?:of\s+)?(?:{MONTHS})\b\.?(?:,?\s+\d{{4}})?", re.IGNORECASE)),
    ("date", re.compile(rf"\b(?:{MONTHS})\.?\s+{_DAY}\b(?:,?\s+\d{{4}})?|\b(?:{MONTHS})\.?\s+\d{{4}}\b")),
    ("number", re.compile(r"(?<![\w-])\d(?:[\s-]?\d){5,}(?![\w-])")),
    ("date", re.compile(r"\b(?:19|20)\d{2}\b")),
    ("date", re.compile(rf"\b(?:{MONTHS})\b")),
)
TITLE_AND_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+[A-Z][\w'’-]*")
CAPITALISED = re.compile(r"\b(?:[^\W\d_][\w'’-]*)")
CONTRACTION = re.compile(r"['’](?:s|m|ve|d|ll|re|t)$", re.IGNORECASE)

# Capitalised words that name no one: the domain's own words, days, nations, languages.
EVERYDAY = frozenset(
    """I Scotland Scottish Scots Britain British UK England English Wales Welsh Ireland Irish Gaelic Polish Urdu
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Christmas Easter Eid Diwali Ramadan Hogmanay
    Promise Plan Children Children's Childrens Hearing Hearings Panel Reporter Council Councils School Schools Social Work
    Worker Workers Care Experienced Government Parliament Minister Court Police Team Service Services Unit House Home
    Family Families Kinship Foster Carer Carers Young People Person Board Health Trust Network Forum Group Centre
    Advocacy Voice People Scaffolding Guardian Champions Champion Youth Club Covid COVID Mum Dad Gran Granny Papa""".split()
)
INITIALISMS = frozenset("NHS CAMHS SCRA SPS SQA SCQF UK GP TV CV ADHD ASN LGBT LGBTQ COSLA TPS OK".split())
# Words a sentence may start with that are not names.
OPENERS = frozenset(
    """A An The This That These Those There Their They Them He She It Its We Our Us You Your My Me Mine His Her Hers
    I I'm I've I'd I'll Im Ive Id When Whenever While Where Why What Which Who How If Because Since After Before
    Until Once Now Then So But And Or Yet Also Still Even Just Only Not No Nobody Nothing None Noone Never Yes
    Everyone Everybody Everything Someone Somebody Something Sometimes Often Always Usually Most Many Much More
    Some Any All Each Every Both Few Lots Loads Being Having Getting Going Having Living Moving Seeing Talking
    Being Feeling Knowing Staff People Young Children Kids Parents Families Carers Workers Support School Schools
    Things Life Home Care Help Having Thank Thanks Please Maybe Perhaps Really Honestly Actually Definitely
    Last First Next Another Other Once Twice Again Here Today Yesterday Tomorrow Later Earlier Instead Without
    With Within For From In On At To Into Over Under About Around Through During Between Against Like Unlike
    Sometimes Mostly Overall Finally Generally Anyway Otherwise However Although Though Whether Unless Apart
    Too Very Well Good Great Better Best Bad Worse Worst Hard Easy Nice Happy Sad Angry Scared Safe Loved
    Respected Listening Listen Hearing Meetings Meeting Having Waiting Moving Changing Change Nothing Lots
    Ask Tell Call Write Let Make Give Keep Stop Try Do Does Did Dont Is Are Was Were Can Could Would Should
    Fewer Less Small Big Large New Old Short Long Data Information Funding Money Time Budget Budgets Systems
    Services Partners Agencies Plans Work Progress Practice Training Learning Relationships Recruitment""".split()
)
# Endings of everyday words that names (almost) never have: a sentence opener ending so is kept.
WORD_ENDINGS = ("ing", "tion", "sion", "ment", "ness", "ity", "ies", "ful", "less", "ous")
MIN_ENDING_WORD = 6


@dataclass(frozen=True)
class Lexicon:
    """What the redaction knows by name: people's names and places (lower case)."""

    person_names: frozenset[str]
    place_phrases: tuple[str, ...]  # whole council names, longest first
    place_words: frozenset[str]


@dataclass(frozen=True)
class Redacted:
    """Text safe to publish (``None`` when withheld), what was removed and, if withheld, why."""

    text: str | None
    removed: tuple[str, ...]
    withheld_because: str = ""


_NOT_A_PLACE_WORD = frozenset("city of and the islands council east west north south scottish".split())


@cache
def lexicon(reference_dir: Path) -> Lexicon:
    """Names from the names lists, places from the councils reference table."""
    council_names = sorted(councils(reference_dir).names.values(), key=len, reverse=True)
    words = {w.lower() for name in council_names for w in re.split(r"[\s,]+", name) if w and w.lower() not in _NOT_A_PLACE_WORD}
    people = {str(n).lower() for n in FORENAMES} | {s.lower() for s in SURNAMES}
    return Lexicon(person_names=frozenset(people), place_phrases=tuple(n.lower() for n in council_names), place_words=frozenset(words))


def _starts_sentence(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?:;\n"


def _everyday_opener(word: str) -> bool:
    """A sentence's first word that reads as an everyday word: listed, or an everyday ending, or hyphenated ("Short-term")."""
    if word in OPENERS:
        return True
    if len(word) >= MIN_ENDING_WORD and word.lower().endswith(WORD_ENDINGS):
        return True
    head, _, tail = word.partition("-")
    return bool(tail) and tail[:1].islower() and head in OPENERS


def _label(kind: str) -> str:
    return f"[{kind}]"


def redact(text: str | None, words: Lexicon) -> Redacted:
    """Return ``text`` with names, places and identifiers replaced, or withheld if it cannot be made safe."""
    if text is None or not str(text).strip():
        return Redacted(None, (), "no text")
    removed: list[str] = []
    result = " ".join(str(text).split())

    def replace(kind: str, pattern: re.Pattern[str], source: str) -> str:
        def one(match: re.Match[str]) -> str:
            removed.append(kind)
            return _label(kind)

        return pattern.sub(one, source)

    for kind, pattern in PATTERNS:
        result = replace(kind, pattern, result)
    for phrase in words.place_phrases:
        result = replace("place", re.compile(rf"\b{re.escape(phrase)}\b", re.IGNORECASE), result)
    result = replace("name", TITLE_AND_NAME, result)

    pieces: list[str] = []
    last = 0
    unknown_opener = ""
    for match in CAPITALISED.finditer(result):
        word = match.group()
        base = CONTRACTION.sub("", word)
        lowered = base.lower()
        capital = word[0].isupper()
        opens = capital and _starts_sentence(result, match.start())
        kind = ""
        if lowered in words.place_words and (capital or len(base) >= MIN_LOWER_CASE_PLACE):
            kind = "place"
        elif opens and (word in OPENERS or base in OPENERS):
            kind = ""  # listed openers win over the names lists ("Young people...")
        elif capital and lowered in words.person_names:
            kind = "name"
        elif not capital or base in EVERYDAY or base in INITIALISMS:
            kind = ""
        elif opens and not _everyday_opener(base):
            unknown_opener = unknown_opener or base
        elif not opens:
            kind = "name"
        if kind:
            removed.append(kind)
            pieces.append(result[last:match.start()] + _label(kind) + word[len(base):])
            last = match.end()
    result = "".join(pieces) + result[last:]

    if unknown_opener:
        return Redacted(None, tuple(removed), f"a sentence starts with '{unknown_opener}', which may be a name")
    if re.search(r"\d{3,}", result):
        return Redacted(None, tuple(removed), "a number of three or more digits is left")
    if "@" in result:
        return Redacted(None, tuple(removed), "an @ is left")
    if len(removed) > MAX_REMOVALS:
        return Redacted(None, tuple(removed), f"more than {MAX_REMOVALS} removals")
    return Redacted(result, tuple(removed))
