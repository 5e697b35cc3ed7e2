from __future__ import annotations

import pandas as pd

from assets.linkage.clusters import ConflictAwareClusters
from assets.linkage.core import chi_is_valid, prepare_people


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
