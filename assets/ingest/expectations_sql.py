"""The expectations a contract compiles to, and the SQL that finds every row breaking one.

Each rule of a contract is a Great Expectations expectation, kept here as data: GX's class name
and arguments (``gx_type``, ``gx_arguments``), and the condition GX itself uses on SQL engines to
select a failing row (its ``unexpected_index_query``), with the columns GX shows beside the row
ids. Evaluating the conditions here, rather than through GX, lets one query per table give every
rule's verdict (``failing_expectations``): GX runs several queries per expectation and takes
seconds to import, longer than an agency's pre-flight check of a 1,000-row file may take in all.
``tests/ingest/test_expectations_match_gx.py`` runs GX itself (``assets.ingest.expectations_duckdb``)
on staged bad files and fails if a verdict or a failing row differs from these.

A condition is true on a failing row and false or NULL on any other: like GX, the value rules
ignore missing values (``required`` reports those), a pair rule ignores a row missing either
value, and a repeated key counts only rows that have every part of the key.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import duckdb


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


@dataclass(frozen=True)
class Expectation(ABC):
    """One GX expectation: its class and arguments, and where it finds its failing rows.
    Each kind below says all three; this base only names them."""

    gx_type: ClassVar[str]  # the GX class this is, in ``great_expectations.expectations``

    @abstractmethod
    def gx_arguments(self) -> dict:
        """The keyword arguments of the GX class."""

    @abstractmethod
    def shown(self) -> tuple[str, ...]:
        """The columns whose values a failing row shows."""

    @abstractmethod
    def failing(self) -> str:
        """An SQL condition true on a failing row."""

    def fails_anywhere(self, table: str) -> str | None:
        """A query of one boolean, whether any row of ``table`` fails, for an expectation that
        answers faster on its own than as a column of the one pass (None: the pass answers)."""
        return None


@dataclass(frozen=True)
class _ColumnExpectation(Expectation):
    column: str

    def gx_arguments(self) -> dict:
        return {"column": self.column}

    def shown(self) -> tuple[str, ...]:
        return (self.column,)


@dataclass(frozen=True)
class ValuesNotNull(_ColumnExpectation):
    gx_type = "ExpectColumnValuesToNotBeNull"

    def failing(self) -> str:
        return f"{_quoted(self.column)} IS NULL"


@dataclass(frozen=True)
class ValuesNull(_ColumnExpectation):
    gx_type = "ExpectColumnValuesToBeNull"

    def failing(self) -> str:
        return f"{_quoted(self.column)} IS NOT NULL"


@dataclass(frozen=True)
class ValuesMatchRegex(_ColumnExpectation):
    """A search, as GX's regex metrics are on SQL: patterns carry ``^...$``."""

    regex: str
    gx_type = "ExpectColumnValuesToMatchRegex"

    def gx_arguments(self) -> dict:
        return {"column": self.column, "regex": self.regex}

    def failing(self) -> str:
        column = _quoted(self.column)
        return f"{column} IS NOT NULL AND NOT regexp_matches({column}, {_literal(self.regex)})"


@dataclass(frozen=True)
class ValuesInSet(_ColumnExpectation):
    values: tuple[str, ...]
    gx_type = "ExpectColumnValuesToBeInSet"

    def gx_arguments(self) -> dict:
        return {"column": self.column, "value_set": list(self.values)}

    def failing(self) -> str:
        column = _quoted(self.column)
        return f"{column} IS NOT NULL AND {column} NOT IN ({', '.join(map(_literal, self.values))})"


@dataclass(frozen=True)
class ValuesBetween(_ColumnExpectation):
    """Both bounds included; a missing bound is no bound."""

    minimum: float | None
    maximum: float | None
    gx_type = "ExpectColumnValuesToBeBetween"

    def gx_arguments(self) -> dict:
        return {"column": self.column, "min_value": self.minimum, "max_value": self.maximum}

    def failing(self) -> str:
        column = _quoted(self.column)
        within = [f"{column} >= {self.minimum!r}"] * (self.minimum is not None) + [f"{column} <= {self.maximum!r}"] * (self.maximum is not None)
        return f"{column} IS NOT NULL AND NOT ({' AND '.join(within)})"


@dataclass(frozen=True)
class PairAtLeast(Expectation):
    """``column_a >= column_b`` wherever both are given (GX: ``or_equal``, ``ignore_row_if='either_value_is_missing'``)."""

    column_a: str
    column_b: str
    gx_type = "ExpectColumnPairValuesAToBeGreaterThanB"

    def gx_arguments(self) -> dict:
        return {"column_A": self.column_a, "column_B": self.column_b, "or_equal": True, "ignore_row_if": "either_value_is_missing"}

    def shown(self) -> tuple[str, ...]:
        return (self.column_a, self.column_b)

    def failing(self) -> str:
        return f"{_quoted(self.column_a)} < {_quoted(self.column_b)}"


@dataclass(frozen=True)
class CompoundUnique(Expectation):
    """Every row whose key appears more than once; GX compares keys with ``=``, so a row
    missing any part of its key matches no other."""

    columns: tuple[str, ...]
    gx_type = "ExpectCompoundColumnsToBeUnique"

    def gx_arguments(self) -> dict:
        return {"column_list": list(self.columns)}

    def shown(self) -> tuple[str, ...]:
        return self.columns

    def failing(self) -> str:
        return f"({self._present()} AND count(*) OVER (PARTITION BY {self._keys()}) > 1)"

    def fails_anywhere(self, table: str) -> str:
        # A grouping, not the window: a window in the one pass holds every row of every column in it.
        return f"SELECT EXISTS (SELECT 1 FROM {_quoted(table)} WHERE {self._present()} GROUP BY {self._keys()} HAVING count(*) > 1)"

    def _keys(self) -> str:
        return ", ".join(map(_quoted, self.columns))

    def _present(self) -> str:
        return " AND ".join(f"{_quoted(c)} IS NOT NULL" for c in self.columns)


def failing_rows_query(table: str, expectation: Expectation, row_id_columns: Sequence[str]) -> str:
    """Every failing row: its row id columns, then the columns ``shown`` (each once)."""
    selected = ", ".join(map(_quoted, dict.fromkeys([*row_id_columns, *expectation.shown()])))
    return f"SELECT {selected} FROM (SELECT *, {expectation.failing()} AS _failing_row FROM {_quoted(table)}) WHERE _failing_row"


def failing_expectations(con: duckdb.DuckDBPyConnection, table: str, expectations: Sequence[Expectation]) -> list[bool]:
    """Whether each expectation has a failing row in ``table``: one pass over it for all of them,
    but for those that answer faster on their own (``fails_anywhere``)."""
    own = [e.fails_anywhere(table) for e in expectations]
    verdicts = [None if query is None else con.execute(query).fetchone()[0] for query in own]
    in_pass = [i for i, query in enumerate(own) if query is None]
    if in_pass:
        flags = ", ".join(f"{expectations[i].failing()} AS _{i}" for i in in_pass)
        found = con.execute(f"SELECT {', '.join(f'coalesce(bool_or(_{i}), false)' for i in in_pass)} FROM (SELECT {flags} FROM {_quoted(table)})").fetchone()
        for i, failing in zip(in_pass, found, strict=True):
            verdicts[i] = failing
    return verdicts
