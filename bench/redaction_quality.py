"""Benchmark: redaction on held-out quotes, in both directions that harm.

    .venv/bin/python bench/redaction_quality.py [--quotes tests/unit/redaction_held_out.yaml]

Prints identifying tokens published (target 0), plain quotes withheld (target at most 1 in 10),
plain quotes changed though they name no one, naming quotes withheld whole, the documented
limit (names that are ordinary words, in lower case) apart, the time per quote, and met/missed.
The quotes were written by hand and no word list was built from them (issue 12).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from assets.publication.redaction import lexicon
from assets.publication.redaction_quality import TARGET_PLAIN_WITHHELD_SHARE, TARGET_TOKENS_PUBLISHED, HeldOut, score
from orchestration.settings import REPO_ROOT

QUOTES = REPO_ROOT / "tests" / "unit" / "redaction_held_out.yaml"
REFERENCE = REPO_ROOT.parent / "shared" / "reference"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=Path, default=QUOTES)
    parser.add_argument("--reference", type=Path, default=REFERENCE, help="the councils reference table's folder")
    args = parser.parse_args()
    started = time.perf_counter()
    words = lexicon(args.reference)
    loaded = time.perf_counter() - started
    held_out = HeldOut.read(args.quotes)
    started = time.perf_counter()
    figures = score(held_out.naming, held_out.plain, words)
    limit = score(held_out.known_limit, (), words)
    per_quote = (time.perf_counter() - started) / (len(held_out.naming) + len(held_out.plain) + len(held_out.known_limit))

    print(f"lexicon loaded in {loaded:.2f} s: {len(words.person_names):,} names, {len(words.place_words) + len(words.place_phrases):,} places, {len(words.english_words):,} English words")
    print(f"naming quotes: {len(held_out.naming)}, withheld whole: {figures.naming_withheld}")
    print(f"identifying tokens published: {len(figures.tokens_published)} (target {TARGET_TOKENS_PUBLISHED})")
    for token, text in figures.tokens_published:
        print(f"  {token!r} in: {text}")
    print(f"plain quotes withheld: {len(figures.plain_withheld)} of {figures.plain_total} = {figures.plain_withheld_share:.1%} (target at most {TARGET_PLAIN_WITHHELD_SHARE:.0%})")
    for text, why in figures.plain_withheld:
        print(f"  {text}  ({why})")
    print(f"plain quotes changed though they name no one: {len(figures.plain_changed)}")
    for text, published in figures.plain_changed:
        print(f"  {text}  ->  {published}")
    print(f"known limit (names that are words, in lower case): {len(limit.tokens_published)} of {sum(len(q.identifying) for q in held_out.known_limit)} tokens published")
    print(f"time per quote: {per_quote * 1000:.2f} ms")
    print("targets:", "met" if figures.met else "missed")


if __name__ == "__main__":
    main()
