"""Compile a data contract into Great Expectations suites and say, in plain words, what failed.

The incoming CSV is first loaded, every value as text, into a throwaway staging DuckDB file
with its row number. Two GX suites then run where the data is (SQL on DuckDB, never pulled
into pandas): one on the text as sent (required values, types, patterns, code lists,
uniqueness, the record's agency and period against the folder and file name) and one on a
typed view of it (ranges, date order, dates inside the reporting period). Every expectation
carries the sentence an agency analyst will read if it fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import great_expectations.expectations as gxe

from assets.ingest.contracts import Column, Contract
from assets.ingest.problems import Problem
from assets.reference import Councils, code_list
from checks.gx_duckdb import validate_duckdb_table

STAGED_TABLE = "staged"
TYPED_VIEW = "typed"
ROW_ID = "_row_number"
CHI_VALID = "{}__check_digit_ok"

_TYPE_PATTERNS = {
    "integer": (r"^-?[0-9]+$", "a whole number"),
    "number": (r"^-?[0-9]+(\.[0-9]+)?$", "a number (digits, with an optional decimal point, no commas or £ signs)"),
    "date": (r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", "a date written YYYY-MM-DD (for example 2021-07-31)"),
}


@dataclass(frozen=True)
class Rule:
    """One expectation and the words that explain a failure of it."""

    expectation: gxe.Expectation
    table: str
    columns: tuple[str, ...]
    explain: str  # "{n}" is replaced by the number of rows that broke the rule
    blocking: bool = True


def stage_csv(csv_path: Path, staging_db: Path, contract: Contract) -> int:
    """Load every value as text with its data row number; returns the number of rows staged."""
    columns = ", ".join(f"'{c}': 'VARCHAR'" for c in contract.column_names)
    with duckdb.connect(str(staging_db)) as con:
        # Insertion order is preserved on a scan, so row_number() is the row's position in the file.
        con.execute(
            f"CREATE TABLE {STAGED_TABLE} AS SELECT row_number() OVER () AS {ROW_ID}, * "
            f"FROM read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', columns = {{{columns}}}, "
            "strict_mode = true, encoding = 'utf-8')",
            [str(csv_path)],
        )
        con.execute(f"CREATE VIEW {TYPED_VIEW} AS SELECT {_typed_select(contract)} FROM {STAGED_TABLE}")
        return con.execute(f"SELECT count(*) FROM {STAGED_TABLE}").fetchone()[0]


def _chi_check_digit_sql(column: str) -> str:
    """True when a 10-digit CHI's last digit is its modulus-11 check digit (NULL when no CHI)."""
    weighted = " + ".join(f"{10 - i} * CAST(substr({column}, {i + 1}, 1) AS INTEGER)" for i in range(9))
    return (
        f"CASE WHEN regexp_full_match({column}, '[0-9]{{10}}') THEN "
        f"(11 - (({weighted}) % 11)) % 11 = CAST(substr({column}, 10, 1) AS INTEGER) END"
    )


def _typed_select(contract: Contract) -> str:
    parts = [ROW_ID]
    for column in contract.columns:
        if column.logical_type == "string":
            parts.append(column.name)
        else:
            parts.append(f"TRY_CAST({column.name} AS {column.duckdb_type}) AS {column.name}")
        if "chiCheckDigit" in column.warning_rules:
            parts.append(f"{_chi_check_digit_sql(column.name)} AS {CHI_VALID.format(column.name)}")
    return ", ".join(parts)


def _column_rules(column: Column, reference_dir: Path) -> list[Rule]:
    name = column.name
    rules: list[Rule] = []
    if column.required:
        rules.append(Rule(gxe.ExpectColumnValuesToNotBeNull(column=name), STAGED_TABLE, (name,), f"'{name}' must be filled in, but is empty in {{n}} row(s)."))
    if column.logical_type in _TYPE_PATTERNS:
        regex, words = _TYPE_PATTERNS[column.logical_type]
        rules.append(Rule(gxe.ExpectColumnValuesToMatchRegex(column=name, regex=regex), STAGED_TABLE, (name,), f"'{name}' must be {words}; {{n}} row(s) are not."))
    if column.pattern:
        rules.append(Rule(gxe.ExpectColumnValuesToMatchRegex(column=name, regex=column.pattern), STAGED_TABLE, (name,), f"'{name}' is not in the expected format ({column.pattern}) in {{n}} row(s)."))
    allowed = column.valid_values or (code_list(column.code_list, reference_dir) if column.code_list else None)
    if allowed:
        listed = ", ".join(allowed) if len(allowed) <= 15 else f"the {column.code_list} code list"
        rules.append(Rule(gxe.ExpectColumnValuesToBeInSet(column=name, value_set=list(allowed)), STAGED_TABLE, (name,), f"'{name}' has a value that is not allowed in {{n}} row(s). Allowed values: {listed}."))
    if column.unique:
        rules.append(Rule(gxe.ExpectColumnValuesToBeUnique(column=name), STAGED_TABLE, (name,), f"'{name}' must be different on every row, but {{n}} row(s) repeat a value."))
    if column.minimum is not None or column.maximum is not None:
        rules.append(Rule(
            gxe.ExpectColumnValuesToBeBetween(column=name, min_value=column.minimum, max_value=column.maximum),
            TYPED_VIEW, (name,), f"'{name}' must be between {column.minimum} and {column.maximum}; {{n}} row(s) are outside that range.",
        ))
    if "chiCheckDigit" in column.warning_rules:
        rules.append(Rule(
            gxe.ExpectColumnValuesToBeInSet(column=CHI_VALID.format(name), value_set=[True]), TYPED_VIEW, (name,),
            f"'{name}' fails the CHI check digit in {{n}} row(s): these CHI numbers will not be used to link records. Please check them at source.",
            blocking=False,
        ))
    return rules


def _table_rules(contract: Contract, agency: str, period: str, councils: Councils) -> list[Rule]:
    rules: list[Rule] = []
    bounds = contract.period_bounds(period)
    for rule in contract.table_rules:
        args, why = rule.arguments, rule.description
        if rule.rule == "agencyMatchesFolder":
            column = args["column"]
            codes = sorted(code for code, current in councils.current_code_of.items() if current == agency) or [agency]
            rules.append(Rule(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=codes), STAGED_TABLE, (column,), f"'{column}' must be {agency}, the agency whose folder the file was dropped in, but differs in {{n}} row(s)."))
        elif rule.rule == "periodMatchesFile":
            column = args["column"]
            rules.append(Rule(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=[period]), STAGED_TABLE, (column,), f"'{column}' must be {period}, the period in the file name, but differs in {{n}} row(s)."))
        elif rule.rule == "onOrAfter":
            later, earlier = args["later"], args["earlier"]
            rules.append(Rule(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=later, column_B=earlier, or_equal=True, ignore_row_if="either_value_is_missing"),
                TYPED_VIEW, (later, earlier), f"{why or f'{later!r} must be on or after {earlier!r}'}: {{n}} row(s) have '{later}' before '{earlier}'.",
            ))
        elif rule.rule == "notGreaterThan":
            smaller, larger = args["smaller"], args["larger"]
            rules.append(Rule(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=larger, column_B=smaller, or_equal=True, ignore_row_if="either_value_is_missing"),
                TYPED_VIEW, (smaller, larger), f"{why or f'{smaller!r} must not exceed {larger!r}'}: {{n}} row(s) break this.",
            ))
        elif rule.rule in ("withinPeriod", "onOrBeforePeriodEnd", "onOrAfterPeriodStart"):
            if bounds is None:
                raise ValueError(f"{contract.id}: rule {rule.rule} needs a period with dates")
            column = args["column"]
            low = bounds[0] if rule.rule != "onOrBeforePeriodEnd" else None
            high = bounds[1] if rule.rule != "onOrAfterPeriodStart" else None
            rules.append(Rule(
                gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high),
                TYPED_VIEW, (column,), f"{why or f'{column!r} must fall in the reporting period'} ({_span(low, high)}): {{n}} row(s) do not.",
            ))
        else:
            raise ValueError(f"{contract.id}: table rule {rule.rule!r} is not known")
    for key in contract.unique_keys:
        rules.append(Rule(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(key)), STAGED_TABLE, key, f"Each combination of {', '.join(key)} must appear once, but {{n}} row(s) repeat one."))
    return rules


def _span(low: dt.date | None, high: dt.date | None) -> str:
    if low and high:
        return f"{low:%-d %B %Y} to {high:%-d %B %Y}"
    return f"on or after {low:%-d %B %Y}" if low else f"on or before {high:%-d %B %Y}"


def compile_rules(contract: Contract, agency: str, period: str, councils: Councils, reference_dir: Path) -> list[Rule]:
    rules = [r for column in contract.columns for r in _column_rules(column, reference_dir)]
    return rules + _table_rules(contract, agency, period, councils)


def validate_staged(staging_db: Path, rules: list[Rule], suite_name: str) -> list[Problem]:
    """Run the compiled rules on the staged file and turn each failure into a Problem."""
    problems: list[Problem] = []
    for table in (STAGED_TABLE, TYPED_VIEW):
        table_rules = [r for r in rules if r.table == table]
        if not table_rules:
            continue
        outcome = validate_duckdb_table(staging_db, table, [r.expectation for r in table_rules], row_id_column=ROW_ID, suite_name=f"{suite_name}.{table}")
        for rule, result in zip(table_rules, outcome.results, strict=True):
            if result.success:
                continue
            problems.append(Problem(
                check=result.expectation_type,
                message=rule.explain.format(n=f"{result.unexpected_count:,}"),
                columns=rule.columns,
                rows=tuple(result.unexpected_rows),
                rows_affected=result.unexpected_count,
                examples=tuple(result.unexpected_values),
                blocking=rule.blocking,
            ))
    return problems
