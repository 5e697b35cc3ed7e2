"""``analysis/<dataset>`` assets: each dataset as analysts may see it, in the warehouse.

Built from the content zone (which holds no identifier: names, postcodes, CHI and SCN stayed
in the index zone, a date of birth came as year and month of birth) and the person index
(each record reference's pseudonymous ``person_id`` and the keyed hashes of an agency's own
references). This side never opens the index zone (``assets.model.folder_layout``).
Only current rows are published: a superseded file's rows are gone from the content zone.
Each row carries its ledger entry's random id (``_entry_id``), so a check can name the file a
finding came from without the warehouse holding anything derived from the file's bytes. A code a
later collection year brought in is shown as the code of the one set the contract maps it onto.
"""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.folders import StoryFolders
from assets.model.contracts import Contract
from assets.model.keys import PERSON_LINKS, analysis_key, raw_key
from assets.model.zones import ENTRIES, attached_content_side, content_table, person_index_table


def analysis_select(contract: Contract) -> str:
    """The SELECT list that turns a content row into its analysis form (``r`` content, ``l`` person index)."""
    parts: list[str] = []
    if contract.identifier_columns:
        parts.append("l.person_id")
    for column in contract.columns:
        if column.pseudonymise:
            parts.append(f"l.{column.name}_key")
        elif column.name == "date_of_birth":
            parts += ["r.birth_year", "r.birth_month"]
        elif not column.identifier:
            parts.append(_one_code_set(contract, column.name))
    return ", ".join(parts + ["r._agency", "r._period", "r._entry_id"])


def _one_code_set(contract: Contract, column: str) -> str:
    """The column with every collection year's codes mapped onto one set, as the contract declares (``Contract.analysis_codes``)."""
    renamed = {code: counts_as for code, counts_as in contract.analysis_codes(column).items() if code != counts_as} if contract.years else {}
    if not renamed:
        return f"r.{column}"
    cases = " ".join(f"WHEN {_text(code)} THEN {_text(counts_as)}" for code, counts_as in renamed.items())
    return f"CASE r.{column} {cases} ELSE r.{column} END AS {column}"


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def build_analysis_asset(contract: Contract) -> dg.AssetsDefinition:
    upstream = [raw_key(contract.id)] + ([PERSON_LINKS] if contract.identifier_columns else [])

    @dg.asset(
        key=analysis_key(contract.id),
        group_name="analysis",
        kinds={"duckdb"},
        deps=upstream,
        description=f"{contract.name}, without identifiers: pseudonymous ids only.",
    )
    def analysis_dataset(folders: StoryFolders, warehouse: DuckDBResource) -> dg.MaterializeResult:
        layout = folders.layout
        # Only rows of entries the ledger holds as accepted: a load that stopped half-way left its rows unnamed.
        source = f"cz.{content_table(contract.id)} AS r JOIN cz.{ENTRIES} AS e ON e.entry_id = r._entry_id AND e.outcome = 'accepted'"
        if contract.identifier_columns:
            source += f" LEFT JOIN pi.{person_index_table(contract.id)} AS l ON l._entry_id = r._entry_id AND l._row_number = r._row_number"
        databases = {"cz": layout.content_zone_path, **({"pi": layout.person_index_path} if contract.identifier_columns else {})}
        with warehouse.get_connection() as con:
            with attached_content_side(con, databases):
                con.execute("CREATE SCHEMA IF NOT EXISTS analysis")
                con.execute(f"CREATE OR REPLACE TABLE analysis.{contract.id} AS SELECT {analysis_select(contract)} FROM {source} ORDER BY r._agency, r._period, r._row_number")
            rows = con.execute(f"SELECT count(*) FROM analysis.{contract.id}").fetchone()[0]
            preview = con.execute(f"SELECT * FROM analysis.{contract.id} LIMIT 5").df()
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "preview": dg.MetadataValue.md(preview.to_markdown(index=False))})

    return analysis_dataset
