"""The generator's files pass the contracts' age rules the way real returns do: an agency's system
catches a mistyped date of birth that makes its record implausible, and lets the others through."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from assets.model.contracts import load_contracts
from synthetic.agency_checks import with_plausible_dates_of_birth
from synthetic.output import AgencyFile
from tests.support.paths import CONTRACTS
from tests.support.samples import COLUMNS, DATASET, EpisodesFile


def test_an_implausible_mistyped_date_of_birth_is_put_right_and_a_plausible_one_kept() -> None:
    sample = EpisodesFile.valid("S12000049", "2021")  # rows 1-2: a child born 2012-03-04; row 3: one born 2015-06-07
    sample.set(1, "date_of_birth", "2012-04-03").set(2, "date_of_birth", "2012-04-03")  # day and month swapped: still 8
    sample.set(3, "date_of_birth", "2021-06-07")  # a year mistyped: born after the episode started in 2020
    population = SimpleNamespace(dob_y=np.array([2012, 2015]), dob_m=np.array([3, 6]), dob_d=np.array([4, 7]))
    file = AgencyFile("S12000049", DATASET, "2021", pd.DataFrame(sample.rows)[COLUMNS], np.array([0, 0, 1]))

    [checked] = with_plausible_dates_of_birth([file], load_contracts(CONTRACTS), population)

    assert checked.rows["date_of_birth"].tolist() == ["2012-04-03", "2012-04-03", "2015-06-07"]
    assert file.rows["date_of_birth"].tolist()[2] == "2021-06-07"  # the file given is left as it was
    assert (checked.persons == file.persons).all() and checked.rows.drop(columns="date_of_birth").equals(file.rows.drop(columns="date_of_birth"))


def test_a_file_without_an_age_rule_is_returned_as_it_is() -> None:
    rows = pd.DataFrame({"year": ["2021"], "la_code": ["S12000049"], "sex": ["F"], "age": ["3"], "population": ["100"]})
    file = AgencyFile("NRS", "population_estimates", "2021", rows, np.array([-1]))
    assert with_plausible_dates_of_birth([file], load_contracts(CONTRACTS), SimpleNamespace())[0] is file
