from __future__ import annotations

import duckdb
import pandas as pd
import pytest
import splink.comparison_level_library as cll
from splink.internals.dialects import SplinkDialect

from assets.linkage.clusters import ConflictAwareClusters
from assets.linkage.core import _decide, link_people, link_two_tables, lone_values_likelier_errors, prepare_people
from assets.linkage.probabilistic import MATCH_THRESHOLD, _FewEdits, model_threshold, score_pairs
from assets.model.chi import chi_is_valid


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


def _scored(rows: list[tuple[int, int, float, int, int]]) -> pd.DataFrame:
    """Pairs as ``probabilistic.score_pairs`` gives them: records, probability and the forename
    and date-of-birth levels (0: entirely different); no identifiers."""
    pairs = pd.DataFrame(rows, columns=["record_l", "record_r", "match_probability", "gamma_forename", "gamma_date_of_birth"])
    return pairs.assign(match_weight=0.0, gamma_chi=-1, gamma_scn=-1)


def test_values_entirely_different_are_held_back_as_relatives_unless_lone_values_are_likelier_errors():
    pairs = _scored(
        [
            (0, 1, 0.999, 11, 5),  # Eve Shaw twice
            (2, 3, 0.999, 11, 5),  # Finn Shaw twice, same birthday and address: her twin
            (0, 2, 0.999, 0, 5),  # Eve and Finn: each forename borne out by another record
            (4, 5, 0.999, 0, 5),  # one record each: a forename replaced or mistyped
            (6, 7, 0.999, 11, 0),  # same names, dates entirely different, no other record: a mistyped date
            (6, 8, 0.999, 11, 5),
            (9, 10, 0.999, 11, 5),
            (6, 9, 0.999, 11, 0),  # a father and son named alike, each date borne out
            (11, 12, 0.4, 11, 5),
        ]
    )
    # By default every such pair waits.
    strict = ["match", "match", "forenames_differ", "forenames_differ", "dates_of_birth_differ", "match", "match", "dates_of_birth_differ", "below_threshold"]
    assert _decide(pairs, 0.5).tolist() == strict
    # Where lone values are likelier errors (FEBRL's replaced names), only where both people show.
    lenient = ["match", "match", "forenames_differ", "match", "match", "match", "match", "dates_of_birth_differ", "below_threshold"]
    assert _decide(pairs, 0.5, {"forename", "date_of_birth"}).tolist() == lenient


def _model(prior: float, *levels: list[tuple[float, float]]) -> dict:
    null = {"is_null_level": True}
    comparisons = [{"comparison_levels": [null, *({"m_probability": m, "u_probability": u} for m, u in comparison)]} for comparison in levels]
    return {"probability_two_random_records_match": prior, "comparisons": comparisons}


def test_the_threshold_is_where_the_models_own_expected_precision_stays_on_target():
    assert model_threshold(None) == MATCH_THRESHOLD
    # Well-separated evidence: every pattern above 0.5 keeps the expected precision, so a pair
    # more likely one person than two is linked.
    separated = _model(0.001, *[[(0.99, 0.0001), (0.01, 0.9999)]] * 3)
    assert model_threshold(separated) == 0.5
    # One comparison: agreeing (p near 1), nearly agreeing (p about 0.65), differing. Linking the
    # middle level too would bring the expected precision to 0.95: the threshold is its probability.
    prior = 0.01
    model = _model(prior, [(0.9, 0.00001), (0.09, 0.0005), (0.01, 0.99949)])
    middle = prior * 0.09 / (prior * 0.09 + (1 - prior) * 0.0005)
    assert model_threshold(model) == pytest.approx(middle) and model_threshold(model) > middle and 0.5 < middle < MATCH_THRESHOLD
    # Evidence too weak for the target: nothing reaches 0.5 either, and 0.5 is the floor.
    assert model_threshold(_model(0.01, [(0.6, 0.4), (0.4, 0.6)])) == 0.5


def test_typing_slips_and_nicknames_are_linked():
    people = pd.DataFrame(
        {
            "forename": ["Katherine", "Katherien", "Robert", "Bob", "Iain", "Shona", "Lewis", "Morag"],
            "surname": ["Macdonald", "Macdnald", "Stewart", "Stewart", "Fraser", "Gunn", "Tait", "Ross"],
            "date_of_birth": ["2009-04-12", "2009-04-12", "2008-10-03", "2008-10-03", "2009-04-12", "2010-02-02", "2011-03-03", "2009-04-12"],
            "postcode": ["EH6 7RT", "EH6 7RT", "G12 8QQ", "G12 8QQ", "EH6 7RT", "KY16 9AJ", "IV2 3EB", "AB10 1AA"],
        }
    )
    prepared = prepare_people(people)
    assert prepared.loc[1, "forename_sound"] == prepared.loc[0, "forename_sound"]
    assert " bob " in prepared.loc[2, "forename_nicknames"]
    scored = score_pairs(prepared).pairs.set_index(["record_l", "record_r"])
    # Bob for Robert is its own level, not "entirely different".
    assert scored.loc[(2, 3), "gamma_forename"] > 0
    result = link_people(people)
    cluster = result.clusters["cluster"]
    assert cluster[0] == cluster[1] and cluster[2] == cluster[3]
    assert cluster.nunique() == 6
    assert result.threshold == model_threshold(result.model)


def test_one_to_one_gives_a_row_one_partner_when_the_caller_says_so():
    amy = {"forename": "Amy", "surname": "Reid", "date_of_birth": "2010-01-01", "postcode": "EH1 1AA", "address": "1 High Street"}
    left = pd.DataFrame([amy, {**amy, "forename": "Ben", "surname": "Kerr", "date_of_birth": "2011-02-02"}])
    right = pd.DataFrame([amy, {**amy, "address": "1 High St"}, {**amy, "forename": "Cal", "surname": "Muir", "date_of_birth": "2012-03-03"}])
    default = link_two_tables(left, right).clusters.set_index(["table", "row"])["cluster"]
    assert default[("left", 0)] == default[("right", 0)] == default[("right", 1)]
    linked = link_two_tables(left, right, one_to_one=True)
    one = linked.clusters.set_index(["table", "row"])["cluster"]
    assert one[("left", 0)] == one[("right", 0)] and one[("right", 1)] != one[("left", 0)]
    assert "one_to_one" in set(linked.pairs["decision"])


def test_other_identifiers_join_records_exactly():
    people = pd.DataFrame(
        {
            "forename": ["Amy", "Amelia", "Ben"],
            "surname": ["Reid", "Reid-Kerr", "Muir"],
            "date_of_birth": ["2001-01-01", "2001-01-01", "1999-09-09"],
            "ni_number": ["QQ 12 34 56 C", "qq123456c", None],
        }
    )
    result = link_people(people, identifiers=["ni_number"])
    assert result.clusters["cluster"].tolist() == [0, 0, 2]
    assert result.clusters["linked_by"].tolist()[:2] == ["ni_number", "ni_number"]


def test_lone_values_count_as_errors_only_where_relatives_do_not_explain_them():
    # Ten people with a second record each (every value borne out), and three lone records
    # whose forename differs from their match's: nothing shows two people, so they are errors.
    agree = [(2 * i, 2 * i + 1, 0.999, 11, 5) for i in range(10)]
    lone = [(20 + i, 2 * i, 0.999, 0, 5) for i in range(3)]
    assert lone_values_likelier_errors(_scored(agree + lone), 0.5, 23) == {"forename"}
    # Five pairs of people both borne out (twins, each with two records): 20 of 23 records are
    # borne out, so they stand for 5 x (1 - q^2) / q^2 = 1.6 lone pairs of relatives, over half
    # of the three: the guard stays whole.
    twins = [(4 * i, 4 * i + 2, 0.999, 0, 5) for i in range(5)]
    assert lone_values_likelier_errors(_scored(agree + lone + twins), 0.5, 23) == set()


def test_the_faster_edit_level_finds_exactly_the_pairs_damerau_levenshtein_finds():
    # Transpositions (one Damerau-Levenshtein edit, two of Levenshtein's), edits at both ends,
    # lengths apart, and strangers; every pair of these words, both ways round.
    words = ["ab", "ba", "abc", "ca", "acb", "bca", "abcd", "badc", "bdac", "smith", "smtih", "simth", "smyth", "smithe", "msith", "mary", "john", "2001-02-03", "2001-03-02", "2010-02-03", "2001-20-03"]
    pairs = pd.DataFrame([(a, b) for a in words for b in words], columns=["w_l", "w_r"])
    dialect = SplinkDialect.from_string("duckdb")
    con = duckdb.connect()
    con.register("pairs", pairs)
    for distance in (1, 2):
        found = [
            con.execute(f"SELECT coalesce({level.create_sql(dialect)}, false) FROM pairs ORDER BY w_l, w_r").df().iloc[:, 0].tolist()
            for level in (cll.DamerauLevenshteinLevel("w", distance), _FewEdits("w", distance))
        ]
        assert "levenshtein(" in _FewEdits("w", distance).create_sql(dialect)
        assert found[0] == found[1] and 0 < sum(found[0]) < len(pairs)
