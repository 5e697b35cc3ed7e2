"""``link_people`` and ``link_two_tables`` on tables unlike the pipeline's: any standard column
missing or empty, names and postcodes of other countries, and degenerate tables."""

from __future__ import annotations

import pandas as pd
import pytest

from assets.linkage import probabilistic
from assets.linkage.core import STANDARD_COLUMNS, link_people, link_two_tables, prepare_people


def _people() -> pd.DataFrame:
    """Six people; Zoë's and Ewan's records are each one person written twice (a dropped
    diacritic, one part of a double-barrelled surname, a postcode without its space)."""
    return pd.DataFrame(
        {
            "forename": ["Zoë", "Zoe", "Ewan", "Ewan", "Mairi", "Tomasz", "Aoife", "Calum"],
            "surname": ["Smith-Jones", "Jones", "Baird", "Baird", "Lennox", "Nowak", "Byrne", "Reid"],
            "date_of_birth": ["2008-03-14", "2008-03-14", "2010-11-02", "2010-11-02", "2009-06-30", "2011-01-21", "2007-09-09", "2012-12-12"],
            "sex": ["F", "F", "M", "M", "F", "M", "F", "M"],
            "postcode": ["EH6 7RT", "EH67RT", "G12 8QQ", "G12 8QQ", "KY16 9AJ", "00-950", "D02 X285", "IV2 3EB"],
            "address": ["4 Ferry Road, Leith", "4 Ferry Rd, Leith", "12 Byres Road", "12 Byres Road", "3 North Street", "ul. Prosta 5", "8 Main Street", "1 Castle Wynd"],
            "chi": ["1403085642", "1403085642", None, None, None, None, None, None],
            "scn": [None, None, "123456789", None, None, None, None, None],
        }
    )


def _same_person(result, a: int, b: int) -> bool:
    cluster = result.clusters["cluster"]
    return bool(cluster[a] == cluster[b])


@pytest.mark.parametrize("column", STANDARD_COLUMNS)
def test_a_table_without_a_column_is_linked_without_it_and_says_so(column: str) -> None:
    result = link_people(_people().drop(columns=[column]))
    assert any(note.startswith(f"{column}: not in the table") for note in result.notes), result.notes
    assert len(result.clusters) == len(_people())
    assert column not in probabilistic.model_columns(result.model)
    # Ewan's two records agree on everything the table still holds.
    assert _same_person(result, 2, 3)
    assert not _same_person(result, 4, 5) and not _same_person(result, 6, 7)


def test_an_empty_column_is_left_out_like_a_missing_one() -> None:
    people = _people().assign(sex=None, scn="  ")
    result = link_people(people)
    assert {"sex", "scn"} & set(probabilistic.model_columns(result.model)) == set()
    assert any(note.startswith("sex: no usable value") for note in result.notes)
    assert any(note.startswith("scn: no usable value") for note in result.notes)
    assert _same_person(result, 0, 1) and _same_person(result, 2, 3)


def test_diacritics_and_hyphenated_names_and_postcodes_of_any_shape() -> None:
    prepared = prepare_people(_people())
    assert prepared.loc[0, ["forename", "surname", "surname_first", "surname_last"]].tolist() == ["zoe", "smithjones", "smith", "jones"]
    assert prepared.loc[1, "postcode"] == "EH6 7RT" and prepared.loc[1, "postcode_sector"] == "EH6 7"
    # A Polish or Irish postcode is compared whole, never by a UK "area" read into it.
    assert pd.isna(prepared.loc[5, "postcode_area"]) and prepared.loc[5, "postcode_other"] == "00950"
    assert pd.isna(prepared.loc[6, "postcode_district"]) and prepared.loc[6, "postcode_other"] == "D02X285"
    # Zoë Smith-Jones and Zoe Jones: no CHI to join them, only the names, date and place.
    result = link_people(_people().drop(columns=["chi"]))
    assert _same_person(result, 0, 1)


def test_one_record() -> None:
    result = link_people(_people().head(1))
    assert result.clusters[["record", "cluster", "linked_by"]].to_dict("records") == [{"record": 0, "cluster": 0, "linked_by": "unlinked"}]
    assert result.pairs.empty and result.model is None and result.model_source == "none"
    assert any("fewer than two records" in note for note in result.notes)


def test_no_records() -> None:
    result = link_people(_people().head(0))
    assert result.clusters.empty and result.pairs.empty
    assert any("fewer than two records" in note for note in result.notes)


def test_records_all_alike_are_one_person() -> None:
    result = link_people(pd.concat([_people().iloc[[2]].drop(columns=["scn"])] * 5, ignore_index=True))
    assert result.clusters["cluster"].nunique() == 1 and (result.clusters["linked_by"] == "probabilistic").all()


def test_training_that_fails_falls_back_to_the_default_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records all alike give the estimators nothing to learn from: the run says so and scores
    with the stored default model rather than stopping."""
    monkeypatch.setattr(probabilistic, "MIN_RECORDS_TO_TRAIN", 2)
    alike = pd.concat([_people().iloc[[2]].drop(columns=["scn", "chi"])] * 6, ignore_index=True)
    result = link_people(alike)
    assert result.model_source == "default"
    assert any(note.startswith("training failed") and "too alike" in note for note in result.notes), result.notes
    assert result.clusters["cluster"].nunique() == 1


def test_no_candidate_pairs() -> None:
    strangers = _people().iloc[[0, 2, 4, 5, 6, 7]].drop(columns=["chi", "scn"])
    result = link_people(strangers)
    assert result.pairs.empty
    assert (result.clusters["linked_by"] == "unlinked").all() and result.clusters["cluster"].is_unique
    assert any("no pair of records" in note for note in result.notes)


def test_nothing_to_compare() -> None:
    result = link_people(pd.DataFrame({"favourite_colour": ["red", "red"]}))
    assert result.clusters["cluster"].tolist() == [0, 1]
    assert any("no column to compare" in note for note in result.notes)


def test_two_tables_say_which_columns_only_one_of_them_has() -> None:
    people = _people().drop(columns=["chi", "scn"])
    result = link_two_tables(people.iloc[[0, 2, 4]], people.iloc[[1, 3, 5]].drop(columns=["address"]))
    assert any(note.startswith("address: only the left table has values") for note in result.notes), result.notes
    linked = result.pairs[result.pairs["same_person"]]
    assert set(zip(linked["left_row"], linked["right_row"])) == {(0, 0), (1, 1)}
