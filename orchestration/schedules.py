"""Schedules: a full Story of Progress edition every quarter; the agencies' data-quality digest every month.

Both start stopped and are switched on in the Dagster UI (Automation), side by side. Each
runs its assets in dependency order, so a blocking check that fails (contracts, disclosure
control, identifier scans) stops everything downstream of it: nothing is published from
data that failed one.
"""

from __future__ import annotations

import dagster as dg

from orchestration.jobs import data_quality_digest_job


def quarterly_edition(story_job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    """Every council's report in one run (the job's default), so each picks up Scotland's latest figures."""
    return dg.ScheduleDefinition(
        name="quarterly_edition",
        job=story_job,
        cron_schedule="0 6 1 1,4,7,10 *",  # 06:00 on the first day of each quarter
        execution_timezone="Europe/London",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Publishes a full edition (national, every council's and every organisation's report, manifest, latest) at the start of each quarter.",
    )


monthly_data_quality_digest = dg.ScheduleDefinition(
    name="monthly_data_quality_digest",
    job=data_quality_digest_job,
    cron_schedule="0 7 1 * *",  # 07:00 on the first day of each month
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Publishes the data-quality digest for agencies (overdue returns and refusals per agency, from mart.data_coverage and contracts' refreshDays) on the first of each month.",
)

def build_schedules(story_job: dg.UnresolvedAssetJobDefinition) -> list[dg.ScheduleDefinition]:
    return [quarterly_edition(story_job), monthly_data_quality_digest]
