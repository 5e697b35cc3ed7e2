from __future__ import annotations

import pandas as pd

from assets.linkage.core import chi_is_valid, link_deterministic


def test_chi_check_digit():
    # 010101234: weights 10..2 give 0+9+0+7+0+5+8+9+8 = 46; 46 % 11 = 2, so the check digit is 11 - 2 = 9
    assert chi_is_valid("0101012349")
    assert not chi_is_valid("0101012348")
    assert not chi_is_valid("010101234")


def test_records_sharing_chi_scn_or_name_and_birth_date_are_one_person():
    people = pd.DataFrame(
        {
            "forename": ["Amy", "amy", "Ben", "Ben", "Cara"],
            "surname": ["Reid", "REID", "Kerr", "Kerr", "Bell"],
            "date_of_birth": ["2010-01-01", "2010-01-01", "2011-02-02", "2011-02-02", "2012-03-03"],
            "sex": ["F", "F", "M", "M", "F"],
            "postcode": [None] * 5,
            "chi": [None, None, "0101012349", "0101012349", "0101012348"],
            "scn": [None, None, None, None, None],
        }
    )
    clusters = link_deterministic(people).clusters
    assert clusters.cluster[0] == clusters.cluster[1]
    assert clusters.cluster[2] == clusters.cluster[3]
    assert clusters.cluster.nunique() == 3
    # An invalid CHI links nothing on its own.
    assert clusters.linked_by[4] == "unlinked"
