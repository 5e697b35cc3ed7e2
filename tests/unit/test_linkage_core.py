from __future__ import annotations

import pandas as pd

from assets.linkage.clusters import ConflictAwareClusters
from assets.linkage.core import chi_is_valid, link_two_tables, prepare_people


def test_chi_check_digit():
    # 010101234: weights 10..2 give 0+9+0+7+0+5+8+9+8 = 46; 46 % 11 = 2, so the check digit is 11 - 2 = 9
    assert chi_is_valid("0101012349")
    assert not chi_is_valid("0101012348")
    assert not chi_is_valid("010101234")


def test_a_chi_is_trusted_only_when_it_agrees_with_the_record():
    people = pd.DataFrame(
        {
            "forename": ["Amy", "Amy", "Ben", "Cara"],
            "surname": ["Reid", "Reid", "Kerr", "Bell"],
            # 0101012349: born 01/01/01, ninth digit 4 (even: female)
            "date_of_birth": ["2001-01-01", "2001-01-01", "2001-01-01", "2011-02-02"],
            "sex": ["F", "F", "M", "F"],
            "chi": ["0101012349", "0101012348", "0101012349", "0101012349"],
        }
    )
    prepared = prepare_people(people)
    assert prepared["trusted_chi"].tolist()[0] == "0101012349"
    # A mistyped CHI is kept for near-miss scoring but never trusted; a CHI whose sex digit or
    # date contradicts the record belongs to someone else and is dropped altogether.
    assert prepared["chi"][1] == "0101012348" and pd.isna(prepared["trusted_chi"][1])
    assert pd.isna(prepared["chi"][2]) and pd.isna(prepared["chi"][3])
    assert prepared["forename"].tolist() == ["amy", "amy", "ben", "cara"]


def test_clusters_refuse_to_join_different_chis_or_distant_scns():
    clusters = ConflictAwareClusters(
        chi=["0101012349", None, "0202024567", None, None],
        scn=[None, "123456789", None, "123456780", "987654321"],
    )
    assert clusters.join(0, 1)  # nothing contradicts
    assert not clusters.join(1, 2)  # record 2's CHI differs from the CHI record 0 brought in
    assert clusters.join(1, 3)  # SCNs one digit apart: a typing slip
    assert not clusters.join(3, 4)  # SCNs far apart: another child
    labels = clusters.labels().tolist()
    assert labels == [0, 0, 2, 0, 4]


def test_two_small_tables_link_on_identifiers_and_scores_but_never_twins():
    left = pd.DataFrame(
        {
            "forename": ["Amy", "Ben", "Cara", "Dan", "Eve", "Finn"],
            "surname": ["Reid", "Kerr", "Bell", "Muir", "Shaw", "Shaw"],
            "date_of_birth": ["2010-01-01", "2011-02-02", "2012-03-03", "2009-04-04", "2013-05-05", "2013-05-05"],
            "sex": ["F", "M", "F", "M", "F", "F"],
            "postcode": ["EH1 1AA", "G1 1AA", "AB1 1AA", "DD1 1AA", "KY1 1AA", "KY1 1AA"],
            "chi": ["0101101147", None, None, None, None, None],
        }
    )
    right = pd.DataFrame(
        {
            "forename": ["Aimee", "Ben", "Cara", "Zoe", "Eva"],
            "surname": ["Reid", "Kerr", "Bel", "Muir", "Shaw"],
            "date_of_birth": ["2010-01-01", "2011-02-02", "2012-03-03", "2009-04-04", "2013-05-05"],
            "sex": ["F", "M", "F", "F", "F"],
            "postcode": [None, "G1 1AA", "AB1 1AA", "DD1 1AA", "KY1 1AA"],
            "chi": ["0101101147", None, None, None, None],
        }
    )
    result = link_two_tables(left, right)
    same = result.clusters.pivot(index="row", columns="table", values="cluster")
    # Amy shares a valid CHI; Ben and Cara (one letter lost) score above the threshold.
    assert same.loc[0, "left"] == same.loc[0, "right"]
    assert same.loc[1, "left"] == same.loc[1, "right"] and same.loc[2, "left"] == same.loc[2, "right"]
    # Dan and Zoe Muir share a birthday and a postcode, not a person.
    assert same.loc[3, "left"] != same.loc[3, "right"]
    # Eve and Finn Shaw are twins: Eva is Eve misspelt, never her sister.
    assert same.loc[4, "left"] == same.loc[4, "right"] and same.loc[5, "left"] != same.loc[4, "right"]
    linked_by = result.clusters.set_index(["table", "row"])["linked_by"]
    assert linked_by[("left", 0)] == "chi" and linked_by[("left", 1)] == "probabilistic"
    scored = result.pairs.set_index(["left_row", "right_row"])
    assert scored.loc[(1, 1), "same_person"] and scored.loc[(1, 1), "match_weight"] > 0
    assert (result.pairs["decision"].isin({"match", "below_threshold", "forenames_differ", "identifiers_conflict"})).all()
