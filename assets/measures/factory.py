"""Turn each catalogue entry into a ``measures/<id>`` asset with its checks."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.keys import analysis_key, measure_key
from assets.measures.catalogue import LONG_FORMAT, Measure, catalogue
from orchestration.settings import SCOTLAND_CODE


def build_measure_asset(entry: Measure, council_count: int) -> dg.AssetsDefinition:
    key = measure_key(entry.id)

    @dg.asset(
        key=key,
        group_name=f"measures_{entry.question.lower()}",
        kinds={"duckdb"},
        deps=[analysis_key(s) for s in entry.sources],
        description=f"{entry.title}. Numerator: {entry.numerator}. Denominator: {entry.denominator or 'none'}. Desired direction: {entry.desired_direction}.",
        metadata={"question": entry.question, "vision_id": entry.vision_id or 0, "unit": entry.unit, "desired_direction": entry.desired_direction},
        check_specs=[dg.AssetCheckSpec("covers_every_council", asset=key, description="Every council has a headline figure for every period.", blocking=False)],
    )
    def measure_asset(warehouse: DuckDBResource):
        with warehouse.get_connection() as con:
            table = entry.compute(con)
            assert list(table.columns) == list(LONG_FORMAT), f"{entry.id} must return the long format"
            con.execute("CREATE SCHEMA IF NOT EXISTS measures")
            con.register("measure_frame", table)
            con.execute(f"CREATE OR REPLACE TABLE measures.{entry.id} AS SELECT * FROM measure_frame")
            con.unregister("measure_frame")
        headline = table[(table.geography_code == SCOTLAND_CODE) & (table.breakdown == "total")][["period", "numerator", "denominator", "value"]]
        councils_per_period = table[(table.geography_level == "council") & (table.breakdown == "total")].groupby("period")["geography_code"].nunique()
        missing = {p: council_count - n for p, n in councils_per_period.items() if n < council_count}
        yield dg.MaterializeResult(metadata={"dagster/row_count": len(table), "scotland": dg.MetadataValue.md(headline.to_markdown(index=False))})
        yield dg.AssetCheckResult(
            check_name="covers_every_council",
            passed=not missing,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"councils_missing_by_period": str(missing or "none"), "threshold": f"{council_count} councils"},
        )

    return measure_asset


def measure_assets(council_count: int) -> list[dg.AssetsDefinition]:
    return [build_measure_asset(entry, council_count) for entry in catalogue().values()]
