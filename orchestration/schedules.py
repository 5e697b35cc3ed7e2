"""Schedules: a full Story of Progress edition every quarter; the agencies' data-quality digest every month.

Both start stopped and are switched on in the Dagster UI (Automation), side by side. Each
runs its assets in dependency order, so a blocking check that fails (contracts, disclosure
control, identifier scans) stops everything downstream of it: nothing is published from
data that failed one.
"""

from __future__ import annotations

import dagster as dg

from assets.reports.report_assets import DATA_QUALITY_DIGEST
from orchestration.jobs import story_of_progress_job

quarterly_edition = dg.ScheduleDefinition(
    name="quarterly_edition",
    job=story_of_progress_job,
    cron_schedule="0 6 1 1,4,7,10 *",  # 06:00 on the first day of each quarter
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Publishes a full edition (national, council and organisation reports, manifest, latest) at the start of each quarter.",
)

# The digest and what it is made from: the landing folders' contract checks and the ingest ledger.
data_quality_digest_job = dg.define_asset_job(
    name="data_quality_digest",
    selection=dg.AssetSelection.assets(DATA_QUALITY_DIGEST).upstream(),
    description="Checks newly landed files, then publishes the data-quality digest for agencies (overdue returns and refused files).",
)

monthly_data_quality_digest = dg.ScheduleDefinition(
    name="monthly_data_quality_digest",
    job=data_quality_digest_job,
    cron_schedule="0 7 1 * *",  # 07:00 on the first day of each month
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Publishes the data-quality digest for agencies (overdue returns and refusals per agency, from mart.data_coverage and contracts' refreshDays) on the first of each month.",
)

SCHEDULES = [quarterly_edition, monthly_data_quality_digest]
