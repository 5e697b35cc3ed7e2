"""Redaction of free text: planted names, places and identifiers never survive; what cannot be made safe is withheld."""

from __future__ import annotations

import pytest

from assets.publication.redaction import EVERYDAY, MAX_REMOVALS, lexicon, redact
from tests.support.paths import SHARED

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

    # The generator's names were never part of the lexicon: this checks the real lists cover them.
    # Everyday words of the domain that are also surnames ("Welsh", "English") are words unless they read as a name.
    for name in [n for n in [*FORENAMES, *SURNAMES] if str(n) not in EVERYDAY]:
        result = redact(f"My worker {name} stayed.", WORDS)
        # A name that is also a place word (Angus, Moray) may be labelled either way: it is gone.
        assert result.text in ("My worker [name] stayed.", "My worker [place] stayed."), name


def test_a_listed_name_opening_a_sentence_is_removed_even_with_an_everyday_ending() -> None:
    assert redact("Fleming helped me. Testing it was hard.", WORDS).text == "[name] helped me. Testing it was hard."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The examples: a lower-case name, and plain quotes opening with a word no list of openers holds.
        ("zainab from the youth group got me a place at college", "[name] from the youth group got me a place at college"),
        ("Brilliant support from everyone, honestly.", "Brilliant support from everyone, honestly."),
        ("Teachers never explained anything to me.", "Teachers never explained anything to me."),
        # A name that is also a word: a name where it reads as one, a word where it does not.
        ("Grace said I could phone her any time.", "[name] said I could phone her any time."),
        ("Mark my words, it gets better.", "Mark my words, it gets better."),
        ("Hope is what kept me going.", "[name] is what kept me going."),  # the cautious reading of "Hope is"
        ("My worker Young stayed.", "My worker [name] stayed."),
        ("The Young People's panel listened.", "The Young People's panel listened."),
        # Places from the gazetteer, not only councils; a place that is a word only with its capital.
        ("We moved to Dollar when I was ten.", "We moved to [place] when I was ten."),
        ("I didn't have a dollar to my name.", "I didn't have a dollar to my name."),
        ("the unit in bridge of allan was quiet.", "the unit in [place] was quiet."),
        ("Aye, it's better than it was.", "Aye, it's better than it was."),
        # Scots and everyday speech that some list holds as a name: words in lower case.
        ("i went fae the unit tae uni and nae one stopped me.", "i went fae the unit tae uni and nae one stopped me."),
    ],
)
def test_names_places_and_ordinary_words_are_told_apart(text: str, expected: str) -> None:
    result = redact(text, WORDS)
    assert result.text == expected, result.withheld_because


def test_a_lower_case_sentence_opening_with_an_unknown_word_is_withheld() -> None:
    # Someone who writes names in lower case may not capitalise a sentence either.
    result = redact("abebe sorted my flat.", WORDS)
    assert result.text is None and "may be a name" in result.withheld_because
