"""Plausibility in the contracts: a record that cannot be true is refused with the usual report
(rows, column, why, how to fix), however well formed its dates are.

Every spoiled file starts from the valid sample, changes one thing, and all are judged in one
call (one Great Expectations run), as the raw asset does.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from assets.ingest.intake import judge
from assets.ingest.landing import landed_file
from assets.ingest.problems import Verdict
from assets.ingest.refusal_report import refusal_context
from assets.model.contracts import TableRule, load_contracts
from assets.model.reference import councils
from assets.model.table_rules import TABLE_RULES, table_checks
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import DATASET, EpisodesFile

REFERENCE = SHARED / "reference"
AGENCY, PERIOD = "S12000049", "2021"  # the year 1 August 2020 to 31 July 2021

# kind: (row, column, value) changed in the valid sample
SPOILED = {
    "born_1890": (3, "date_of_birth", "1890-06-07"),
    "placement_starting_2099": (3, "placement_start", "2099-01-01"),
    "born_after_the_episode_started": (3, "date_of_birth", "2020-10-16"),  # the episode starts 2020-10-15
    "eighteen_when_the_episode_started": (3, "date_of_birth", "2002-10-15"),  # 18 on the day it starts
    "episode_from_1985": (3, "episode_start", "1985-05-01"),
    "placement_longer_than_childhood": (1, "placement_start", "2001-09-01"),
}


@dataclasses.dataclass(frozen=True)
class Judged:
    verdicts: dict[str, Verdict]
    files: dict[str, Path]


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> Judged:
    root = tmp_path_factory.mktemp("plausibility")
    files: dict[str, Path] = {}
    cases = {"valid": None, "seventeen_the_day_before": (3, "date_of_birth", "2002-10-16"), **SPOILED}
    for kind, change in cases.items():
        sample = EpisodesFile.valid(AGENCY, PERIOD)
        if change:
            sample.set(*change)
        if kind == "placement_longer_than_childhood":
            # The first child, born in 2000, in one placement from 2001 to the end of 2020: 19 years.
            del sample.rows[1]
            sample.set(1, "episode_start", "2001-09-01").set(1, "date_of_birth", "2000-01-01")
        path = root / kind / "landing" / AGENCY / DATASET / sample.file_name
        path.parent.mkdir(parents=True)
        path.write_bytes(sample.bytes())
        files[kind] = path
    verdicts = judge([landed_file(p) for p in files.values()], load_contracts(CONTRACTS)[DATASET], councils(REFERENCE), REFERENCE, root / "staging.duckdb")
    return Judged(dict(zip(files, verdicts)), files)


def _named(verdict: Verdict, check: str, column: str) -> list:
    return [p for p in verdict.problems if p.blocking and p.check == check and column in p.columns]


def test_the_valid_sample_and_a_child_of_17_are_accepted(judged: Judged):
    for kind in ("valid", "seventeen_the_day_before"):
        assert judged.verdicts[kind].accepted, [p.message for p in judged.verdicts[kind].problems]


def test_a_looked_after_child_born_in_1890_is_refused_with_a_reason_and_no_date_of_birth_shown(judged: Judged):
    verdict = judged.verdicts["born_1890"]
    assert not verdict.accepted
    [at_episode] = [p for p in _named(verdict, "plausible_age", "date_of_birth") if "episode_start" in p.columns]
    assert at_episode.rows == (3,) and at_episode.rows_affected == 1
    assert "0 to 17 years" in at_episode.message and "A child is looked after from birth to 17" in at_episode.message
    assert at_episode.examples == ("aged 130",) and "mistyped" in at_episode.fix
    report = json.dumps(refusal_context(landed_file(judged.files["born_1890"]), load_contracts(CONTRACTS)[DATASET], verdict.problems))
    assert "1890-06-07" not in report and "aged 130" in report


def test_a_placement_starting_in_2099_is_refused_with_a_reason(judged: Judged):
    verdict = judged.verdicts["placement_starting_2099"]
    [problem] = _named(verdict, "within_period", "placement_start")
    assert problem.rows == (3,) and "end of the reporting period" in problem.message and problem.examples == ("2099-01-01",)
    assert problem.fix


@pytest.mark.parametrize(
    ("kind", "check", "column", "says", "shown"),
    [
        ("born_after_the_episode_started", "plausible_age", "episode_start", "0 to 17 years", "aged -1"),
        ("eighteen_when_the_episode_started", "plausible_age", "episode_start", "0 to 17 years", "aged 18"),
        ("episode_from_1985", "plausible_date", "episode_start", "on or after 1 January 1990", "1985-05-01"),
        ("placement_longer_than_childhood", "plausible_duration", "placement_end", "at most 6,575 days", "7061 days"),
    ],
)
def test_an_implausible_record_is_refused_naming_rows_column_why_and_fix(judged: Judged, kind: str, check: str, column: str, says: str, shown: str):
    verdict = judged.verdicts[kind]
    assert not verdict.accepted
    [problem] = _named(verdict, check, column)
    row = SPOILED[kind][0]
    assert problem.rows == (row,) and says in problem.message and problem.fix and shown in problem.examples


def test_every_contract_declares_what_is_plausible_for_its_dates():
    """Each date of birth has an age range; every other date is bounded below (a year, the period, or an earlier date of the row)."""
    for contract in load_contracts(CONTRACTS).values():
        rules = contract.table_rules
        births = {r.arguments["birth"] for r in rules if r.rule == "ageBetween"}
        bounded = births | {r.arguments["column"] for r in rules if r.rule in ("withinPeriod", "onOrAfterPeriodStart", "notBeforeYear")}
        bounded |= {r.arguments["later"] for r in rules if r.rule == "onOrAfter"}
        for column in (c for c in contract.columns if c.logical_type == "date"):
            if column.name == "date_of_birth":
                assert column.name in births, f"{contract.id}: no plausible age for {column.name}"
            assert column.name in bounded, f"{contract.id}: nothing says how early {column.name} can be"


def test_a_rule_naming_an_unknown_date_or_kind_fails_when_its_checks_are_built():
    contract = load_contracts(CONTRACTS)[DATASET]
    bad_age = TableRule("ageBetween", {"birth": "date_of_birth", "at": "date_of_death", "minimum": 0, "maximum": 17})
    with pytest.raises(ValueError, match="date_of_death"):
        table_checks(dataclasses.replace(contract, table_rules=(bad_age,)))
    with pytest.raises(ValueError, match="not known"):
        table_checks(dataclasses.replace(contract, table_rules=(TableRule("youngerThan", {}),)))
    vintage = load_contracts(CONTRACTS)["indicator_values"]
    with pytest.raises(ValueError, match="period with dates"):
        table_checks(dataclasses.replace(vintage, table_rules=(TableRule("ageBetween", {"birth": "last_updated", "at": "periodEnd", "minimum": 0, "maximum": 1}),)))
    assert {"ageBetween", "notBeforeYear", "durationAtMost"} <= set(TABLE_RULES)
