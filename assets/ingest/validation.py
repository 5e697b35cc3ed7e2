"""Compile a data contract into Great Expectations suites and say, in plain words, what failed.

Every new file of a dataset is first loaded, every value as text, into one throwaway staging
DuckDB file with its file number, row number, and the agency and period its folder and name
declare; so one GX run checks all of a dataset's new files at once (a run per file would cost
GX's set-up time hundreds of times). Two GX suites then run where the data is (SQL on DuckDB, never pulled
into pandas): one on the text as sent (required values, types, patterns, code lists,
uniqueness, the record's agency and period against the folder and file name) and one on a
typed view of it (ranges, date order, dates inside the reporting period). Every expectation
carries the sentence an agency analyst will read if it fails.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import duckdb
import great_expectations.expectations as gxe

from assets.ingest.contracts import Column, Contract
from assets.ingest.problems import Problem
from assets.reference import Councils, code_list
from checks.expectations_duckdb import validate_duckdb_table

STAGED_TABLE = "staged"
TYPED_VIEW = "typed"
ROW_ID = "_row_number"
FILE_ID = "_file"
ROW_IDS = (FILE_ID, ROW_ID)
CHI_VALID = "{}__check_digit_ok"
_ROWS_KEPT = 200
_EXAMPLES = 10

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
    mask_values: bool = False  # identifiers are never echoed back in a report, only their shape


def _literal(text: str) -> str:
    """Text placed in an explanation that is later formatted with ``n``: braces kept as braces."""
    return text.replace("{", "{{").replace("}", "}}")


def _mask(value: str) -> str:
    """Keep the first and last character so the sender can find the row, hide the rest."""
    return value if len(value) <= 2 else value[0] + "*" * (len(value) - 2) + value[-1]


@dataclass(frozen=True)
class StagedFile:
    number: int
    path: Path
    agency: str
    period: str


def stage_files(files: list[StagedFile], staging_db: Path, contract: Contract, councils: Councils) -> dict[int, int]:
    """Load every value as text with its file and row number; returns rows staged per file."""
    columns = ", ".join(f"'{c}': 'VARCHAR'" for c in contract.column_names)
    with duckdb.connect(str(staging_db)) as con:
        con.execute("CREATE TABLE council_codes (code VARCHAR, current VARCHAR)")
        con.executemany("INSERT INTO council_codes VALUES (?, ?)", list(councils.current_code_of.items()))
        for index, staged in enumerate(files):
            bounds = contract.period_bounds(staged.period) or (None, None)
            # Insertion order is preserved on a scan, so row_number() is the row's position in the file.
            select = (
                f"SELECT {staged.number} AS {FILE_ID}, row_number() OVER () AS {ROW_ID}, ? AS _expected_agency, ? AS _expected_period, "
                f"CAST(? AS DATE) AS _period_start, CAST(? AS DATE) AS _period_end, * "
                f"FROM read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', columns = {{{columns}}}, strict_mode = true)"
            )
            params = [staged.agency, staged.period, bounds[0], bounds[1], str(staged.path)]
            con.execute(("CREATE TABLE staged AS " if index == 0 else "INSERT INTO staged ") + select, params)
        con.execute(f"CREATE VIEW {TYPED_VIEW} AS SELECT {_typed_select(contract)} FROM {STAGED_TABLE}")
        return dict(con.execute(f"SELECT {FILE_ID}, count(*) FROM {STAGED_TABLE} GROUP BY ALL").fetchall())


def _chi_check_digit_sql(column: str) -> str:
    """True when a 10-digit CHI's last digit is its modulus-11 check digit (NULL when no CHI)."""
    weighted = " + ".join(f"{10 - i} * CAST(substr({column}, {i + 1}, 1) AS INTEGER)" for i in range(9))
    return (
        f"CASE WHEN regexp_full_match({column}, '[0-9]{{10}}') THEN "
        f"(11 - (({weighted}) % 11)) % 11 = CAST(substr({column}, 10, 1) AS INTEGER) END"
    )


def _typed_select(contract: Contract) -> str:
    parts = [FILE_ID, ROW_ID]
    for column in contract.columns:
        if column.logical_type == "string":
            parts.append(column.name)
        else:
            parts.append(f"TRY_CAST({column.name} AS {column.duckdb_type}) AS {column.name}")
        if "chiCheckDigit" in column.warning_rules:
            parts.append(f"{_chi_check_digit_sql(column.name)} AS {CHI_VALID.format(column.name)}")
    for number, rule in enumerate(contract.table_rules):
        if condition := _file_rule_sql(rule.rule, rule.arguments):
            parts.append(f"{condition} AS _rule_{number}")
    return ", ".join(parts)


def _file_rule_sql(rule: str, args: dict) -> str | None:
    """Rules that compare a value with the file's own agency or period, as a true/false column."""
    if rule == "agencyMatchesFolder":
        column = args["column"]
        return f"coalesce((SELECT current FROM council_codes WHERE code = {column}), {column}) = _expected_agency"
    if rule == "periodMatchesFile":
        return f"CAST({args['column']} AS VARCHAR) = _expected_period"
    if rule == "withinPeriod":
        return f"TRY_CAST({args['column']} AS DATE) BETWEEN _period_start AND _period_end"
    if rule == "onOrBeforePeriodEnd":
        return f"TRY_CAST({args['column']} AS DATE) <= _period_end"
    if rule == "onOrAfterPeriodStart":
        return f"TRY_CAST({args['column']} AS DATE) >= _period_start"
    return None


def _column_rules(column: Column, reference_dir: Path) -> list[Rule]:
    name = column.name
    rules: list[Rule] = []
    if column.required:
        rules.append(Rule(gxe.ExpectColumnValuesToNotBeNull(column=name), STAGED_TABLE, (name,), f"'{name}' must be filled in, but is empty in {{n}} row(s)."))
    if column.logical_type in _TYPE_PATTERNS:
        regex, words = _TYPE_PATTERNS[column.logical_type]
        rules.append(Rule(gxe.ExpectColumnValuesToMatchRegex(column=name, regex=regex), STAGED_TABLE, (name,), f"'{name}' must be {words}; {{n}} row(s) are not."))
    if column.pattern:
        rules.append(Rule(gxe.ExpectColumnValuesToMatchRegex(column=name, regex=column.pattern), STAGED_TABLE, (name,), f"'{name}' is not in the expected format ({_literal(column.pattern)}) in {{n}} row(s)."))
    allowed = column.valid_values or (code_list(column.code_list, reference_dir) if column.code_list else None)
    if allowed:
        listed = ", ".join(allowed) if len(allowed) <= 15 else f"the {column.code_list} code list"
        rules.append(Rule(gxe.ExpectColumnValuesToBeInSet(column=name, value_set=list(allowed)), STAGED_TABLE, (name,), f"'{name}' has a value that is not allowed in {{n}} row(s). Allowed values: {listed}."))
    if column.unique:
        rules.append(Rule(gxe.ExpectCompoundColumnsToBeUnique(column_list=[name, FILE_ID]), STAGED_TABLE, (name,), f"'{name}' must be different on every row, but {{n}} row(s) repeat a value."))
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
    if column.identifier:
        rules = [dataclasses.replace(r, mask_values=True) for r in rules]
    return rules


def _table_rules(contract: Contract) -> list[Rule]:
    rules: list[Rule] = []
    for number, rule in enumerate(contract.table_rules):
        args, why = rule.arguments, rule.description
        flag = f"_rule_{number}"
        if rule.rule == "agencyMatchesFolder":
            column = args["column"]
            rules.append(Rule(gxe.ExpectColumnValuesToBeInSet(column=flag, value_set=[True]), TYPED_VIEW, (column,), f"'{column}' must be the agency whose folder the file was dropped in, but differs in {{n}} row(s)."))
        elif rule.rule == "periodMatchesFile":
            column = args["column"]
            rules.append(Rule(gxe.ExpectColumnValuesToBeInSet(column=flag, value_set=[True]), TYPED_VIEW, (column,), f"'{column}' must be the period in the file name, but differs in {{n}} row(s)."))
        elif rule.rule in ("withinPeriod", "onOrBeforePeriodEnd", "onOrAfterPeriodStart"):
            column = args["column"]
            where = {"withinPeriod": "fall inside", "onOrBeforePeriodEnd": "be on or before the end of", "onOrAfterPeriodStart": "be on or after the start of"}[rule.rule]
            rules.append(Rule(
                gxe.ExpectColumnValuesToBeInSet(column=flag, value_set=[True]), TYPED_VIEW, (column,),
                f"{why or column} ('{column}' must {where} the reporting period named in the file name): {{n}} row(s) do not.",
            ))
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
        else:
            raise ValueError(f"{contract.id}: table rule {rule.rule!r} is not known")
    for key in contract.unique_keys:
        rules.append(Rule(gxe.ExpectCompoundColumnsToBeUnique(column_list=[*key, FILE_ID]), STAGED_TABLE, key, f"Each combination of {', '.join(key)} must appear once, but {{n}} row(s) repeat one."))
    return rules


def compile_rules(contract: Contract, reference_dir: Path) -> list[Rule]:
    rules = [r for column in contract.columns for r in _column_rules(column, reference_dir)]
    return rules + _table_rules(contract)


def validate_staged(staging_db: Path, rules: list[Rule], suite_name: str) -> dict[int, list[Problem]]:
    """Run the compiled rules on the staged files; the problems found, by file number."""
    problems: dict[int, list[Problem]] = {}
    for table in (STAGED_TABLE, TYPED_VIEW):
        table_rules = [r for r in rules if r.table == table]
        outcome = validate_duckdb_table(staging_db, table, [r.expectation for r in table_rules], row_id_columns=ROW_IDS, suite_name=f"{suite_name}.{table}")
        for rule, result in zip(table_rules, outcome.results, strict=True):
            if result.success:
                continue
            by_file: dict[int, list[dict]] = {}
            for row in result.unexpected_rows:
                by_file.setdefault(int(row[FILE_ID]), []).append(row)
            for file_number, rows in by_file.items():
                rows.sort(key=lambda r: int(r[ROW_ID]))
                values = [", ".join(_mask(str(v)) if rule.mask_values else str(v) for k, v in r.items() if k not in ROW_IDS) for r in rows[:_EXAMPLES]]
                problems.setdefault(file_number, []).append(Problem(
                    check=result.expectation_type,
                    message=rule.explain.format(n=f"{len(rows):,}"),
                    columns=rule.columns,
                    rows=tuple(int(r[ROW_ID]) for r in rows[:_ROWS_KEPT]),
                    rows_affected=len(rows),
                    examples=tuple(values),
                    blocking=rule.blocking,
                ))
    return problems
