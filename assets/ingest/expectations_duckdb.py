"""Run Great Expectations 1.x suites on a DuckDB table, where the data is.

The pipeline evaluates its contracts' expectations itself, in one query per table
(``assets.ingest.expectations_sql``); GX, run here, is the reference it is held to:
``tests/ingest/test_expectations_match_gx.py`` fails if GX's verdicts or failing rows differ,
and ``bench/validation_speed.py`` times the same expectations by GX on pandas. ``as_gx`` turns
one of ours into GX's own expectation.

Method notes: docs/intake.md, "Notes on `assets/ingest/expectations_duckdb.py`".
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import great_expectations as gx
import great_expectations.expectations as gxe
import sqlalchemy as sa
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.execution_engine import sqlalchemy_execution_engine as gx_engine
from great_expectations.expectations.metrics import util as gx_metric_util
from great_expectations.expectations.metrics.column_map_metrics import (
    column_values_match_regex,
    column_values_match_regex_list,
    column_values_not_match_regex,
    column_values_not_match_regex_list,
)

from assets.ingest.expectations_sql import Expectation

_MAX_VALUES = 20
_COMPOUND_UNIQUE = "expect_compound_columns_to_be_unique"
_CASCADE = "transaction is aborted"
_REGEX_MODULES = (column_values_match_regex, column_values_not_match_regex, column_values_match_regex_list, column_values_not_match_regex_list)
_original_regex = gx_metric_util.get_dialect_regex_expression


class _DuckDBDialect(str):
    """Stands in the persisted-connection list, which GX compares both as strings and by ``.value``."""

    value = "duckdb"


def _duckdb_regex(column, regex: str, dialect, positive: bool = True):
    expression = _original_regex(column, regex, dialect, positive)
    if expression is not None:
        return expression
    if getattr(getattr(dialect, "dialect", dialect), "name", "") == "duckdb":
        match = sa.func.regexp_matches(column, sa.literal(regex, type_=sa.String), type_=sa.Boolean)
        return match if positive else sa.not_(match)
    return None


def apply_duckdb_fixes() -> None:
    """Idempotently make GX keep one DuckDB connection and understand regex on DuckDB."""
    if "duckdb" not in [getattr(d, "value", d) for d in gx_engine._PERSISTED_CONNECTION_DIALECTS]:
        gx_engine._PERSISTED_CONNECTION_DIALECTS = (*gx_engine._PERSISTED_CONNECTION_DIALECTS, _DuckDBDialect("duckdb"))
    for module in _REGEX_MODULES:
        module.get_dialect_regex_expression = _duckdb_regex


def as_gx(expectation: Expectation) -> gxe.Expectation:
    """GX's own expectation for one of the contracts' expectations."""
    return getattr(gxe, expectation.gx_type)(**expectation.gx_arguments())


def _readable(value: object) -> str:
    """A failing value as an analyst would write it (dates as YYYY-MM-DD, pairs as 'a / b')."""
    if isinstance(value, (tuple, list)):
        return " / ".join(_readable(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_readable(v)}" for k, v in value.items())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "(empty)" if value is None else str(value)


def _release(source) -> None:
    """Close every connection GX opened to the file: the persisted one (``close()`` alone only
    disposes the pool) and the engine it made to test the connection."""
    execution_engine = source.get_execution_engine()
    if execution_engine._connection is not None:
        execution_engine._connection.close()
        execution_engine._connection = None
    execution_engine.close()
    source.get_engine().dispose()


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation_type: str
    column: str | None
    success: bool
    unexpected_count: int
    element_count: int
    unexpected_rows: list[dict] = field(default_factory=list)  # a sample: the row id columns and the failing value(s)
    unexpected_values: list[str] = field(default_factory=list)
    unexpected_query: str | None = None  # SQL selecting every failing row: row id columns, then the value(s)


@dataclass(frozen=True)
class TableValidation:
    success: bool
    results: list[ExpectationOutcome]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def compound_duplicates_query(table: str, columns: Sequence[str], row_id_columns: Sequence[str]) -> str:
    """Every row whose key combination appears more than once, with GX's rule: a row with a
    missing key value matches no other (GX compares keys with ``=``)."""
    keys = ", ".join(_quoted(c) for c in columns)
    present = " AND ".join(f"{_quoted(c)} IS NOT NULL" for c in columns)
    selected = ", ".join(_quoted(c) for c in dict.fromkeys([*row_id_columns, *columns]))
    return f"SELECT {selected} FROM (SELECT *, count(*) OVER (PARTITION BY {keys}) AS _repeats FROM {_quoted(table)} WHERE {present}) WHERE _repeats > 1"


def _raise_if_not_evaluated(results: list, table: str) -> None:
    """GX records SQL errors instead of raising; a broken rule must never pass for failed data.

    On the one persisted DuckDB connection an SQL error aborts the transaction and every later
    query fails with "transaction is aborted", so the root cause is the first other error.
    """
    errors: list[tuple[str, str]] = []
    for result in results:
        info = result.exception_info or {}
        entries = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, Mapping)]
        errors += [(result.expectation_config.type, str(e.get("exception_message"))) for e in entries if e.get("raised_exception")]
    if errors:
        kind, message = next((e for e in errors if _CASCADE not in e[1].lower()), errors[0])
        raise RuntimeError(f"{kind} could not run on {table}: {message}")


def _run_suite(database: Path, table: str, expectations: list[gxe.Expectation], result_format: dict, suite_name: str) -> list:
    """One GX validation of ``expectations`` on ``table``; the results in the input order."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    name = f"{suite_name}-{uuid.uuid4().hex[:8]}"
    source = context.data_sources.add_sql(name=name, connection_string=f"duckdb:///{database}")
    batch_definition = source.add_table_asset(name=table, table_name=table).add_batch_definition_whole_table("all rows")
    suite = context.suites.add(gx.ExpectationSuite(name=name))
    # Copies without ids: GX assigns an id in place and refuses an expectation already in a suite.
    ids = [suite.add_expectation(expectation.copy(update={"id": None})).id for expectation in expectations]
    try:
        run = batch_definition.get_batch().validate(suite, result_format=result_format)
    finally:
        _release(source)
    by_id = {r.expectation_config.id: r for r in run.results}
    results = [by_id[i] for i in ids]
    _raise_if_not_evaluated(results, table)
    return results


def validate_duckdb_table(
    database: Path,
    table: str,
    expectations: list[gxe.Expectation],
    *,
    row_id_columns: tuple[str, ...] = ("_row_number",),
    suite_name: str = "contract",
) -> TableValidation:
    """Validate ``table`` in the DuckDB file with ephemeral GX contexts; results keep the input order.

    Two passes, because a good file is the common case and GX's detailed results cost about as
    much again as the verdict: every expectation first with ``BOOLEAN_ONLY`` (pass or fail),
    then only the failed ones with ``COMPLETE`` (counts, sample rows, the failing-row query).
    """
    apply_duckdb_fixes()
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    verdicts = _run_suite(database, table, expectations, {"result_format": "BOOLEAN_ONLY"}, suite_name)
    failed = [i for i, result in enumerate(verdicts) if not result.success]
    details = {}
    if failed:
        result_format = {"result_format": "COMPLETE", "partial_unexpected_count": _MAX_VALUES}
        if row_id_columns:
            result_format["unexpected_index_column_names"] = list(row_id_columns)
        detailed = _run_suite(database, table, [expectations[i] for i in failed], result_format, f"{suite_name}-details")
        details = dict(zip(failed, detailed, strict=True))
    outcomes = []
    for index, expectation in enumerate(expectations):
        if index not in details:
            outcomes.append(ExpectationOutcome(expectation.expectation_type, getattr(expectation, "column", None), True, 0, 0))
            continue
        result = details[index]
        found = result.result or {}
        rows = [{k: v if k in row_id_columns else _readable(v) for k, v in r.items()} for r in found.get("unexpected_index_list") or [] if isinstance(r, dict)]
        query = found.get("unexpected_index_query")
        if expectation.expectation_type == _COMPOUND_UNIQUE and row_id_columns:
            query = compound_duplicates_query(table, expectation.column_list, row_id_columns)
        unexpected = found.get("unexpected_count")
        outcomes.append(ExpectationOutcome(
            expectation_type=expectation.expectation_type,
            column=getattr(expectation, "column", None),
            success=bool(result.success),
            unexpected_count=int(unexpected if unexpected is not None else (0 if result.success else 1)),
            element_count=int(found.get("element_count") or 0),
            unexpected_rows=rows,
            unexpected_values=[_readable(v) for v in (found.get("partial_unexpected_list") or [])][:_MAX_VALUES],
            unexpected_query=query.rstrip().rstrip(";") if isinstance(query, str) else None,
        ))
    return TableValidation(success=all(o.success for o in outcomes), results=outcomes)
