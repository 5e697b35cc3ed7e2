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

from assets.model.contracts import Contract


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
