"""Run Great Expectations 1.x expectations on a DuckDB table, where the data is.

Why this module exists
----------------------
Great Expectations (seen with great-expectations 1.24.1, duckdb-engine 0.17.0, duckdb 2.0.0,
SQLAlchemy 2.1) does not work on DuckDB through ``context.data_sources.add_sql(
connection_string="duckdb:///...")``. This module is the only place in the repository that
knows about that, so the workaround can be deleted in one go when upstream fixes it.

1. **Every expectation fails** with ``MetricResolutionError: list index out of range``
   (upstream great_expectations issue #11579; its pull request #11635 only made the error
   message clearer). ``SqlAlchemyExecutionEngine.execute_query`` runs each query inside
   ``with engine.connect()`` and calls ``.fetchall()`` on the result *after* that block has
   closed the connection. duckdb-engine's cursors are thin wrappers around one shared DuckDB
   connection, so when the SQLAlchemy connection goes back to the pool (and is rolled back)
   the pending result is discarded and the fetch returns no rows. Pool settings cannot help:
   the connection is closed before the fetch whatever the pool.

   GX already has the cure for SQLite, SQL Server, BigQuery and Databricks: dialects listed
   in ``great_expectations.execution_engine.sqlalchemy_execution_engine.
   _PERSISTED_CONNECTION_DIALECTS`` get a ``StaticPool`` engine
   (``_dialect_requires_persisted_connection``) and one connection kept open for the life of
   the execution engine (``SqlAlchemyExecutionEngine.get_connection``), so results can be
   fetched after the ``with`` block. We append ``"duckdb"`` to that module-level tuple. Both
   readers look the tuple up at call time, one by ``.value`` and one by string equality, so
   the entry is a ``str`` that also has a ``.value``.

2. **Regex expectations raise** ``NotImplementedError: Regex is not supported for dialect
   duckdb``: ``great_expectations.expectations.metrics.util.get_dialect_regex_expression``
   has a branch per dialect and none for DuckDB. The column map metrics import that function
   by name, so we rebind the name in the four modules that build row conditions from it
   (``column_values_match_regex``, ``column_values_not_match_regex`` and their ``_list``
   variants) to a wrapper that calls the original first and only when it returns ``None`` for
   a dialect named ``duckdb`` builds ``regexp_matches(column, regex)`` (negated for the
   "not" expectations). ``regexp_matches`` is a *search*, like PostgreSQL's ``~`` and the
   pandas engine's ``str.contains``, so a pattern must carry ``^...$`` to describe the whole
   value, exactly as on GX's other engines. DuckDB uses RE2 syntax (no look-around or
   back-references).

Both patches are applied once, idempotently, by :func:`apply_duckdb_fixes`, which
:func:`validate_duckdb_table` calls. ``tests/unit/test_gx_duckdb.py`` runs a plain GX
validation in a subprocess without the patches and fails, telling you to drop them, if
upstream has fixed either problem, and fails if the GX internals they rely on have moved.

Which database to validate
--------------------------
DuckDB allows one database instance per file per process: while a DuckDB file is open in
this process with a different configuration (for example ``read_only`` or other settings),
connecting to it again fails, and while another process writes it, it is locked. GX opens the
file itself (read-only, through duckdb-engine), so callers should validate a **separate
staging database file** that nothing else holds open: the pipeline loads each incoming CSV,
every value as text with a ``_row_number`` column, into a temporary staging DuckDB file,
closes it, and validates that. All connections GX opened are closed before this function
returns, so the caller may reopen the file afterwards.

Typed checks (``expect_column_values_to_be_between``, column pair comparisons) compare the
column's SQL type with the bounds, so run them on typed columns: create a view in the staging
file with ``TRY_CAST`` (a failed cast becomes NULL, which the regex/type checks on the text
report) and validate the view by name; views work like tables here.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import sqlalchemy as sa
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.execution_engine import sqlalchemy_execution_engine as _gx_engine
from great_expectations.expectations.metrics import util as _gx_metric_util
from great_expectations.expectations.metrics.column_map_metrics import (
    column_values_match_regex as _match_regex,
)
from great_expectations.expectations.metrics.column_map_metrics import (
    column_values_match_regex_list as _match_regex_list,
)
from great_expectations.expectations.metrics.column_map_metrics import (
    column_values_not_match_regex as _not_match_regex,
)
from great_expectations.expectations.metrics.column_map_metrics import (
    column_values_not_match_regex_list as _not_match_regex_list,
)

__all__ = [
    "MAX_UNEXPECTED_ROWS",
    "MAX_UNEXPECTED_VALUES",
    "ExpectationOutcome",
    "TableValidation",
    "apply_duckdb_fixes",
    "duckdb_regex_expression",
    "validate_duckdb_table",
]

MAX_UNEXPECTED_ROWS = 50
"""Row numbers reported per failed expectation: enough for an agency to find the pattern."""
MAX_UNEXPECTED_VALUES = 20
"""Failing values sampled per failed expectation, as text."""

DUCKDB_DIALECT = "duckdb"
_REGEX_MODULES = (_match_regex, _not_match_regex, _match_regex_list, _not_match_regex_list)
_original_regex_expression = _gx_metric_util.get_dialect_regex_expression


class _PersistedDialectName(str):
    """A dialect name GX's persisted-connection checks accept.

    ``_dialect_requires_persisted_connection`` reads ``entry.value`` and ``get_connection``
    tests ``dialect_name in _PERSISTED_CONNECTION_DIALECTS`` (string equality); the GX enum
    ``GXSqlDialect`` has no DuckDB member and cannot be extended, so a ``str`` carrying
    ``.value`` serves both.
    """

    @property
    def value(self) -> str:
        return str(self)


def _dialect_name(dialect: Any) -> str | None:
    """Name of what GX passes as ``_dialect``: an engine dialect instance for DuckDB (GX's
    ``dialect_module`` is ``None`` for dialects it does not know), a dialect module otherwise."""
    name = getattr(dialect, "name", None)
    if isinstance(name, str):
        return name.lower()
    inner = getattr(dialect, "dialect", None)
    name = getattr(inner, "name", None)
    return name.lower() if isinstance(name, str) else None


def duckdb_regex_expression(
    column: sa.ColumnElement[Any], regex: str, positive: bool = True
) -> sa.ColumnElement[bool]:
    """The row condition GX's regex expectations need, in DuckDB: ``regexp_matches`` (a search)."""
    match = sa.func.regexp_matches(column, sa.literal(regex, type_=sa.String), type_=sa.Boolean)
    return match if positive else sa.not_(match)


def _regex_expression_with_duckdb(
    column: sa.ColumnElement[Any], regex: str, dialect: Any, positive: bool = True
) -> sa.ColumnElement[bool] | None:
    """GX's ``get_dialect_regex_expression``, plus DuckDB when GX itself has no answer."""
    expression = _original_regex_expression(column, regex, dialect, positive)
    if expression is None and _dialect_name(dialect) == DUCKDB_DIALECT:
        return duckdb_regex_expression(column, regex, positive)
    return expression


def apply_duckdb_fixes() -> None:
    """Make GX keep one DuckDB connection and understand regex on DuckDB (idempotent).

    See the module docstring for the two GX internals touched and why (issue #11579).
    """
    persisted = _gx_engine._PERSISTED_CONNECTION_DIALECTS
    if not any(getattr(d, "value", d) == DUCKDB_DIALECT for d in persisted):
        _gx_engine._PERSISTED_CONNECTION_DIALECTS = (*persisted, _PersistedDialectName(DUCKDB_DIALECT))
    for module in _REGEX_MODULES:
        if module.get_dialect_regex_expression is not _regex_expression_with_duckdb:
            module.get_dialect_regex_expression = _regex_expression_with_duckdb


def duckdb_fixes_applied() -> bool:
    """True when both patches are in place (for tests and for callers that want to assert it)."""
    persisted = any(getattr(d, "value", d) == DUCKDB_DIALECT for d in _gx_engine._PERSISTED_CONNECTION_DIALECTS)
    regex = all(m.get_dialect_regex_expression is _regex_expression_with_duckdb for m in _REGEX_MODULES)
    return persisted and regex


@dataclass(frozen=True)
class ExpectationOutcome:
    """What one expectation found, in plain types a report or a Problem can be built from.

    ``unexpected_count`` counts rows for row-level expectations; table-level ones (column
    exists, column set, row count) judge the table as a whole and report 0 — read ``success``
    and ``observed_value`` for those. ``unexpected_rows`` are ``row_id_column`` values, sorted,
    at most :data:`MAX_UNEXPECTED_ROWS` (GX fetches a sample, not all of them);
    ``unexpected_values`` is a sample of the failing values as text, at most
    :data:`MAX_UNEXPECTED_VALUES`.
    """

    expectation_type: str
    column: str | None
    kwargs: dict[str, Any]
    success: bool
    unexpected_count: int
    element_count: int
    unexpected_rows: list[int] = field(default_factory=list)
    unexpected_values: list[str] = field(default_factory=list)
    unexpected_percent: float | None = None
    observed_value: str | None = None


@dataclass(frozen=True)
class TableValidation:
    """All outcomes for one table, in the order the expectations were given."""

    success: bool
    results: list[ExpectationOutcome]

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success]


class ExpectationError(RuntimeError):
    """GX could not evaluate an expectation (bad column, SQL error): a bug, not bad data."""


def _as_text(value: Any) -> str:
    """A value as an agency analyst would read it (dates ISO, pairs 'a / b', empty for NULL)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "(empty)"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_as_text(v)}" for k, v in value.items())
    if isinstance(value, (tuple, list)):
        return " / ".join(_as_text(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _row_ids(index_list: Sequence[Any] | None, row_id_column: str) -> list[int]:
    rows: set[int] = set()
    for entry in index_list or []:
        value = entry.get(row_id_column) if isinstance(entry, Mapping) else entry
        if value is not None:
            rows.add(int(value))
    return sorted(rows)[:MAX_UNEXPECTED_ROWS]


def _close_connections(datasource: Any) -> None:
    """Close every connection GX opened to the file.

    ``SqlAlchemyExecutionEngine.close()`` only closes the persisted connection for dialects
    with an ``_engine_backup`` (SQLite and a few others), so we close ours explicitly, then
    dispose both the execution engine's engine and the datasource's own engine (used for the
    connection test). A live connection would keep the DuckDB file open in this process.
    """
    execution_engine = datasource.get_execution_engine()
    connection = getattr(execution_engine, "_connection", None)
    if connection is not None:
        connection.close()
        execution_engine._connection = None
    execution_engine.engine.dispose()
    datasource.get_engine().dispose()


def validate_duckdb_table(
    database: Path,
    table: str,
    expectations: list[gxe.Expectation],
    *,
    row_id_column: str | None = "_row_number",
    suite_name: str = "duckdb_table",
) -> TableValidation:
    """Validate ``table`` (or view) in the DuckDB file ``database`` with an ephemeral GX context.

    The queries run inside DuckDB through SQLAlchemy (duckdb-engine); rows are never pulled
    into pandas, only counts and up to :data:`MAX_UNEXPECTED_ROWS` failing rows per
    expectation. With ``row_id_column`` set (it must exist in the table), the result format is
    COMPLETE with ``unexpected_index_column_names=[row_id_column]``, so each failure names its
    rows. Expectation objects are copied into the suite, so the caller's objects are untouched.

    Raises :class:`ExpectationError` if GX could not evaluate an expectation (an unknown
    column, a type error in SQL), so a broken rule is never mistaken for a failed one.
    See the module docstring for why the database should be a separate staging file.
    """
    apply_duckdb_fixes()
    database = Path(database)
    if not database.is_file():
        raise FileNotFoundError(f"No DuckDB database at {database}")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    run_name = f"{suite_name}-{uuid.uuid4().hex[:8]}"
    datasource = context.data_sources.add_sql(
        name=run_name,
        connection_string=f"duckdb:///{database.resolve()}",
        # Validation only reads; read-only also guarantees it cannot change the staged data.
        kwargs={"connect_args": {"read_only": True}},
    )
    try:
        batch_definition = datasource.add_table_asset(name=table, table_name=table).add_batch_definition_whole_table("whole table")
        suite = context.suites.add(gx.ExpectationSuite(name=run_name))
        # add_expectation copies; keep the copies' ids to pair results with the caller's order.
        expectation_ids = [suite.add_expectation(e.copy()).id for e in expectations]
        result_format: dict[str, Any] = {
            "result_format": "COMPLETE" if row_id_column else "SUMMARY",
            # GX limits the fetched failing rows/values to this, in SQL (LIMIT).
            "partial_unexpected_count": max(MAX_UNEXPECTED_ROWS, MAX_UNEXPECTED_VALUES),
        }
        if row_id_column:
            result_format["unexpected_index_column_names"] = [row_id_column]
        run = batch_definition.get_batch().validate(suite, result_format=result_format)
    finally:
        _close_connections(datasource)

    by_id = {r.expectation_config.id: r for r in run.results}
    outcomes = [_outcome(by_id[i], row_id_column, table) for i in expectation_ids]
    return TableValidation(success=all(o.success for o in outcomes), results=outcomes)


def _outcome(result: Any, row_id_column: str | None, table: str) -> ExpectationOutcome:
    config = result.expectation_config
    info = result.exception_info or {}
    # exception_info is either {"raised_exception": ...} or {metric_id: {...}} per failed metric.
    failures = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, Mapping)]
    raised = [f for f in failures if f.get("raised_exception")]
    if raised:
        raise ExpectationError(f"{config.type} could not run on {table}: {raised[0].get('exception_message')}")

    details = result.result or {}
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    row_level = "unexpected_count" in details
    observed = details.get("observed_value")
    if observed is None and details.get("details", {}).get("mismatched"):
        observed = details["details"]["mismatched"]
    values_source = details.get("partial_unexpected_list") or details.get("unexpected_list") or []
    element_count = details.get("element_count")
    if element_count is None and config.type == "expect_table_row_count_to_be_between":
        element_count = observed
    return ExpectationOutcome(
        expectation_type=config.type,
        column=kwargs.get("column"),
        kwargs=kwargs,
        success=bool(result.success),
        unexpected_count=int(details.get("unexpected_count") or 0) if row_level else 0,
        element_count=int(element_count or 0),
        unexpected_rows=_row_ids(details.get("unexpected_index_list"), row_id_column) if row_id_column else [],
        unexpected_values=[_as_text(v) for v in values_source[:MAX_UNEXPECTED_VALUES]],
        unexpected_percent=details.get("unexpected_percent"),
        observed_value=None if observed is None else _as_text(observed),
    )
