"""Incremental linkage: a new or corrected file is linked against the person registry, not all of Scotland.

Method notes: docs/linkage.md, "Notes on `assets/linkage/incremental.py`".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pandas as pd

from assets.linkage.probabilistic import blocking_rules, term_frequency_columns, term_frequency_sql

# The prepared form (``core.prepare_people``) of every registered record, beside the registry:
# finding a new record's neighbours and counting how common a name is need every record's,
# and preparing 600,000 records again takes longer than linking one file.
PREPARED = "linkage.prepared_people"
REGISTRY = "linkage.person_registry"
# What the registry holds per record: enough to write a relinked record back and to give the
# linkage figures of the whole zone without reading the raw tables.
REGISTRY_COLUMNS = ("record_key", "dataset", "_file_sha256", "_row_number", "_agency", "person_id", "linked_by")


@dataclass(frozen=True)
class Neighbourhood:
    """``prepared``: the registered records to relink with the new ones (``PREPARED`` rows, with
    ``record_key``); ``registered``: their ``REGISTRY_COLUMNS`` rows, aligned; ``seeds``: how
    many records the search started from (new ones and those of persons who lost a record)."""

    prepared: pd.DataFrame
    registered: pd.DataFrame
    seeds: int


@contextmanager
def _changes(con: duckdb.DuckDBPyConnection, new: pd.DataFrame, gone: pd.DataFrame, decided: pd.DataFrame) -> Iterator[str]:
    """``new``, ``gone`` and ``decided`` registered as ``new_people``, ``gone`` and ``decided``, and
    the name of a view of the prepared records still in the raw zone; all dropped again afterwards."""
    con.register("new_people", new.drop(columns=["record"], errors="ignore"))
    con.register("gone", gone[["record_key"]])
    con.register("decided", decided[["record_key"]])
    con.execute(f"CREATE OR REPLACE TEMP VIEW current_people AS SELECT * FROM {PREPARED} p WHERE NOT EXISTS (SELECT 1 FROM gone g WHERE g.record_key = p.record_key)")
    try:
        yield "current_people"
    finally:
        con.execute("DROP VIEW current_people")
        con.unregister("new_people")
        con.unregister("gone")
        con.unregister("decided")


def find_neighbourhood(
    con: duckdb.DuckDBPyConnection, new: pd.DataFrame, gone: pd.DataFrame, model: dict, decided: pd.DataFrame | None = None,
) -> tuple[Neighbourhood, dict[str, pd.DataFrame]]:
    """The registered records a full run could link differently now that ``new`` (prepared
    records with ``record_key``) arrived, ``gone`` (``record_key``) left and a reviewer decided
    on pairs of the records ``decided`` (``record_key``) (module docstring),
    and the term-frequency table of each column ``model`` weighs by frequency, over every record
    in the raw zone now (the registered ones less ``gone``, and ``new``)."""
    decided = decided if decided is not None else pd.DataFrame({"record_key": pd.Series(dtype=object)})
    with _changes(con, new, gone, decided) as current:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE seed_people AS
            SELECT * FROM new_people
            UNION ALL BY NAME
            SELECT c.* FROM {current} c JOIN {REGISTRY} r USING (record_key)
            WHERE r.person_id IN (SELECT person_id FROM {REGISTRY} WHERE record_key IN (SELECT record_key FROM gone UNION ALL SELECT record_key FROM decided))"""
        )
        # Records sharing an agency reference are joined as by an SCN, so they are neighbours too.
        references = [name for (name,) in con.execute(
            f"SELECT column_name FROM information_schema.columns WHERE table_schema = 'linkage' AND table_name = '{PREPARED.split('.')[1]}' AND column_name LIKE 'reference\\_%' ESCAPE '\\'"
        ).fetchall()]
        rules = [*blocking_rules(model), *(f"l.{column} = r.{column}" for column in references)]
        # Both orientations of every rule: a rule need not be symmetric in l and r.
        paired = " UNION ".join(
            f"SELECT r.record_key FROM seed_people l JOIN {current} r ON {rule} UNION SELECT l.record_key FROM {current} l JOIN seed_people r ON {rule}"
            for rule in rules
        )
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE neighbours AS
            SELECT r.* FROM {REGISTRY} r
            WHERE r.person_id IN (
                SELECT person_id FROM {REGISTRY} WHERE record_key IN ({paired}) OR record_key IN (SELECT record_key FROM seed_people)
            )
            AND NOT EXISTS (SELECT 1 FROM gone g WHERE g.record_key = r.record_key)
            AND EXISTS (SELECT 1 FROM {current} c WHERE c.record_key = r.record_key)"""
        )
        registered = con.execute(f"SELECT {', '.join(REGISTRY_COLUMNS)} FROM neighbours ORDER BY record_key").df()
        prepared = con.execute(f"SELECT p.* FROM {PREPARED} p JOIN neighbours n USING (record_key) ORDER BY record_key").df()
        seeds = con.execute("SELECT count(*) FROM seed_people").fetchone()[0]
        con.execute("DROP TABLE neighbours")
        con.execute("DROP TABLE seed_people")
        frequencies = {}
        for column in term_frequency_columns(model):
            con.execute(f"CREATE OR REPLACE TEMP VIEW every_person AS SELECT {column} FROM {current} UNION ALL SELECT {column} FROM new_people")
            frequencies[column] = con.execute(term_frequency_sql(column, "every_person")).df()
            con.execute("DROP VIEW every_person")
    return Neighbourhood(prepared=prepared, registered=registered, seeds=int(seeds)), frequencies
