"""The ``publication/published_measures`` asset: every measure after disclosure control.

Disclosure control runs here and only here, before anything leaves the warehouse; reports,
downloads and the published mart read ``mart.published_measures`` and nothing upstream of it.
A blocking check re-verifies the output so a publication can never follow a disclosive table.
"""

from __future__ import annotations

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.keys import PUBLISHED_MEASURES, measure_key
from assets.measures.catalogue import Measure
from assets.publication.disclosure_control import DisclosureRule, apply_disclosure_control, verify_no_disclosure
from assets.reference import councils
from checks.identifier_scan import scan_database
from orchestration.resources import StoryFolders

RULE = DisclosureRule()
PUBLISHED_COLUMNS = (
    "measure_id", "period", "geography_code", "geography_level", "breakdown", "category", "unit",
    "numerator_published", "value_published", "lower_published", "upper_published", "value_display",
    "suppression", "suppression_reason", "vintage",
)


def build_published_measures_asset(entries: dict[str, Measure]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISHED_MEASURES,
        group_name="publication",
        kinds={"duckdb"},
        deps=[measure_key(m) for m in entries],
        description="All measures with statistical disclosure control applied: small counts shown as [c], with secondary suppression.",
        check_specs=[
            dg.AssetCheckSpec("no_disclosive_cells", asset=PUBLISHED_MEASURES, blocking=True, description="No published count is 1-4 and no suppressed cell can be worked out from totals."),
            dg.AssetCheckSpec("no_identifiers_in_warehouse", asset=PUBLISHED_MEASURES, blocking=True, description="No table in the analysis warehouse holds names, dates of birth, postcodes, CHI or SCN."),
        ],
    )
    def published_measures(folders: StoryFolders, warehouse: DuckDBResource):
        with warehouse.get_connection() as con:
            measures = pd.concat([con.execute(f"SELECT * FROM measures.{m}").df() for m in entries], ignore_index=True)
            measures["numerator"] = measures["numerator"].astype("Int64")
            published = apply_disclosure_control(measures, RULE, geography_names=councils(folders.settings.reference_dir).names)
            violations = verify_no_disclosure(published, RULE)
            # Only published figures leave this asset: the raw counts of hidden cells stay behind.
            published = published[list(PUBLISHED_COLUMNS)]
            con.execute("CREATE SCHEMA IF NOT EXISTS mart")
            con.register("published_frame", published)
            con.execute("CREATE OR REPLACE TABLE mart.published_measures AS SELECT * FROM published_frame")
            con.unregister("published_frame")
            identifiers = scan_database(con)
        counts = published["suppression"].value_counts().to_dict()
        yield dg.MaterializeResult(
            metadata={
                "dagster/row_count": len(published),
                "cells_primary_suppressed": int(counts.get("primary", 0)),
                "cells_secondary_suppressed": int(counts.get("secondary", 0)),
                "rule": f"counts {RULE.min_count}-{RULE.max_suppressed_count} shown as [c]",
            }
        )
        yield dg.AssetCheckResult(
            check_name="no_disclosive_cells",
            passed=not violations,
            metadata={"violations": dg.MetadataValue.md("\n".join(f"- {v}" for v in violations[:50]) or "none"), "threshold": "0 violations"},
        )
        yield dg.AssetCheckResult(
            check_name="no_identifiers_in_warehouse",
            passed=not identifiers,
            metadata={"found": dg.MetadataValue.md("\n".join(f"- {i}" for i in identifiers) or "none"), "threshold": "0 identifiers"},
        )

    return published_measures
