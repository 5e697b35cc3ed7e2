"""Asset keys shared across modules, so no module spells another's key by hand."""

from __future__ import annotations

import dagster as dg

PERSON_LINKS = dg.AssetKey(["linkage", "person_links"])
LINKAGE_RATES = dg.AssetKey(["linkage", "linkage_rates"])
PUBLISHED_LINKAGE_RATES = dg.AssetKey(["publication", "linkage_rates"])
PUBLISHED_MEASURES = dg.AssetKey(["publication", "published_measures"])
COMMUNITY_VOICE = dg.AssetKey(["publication", "community_voice"])
ORGANISATION_PROGRESS = dg.AssetKey(["publication", "organisation_progress"])
MART_EXPORT = dg.AssetKey(["publication", "mart_export"])


def raw_key(dataset: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", dataset])


def analysis_key(dataset: str) -> dg.AssetKey:
    return dg.AssetKey(["analysis", dataset])


def measure_key(measure_id: str) -> dg.AssetKey:
    return dg.AssetKey(["measures", measure_id])
DATA_COVERAGE = dg.AssetKey(["publication", "data_coverage"])
DATA_MAP = dg.AssetKey(["publication", "data_map"])
NATIONAL_REPORT = dg.AssetKey(["reports", "national_report"])
PUBLISHED_EDITION = dg.AssetKey(["reports", "published_edition"])
RETENTION = dg.AssetKey(["retention", "destroyed"])
