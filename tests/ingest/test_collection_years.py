"""Contracts by collection year: a file is judged by the version in force for its period.

The looked after contract retires the ethnicity code ``white_other`` from the collection year
ending 31 July 2023 (Scotland's Census 2022 groups): a 2019 return holding it passes against
2019's version and the same rows for 2023 are refused, with a report that names 2023's version;
the agencies' page shows both versions and what changed; the analysis tables count every year's
codes in one set, as the contract declares.
"""

from __future__ import annotations

import json
import re

import duckdb
import pytest
import yaml

from assets.analysis.tables import analysis_select
from assets.ingest.contract_docs import render_contract_page
from assets.ingest.intake import judge
from assets.ingest.landing import landed_file
from assets.ingest.refusal_report import render_refusal
from assets.model.contracts import load_contract, load_contracts
from assets.model.reference import councils
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import DATASET, EpisodesFile

REFERENCE = SHARED / "reference"
AGENCY = "S12000049"


@pytest.fixture(scope="module")
def contract():
    return load_contracts(CONTRACTS)[DATASET]


@pytest.fixture(scope="module")
def retired_code(contract) -> tuple[str, str, str]:
    """A code some year retired, and the year it was retired from (read from the contract, not assumed)."""
    year = next(y for y in contract.years if any(c.retired for c in y.changes))
    change = next(c for c in year.changes if c.retired)
    return change.column, change.retired[0], year.starts


def _judged(tmp_path, contract, period: str, column: str, code: str):
    sample = EpisodesFile.valid(AGENCY, period).set(2, column, code)
    path = tmp_path / period / "landing" / AGENCY / DATASET / sample.file_name
    path.parent.mkdir(parents=True)
    path.write_bytes(sample.bytes())
    landed = landed_file(path)
    with duckdb.connect() as staging:
        [verdict] = judge([landed], contract, councils(REFERENCE), REFERENCE, staging)
    return landed, verdict


def test_a_2019_file_with_a_code_retired_later_passes_2019s_version_and_is_refused_by_2023s(tmp_path, contract, retired_code):
    column, code, retired_from = retired_code
    assert "2019" < retired_from <= "2023"
    _, in_2019 = _judged(tmp_path, contract, "2019", column, code)
    assert in_2019.accepted, [p.message for p in in_2019.problems]
    landed, in_2023 = _judged(tmp_path, contract, "2023", column, code)
    refused = [p for p in in_2023.problems if p.blocking]
    assert [(p.check, p.columns, p.rows) for p in refused] == [("code_list", (column,), (2,))]
    assert code not in re.split(r"[ ,.:]+", refused[0].fix)  # the fix lists the codes 2023's version allows, and the retired one is not among them
    report = json.loads(render_refusal(landed, contract.in_force("2023"), in_2023.problems)[".refusal.json"])
    assert report["contract_version"] == contract.in_force("2023").version != contract.in_force("2019").version
    assert f"from {retired_from}" in report["version_in_force"]


def test_a_code_a_later_year_added_is_refused_in_an_earlier_year(tmp_path, contract, retired_code):
    column, code, retired_from = retired_code
    added = next(a for y in contract.years for c in y.changes if c.column == column for a, _ in c.added)
    assert _judged(tmp_path, contract, retired_from, column, added)[1].accepted
    assert not _judged(tmp_path, contract, "2019", column, added)[1].accepted


def test_the_agencies_page_shows_each_years_version_and_what_changed(contract, retired_code):
    column, code, retired_from = retired_code
    page = render_contract_page(contract, REFERENCE)
    for version in contract.versions:
        assert f"Version {version.version}: {version.years_in_force()}" in page
    assert f"&#39;{column}&#39;: retired {code}" in page
    # The columns table is the latest version's: the retired code is not offered there.
    allowed = page.split("By collection year")[0]
    assert f"one of: {', '.join(contract.latest.column(column).valid_values)}" in allowed


def test_the_analysis_tables_count_every_years_codes_in_one_set(contract, retired_code):
    column, code, _ = retired_code
    mapping = contract.analysis_codes(column)
    successors = [c for c, counts_as in mapping.items() if counts_as == code and c != code]
    assert successors, "the codes that replaced the retired one say which code they count as"
    select = analysis_select(contract)
    with duckdb.connect() as con:
        columns = [c.name for c in contract.columns if not c.identifier] + ["birth_year", "birth_month", "_agency", "_period", "_entry_id"]
        con.execute(f"CREATE TABLE r AS SELECT {', '.join(f'NULL::VARCHAR AS {c}' for c in columns)} LIMIT 0")
        unchanged = next(c for c, counts_as in mapping.items() if c == counts_as != code)
        for value in [code, *successors, unchanged]:
            con.execute(f"INSERT INTO r ({column}) VALUES (?)", [value])
        # The person index's side: the person id and each keyed reference.
        linked = ", ".join(["NULL AS person_id", *(f"NULL AS {c.name}_key" for c in contract.columns if c.pseudonymise)])
        seen = [r[0] for r in con.execute(f"SELECT {column} FROM (SELECT {select} FROM r, (SELECT {linked}) AS l)").fetchall()]
    assert seen == [code] * (1 + len(successors)) + [unchanged]


def test_files_of_two_years_checked_together_are_each_judged_by_their_own_version(tmp_path, contract, retired_code):
    column, code, retired_from = retired_code
    landed = []
    for period in ("2019", retired_from):
        sample = EpisodesFile.valid(AGENCY, period).set(1, column, code)
        path = tmp_path / "landing" / AGENCY / DATASET / sample.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(sample.bytes())
        landed.append(landed_file(path))
    with duckdb.connect() as staging:
        early, late = judge(landed, contract, councils(REFERENCE), REFERENCE, staging)
    assert early.accepted and [p.check for p in late.problems if p.blocking] == ["code_list"]


@pytest.mark.parametrize("codes, says", [
    ({"ethnicity": {"retired": ["no_such_code"]}}, "retires codes it does not have"),
    ({"ethnicity": {"added": {"white_welsh": "no_such_code"}}}, "maps new codes onto codes of no year"),
    ({"child_ref": {"retired": ["x"]}}, "not a column with a code list"),
])
def test_a_collection_year_that_does_not_fit_the_contract_is_refused_at_load(tmp_path, codes, says):
    text = (CONTRACTS / f"{DATASET}.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    years = next(p for p in document["customProperties"] if p["property"] == "collectionYears")
    years["value"] = [{**years["value"][0], "codes": codes}]
    (tmp_path / f"{DATASET}.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ValueError, match=says):
        load_contract(tmp_path / f"{DATASET}.yaml")
