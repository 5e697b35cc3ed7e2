"""The one place that assembles the Story of Progress into Dagster Definitions.

Contracts in ``data_contracts/`` and measures in the catalogue are read once here and turned
into assets by their factories; everything else (resources, jobs, schedules, sensors) is
declared beside them in this package.
"""

from __future__ import annotations

import dagster as dg

from assets.analysis_tables import build_analysis_asset
from assets.ingest.contracts import load_contracts
from assets.ingest.factory import build_raw_asset
from assets.linkage.person_links import build_person_links_asset
from assets.measures.catalogue import catalogue
from assets.measures.factory import measure_assets
from assets.publication.community_voice import community_voice
from assets.publication.coverage import build_data_coverage_asset
from assets.publication.mart import build_published_measures_asset
from assets.publication.mart_export import build_mart_export_asset
from assets.publication.organisation_progress import organisation_progress_asset
from assets.reference import councils
from assets.reports.report_assets import build_report_assets
from orchestration.alerts import build_alert_sensors
from orchestration.deployment import check_environment, mart_url
from orchestration.jobs import story_of_progress_job
from orchestration.resources import build_resources
from orchestration.schedules import SCHEDULES
from orchestration.sensors import build_landing_sensor
from orchestration.settings import Settings


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    check_environment()
    settings = settings or Settings.from_env()
    contracts = load_contracts(settings.contracts_dir)
    measures = catalogue()
    council_count = len(councils(settings.reference_dir).codes)
    assets = [
        *(build_raw_asset(c, settings.reference_dir) for c in contracts.values()),
        build_person_links_asset(contracts),
        *(build_analysis_asset(c) for c in contracts.values()),
        *measure_assets(council_count),
        build_published_measures_asset(measures),
        build_data_coverage_asset(contracts),
        community_voice,
        organisation_progress_asset,
        *([build_mart_export_asset(url)] if (url := mart_url()) else []),
        *build_report_assets(measures, contracts),
    ]
    return dg.Definitions(
        assets=assets,
        jobs=[story_of_progress_job],
        schedules=SCHEDULES,
        sensors=[build_landing_sensor(contracts), *build_alert_sensors(settings)],
        resources=build_resources(settings),
        executor=dg.in_process_executor,
    )


defs = build_definitions()
