"""Incremental linkage: a new or corrected file is linked against the person registry, not all of Scotland.

A full relink links every record (``person_links`` on the quarterly edition, or on demand with
the run tag ``story/linkage=full``). Between relinks a run starts from what changed since the
registry was written: records new to it (a new file, or a corrected file under its new hash)
and registered records gone from the raw zone (the file they came from was replaced). The
records whose decisions those changes can move, the *neighbourhood*, are (after a new record
that repeats a gone one, a corrected return's unchanged row, has taken that record's place and
person: ``registry.resent_records``; neither counts as new or gone):

- the *seeds*: every new record, the remaining records of each person who lost one (the
  record that went may have held the identifier that kept two persons apart, or left a
  person with a single record, which is then ``unlinked``), and every record of each person
  a reviewer's decision not yet applied names (``clerical_review``);
- every registered record that one of the stored model's blocking rules pairs with a seed, or
  that shares an agency reference with one (``person_links.reference_columns``): these are the
  only pairs with a seed that a full run scores or joins;
- every other record of the persons of those records, so a person is relinked whole: the
  clusters see every identifier that can refuse a merge, and the person keeps or gives up
  its id on all of its records (``registry.stable_person_ids``); but a retired record (its
  identifiers destroyed, ``assets.ingest.retention``), which has no prepared row, is never
  relinked and keeps the id it has.

The neighbourhood is linked with the stored model and with the term frequencies of every
current record (``find_neighbourhood`` counts them), so each of its pairs is scored and decided as
a full run would; every record outside it keeps its person id and how it was linked. What a
full relink can still decide differently is a pair between two records outside the
neighbourhood whose weight moved at the threshold because the new records made a name more
or less common. The full relink settles those; ``tests/integration/test_linkage_incremental.py``
and ``bench/end_to_end.py`` count them.
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
