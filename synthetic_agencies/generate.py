"""Generate every agency's landing files for one fictional Scotland, deterministically from a seed."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from synthetic_agencies import agencies, returns_without_people as other
from synthetic_agencies.looked_after import build_care_histories, national_targets
from synthetic_agencies.noise import RATES
from synthetic_agencies.people import make_population
from synthetic_agencies.writing import write_returns

SCALES = {"national": 1.0, "demo": 0.1, "tiny": 0.02}
SOCIAL_WORK_YEARS = [2019, 2020, 2021, 2022, 2023, 2024]
COLUMNS = {
    "looked_after_episodes": ["la_code", "year_ending", "child_ref", "scn", "chi", "forename", "surname", "date_of_birth", "sex", "postcode", "ethnicity", "disability", "sibling_group_ref", "episode_start", "episode_end", "legal_reason", "placement_type", "placement_start", "placement_end", "placement_outside_scotland", "reason_ended", "destination_on_leaving", "continuing_care"],
    "hearings_referrals": ["referral_id", "chi", "scn", "forename", "surname", "date_of_birth", "sex", "la_code", "referral_date", "ground_type", "hearing_date", "outcome", "child_views_recorded", "child_attended"],
    "school_leavers": ["scn", "forename", "surname", "date_of_birth", "sex", "la_code", "school_code", "leaver_year", "stage_left", "highest_scqf_level", "initial_destination", "followup_destination"],
    "school_exclusions": ["scn", "date_of_birth", "la_code", "school_year", "exclusion_date", "days_excluded"],
    "restraint_incidents": ["incident_id", "service_id", "service_type", "la_code", "child_ref", "incident_date", "practice", "duration_minutes", "injury"],
    "service_places": ["service_id", "service_type", "la_code", "period", "places"],
    "secure_admissions": ["admission_id", "chi", "forename", "surname", "date_of_birth", "sex", "placing_authority_code", "route", "admission_date", "discharge_date"],
    "custody_under_18": ["census_date", "establishment", "chi", "date_of_birth", "status"],
    "population_estimates": ["year", "la_code", "sex", "age", "population"],
    "family_support_spend": ["financial_year", "la_code", "community_health_social_care_spend_gbp", "preventative_whole_family_support_spend_gbp"],
    "indicator_values": ["indicator_id", "geography_code", "period", "value", "numerator", "denominator", "unit", "source", "vintage", "last_updated", "next_update_due"],
    "experience_responses": ["response_id", "respondent_ref", "collected_by", "collection_date", "la_code", "respondent_group", "vision_id", "item_id", "answer", "free_text", "consent_to_quote"],
    "engagement_evidence": ["evidence_id", "source", "collected_date", "vision_id", "lens", "theme", "summary", "quote", "consent_to_quote"],
    "organisational_learning": ["organisation_code", "organisation_name", "organisation_type", "foundation", "theme", "period", "what_is_being_tried", "what_is_working", "what_has_been_learned", "barriers", "consent_to_publish"],
    "route_map_milestones": ["organisation_code", "organisation_name", "organisation_type", "foundation", "theme", "commitment_id", "commitment", "milestone_id", "milestone", "responsible", "due_date", "status", "status_date", "completed_date", "evidence"],
}


@dataclass
class GenerationSummary:
    rows: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def shared_dir() -> Path:
    return Path(os.environ.get("STORY_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


def generate(out_dir: Path, scale: str = "demo", seed: int = 1, calibrate: Path | None = None) -> GenerationSummary:
    factor = SCALES[scale]
    reference = shared_dir() / "reference"
    rng = np.random.default_rng(seed)
    summary = GenerationSummary()
    steps = tqdm(total=len(COLUMNS) + 2, desc="synthetic agencies", unit="step", file=sys.stderr, disable=None)

    def emit(dataset: str, table: pd.DataFrame, period_column: str, agency_column: str = "agency") -> None:
        summary.files += write_returns(out_dir, dataset, table, COLUMNS[dataset], agency_column, period_column)
        summary.rows[dataset] = len(table)
        steps.set_postfix_str(f"{dataset}: {len(table):,} rows")
        steps.update()

    people = make_population(rng, factor)
    steps.set_postfix_str(f"population: {len(people):,} people")
    steps.update()
    calibration = pd.read_csv(calibrate) if calibrate else None
    episodes = build_care_histories(rng, people, national_targets(factor, calibration))
    steps.update()
    councils = pd.read_csv(reference / "local_authorities.csv", dtype=str, keep_default_na=False)
    former = {row.la_code: row.former_codes.split(";")[0] for row in councils.itertuples() if row.former_codes}
    episodes_table = agencies.looked_after_episodes(rng, people, episodes, SOCIAL_WORK_YEARS, former)
    emit("looked_after_episodes", episodes_table, "year_ending")
    ids = people["true_person_id"].to_numpy()
    looked_after_ids = set(ids[sorted({e.person for e in episodes})])
    in_care_by_year = {y: set(episodes_table.loc[episodes_table.year_ending == y, "true_person_id"]) for y in SOCIAL_WORK_YEARS}
    emit("population_estimates", agencies.population_estimates(people, SOCIAL_WORK_YEARS), "year")
    emit("school_leavers", agencies.school_leavers(rng, people, in_care_by_year, SOCIAL_WORK_YEARS), "leaver_year")
    emit("school_exclusions", agencies.school_exclusions(rng, people, looked_after_ids, SOCIAL_WORK_YEARS, factor), "school_year")
    emit("hearings_referrals", agencies.hearings_referrals(rng, people, looked_after_ids, SOCIAL_WORK_YEARS, factor), "period")
    emit("secure_admissions", agencies.secure_admissions(rng, people, looked_after_ids, SOCIAL_WORK_YEARS, factor), "period")
    emit("custody_under_18", agencies.custody_under_18(rng, people, looked_after_ids, SOCIAL_WORK_YEARS, factor), "period")
    incidents, places = other.care_services(rng, SOCIAL_WORK_YEARS, factor)
    emit("restraint_incidents", incidents, "period")
    emit("service_places", places, "period")
    emit("family_support_spend", other.family_support_spend(rng, [2019, 2020, 2021, 2022, 2023]), "financial_year")
    emit("indicator_values", other.indicator_values(reference), "file_period")
    emit("experience_responses", other.experience_responses(rng, [2023, 2024, 2025], factor), "period")
    emit("engagement_evidence", other.engagement_evidence(rng, list(pd.read_csv(reference / "plan_24_30_themes.csv")["theme"]), [2023, 2024, 2025]), "period")
    learning, milestones = other.plan_returns(rng, pd.read_csv(reference / "plan_24_30_themes.csv"), ["2025-H1", "2025-H2"])
    emit("organisational_learning", learning, "period")
    emit("route_map_milestones", milestones, "period")
    steps.close()
    _write_truth_tables(out_dir, episodes_table)
    return summary


def _write_truth_tables(out_dir: Path, episodes_table: pd.DataFrame) -> None:
    """True counts looked after at 31 July, for backtests, and the identifier error rates used."""
    rows = []
    for year, table in episodes_table.groupby("year_ending"):
        census = dt.date(int(year), 7, 31)
        at = table[(table.episode_start <= census) & (table.episode_end.isna() | (table.episode_end > census)) & (table.placement_start <= census) & (table.placement_end.isna() | (table.placement_end > census))]
        rows.append(at.groupby(["agency", "placement_type"]).child_ref.nunique().rename("children").reset_index().assign(year_ending=year))
    truth = pd.concat(rows).rename(columns={"agency": "la_code"})[["year_ending", "la_code", "placement_type", "children"]]
    (out_dir / "ground_truth").mkdir(parents=True, exist_ok=True)
    truth.to_csv(out_dir / "ground_truth" / "looked_after_31_july.csv", index=False)
    (out_dir / "ground_truth" / "identifier_error_rates.json").write_text(json.dumps(RATES, indent=2))
