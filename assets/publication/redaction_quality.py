"""How well redaction does on quotes whose answers are known, in the two directions that harm.

A published identifying token can point to a person; a withheld quote that named no one loses
a care-experienced person's own words for nothing. Both are counted, on a set of quotes that
no word list was built from (``tests/unit/redaction_held_out.yaml``), by the held-out test and
``bench/redaction_quality.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assets.publication.redaction import Lexicon, redact

TARGET_TOKENS_PUBLISHED = 0
TARGET_PLAIN_WITHHELD_SHARE = 0.1


@dataclass(frozen=True)
class Quote:
    text: str
    identifying: tuple[str, ...] = ()


@dataclass(frozen=True)
class HeldOut:
    naming: tuple[Quote, ...]  # point to someone: their identifying tokens must never be published
    plain: tuple[Quote, ...]  # name no one: should be published
    known_limit: tuple[Quote, ...]  # naming quotes the method is documented not to catch

    @classmethod
    def read(cls, path: Path) -> "HeldOut":
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        naming = tuple(Quote(q["text"], tuple(q["identifying"])) for q in raw["naming"])
        limit = tuple(Quote(q["text"], tuple(q["identifying"])) for q in raw.get("known_limit", []))
        return cls(naming=naming, plain=tuple(Quote(t) for t in raw["plain"]), known_limit=limit)


@dataclass
class Figures:
    tokens_published: list[tuple[str, str]] = field(default_factory=list)  # (token, the text published)
    naming_withheld: int = 0
    plain_withheld: list[tuple[str, str]] = field(default_factory=list)  # (quote, why)
    plain_changed: list[tuple[str, str]] = field(default_factory=list)  # (quote, as published)
    plain_total: int = 0

    @property
    def plain_withheld_share(self) -> float:
        return len(self.plain_withheld) / self.plain_total if self.plain_total else 0.0

    @property
    def met(self) -> bool:
        return len(self.tokens_published) <= TARGET_TOKENS_PUBLISHED and self.plain_withheld_share <= TARGET_PLAIN_WITHHELD_SHARE


def _published_tokens(quote: Quote, words: Lexicon) -> tuple[str | None, list[str]]:
    """The text as published (None if withheld) and which identifying tokens survive in it as whole words."""
    text = redact(quote.text, words).text
    if text is None:
        return None, []
    published = re.findall(r"[\w'’-]+", text)  # "Mei" inside "Meeting" is not Mei; "Oluwaseun's" is Oluwaseun
    return text, [t for t in quote.identifying if any(w == t or w.startswith((t + "'", t + "’")) for w in published)]


def score(quotes: tuple[Quote, ...], plain: tuple[Quote, ...], words: Lexicon) -> Figures:
    figures = Figures(plain_total=len(plain))
    for quote in quotes:
        text, published = _published_tokens(quote, words)
        figures.naming_withheld += text is None
        figures.tokens_published += [(t, text or "") for t in published]
    for quote in plain:
        result = redact(quote.text, words)
        if result.text is None:
            figures.plain_withheld.append((quote.text, result.withheld_because))
        elif result.text != quote.text:
            figures.plain_changed.append((quote.text, result.text))
    return figures
