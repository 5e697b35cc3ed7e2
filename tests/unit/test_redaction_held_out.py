"""Redaction on quotes it was never built from: no identifying token published, at most 1 in 10 plain quotes withheld."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets.publication.redaction import lexicon
from assets.publication.redaction_quality import TARGET_PLAIN_WITHHELD_SHARE, HeldOut, Quote, score
from tests.support.paths import SHARED

WORDS = lexicon(SHARED / "reference")
HELD_OUT = HeldOut.read(Path(__file__).with_name("redaction_held_out.yaml"))


def test_the_held_out_set_covers_both_directions_and_many_communities() -> None:
    # Enough quotes each way that one failure shows, and a withheld share of 1 in 10 means something.
    assert len(HELD_OUT.naming) >= 50 and len(HELD_OUT.plain) >= 50
    assert all(q.identifying for q in HELD_OUT.naming) and not any(q.identifying for q in HELD_OUT.plain)
    assert sum(q.text[0].islower() for q in HELD_OUT.naming) >= 10  # names and sentences in lower case


def test_no_identifying_token_of_a_held_out_quote_is_published() -> None:
    figures = score(HELD_OUT.naming, (), WORDS)
    assert figures.tokens_published == []


def test_at_most_one_plain_held_out_quote_in_ten_is_withheld() -> None:
    figures = score((), HELD_OUT.plain, WORDS)
    assert figures.plain_withheld_share <= TARGET_PLAIN_WITHHELD_SHARE, figures.plain_withheld


@pytest.mark.parametrize(
    ("quote", "published"),
    [
        (Quote("Meeting Mei helped.", ("Mei",)), []),  # the name is removed; "Meeting" is not "Mei"
        (Quote("Zebedee was kind.", ("Zebedee",)), []),  # withheld: nothing published
    ],
)
def test_the_count_reads_whole_words(quote: Quote, published: list[str]) -> None:
    assert [t for t, _ in score((quote,), (), WORDS).tokens_published] == published


def test_the_count_sees_a_token_that_survives() -> None:
    # A quote redaction cannot know is unsafe ("rose" the name): the count must find it, or it proves nothing.
    [(token, text)] = score((Quote("me and rose went out.", ("rose",)),), (), WORDS).tokens_published
    assert token == "rose" and "rose" in text
