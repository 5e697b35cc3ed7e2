"""Redaction of free text: planted names, places and identifiers never survive; what cannot be made safe is withheld."""

from __future__ import annotations

import pytest

from assets.publication.redaction import MAX_REMOVALS, lexicon, redact
from tests.conftest import SHARED

WORDS = lexicon(SHARED / "reference")


@pytest.mark.parametrize(
    ("text", "planted", "label"),
    [
        ("My worker Sarah in Paisley really listens to me.", ["Sarah", "Paisley"], "[name]"),
        ("Mrs MacKay at the school made sure I wasn't left out.", ["MacKay", "Mrs"], "[name]"),
        ("Since I came to Dundee things got better.", ["Dundee"], "[place]"),
        ("i moved to dundee last year.", ["dundee"], "[place]"),
        ("The team in City of Edinburgh helped.", ["Edinburgh"], "[place]"),
        ("The team in Na h-Eileanan Siar helped.", ["Eileanan", "Siar"], "[place]"),
        ("Someone from the Oakbank unit phoned.", ["Oakbank"], "[name]"),
        ("Kacper's mum came to the meeting.", ["Kacper"], "[name]"),
        ("I was moved on 03/04/2021 without notice.", ["03/04/2021", "2021"], "[date]"),
        ("It all changed on the 3rd of March 2022.", ["3rd", "March", "2022"], "[date]"),
        ("It all changed in June.", ["June"], "[date]"),
        ("My number was 0101011237 on the form.", ["0101011237"], "[number]"),
        ("My candidate number 123 456 789 was wrong.", ["123 456 789"], "[number]"),
        ("You can reach me on 07700 900123 any time.", ["07700", "900123"], "[phone]"),
        ("You can reach me on +44 7700 900123 any time.", ["7700", "900123"], "[phone]"),
        ("Write to me at jo.bloggs@example.org please.", ["jo.bloggs", "example.org"], "[email]"),
        ("We lived near G12 8QQ before.", ["G12", "8QQ"], "[postcode]"),
        ("We lived near eh11yz before.", ["eh11yz"], "[postcode]"),
    ],
)
def test_planted_identifiers_are_removed(text: str, planted: list[str], label: str) -> None:
    result = redact(text, WORDS)
    assert result.text is not None, result.withheld_because
    for piece in planted:
        assert piece not in result.text
    assert label in result.text


@pytest.mark.parametrize(
    "text",
    [
        "People listen to me at my meetings.",
        "When I turned 16 the support just stopped.",
        "I don't get to see my sister as much as I want.",
        "Young people in Scotland get more say at their Children's Hearing now.",
        "CAMHS and the NHS saw me quicker this time.",
    ],
)
def test_text_without_identifiers_is_published_unchanged(text: str) -> None:
    assert redact(text, WORDS).text == text


@pytest.mark.parametrize(
    ("text", "because"),
    [
        ("Zebedee helped me when nobody else did.", "may be a name"),  # an unknown name opening a sentence
        ("I lived at 221 the big street.", "three or more digits"),
        ("Sarah, Kyle, Morag and Brodie all left the same year.", f"more than {MAX_REMOVALS}"),
        ("   ", "no text"),
        (None, "no text"),
    ],
)
def test_text_that_cannot_be_made_safe_is_withheld(text: str | None, because: str) -> None:
    result = redact(text, WORDS)
    assert result.text is None
    assert because in result.withheld_because


def test_every_synthetic_name_is_caught_in_mid_sentence() -> None:
    from synthetic.names import FORENAMES, SURNAMES

    for name in [*FORENAMES, *SURNAMES]:
        result = redact(f"My worker {name} stayed.", WORDS)
        # A name that is also a place word (Angus, Moray) may be labelled either way: it is gone.
        assert result.text in ("My worker [name] stayed.", "My worker [place] stayed."), name


def test_a_listed_name_opening_a_sentence_is_removed_even_with_an_everyday_ending() -> None:
    assert redact("Fleming helped me. Testing it was hard.", WORDS).text == "[name] helped me. Testing it was hard."
