"""The synthetic agency data: deterministic, shaped like the contracts, calibratable and linkable.

Each test reads the files the way the pipeline will (CSV from ``landing/``) and
checks them against the ground truth written beside them, so a generator bug
that misaligns truth and data, drops a column or breaks calibration fails here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from synthetic.calibration import MINIMUM_LOOKED_AFTER_PER_COUNCIL
from synthetic.generate import generate
from synthetic.identifier_errors import CHI_MISTYPE_RATE, STATED_RATES
from synthetic.identifiers import chi_is_valid
from synthetic.reference import shared_dir
from tests.support.paths import REPO_ROOT

# The columns each agency dataset must carry, in order (the brief, independent of the generator's constants).
EXPECTED_COLUMNS: dict[str, list[str]] = {
    "looked_after_episodes": [
        "la_code", "year_ending", "child_ref", "scn", "chi", "forename", "surname", "date_of_birth", "sex", "postcode", "ethnicity",
        "disability", "sibling_group_ref", "episode_start", "episode_end", "legal_reason", "placement_type", "placement_start",
        "placement_end", "placement_outside_scotland", "reason_ended", "destination_on_leaving", "continuing_care",
    ],
    "hearings_referrals": [
        "referral_id", "chi", "scn", "forename", "surname", "date_of_birth", "sex", "la_code", "referral_date", "ground_type",
        "hearing_date", "outcome", "child_views_recorded", "child_attended",
    ],
    "school_leavers": [
        "scn", "forename", "surname", "date_of_birth", "sex", "la_code", "school_code", "leaver_year", "stage_left",
        "highest_scqf_level", "initial_destination", "followup_destination",
    ],
    "school_exclusions": ["scn", "date_of_birth", "la_code", "school_year", "exclusion_date", "days_excluded"],
    "restraint_incidents": [
        "incident_id", "service_id", "service_type", "la_code", "child_ref", "incident_date", "practice", "duration_minutes", "injury",
    ],
    "service_places": ["service_id", "service_type", "la_code", "period", "places"],
    "secure_admissions": [
        "admission_id", "chi", "forename", "surname", "date_of_birth", "sex", "placing_authority_code", "route", "admission_date",
        "discharge_date",
    ],
    "custody_under_18": ["census_date", "establishment", "chi", "date_of_birth", "status"],
    "population_estimates": ["year", "la_code", "sex", "age", "population"],
    "family_support_spend": [
        "financial_year", "la_code", "community_health_social_care_spend_gbp", "preventative_whole_family_support_spend_gbp",
    ],
    "indicator_values": [
        "indicator_id", "geography_code", "period", "value", "numerator", "denominator", "unit", "source", "vintage", "last_updated",
        "next_update_due",
    ],
    "experience_responses": [
        "response_id", "respondent_ref", "collected_by", "collection_date", "la_code", "respondent_group", "vision_id", "item_id",
        "answer", "free_text", "consent_to_quote",
    ],
    "engagement_evidence": ["evidence_id", "source", "collected_date", "vision_id", "lens", "theme", "summary", "quote", "consent_to_quote"],
    "organisational_learning": [
        "organisation_code", "organisation_name", "organisation_type", "foundation", "theme", "period", "what_is_being_tried",
        "what_is_working", "what_has_been_learned", "barriers", "consent_to_publish",
    ],
    "route_map_milestones": [
        "organisation_code", "organisation_name", "organisation_type", "foundation", "theme", "commitment_id", "commitment",
        "milestone_id", "milestone", "responsible", "due_date", "status", "status_date", "completed_date", "evidence",
    ],
    "data_holdings": [
        "organisation_code", "organisation_name", "holding_id", "what_is_recorded", "topic", "about_whom", "kind", "vision_ids", "what_matters",
        "places", "first_year", "last_year", "frequency", "shared", "shared_with", "sent_as",
    ],
}
CHI_DATASETS = ("looked_after_episodes", "hearings_referrals", "secure_admissions", "custody_under_18")
PUBLISHED_TABLE = shared_dir() / "reference" / "looked_after_by_placement_national.csv"


def _quiet(_: str) -> None:
    """Progress lines are for people at a terminal, not for test logs."""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    generate(out, scale="tiny", seed=1, progress=_quiet)
    return out


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny scale, but with the published 2020 and 2021 looked after table reproduced (national-sized care)."""
    out = tmp_path_factory.mktemp("calibrated")
    generate(out, scale="tiny", seed=3, calibrate=PUBLISHED_TABLE, progress=_quiet)
    return out


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _landing(root: Path, dataset: str, period: str = "*") -> pd.DataFrame:
    """All landing rows of a dataset, each with its true person from the ground truth."""
    frames = []
    for path in sorted((root / "landing").glob(f"*/{dataset}/{dataset}_*_{period}.csv")):
        rows = _read(path)
        rows["true_person_id"] = _read(root / "ground_truth" / path.relative_to(root / "landing"))["true_person_id"].to_numpy()
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _looked_after_at_31_july(root: Path, year: int) -> pd.Series:
    """Distinct (la_code, child_ref) looked after at 31 July by the placement covering it, from landing files."""
    rows = _landing(root, "looked_after_episodes", str(year))
    on = f"{year}-07-31"
    covering = rows[
        (rows["episode_start"] <= on)
        & ((rows["episode_end"] == "") | (rows["episode_end"] > on))
        & (rows["placement_start"] <= on)
        & ((rows["placement_end"] == "") | (rows["placement_end"] > on))
    ]
    return covering.drop_duplicates(["la_code", "child_ref"]).groupby("placement_type").size()


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tiny: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", scale="tiny", seed=1, progress=_quiet)
    generate(tmp_path / "other", scale="tiny", seed=2, progress=_quiet)
    assert _digest(tmp_path / "again") == _digest(tiny)
    assert _digest(tmp_path / "other") != _digest(tiny)


def test_every_dataset_lands_with_exactly_its_columns_under_the_agreed_path(tiny: Path) -> None:
    landed = {p.parent.name for p in (tiny / "landing").glob("*/*/*.csv")}
    assert landed == set(EXPECTED_COLUMNS)
    for dataset, columns in EXPECTED_COLUMNS.items():
        for path in sorted((tiny / "landing").glob(f"*/{dataset}/*.csv")):
            agency = path.parent.parent.name
            assert path.name.startswith(f"{dataset}_{agency}_"), path
            with path.open(encoding="utf-8") as handle:
                assert handle.readline().rstrip("\n").split(",") == columns, path
            assert len(_read(path)) > 0, f"{path} is header-only; the pipeline refuses such files"


def test_chi_numbers_are_ten_digits_and_fail_the_check_digit_at_the_stated_rate(tiny: Path, calibrated: Path) -> None:
    for root in (tiny, calibrated):
        chi = pd.concat([_landing(root, dataset)["chi"] for dataset in CHI_DATASETS])
        assert chi[chi != ""].str.fullmatch(r"\d{10}").all()
    # The calibrated run holds tens of thousands of CHIs, enough to pin the rate down (sampling sd ~0.001).
    chi = pd.concat([_landing(calibrated, dataset)["chi"] for dataset in CHI_DATASETS])
    present = chi[chi != ""]
    assert len(present) > 30_000
    failing = 1 - chi_is_valid(present.to_numpy(dtype=object)).mean()
    assert abs(failing - CHI_MISTYPE_RATE) < 0.004
    realised = json.loads((calibrated / "ground_truth" / "identifier_error_rates.json").read_text())["realised"]
    assert abs(realised["chi_mistyped"]["rate"] - CHI_MISTYPE_RATE) < 0.004
    assert abs(realised["chi_missing"]["rate"] - 0.15) < 0.01


def test_the_documented_error_rates_are_the_ones_applied() -> None:
    """The rates docs/synthetic.md states (its notes on ``synthetic/__init__.py``) are the ones the generator applies."""
    notes = (REPO_ROOT / "docs" / "synthetic.md").read_text(encoding="utf-8").split("Notes on `synthetic/__init__.py`", 1)[1].split("\n### ", 1)[0]
    documented = {}
    for line in notes.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in STATED_RATES and parts[1].endswith("%"):
            documented[parts[0]] = float(parts[1][:-1]) / 100
    assert documented == pytest.approx(STATED_RATES)


def test_calibration_reproduces_the_published_placement_table_exactly(calibrated: Path) -> None:
    published = pd.read_csv(PUBLISHED_TABLE)
    totals = {}
    for year, rows in published.groupby("year_ending_31_july"):
        counted = _looked_after_at_31_july(calibrated, int(year))
        totals[int(year)] = int(counted.sum())
        for placement_type, children in zip(rows["placement_type"], rows["children"]):
            assert int(counted.get(placement_type, 0)) == children, (year, placement_type)
    assert totals == {2020: 14_458, 2021: 13_255}
    # Years outside the file keep the chosen (tiny) scale.
    assert _looked_after_at_31_july(calibrated, 2023).sum() < 1_000


def test_looked_after_counts_in_the_landing_files_match_the_ground_truth(tiny: Path) -> None:
    truth = _read(tiny / "ground_truth" / "looked_after_31_july.csv")
    truth["children"] = truth["children"].astype(int)
    for year in range(2019, 2025):
        expected = truth[truth["year_ending"] == str(year)].groupby("placement_type")["children"].sum()
        counted = _looked_after_at_31_july(tiny, year).reindex(expected.index, fill_value=0)
        assert (counted == expected).all(), year
    per_council = truth[truth["year_ending"] == "2024"].groupby("la_code")["children"].sum()
    assert len(per_council) == 32 and per_council.min() >= MINIMUM_LOOKED_AFTER_PER_COUNCIL


def test_former_council_codes_appear_only_in_the_2019_looked_after_returns(tiny: Path) -> None:
    glasgow = tiny / "landing" / "S12000049" / "looked_after_episodes"
    assert set(_read(glasgow / "looked_after_episodes_S12000049_2019.csv")["la_code"]) == {"S12000046"}
    assert set(_read(glasgow / "looked_after_episodes_S12000049_2020.csv")["la_code"]) == {"S12000049"}


def test_the_same_child_appears_in_care_and_school_leaver_records(tiny: Path) -> None:
    care = _landing(tiny, "looked_after_episodes")
    leavers = _landing(tiny, "school_leavers")
    shared = set(care["true_person_id"]) & set(leavers["true_person_id"])
    assert len(shared) >= 20
    # The truth really is the same person: the recorded dates of birth agree apart from the planted errors.
    care_dob = care.drop_duplicates("true_person_id").set_index("true_person_id")["date_of_birth"]
    leaver_dob = leavers.drop_duplicates("true_person_id").set_index("true_person_id")["date_of_birth"]
    ids = sorted(shared)
    assert (care_dob[ids].to_numpy() == leaver_dob[ids].to_numpy()).mean() > 0.9


def test_ground_truth_has_one_row_per_landing_row(tiny: Path) -> None:
    landing_files = sorted((tiny / "landing").rglob("*.csv"))
    assert landing_files
    for path in landing_files:
        truth = _read(tiny / "ground_truth" / path.relative_to(tiny / "landing"))
        assert list(truth.columns) == ["row_number", "true_person_id"]
        assert len(truth) == len(_read(path)), path
        assert truth["row_number"].tolist() == [str(n) for n in range(1, len(truth) + 1)]
    referrals = _landing(tiny, "hearings_referrals")
    assert (referrals["true_person_id"] != "").all()
    assert (_landing(tiny, "population_estimates")["true_person_id"] == "").all()
