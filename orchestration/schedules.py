"""Schedules: a full Story of Progress edition every quarter; the agencies' data-quality digest every month; retention every day (index role).

Both start stopped and are switched on in the Dagster UI (Automation), side by side. Each
runs its assets in dependency order, so a blocking check that fails (contracts, disclosure
control, identifier scans) stops everything downstream of it: nothing is published from
data that failed one.
"""

from __future__ import annotations

import dagster as dg

from assets.linkage.person_links import FULL_RELINK, LINKAGE_TAG
from assets.partitions import every_council


def quarterly_edition(story_job: dg.UnresolvedAssetJobDefinition, councils: dg.StaticPartitionsDefinition) -> dg.ScheduleDefinition:
    """Every council's report in one run, so each picks up Scotland's latest figures, after a
    full relink of every person (between editions each file is linked incrementally)."""

    @dg.schedule(
        name="quarterly_edition",
        job=story_job,
        cron_schedule="0 6 1 1,4,7,10 *",  # 06:00 on the first day of each quarter
        execution_timezone="Europe/London",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Publishes a full edition (national, every council's and every organisation's report, manifest, latest) at the start of each quarter.",
    )
    def quarterly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return dg.RunRequest(tags={**every_council(councils), LINKAGE_TAG: FULL_RELINK})

    return quarterly


def monthly_data_quality_digest(digest_job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="monthly_data_quality_digest",
        job=digest_job,
        cron_schedule="0 7 1 * *",  # 07:00 on the first day of each month
        execution_timezone="Europe/London",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Publishes the data-quality digest for agencies (overdue returns and refusals per agency, from mart.data_coverage and contracts' refreshDays) on the first of each month.",
    )


def daily_retention(retention: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    """Retention in the index role, once a day: what is due is destroyed within a day of its period ending."""
    return dg.ScheduleDefinition(
        name="daily_retention",
        job=retention,
        cron_schedule="30 5 * * *",  # 05:30, before the editions and digests of the morning
        execution_timezone="Europe/London",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Destroys sealed originals, refused copies and index-zone identifiers kept their period (STORY_RETENTION_DAYS_*), logging each.",
    )


def build_schedules(story_job: dg.UnresolvedAssetJobDefinition, digest_job: dg.UnresolvedAssetJobDefinition, councils: dg.StaticPartitionsDefinition) -> list[dg.ScheduleDefinition]:
    return [quarterly_edition(story_job, councils), monthly_data_quality_digest(digest_job)]
