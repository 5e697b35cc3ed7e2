"""One read of the publication mart, shared by every report of an edition.

Reports read only ``mart.*`` (figures there have passed disclosure control). The agreed
tables arrive at different times as the team builds them, so each optional table is read
when it exists and left as ``None`` when it does not; templates then say plainly "not yet
available" instead of failing. Reading everything once, into plain DataFrames, also lets
the many council and organisation editions render in worker processes without each one
opening the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from assets.publication.mart import PUBLISHED_COLUMNS

# Agreed mart tables a report can show; absent ones are reported as not yet available.
OPTIONAL_TABLES = (
    "indicator_revisions",
    "figure_revisions",
    "early_warnings",
    "community_themes",
    "published_quotes",
    "organisation_progress",
    "organisation_learning",
    "experience_change",
    "data_map",
    "data_map_returns",
    "data_map_gaps",
    "route_map_milestones",
    "data_holdings",
    "data_map_findings",
    "linkage_rates",
)


@dataclass(frozen=True)
class MartSnapshot:
    published_measures: pd.DataFrame
    data_coverage: pd.DataFrame
    optional: dict[str, pd.DataFrame | None]

    def table(self, name: str) -> pd.DataFrame | None:
        return self.optional[name]


def mart_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'mart'").fetchall()}


def read_mart(con: duckdb.DuckDBPyConnection) -> MartSnapshot:
    present = mart_tables(con)
    # The digest runs on the ingest ledger alone (its monthly job does not compute measures).
    measures = (
        con.execute("SELECT * FROM mart.published_measures ORDER BY measure_id, geography_code, breakdown, category, period").df()
        if "published_measures" in present
        else pd.DataFrame(columns=list(PUBLISHED_COLUMNS))
    )
    coverage = con.execute("SELECT * FROM mart.data_coverage ORDER BY agency, dataset, period").df() if "data_coverage" in present else pd.DataFrame()
    optional = {name: con.execute(f"SELECT * FROM mart.{name}").df() if name in present else None for name in OPTIONAL_TABLES}
    return MartSnapshot(published_measures=measures, data_coverage=coverage, optional=optional)
