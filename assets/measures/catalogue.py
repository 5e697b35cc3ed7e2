"""The measure catalogue: every measure the pipeline computes, listed here in the order it publishes them.

Adding a measure is declaring it (``assets.model.measures.measure``) beside its computation and
adding its name to ``MEASURES``. The factory in ``assets.measures.factory`` turns each entry
into an asset.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from assets.measures import care_journeys, education, experience, hearings, indicators, justice, looked_after, restraint, siblings, spend
from assets.model.contracts import Contract
from assets.model.measures import DeclareMeasures, Measure, catalogue_of

MEASURES: list[Measure | DeclareMeasures] = [
    *indicators.STREAM_MEASURES,
    looked_after.declare_looked_after_31_july,
    looked_after.looked_after_rate_per_1000,
    looked_after.looked_after_family_settings_share,
    care_journeys.started_looked_after_rate_per_1000,
    care_journeys.ceased_looked_after_rate_per_1000,
    care_journeys.three_or_more_placements_share,
    care_journeys.continuing_care_uptake_share,
    education.leavers_positive_initial_destination_care_experienced,
    education.leavers_positive_initial_destination_all,
    education.leavers_positive_initial_destination_gap,
    education.leavers_positive_followup_destination_care_experienced,
    education.leavers_positive_followup_destination_all,
    education.leavers_positive_followup_destination_gap,
    education.school_exclusions_care_experienced,
    education.school_exclusions_all,
    experience.vision_measures,
    hearings.hearings_child_views_recorded_share,
    justice.children_in_custody_under_18,
    justice.secure_care_admissions,
    justice.secure_care_admissions_from_outside_scotland,
    restraint.restraint_incidents,
    restraint.restraint_incidents_per_place,
    siblings.siblings_living_together,
    spend.preventative_spend_share,
]


def catalogue(reference_dir: Path, contracts: Mapping[str, Contract]) -> dict[str, Measure]:
    """Every measure of ``MEASURES`` by id, declared from ``reference_dir`` and ``contracts`` where it depends on them."""
    return catalogue_of(MEASURES, reference_dir, contracts)
