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
from assets.keys import raw_key
from assets.linkage.person_links import build_person_links_asset
from assets.measures.catalogue import catalogue
from assets.measures.factory import measure_assets
from assets.partitions import council_partitions
from assets.publication.community_voice import build_community_voice_asset
from assets.publication.coverage import build_data_coverage_asset
from assets.publication.data_map import build_data_map_asset, dataset_readers
from assets.publication.mart import build_published_measures_asset
from assets.publication.mart_export import build_mart_export_asset
from assets.publication.organisation_progress import organisation_progress_asset
from assets.reference import councils
from assets.reports.report_assets import build_report_assets
from orchestration.alerts import build_alert_sensors
from orchestration.automation import upstream_changes, with_automation
from orchestration.deployment import check_environment, mart_url
from orchestration.jobs import data_quality_digest_job, story_of_progress_job
from orchestration.resources import build_resources
from orchestration.schedules import build_schedules
from orchestration.sensors import build_landing_sensor
from orchestration.settings import Settings


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    check_environment()
    settings = settings or Settings.from_env()
    contracts = load_contracts(settings.contracts_dir)
    measures = catalogue(settings.reference_dir, contracts)
    council_count = len(councils(settings.reference_dir).codes)
    by_council = council_partitions(settings.reference_dir)
    data_assets = [
        *(build_raw_asset(c, settings.reference_dir, contracts) for c in contracts.values()),
        build_person_links_asset(contracts, settings.linkage_backend),
        *(build_analysis_asset(c) for c in contracts.values()),
        *measure_assets(measures, contracts, council_count),
        build_published_measures_asset(measures, contracts),
        build_data_coverage_asset(contracts),
        build_community_voice_asset(measures),
        organisation_progress_asset,
    ]
    assets = with_automation([
        *data_assets,
        # The Data Map names which assets read each dataset, so it is built from the others.
        build_data_map_asset(contracts, measures, dataset_readers(data_assets)),
        *([build_mart_export_asset(url)] if (url := mart_url()) else []),
        *build_report_assets(measures, contracts, by_council),
    ])
    story_job = story_of_progress_job(by_council)
    # What a dataset's file can change: the assets downstream of its intake, and nothing else
    # (a council's looked after return leaves the experience and spend measures as they are).
    after_intake = {
        c.id: sorted(dg.AssetSelection.assets(raw_key(c.id)).downstream(include_self=False).resolve(assets), key=dg.AssetKey.to_user_string)
        for c in contracts.values()
    }
    return dg.Definitions(
        assets=assets,
        jobs=[story_job, data_quality_digest_job],
        schedules=build_schedules(story_job, by_council),
        sensors=[build_landing_sensor(contracts, story_job, by_council, after_intake), *build_alert_sensors(settings), upstream_changes],
        resources=build_resources(settings),
        executor=dg.in_process_executor,
    )


defs = build_definitions()
