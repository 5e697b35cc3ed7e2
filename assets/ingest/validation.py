"""Compile a data contract into Great Expectations expectations and say, in plain words, what failed.

Every new file of a dataset is first loaded, every value as text, into one throwaway staging
database (in memory, beside the linkage zone during an intake) with its file number, row
number, and the agency and period its folder and name declare; so one pass checks all of a
dataset's new files at once. A row's number is its place in the table less its file's first
(DuckDB keeps a scan's order on insert), which costs nothing, where numbering the rows as they
were read (a window over the whole file) cost half as much as reading them. The expectations then run where
the data is (SQL on DuckDB, never pulled into Python; ``assets.ingest.expectations_sql``): those on
the text as sent (required values, types, patterns, code lists, uniqueness, the record's agency
and period against the folder and file name) in one query over the staged table, and those on a
typed view of it (ranges, date order, dates inside the reporting period, plausible ages, dates and
durations: ``assets.model.table_rules``) in one query over the view. Every expectation
carries the sentence an agency analyst will read if it fails.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assets.ingest.expectations_sql import (
    CompoundUnique,
    Expectation,
    PairAtLeast,
    ValuesBetween,
    ValuesInSet,
    ValuesMatchRegex,
    ValuesNotNull,
    ValuesNull,
    failing_expectations,
    failing_rows_query,
)
from assets.ingest.problems import Problem
from assets.model.contracts import Column, Contract
from assets.model.reference import Councils, code_list
from assets.model.table_rules import TableCheck, table_checks
from assets.spreadsheet_formulas import formula_like_sql

STAGED_TABLE = "staged"
_SENT_TABLE = "sent"  # the rows as read; STAGED_TABLE is a view of them with their row numbers
_FIRST_ROWS = "first_rows"  # each staged file's first place in _SENT_TABLE
TYPED_VIEW = "typed"
ROW_ID = "_row_number"
FILE_ID = "_file"
ROW_IDS = (FILE_ID, ROW_ID)
CHI_VALID = "{}__failing_check_digit"
CHI_NUMBER = "_{}__chi_number"
NOT_REAL = "{}__not_a_real_value"
FORMER_CODE = "{}__former_code"
FORMULA = "{}__formula_like"
_ROWS_KEPT = 20
_EXAMPLES = 10

_TYPE_PATTERNS = {
    "integer": (r"^-?[0-9]+$", "a whole number"),
    "number": (r"^-?[0-9]+(\.[0-9]+)?$", "a number (digits, with an optional decimal point, no commas or £ signs)"),
    "date": (r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", "a date written YYYY-MM-DD (for example 2021-07-31)"),
}
_NOT_REAL_WORDS = {
    "integer": "a whole number too large to be real",
    "number": "a number too large to be real",
    "date": "a date that does not exist in the calendar (such as 30 February or 31 April)",
}


@dataclass(frozen=True)
class Rule:
    """One expectation and the words that explain a failure of it, and how to put it right."""

    name: str  # the rule's short name, shown in the UI and the refusal's JSON
    expectation: Expectation
    table: str
    columns: tuple[str, ...]
    explain: str  # "{n}" is replaced by the number of rows that broke the rule
    fix: str
    blocking: bool = True
    mask_values: bool = False  # identifiers are never echoed back in a report, only their shape


def _mask(value: str) -> str:
    """Keep the first and last character so the sender can find the row, hide the rest."""
    return value if len(value) <= 2 else value[0] + "*" * (len(value) - 2) + value[-1]


@dataclass(frozen=True)
class StagedFile:
    number: int
    path: Path
    agency: str
    period: str


def stage_files(files: list[StagedFile], con: duckdb.DuckDBPyConnection, contract: Contract, councils: Councils) -> tuple[dict[int, int], set[int]]:
    """Load every value as text with its file and row number, into the connection's current database.

    Returns the rows staged per file and the files DuckDB's strict read refused (rows of the
    wrong length, an unclosed quote): each file is inserted in its own statement, so such a
    file leaves no rows behind and the others are staged all the same.
    """
    if not con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]:
        raise RuntimeError("staging needs DuckDB's preserve_insertion_order: without it a row's place in the table is not its place in its file")
    columns = ", ".join(f"'{c}': 'VARCHAR'" for c in contract.column_names)
    unreadable: set[int] = set()
    con.execute("CREATE TABLE council_codes (code VARCHAR, current VARCHAR)")
    con.executemany("INSERT INTO council_codes VALUES (?, ?)", list(councils.current_code_of.items()))
    text_columns = ", ".join(f"{c} VARCHAR" for c in contract.column_names)
    con.execute(
        f"CREATE TABLE {_SENT_TABLE} ({FILE_ID} INTEGER, _expected_agency VARCHAR, _expected_period VARCHAR, "
        f"_period_start DATE, _period_end DATE, {text_columns})"
    )
    for staged in files:
        bounds = contract.period_bounds(staged.period) or (None, None)
        try:
            con.execute(
                f"INSERT INTO {_SENT_TABLE} SELECT {staged.number}, ?, ?, CAST(? AS DATE), CAST(? AS DATE), * "
                f"FROM read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', columns = {{{columns}}}, strict_mode = true)",
                [staged.agency, staged.period, bounds[0], bounds[1], str(staged.path)],
            )
        except duckdb.InvalidInputException:
            unreadable.add(staged.number)
    spans = con.execute(f"SELECT {FILE_ID}, min(rowid), max(rowid), count(*) FROM {_SENT_TABLE} GROUP BY ALL").fetchall()
    if any(last - first + 1 != rows for _, first, last, rows in spans):
        raise RuntimeError("a staged file's rows are not in one run of the table: their row numbers would be wrong")
    # Each file's first place in the table, joined on (not a CASE of every file): a load reading
    # one file's rows then reads only them, where a CASE of 200 files cost every row.
    con.execute(f"CREATE TABLE {_FIRST_ROWS} (_first_of_file INTEGER, _first_row BIGINT)")
    if spans:
        con.executemany(f"INSERT INTO {_FIRST_ROWS} VALUES (?, ?)", [(number, first) for number, first, _, _ in spans])
    con.execute(
        f"CREATE VIEW {STAGED_TABLE} AS SELECT {FILE_ID}, s.rowid - _first_row + 1 AS {ROW_ID}, s.* EXCLUDE ({FILE_ID}) "
        f"FROM {_SENT_TABLE} s JOIN {_FIRST_ROWS} ON {FILE_ID} = _first_of_file"
    )
    # A view, not a table: each query computes only the columns its expectation reads.
    chi_numbers = "".join(f", {_chi_number_sql(c.name)} AS {CHI_NUMBER.format(c.name)}" for c in contract.columns if "chiCheckDigit" in c.warning_rules)
    con.execute(f"CREATE VIEW {TYPED_VIEW} AS SELECT {_typed_select(contract)} FROM (SELECT *{chi_numbers} FROM {STAGED_TABLE}) AS {STAGED_TABLE}")
    return {number: rows for number, _, _, rows in spans}, unreadable


def _chi_number_sql(column: str) -> str:
    """A 10-digit CHI as a number (NULL when there is none): its digits are then arithmetic, twice
    as fast as cutting the text into ten digits."""
    return f"CASE WHEN regexp_full_match({column}, '[0-9]{{10}}') THEN CAST({column} AS BIGINT) END"


def _chi_check_digit_sql(number: str) -> str:
    """True when a CHI's last digit is its modulus-11 check digit (NULL when no CHI): ``number`` is ``_chi_number_sql``."""
    weighted = " + ".join(f"{10 - i} * ({number} // {10 ** (9 - i)} % 10)" for i in range(9))
    return f"(11 - ({weighted}) % 11) % 11 = {number} % 10"


def _offending(condition: str, value: str) -> str:
    """The value where ``condition`` is false, else NULL: a rule column whose failures show what was sent."""
    return f"CASE WHEN NOT ({condition}) THEN CAST({value} AS VARCHAR) END"


def _typed_select(contract: Contract) -> str:
    parts = [FILE_ID, ROW_ID]
    for column in contract.columns:
        sent = f"{STAGED_TABLE}.{column.name}"
        if column.logical_type == "string":
            parts.append(sent)
        else:
            parts.append(f"TRY_CAST({sent} AS {column.duckdb_type}) AS {column.name}")
        if column.logical_type in _TYPE_PATTERNS:
            # Written in the right shape but not a real value (2023-02-30, a number too large to hold).
            regex = _TYPE_PATTERNS[column.logical_type][0]
            # The cheap test first: the pattern is tried only on a value that does not cast.
            parts.append(f"CASE WHEN TRY_CAST({sent} AS {column.duckdb_type}) IS NULL AND regexp_full_match({sent}, '{regex}') THEN {sent} END AS {NOT_REAL.format(column.name)}")
        if "chiCheckDigit" in column.warning_rules:
            parts.append(f"{_offending(_chi_check_digit_sql(CHI_NUMBER.format(column.name)), sent)} AS {CHI_VALID.format(column.name)}")
        if column.code_list == "local_authorities":
            parts.append(
                f"(SELECT code || ' -> ' || current FROM council_codes WHERE code = {sent} AND code <> current) AS {FORMER_CODE.format(column.name)}"
            )
        if _free_text(column):
            parts.append(f"CASE WHEN {formula_like_sql(sent)} THEN {sent} END AS {FORMULA.format(column.name)}")
    # Where each table rule's condition finds the file's values and its own agency and period.
    staged = {c: f"{STAGED_TABLE}.{c}" for c in contract.column_names} | {
        "expected_agency": "_expected_agency", "expected_period": "_expected_period", "period_start": "_period_start", "period_end": "_period_end",
    }
    for flag_column, check in table_checks(contract):
        if check.flag:
            condition, shown = check.flag.condition.format(**staged), check.flag.shown.format(**staged)
            parts.append(f"{_offending(condition, shown)} AS {flag_column}")
    return ", ".join(parts)


def _column_rules(column: Column, reference_dir: Path) -> list[Rule]:
    name = column.name
    rules: list[Rule] = []
    if column.required:
        rules.append(Rule(
            "required", ValuesNotNull(name), STAGED_TABLE, (name,),
            f"'{name}' must be filled in, but is empty in {{n}} row(s).",
            f"Fill in '{name}' on every row listed.",
        ))
    if column.logical_type in _TYPE_PATTERNS:
        regex, words = _TYPE_PATTERNS[column.logical_type]
        rules.append(Rule(
            "type", ValuesMatchRegex(name, regex), STAGED_TABLE, (name,),
            f"'{name}' must be {words}; {{n}} row(s) are not.",
            f"Write every '{name}' as {words}. Spreadsheets often change the format on saving: set the column's format before saving as CSV.",
        ))
        rules.append(Rule(
            "real_value", ValuesNull(NOT_REAL.format(name)), TYPED_VIEW, (name,),
            f"'{name}' holds {_NOT_REAL_WORDS[column.logical_type]} in {{n}} row(s).",
            f"Correct '{name}' on the rows listed at source; the value cannot be loaded as it stands.",
        ))
    if column.pattern:
        rules.append(Rule(
            "pattern", ValuesMatchRegex(name, column.pattern), STAGED_TABLE, (name,),
            f"'{name}' is not in the expected format in {{n}} row(s).",
            f"Write '{name}' in the format the contract gives ({column.pattern}){_pattern_hint(name)}, or leave it empty if it is not known and the column is optional.",
        ))
    allowed = column.valid_values or (code_list(column.code_list, reference_dir) if column.code_list else None)
    if allowed:
        # A long list is named, not spelled out: by its reference code list, or as the contract's list for the column.
        listed = ", ".join(allowed) if len(allowed) <= 15 else f"the {column.code_list.replace('_', ' ')} code list" if column.code_list else f"the codes the data contract lists for '{name}'"
        rules.append(Rule(
            "code_list", ValuesInSet(name, tuple(allowed)), STAGED_TABLE, (name,),
            f"'{name}' has a value that is not one of the allowed codes in {{n}} row(s).",
            f"Use one of the allowed codes, spelled exactly: {listed}.",
        ))
    elif _free_text(column):
        rules.append(Rule(
            "formula", ValuesNull(FORMULA.format(name)), TYPED_VIEW, (name,),
            f"'{name}' starts like a spreadsheet formula (with =, +, @, a minus sign not followed by a plain number, a tab, or one of these after spaces) or holds a DDE call in {{n}} row(s); such a cell can run as a formula when the file is opened in a spreadsheet.",
            f"Send the plain value in '{name}', not a formula: remove the leading sign (or the formula) from the rows listed.",
        ))
    if column.unique:
        rules.append(Rule(
            "unique", CompoundUnique((name, FILE_ID)), STAGED_TABLE, (name,),
            f"'{name}' must be different on every row, but {{n}} row(s) repeat a value.",
            f"Remove the repeated rows, or correct '{name}' so that each row has its own value.",
        ))
    if column.minimum is not None or column.maximum is not None:
        rules.append(Rule(
            "range", ValuesBetween(name, column.minimum, column.maximum), TYPED_VIEW, (name,),
            f"'{name}' must be between {_number(column.minimum)} and {_number(column.maximum)}; {{n}} row(s) are outside that range.",
            f"Correct '{name}' on the rows listed.",
        ))
    if "chiCheckDigit" in column.warning_rules:
        rules.append(Rule(
            "chi_check_digit", ValuesNull(CHI_VALID.format(name)), TYPED_VIEW, (name,),
            f"'{name}' fails the CHI check digit in {{n}} row(s): these CHI numbers will not be used to link records.",
            "Check these CHI numbers at source (a digit is probably mistyped) and correct them in the next return.",
            blocking=False,
        ))
    if column.code_list == "local_authorities":
        rules.append(Rule(
            "former_council_code", ValuesNull(FORMER_CODE.format(name)), TYPED_VIEW, (name,),
            f"'{name}' uses a council code retired in 2018-19 in {{n}} row(s); these rows were loaded under the current code (the values show the mapping).",
            "No action needed for this file; please use the current council code in future returns.",
            blocking=False,
        ))
    if column.identifier:
        rules = [dataclasses.replace(r, mask_values=True) for r in rules]
    return rules


def _free_text(column: Column) -> bool:
    """Text an agency writes freely (no code list, no pattern): where a formula could hide."""
    return column.logical_type == "string" and not column.pattern and not column.valid_values and not column.code_list


def _number(value: float | None) -> str:
    return "any value" if value is None else f"{value:g}"


def _pattern_hint(name: str) -> str:
    """An example of the formats analysts most often get wrong, where the column name says which."""
    return {"postcode": ", in capitals, for example EH1 3DG", "chi": ": 10 digits, no spaces", "scn": ": 9 digits, no spaces"}.get(name, "")


def _table_expectation(check: TableCheck, flag_column: str) -> Expectation:
    if check.flag:
        return ValuesNull(flag_column)
    if check.at_least:
        return PairAtLeast(*check.at_least)
    raise ValueError(f"table rule {check.name} says neither a flag nor a pair of columns to compare")


def _table_rules(contract: Contract) -> list[Rule]:
    rules = [
        Rule(check.name, _table_expectation(check, flag_column), TYPED_VIEW, check.columns, check.explain, check.fix)
        for flag_column, check in table_checks(contract)
    ]
    for key in contract.unique_keys:
        rules.append(Rule(
            "unique_key", CompoundUnique((*key, FILE_ID)), STAGED_TABLE, key,
            f"Each combination of {', '.join(key)} must appear once, but {{n}} row(s) repeat one.",
            f"Remove repeated rows, or correct {', '.join(key)} so that each row is a different record.",
            mask_values=any(contract.column(k).identifier for k in key),
        ))
    return rules


def compile_rules(contract: Contract, reference_dir: Path) -> list[Rule]:
    rules = [r for column in contract.columns for r in _column_rules(column, reference_dir)]
    return rules + _table_rules(contract)


def _failures_by_file(con: duckdb.DuckDBPyConnection, query: str, rule: Rule) -> dict[int, Problem]:
    """Exact counts, the first rows and sample values per file, from the query that selects every failing row."""
    # One pass: each failing row with its file's failure count; only the first rows per file come back.
    first = con.execute(
        f"SELECT *, count(*) OVER (PARTITION BY {FILE_ID}) AS _failing FROM ({query}) "
        f"QUALIFY row_number() OVER (PARTITION BY {FILE_ID} ORDER BY {ROW_ID}) <= {_ROWS_KEPT} ORDER BY {FILE_ID}, {ROW_ID}"
    )
    names = [d[0] for d in first.description]
    value_columns = [i for i, n in enumerate(names) if n not in (*ROW_IDS, "_failing")]
    rows: dict[int, list[tuple]] = {}
    counts: dict[int, int] = {}
    for row in first.fetchall():
        file_number = int(row[names.index(FILE_ID)])
        rows.setdefault(file_number, []).append(row)
        counts[file_number] = row[names.index("_failing")]
    problems = {}
    for file_number, count in counts.items():
        listed = rows[int(file_number)]
        examples = []
        for row in listed[:_EXAMPLES]:
            values = [_mask(_text(row[i])) if rule.mask_values and row[i] is not None else _text(row[i]) for i in value_columns]
            examples.append(values[0] if len(values) == 1 else ", ".join(f"{names[i]}={v}" for i, v in zip(value_columns, values)))
        problems[int(file_number)] = Problem(
            check=rule.name,
            message=rule.explain.format(n=f"{count:,}"),
            columns=rule.columns,
            rows=tuple(int(r[names.index(ROW_ID)]) for r in listed),
            rows_affected=int(count),
            examples=tuple(dict.fromkeys(examples)),
            blocking=rule.blocking,
            fix=rule.fix,
            masked=rule.mask_values,
        )
    return problems


def _text(value: object) -> str:
    if value is None:
        return "(empty)"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def validate_staged(con: duckdb.DuckDBPyConnection, rules: list[Rule]) -> dict[int, list[Problem]]:
    """Run the compiled rules on the files staged in the connection's current database; the problems found, by file number.

    One pass over each table gives every rule's verdict; only a failing rule is looked at
    again, for its counts, first rows and sample values per file.
    """
    problems: dict[int, list[Problem]] = {}
    for table in (STAGED_TABLE, TYPED_VIEW):
        table_rules = [r for r in rules if r.table == table]
        verdicts = failing_expectations(con, table, [r.expectation for r in table_rules])
        for rule in (r for r, failing in zip(table_rules, verdicts, strict=True) if failing):
            query = failing_rows_query(table, rule.expectation, ROW_IDS)
            for file_number, problem in _failures_by_file(con, query, rule).items():
                problems.setdefault(file_number, []).append(problem)
    return problems
