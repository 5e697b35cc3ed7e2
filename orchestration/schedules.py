"""Schedules: a full Story of Progress edition every quarter."""

from __future__ import annotations

import dagster as dg

from orchestration.jobs import story_of_progress_job

quarterly_edition = dg.ScheduleDefinition(
    name="quarterly_edition",
    job=story_of_progress_job,
    cron_schedule="0 6 1 1,4,7,10 *",  # 06:00 on the first day of each quarter
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Publishes a full edition (national report, manifest, latest) at the start of each quarter.",
)
