"""The one place that assembles the Story of Progress into Dagster Definitions.

Contracts in ``data_contracts/`` and measures in the catalogue are read once here and turned
into assets by their factories; everything else (resources, jobs, schedules, sensors) is
declared beside them in this package.

Two roles, kept apart as Scotland's separation of functions asks: the **index** role (intake
and linkage: it alone holds the landing folders, the linkage zone and the pseudonymisation key)
and the **content** role (analysis to reports: the content zone, the person index, the
warehouse and the editions). Locally one code location holds both (``defs``); in production
each is a code location of its own, under its own account and Secret
(``orchestration.index_location``, ``orchestration.content_location``), and the content
location sees the index role's assets only as external assets it depends on.
"""

from __future__ import annotations

from collections import defaultdict

import dagster as dg

from assets.analysis.factory import build_analysis_asset
from assets.ingest.factory import build_raw_asset, build_retention_asset
from assets.linkage.clerical_review import decisions_contract
from assets.linkage.factory import build_person_links_asset, linkage_rates
from assets.linkage.person_links import person_datasets
from assets.measures.catalogue import catalogue
from assets.measures.factory import measure_assets
from assets.model.contracts import load_contracts
from assets.model.keys import LINKAGE_RATES, PERSON_LINKS, analysis_key, raw_key
from assets.model.reference import councils
from assets.partitions import council_partitions
from assets.publication.data_map import dataset_readers
from assets.publication.factory import (
    build_community_voice_asset,
    build_data_coverage_asset,
    build_data_map_asset,
    build_mart_export_asset,
    build_published_measures_asset,
    organisation_progress_asset,
    published_linkage_rates,
)
from assets.reports.factory import build_report_assets
from orchestration.alerts import build_alert_sensors
from orchestration.automation import upstream_changes, with_automation
from orchestration.deployment import BOTH_ROLES, CONTENT_ROLE, INDEX_ROLE, check_environment, mart_url
from orchestration.jobs import data_quality_digest_job, intake_and_linkage_job, retention_job, story_of_progress_job
from orchestration.resources import build_resources
from orchestration.schedules import build_schedules, daily_retention
from orchestration.sensors import build_landing_sensor
from orchestration.settings import Settings


def index_assets(settings: Settings, contracts: dict) -> list[dg.AssetsDefinition]:
    """The index role's assets: each dataset's intake and the linkage."""
    return [
        *(build_raw_asset(c, settings.reference_dir, contracts) for c in contracts.values()),
        build_person_links_asset(contracts, settings.linkage_backend, decisions_contract(settings.contracts_dir / "linkage" / "clerical_decisions.yaml")),
        linkage_rates,
    ]


def build_definitions(settings: Settings | None = None, role: str = BOTH_ROLES) -> dg.Definitions:
    check_environment(role=role)
    settings = settings or Settings.from_env()
    contracts = load_contracts(settings.contracts_dir)
    if role == INDEX_ROLE:
        return _index_definitions(settings, contracts)
    measures = catalogue(settings.reference_dir, contracts)
    council_count = len(councils(settings.reference_dir).codes)
    by_council = council_partitions(settings.reference_dir)
    upstream = index_assets(settings, contracts)
    data_assets = [
        *(upstream if role == BOTH_ROLES else []),
        *([build_retention_asset(contracts, settings.retention)] if role == BOTH_ROLES else []),
        *(build_analysis_asset(c) for c in contracts.values()),
        *measure_assets(measures, contracts, council_count),
        build_published_measures_asset(measures, contracts),
        build_data_coverage_asset(contracts),
        published_linkage_rates,
        build_community_voice_asset(measures),
        organisation_progress_asset,
    ]
    # In the content location, the index role's assets are external: their keys, for lineage and automation.
    external_specs = [dg.AssetSpec(a.key, group_name=a.group_names_by_key[a.key]) for a in upstream] if role == CONTENT_ROLE else []
    assets = external_specs + with_automation([
        *data_assets,
        # The Data Map names which assets read each dataset, so it is built from the others.
        build_data_map_asset(contracts, measures, dataset_readers(data_assets)),
        *([build_mart_export_asset(url)] if (url := mart_url()) else []),
        *build_report_assets(measures, contracts, by_council),
    ])
    external = [a.key for a in upstream] if role == CONTENT_ROLE else []
    story_job, digest_job = story_of_progress_job(by_council, external), data_quality_digest_job(external)
    sensors = [*build_alert_sensors(settings), upstream_changes]
    if role == BOTH_ROLES:
        after_intake = _after_intake(contracts, assets)
        sensors.insert(0, build_landing_sensor(contracts, story_job, by_council, after_intake))
    index_jobs = [retention_job()] if role == BOTH_ROLES else []
    return dg.Definitions(
        assets=assets,
        jobs=[story_job, digest_job, *index_jobs],
        schedules=build_schedules(story_job, digest_job, by_council) + [daily_retention(j) for j in index_jobs],
        sensors=sensors,
        resources=build_resources(settings, role),
        executor=dg.in_process_executor,
    )


def _after_intake(contracts: dict, assets: list[dg.AssetsDefinition]) -> dict[str, list[dg.AssetKey]]:
    """What a dataset's file can change: the assets downstream of its intake, and nothing else (a council's
    looked after return leaves the experience and spend measures as they are). Every file with identifiers
    runs the linkage, but through it reaches only the analysis tables whose rows it can change: its own, and
    if it holds a person's identifiers the other person datasets' (their person ids). A dataset the linkage
    gives no person ids (no name, date of birth or CHI to link by) has keyed references from its own rows alone."""
    children: dict[dg.AssetKey, set[dg.AssetKey]] = defaultdict(set)
    for asset in assets:
        for key, parents in asset.asset_deps.items():
            for parent in parents:
                children[parent].add(key)
    linked = {c.id for c in person_datasets(contracts)}
    analysis_of = {analysis_key(c.id): c.id for c in contracts.values()}

    def reached(dataset: str) -> list[dg.AssetKey]:
        seen, todo = set(), [raw_key(dataset)]
        while todo:
            for child in children[todo.pop()] - seen:
                table = analysis_of.get(child, dataset)
                if table == dataset or {table, dataset} <= linked:
                    seen.add(child)
                    todo.append(child)
        return sorted(seen, key=dg.AssetKey.to_user_string)

    return {c.id: reached(c.id) for c in contracts.values()}


def _index_definitions(settings: Settings, contracts: dict) -> dg.Definitions:
    """The index role's location: intake and linkage, retention, the landing sensor, its own resources only."""
    assets = [*index_assets(settings, contracts), build_retention_asset(contracts, settings.retention)]
    job, retention = intake_and_linkage_job(), retention_job()
    after_intake = {c.id: [PERSON_LINKS, LINKAGE_RATES] if c.identifier_columns else [] for c in contracts.values()}
    return dg.Definitions(
        assets=assets,
        jobs=[job, retention],
        schedules=[daily_retention(retention)],
        sensors=[build_landing_sensor(contracts, job, None, after_intake), *build_alert_sensors(settings)],
        resources=build_resources(settings, INDEX_ROLE),
        executor=dg.in_process_executor,
    )


defs = build_definitions()
