"""Remove names, places and identifiers from free text before it is published.

Quotes and organisations' accounts are published only with consent, and only after anything
that could point to a person has been taken out. ``redact`` replaces what it recognises with
a bracketed label and **withholds** (returns no text) what it cannot make safe: the rule is
that a quote is lost rather than a person named. Losing a quote that names no one is a harm
too (care-experienced people's own words are the heart of Q1), so a sentence that opens with
an ordinary word is published.

Method notes: docs/publication.md, "Notes on `assets/publication/redaction.py`".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from assets.publication.lexicon import Lexicon, lexicon

__all__ = ["MAX_REMOVALS", "Lexicon", "Redacted", "lexicon", "redact"]

MAX_REMOVALS = 3

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
# A word, not a label already put in ("[name]").
WORD = re.compile(r"(?<!\[)\b[^\W\d_][\w'’-]*")
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
# Words of everyday speech in Scotland that some list also holds as a name ("Nae", "Tae", "Fae", "Uni"):
# words, not names, in lower case (the English word list has no Scots and little slang).
SPOKEN = frozenset("nae tae fae wi oot hame cos coz uni nan nana telly hun bae ned".split())
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
# After a capitalised name that is also a word, these make it read as a person ("Grace said", "Mark and me",
# "Hope, my worker"), not a word ("Mark my words").
NAME_CONTEXT = frozenset(
    """, and from at was is has had said says told tells came comes never always just got gave took made kept stayed
    phoned called rang helped listened knew knows left sorted drove used would will could did does went asked
    taught showed found believed""".split()
)
_OPENERS_LOWER = frozenset(o.lower() for o in OPENERS)


@dataclass(frozen=True)
class Redacted:
    """Text safe to publish (``None`` when withheld), what was removed and, if withheld, why."""

    text: str | None
    removed: tuple[str, ...]
    withheld_because: str = ""


@dataclass(frozen=True)
class _Word:
    """One word of the text with what its kind depends on: where it stands and its neighbours."""

    text: str
    base: str  # without a contraction or possessive ("Oluwaseun's" -> "Oluwaseun")
    opens: bool  # first word of a sentence
    following: str  # the word after, in lower case, or "," when a comma comes first

    @property
    def lowered(self) -> str:
        return self.base.lower()

    @property
    def capital(self) -> bool:
        return self.text[0].isupper()


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


@cache
def _phrase_patterns(phrases: tuple[str, ...], english_words: frozenset[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Places of several words: one pattern in any case, one for those made of ordinary words, capitals required."""
    distinctive = [p for p in phrases if not all(w.lower() in english_words for w in p.split())]
    ordinary = [p for p in phrases if p not in distinctive]

    def alternation(items: list[str]) -> str:
        return r"\b(?:" + "|".join(re.escape(p) for p in items) + r")\b" if items else r"(?!)"

    return re.compile(alternation(distinctive), re.IGNORECASE), re.compile(alternation(ordinary))


def _place(word: _Word, words: Lexicon) -> bool:
    if word.lowered not in words.place_words:
        return False
    # "Dollar", "Cove": a place that is also a word is a place only with its capital in mid-sentence.
    return word.lowered not in words.english_words or (word.capital and not word.opens)


def _name(word: _Word, words: Lexicon) -> bool:
    if word.lowered not in words.person_names or (not word.capital and word.lowered in SPOKEN):
        return False
    if word.lowered not in words.english_words:
        return True
    # A name that is also a word ("Grace", "Young") is a name where it stands as one: "Grace said", "Young's".
    possessive = word.text[len(word.base):].lower() in ("'s", "’s")
    return word.capital and word.lowered in words.uk_names and (possessive or word.following in NAME_CONTEXT)


def _unknown_opener(word: _Word, words: Lexicon) -> bool:
    """A sentence's first word known to no list: it may be a name, and its capital cannot tell."""
    lowered = word.lowered
    if lowered in words.english_words or lowered in _OPENERS_LOWER or lowered in SPOKEN or word.base in EVERYDAY or word.base in INITIALISMS:
        return False
    return not _everyday_opener(word.base if word.capital else word.base.capitalize())


def _kind(word: _Word, words: Lexicon) -> str:
    """``place``, ``name``, ``withhold`` or "" (publish the word as it is)."""
    if word.opens and word.capital and (word.text in OPENERS or word.base in OPENERS):
        return ""  # listed openers win over the lists ("Young people...", "Will you...")
    if _place(word, words):
        return "place"
    if _name(word, words):
        return "name"
    if word.opens:
        return "withhold" if _unknown_opener(word, words) else ""
    if word.capital and word.base not in EVERYDAY and word.base not in INITIALISMS:
        return "name"
    return ""


def _words(text: str) -> list[tuple[re.Match[str], _Word]]:
    matches = list(WORD.finditer(text))
    lowered = [m.group().lower() for m in matches]
    return [
        (m, _Word(
            text=m.group(),
            base=CONTRACTION.sub("", m.group()),
            opens=_starts_sentence(text, m.start()),
            following="," if text[m.end():m.end() + 1] == "," else (lowered[i + 1] if i + 1 < len(matches) else ""),
        ))
        for i, m in enumerate(matches)
    ]


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
    for pattern in _phrase_patterns(words.place_phrases, words.english_words):
        result = replace("place", pattern, result)
    result = replace("name", TITLE_AND_NAME, result)

    pieces: list[str] = []
    last = 0
    unknown_opener = ""
    for match, word in _words(result):
        kind = _kind(word, words)
        if kind == "withhold":
            unknown_opener = unknown_opener or word.base
        elif kind:
            removed.append(kind)
            pieces.append(result[last:match.start()] + _label(kind) + word.text[len(word.base):])
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
