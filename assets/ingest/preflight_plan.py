"""The checks ``story check`` runs, compiled once into SQL that a browser runs on its own DuckDB.

The page "Check a file before you send it" (``assets.reports.preflight``) runs DuckDB-WASM in a
Web Worker. It holds no rule of its own: it runs, in order, the steps of the plan written here
from the contract, and shows the problems those steps return, as ``story check`` would. So:

Method notes: docs/intake.md, "Notes on `assets/ingest/preflight_plan.py`".
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import unicodedata
from dataclasses import replace
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import duckdb

from assets.ingest import file_checks as fc
from assets.ingest.expectations_sql import failing_expectations, failing_rows_query
from assets.ingest.intake import _SAFE_NAME_CHARACTER, _naming_problems
from assets.ingest.landing import RETURN_SUFFIXES, LandedFile
from assets.ingest.problems import Problem
from assets.ingest.refusal_report import ROWS_SHOWN
from assets.ingest.validation import (
    _EXAMPLES,
    _ROWS_KEPT,
    FILE_ID,
    ROW_ID,
    ROW_IDS,
    Rule,
    StagedFile,
    compile_rules,
    stage_files,
)
from assets.model.contracts import Contract
from assets.model.reference import Councils

PLAN_VERSION = 1
UPLOAD = "preflight_upload.csv"  # the name the page registers the chosen file under
INPUT = "preflight_input"  # one row: the file's name, the agency, where its bytes are
BYTES = "preflight_bytes"
TEXT = "preflight_text"
# What the page says it leaves to the intake: the intake reads the file from a landing folder.
NOT_IN_THE_PAGE = (
    "Where a file was dropped (a link, a folder, a file in another agency's folder, a hidden name) and whether the same bytes were sent before: the intake checks these when the file lands.",
    "Which encoding a file that reads neither as UTF-8 nor as Windows-1252 was most likely saved in: the intake names it; this page says it cannot.",
    "Why a damaged workbook cannot be opened: this page gives the words of its own reader (SheetJS), the intake those of its reader.",
)


def not_in_the_page(contracts: dict[str, Contract]) -> tuple[str, ...]:
    """``NOT_IN_THE_PAGE``, and for each dataset that may be sent layered (``layered_returns``), that the page cannot judge such a return."""
    return NOT_IN_THE_PAGE + tuple(
        f"A {c.name.lower()} return sent layered ({', '.join(p.name.replace('_', ' ') for p in c.layered)} files): this page judges one flat file. "
        f"story check checks each of those files against its own columns and keys; the rules between the files are judged when the intake takes them in together."
        for c in sorted(contracts.values(), key=lambda c: c.id) if c.layered
    )


# Tokens the page fills in from the plan's first query (``INPUT``'s row and the period read from the name).
_TOKENS = ("name", "agency", "path", "period", "period_start", "period_end")
_SAMPLE_AGENCY, _SAMPLE_NAME_PERIOD = "Q9PREFLIGHTAGENCY", "Q9PREFLIGHTPERIOD"


# --- SQL helpers -----------------------------------------------------------------------------

def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _list(values) -> str:
    return "[" + ", ".join(_lit(v) for v in values) + "]::VARCHAR[]"


def _fill(template: str, **slots: str) -> str:
    """``template`` (a Python check's own sentence with ``{slot}`` holes) as SQL, each hole filled by an SQL expression."""
    sql = _lit(template)
    for slot, expression in slots.items():
        if "{" + slot + "}" not in template:
            raise ValueError(f"the slot {slot!r} is not in {template!r}")
        sql = f"replace({sql}, {_lit('{' + slot + '}')}, {expression})"
    return sql


def _thousands(expression: str) -> str:
    return f"format('{{:,}}', ({expression})::BIGINT)"


def _problem(
    template: Problem, *, source: str = f"FROM {INPUT}", where: str = "true", check: str | None = None, message: str | None = None, fix: str | None = None,
    columns: str | None = None, rows: str | None = None, affected: str | None = None, examples: str | None = None,
) -> str:
    """A query of at most one problem row, shaped as every step's problems are."""
    return (
        f"SELECT {check or _lit(template.check)} AS check, {message or _lit(template.message)} AS message, {fix or _lit(template.fix)} AS fix, "
        f"{columns or _list(template.columns)} AS columns, {rows or '[' + ', '.join(map(str, template.rows)) + ']::INTEGER[]'} AS rows, "
        f"({affected or str(template.rows_affected)})::BIGINT AS rows_affected, {examples or _list(template.examples)} AS examples, "
        f"{str(template.blocking).lower()} AS blocking, {str(template.masked).lower()} AS masked {source} WHERE {where}"
    )


def _template(problem: Problem, message: dict[str, str] | None = None, fix: dict[str, str] | None = None) -> Problem:
    """The problem with each value it was made with replaced by its slot; every value must be found."""
    def holes(text: str, values: dict[str, str]) -> str:
        for value, slot in values.items():
            if value not in text:
                raise ValueError(f"{value!r} is not in {text!r}: the check's wording changed shape")
            text = text.replace(value, "{" + slot + "}")
        return text

    return replace(problem, message=holes(problem.message, message or {}), fix=holes(problem.fix, fix or {}))


def _python_ascii(char: str) -> str:
    """Python's ``ascii()`` of one character, as SQL (the file name rule shows characters so)."""
    code = f"unicode({char})"
    return (
        f"CASE WHEN {char} = '''' THEN '\"''\"' WHEN {char} = '\\' THEN '''\\\\''' "
        f"WHEN {char} = chr(9) THEN '''\\t''' WHEN {char} = chr(10) THEN '''\\n''' WHEN {char} = chr(13) THEN '''\\r''' "
        f"WHEN {code} BETWEEN 32 AND 126 THEN '''' || {char} || '''' "
        f"WHEN {code} < 256 THEN '''\\x' || lower(printf('%02X', {code})) || '''' "
        f"WHEN {code} < 65536 THEN '''\\u' || lower(printf('%04X', {code})) || '''' "
        f"ELSE '''\\U' || lower(printf('%08X', {code})) || '''' END"
    )


# --- run the Python checks on files made to break them ---------------------------------------

def _checked(data: bytes, contract: Contract | SimpleNamespace) -> list[Problem]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.csv"
        path.write_bytes(data)
        return fc.check_file(path, contract)


def _one(problems: list[Problem], check: str | None = None) -> Problem:
    found = [p for p in problems if check is None or p.check == check]
    if len(found) != 1:
        raise ValueError(f"expected one {check or ''} problem, got {problems}")
    return found[0]


def _header(contract: Contract) -> str:
    return ",".join(contract.column_names)


# --- the steps -------------------------------------------------------------------------------

def _input_step(contract: Contract) -> list[dict]:
    """The file's name, the agency and where the bytes are; the period its name gives (``LandedFile.period``) and that period's dates."""
    prefix = f"{_lit(contract.id + '_')} || agency || '_'"
    period = "CASE " + " ".join(
        f"WHEN starts_with(name, {prefix}) AND ends_with(name, {_lit(s)}) AND length(name) <> length({prefix}) + {len(s)} "
        f"THEN name[length({prefix}) + 1 : length(name) - {len(s)}]" for s in RETURN_SUFFIXES
    ) + " END"
    start, end = _period_bounds_sql(contract, "period")
    well_formed = f"coalesce(regexp_full_match(period, {_lit(_period_pattern(contract))}), false)"
    return [
        {"do": "sql", "sql": f"CREATE TABLE {INPUT} AS SELECT *, {period} AS period FROM (SELECT $1::VARCHAR AS name, $2::VARCHAR AS agency, $3::VARCHAR AS path)", "params": ["name", "agency", "path"]},
        {"do": "values", "sql": (
            f"SELECT period, CASE WHEN {well_formed} THEN CAST({start} AS VARCHAR) END AS period_start, "
            f"CASE WHEN {well_formed} THEN CAST({end} AS VARCHAR) END AS period_end FROM {INPUT}"
        )},
    ]


def _period_pattern(contract: Contract) -> str:
    from assets.model.contracts import _PERIOD_PATTERNS

    return _PERIOD_PATTERNS[contract.period_kind].removeprefix("^").removesuffix("$")


def _period_bounds_sql(contract: Contract, period: str) -> tuple[str, str]:
    """The first and last day of the period named ``period`` (SQL), learned from ``Contract.period_bounds``
    and checked against it for every year 1001-2999 of every form of period the kind writes."""
    year = f"CAST(left({period}, 4) AS INTEGER)"
    tails = [t for t in ("", *(f"-{n:02d}" for n in range(100)), "-H1", "-H2") if contract.period_is_well_formed(f"2000{t}")]
    forms: dict[str, tuple] = {}
    for tail in tails:
        if contract.period_bounds(f"2000{tail}") is None:
            return "NULL", "NULL"
        first, last = contract.period_bounds(f"2000{tail}")
        form = (first.year - 2000, first.month, first.day, last.year - 2000, last.month, last.day)
        for y in range(1001, 3000, 7):
            assert contract.period_bounds(f"{y}{tail}") == (dt.date(y + form[0], form[1], form[2]), dt.date(y + form[3], form[4], form[5])), (contract.id, tail, y)
        forms[tail] = form
    distinct = set(forms.values())

    def date(form: tuple, at: int) -> str:
        return f"make_date({year} + {form[at]}, {form[at + 1]}, {form[at + 2]})"

    if len(distinct) == 1:
        [form] = distinct
        return date(form, 0), date(form, 3)
    cases = [(f"ends_with({period}, {_lit(tail)})", form) for tail, form in forms.items()]
    return tuple("CASE " + " ".join(f"WHEN {test} THEN {date(form, at)}" for test, form in cases) + " END" for at in (0, 3))


def _naming_steps(contract: Contract, councils: Councils) -> list[dict]:
    """``intake._naming_problems``: the agency, characters in the name, and a name with a period."""
    def landed(name: str, agency: str = _SAMPLE_AGENCY) -> LandedFile:
        return LandedFile(Path("landing") / agency / contract.id / name, agency, contract.id, "0" * 64, 0, dt.datetime(2000, 1, 1))

    ag = {_SAMPLE_AGENCY: "agency"}
    any_agency = SimpleNamespace(codes=frozenset({_SAMPLE_AGENCY}) | councils.codes, current_code_of=councils.current_code_of)
    if contract.agencies.councils:
        accepted = f"list_contains({_list(sorted(councils.codes))}, agency)"
    elif contract.agencies.pattern:
        accepted = f"regexp_full_match(agency, {_lit(contract.agencies.pattern)})"
    else:
        accepted = f"list_contains({_list(contract.agencies.codes)}, agency)"
    good_name = contract.expected_file_name(_SAMPLE_AGENCY, contract.example_period)
    wrong_agency = _template(_one(_naming_problems(landed(good_name), contract, councils), "agency"), {repr(_SAMPLE_AGENCY): "agency"})
    steps = [_problem(wrong_agency, where=f"NOT ({accepted})", message=_fill(wrong_agency.message, agency="chr(39) || agency || chr(39)"))]

    odd_problem = _one(_naming_problems(landed(good_name.replace("_", "#", 1)), contract, any_agency), "file_name")
    odd_problem = _template(odd_problem, {"'#'": "characters"}, ag)
    odd = f"list_sort(list_distinct(regexp_extract_all(name, {_lit('[^' + _SAFE_NAME_CHARACTER.pattern[1:-1] + ']')})))"
    steps.append(_problem(
        odd_problem, where=f"len({odd}) > 0",
        message=_fill(odd_problem.message, characters=f"array_to_string(list_transform({odd}, lambda c: {_python_ascii('c')}), ' ')"),
        fix=_fill(odd_problem.fix, agency="agency"),
    ))
    # A name without a well-formed period: a workbook sent as it is, told apart by its name, else a name to fix.
    unnamed = _template(_one(_naming_problems(landed("returns.csv"), contract, any_agency), "file_name"), ag, ag)
    prefix = f"{_lit(contract.id + '_')} || agency || '_'"
    stem = "regexp_replace(name, '\\.[^.]+$', '')"
    source = (
        f"FROM (SELECT *, CASE WHEN starts_with(stem, {prefix}) THEN stem[length({prefix}) + 1 :] ELSE stem END AS stem_period FROM ("
        f"SELECT *, CASE WHEN regexp_matches(name, '.\\.[^.]+$') THEN lower(regexp_extract(name, '\\.[^.]+$')) END AS suffix, {stem} AS stem FROM {INPUT}))"
    )
    pattern = _lit(_period_pattern(contract))
    cases: list[tuple[str, Problem, str]] = []
    for workbook_suffix in fc._WORKBOOKS:
        for well_formed in (True, False):
            stand_in = SimpleNamespace(id=contract.id, expected_file_name=contract.expected_file_name, period_is_well_formed=lambda p, w=well_formed: w)
            problem = fc.workbook_problem(f"{contract.id}_{_SAMPLE_AGENCY}_{_SAMPLE_NAME_PERIOD}{workbook_suffix}", stand_in, _SAMPLE_AGENCY)
            slots = {_SAMPLE_NAME_PERIOD: "period", _SAMPLE_AGENCY: "agency"} if well_formed else ag
            problem = _template(problem, fix=slots)
            fix = _fill(problem.fix, **{slot: {"period": "stem_period", "agency": "agency"}[slot] for slot in slots.values()})
            test = f"suffix = {_lit(workbook_suffix)} AND {'' if well_formed else 'NOT '}coalesce(regexp_full_match(stem_period, {pattern}), false)"
            cases.append((test, problem, fix))

    def case(values: list[str], otherwise: str) -> str:
        return "CASE " + " ".join(f"WHEN {test} THEN {v}" for (test, _, _), v in zip(cases, values, strict=True)) + f" ELSE {otherwise} END"

    steps.append(_problem(
        unnamed, source=source, where=f"len({odd}) = 0 AND NOT coalesce(regexp_full_match(period, {pattern}), false)",
        check=case([_lit(p.check) for _, p, _ in cases], _lit(unnamed.check)),
        message=case([_lit(p.message) for _, p, _ in cases], _fill(unnamed.message, agency="agency")),
        fix=case([f for _, _, f in cases], _fill(unnamed.fix, agency="agency")),
    ))
    return [{"do": "problems", "sql": sql} for sql in steps]


_SPACE = "[\\s\\x0b\\x1c-\\x1f\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"  # what str.strip() strips


def _file_steps(contract: Contract) -> list[dict]:
    """``file_checks.check_file`` up to the header: the first problem found is the only one."""
    steps: list[str] = []
    source = f"FROM {BYTES}"
    steps.append(_problem(_one(_checked(b"", contract)), source=source, where="size = 0"))
    too_big = _one(_checked(b"x" * 12_345, SimpleNamespace(max_file_bytes=_limit_slot(), column_names=contract.column_names)))
    too_big = _template(too_big, {"12,345": "size", "{limit}": "limit"})
    steps.append(_problem(too_big, source=source, where=f"size > {contract.max_file_bytes}",
                          message=_fill(too_big.message, size=_thousands("size"), limit=_lit(f"{contract.max_file_bytes:,}"))))
    for signature, _ in (*fc._SIGNATURES, *fc._BYTE_ORDER_MARKS):
        problem = _one(_checked(signature + b"\n" * 4, contract))
        steps.append(_problem(problem, source=source, where=f"starts_with(hex(content[1:8]), {_lit(signature.hex().upper())})"))
    # The header line: blank, separated by something else, or no header at all.
    text = f"FROM {TEXT}"
    blank = _one(_checked(b"\n" + _header(contract).encode() + b"\n", contract))
    steps.append(_problem(blank, source=text, where=f"NOT regexp_matches(header_line, {_lit('[^' + _SPACE[1:-1] + ']')})"))
    not_a_header = _template(_one(_checked(b"q1,q2,q3,q4,q5,q6,q7\n", contract)), {"its 7 values": "values"})
    steps.append(_problem(
        not_a_header, source=text, where=f"len(list_intersect(header, {_list(contract.column_names)})) = 0",
        message=_fill(not_a_header.message, values="'its ' || len(header) || ' values'"),
    ))
    first = {"group": "file", "first": True}
    file_steps = [{"do": "problems", "sql": sql, **first} for sql in steps]
    # What ``reading.read_return`` does before ``check_file``, in its order, by the page's worker: a workbook (by
    # its name) is read into CSV text; a file not UTF-8 is read as Windows-1252 if that reading fits; a header
    # separated by semicolons or tabs that is exactly the contract's is written again with commas. Each time
    # the text is set up again from what was read.
    again = [{**step, "sql": step["sql"].replace("CREATE TABLE", "CREATE OR REPLACE TABLE", 1)} for step in _text_setup(contract)]
    workbook = {"do": "read_workbook", "then": again, **first}
    not_utf8 = {"do": "read_encoding", "sql": f"SELECT true FROM {BYTES} WHERE size > 0 AND NOT utf8", "then": again, **first}
    convert = {"do": "convert", "sql": f"SELECT delimiter FROM {TEXT} WHERE delimiter IN (';', chr(9)) AND header = {_list(contract.column_names)}", "then": again, **first}
    delimiter = {"do": "problems", "sql": _delimiter_problem(contract), **first}
    return [*file_steps[:2], workbook, *file_steps[2:-2], not_utf8, file_steps[-2], convert, delimiter, file_steps[-1]]


def _delimiter_problem(contract: Contract) -> str:
    """``file_checks._delimiter_problem``: a header with no comma, split at a semicolon, tab or bar, that is not the contract's;
    its sentence says the header's own problems (``_header_problems``, as the header steps find them in the split header)."""
    columns = contract.column_names
    prefixes = {}
    for delimiter in (";", "\t"):
        whole = fc._delimiter_problem(delimiter.join(columns) + "\n", contract)
        assert whole.message.endswith("."), whole.message
        prefixes[delimiter] = whole.message[:-1]
    short = fc._delimiter_problem(";".join(columns[1:]) + "\n", contract)
    said = " ".join(p.message for p in fc._header_problems(columns[1:], contract))
    assert short.message == prefixes[";"] + ": " + said and short.fix == whole.fix, short
    bar = fc._delimiter_problem("a|b\n", contract)
    parts = " UNION ALL ".join(f"SELECT {k} AS k, message, columns FROM ({sql})" for k, sql in enumerate(_header_problem_queries(contract)))
    source = f"FROM (SELECT delimiter FROM {TEXT}) CROSS JOIN (SELECT string_agg(message, ' ' ORDER BY k) AS said, flatten(list(columns ORDER BY k)) AS found FROM ({parts}))"
    prefix = f"CASE delimiter WHEN ';' THEN {_lit(prefixes[';'])} ELSE {_lit(prefixes[chr(9)])} END"
    return _problem(
        short, source=source, where="delimiter <> ','",
        message=f"CASE WHEN delimiter = '|' THEN {_lit(bar.message)} ELSE {prefix} || CASE WHEN said IS NULL THEN '.' ELSE ': ' || said END END",
        fix=f"CASE WHEN delimiter = '|' THEN {_lit(bar.fix)} ELSE {_lit(short.fix)} END",
        columns="CASE WHEN delimiter = '|' THEN []::VARCHAR[] ELSE coalesce(found, []::VARCHAR[]) END",
    )


def _limit_slot() -> int:
    """A file size limit that writes itself as ``{limit}``: the check's sentence keeps its place."""

    class Slot(int):
        def __format__(self, spec: str) -> str:
            return "{limit}"

    return Slot(0)


def _text_setup(contract: Contract) -> list[dict]:
    """The bytes, and once they are UTF-8 the text and its header as ``check_file`` reads them."""
    unquoted = "CASE WHEN starts_with(v, '\"') THEN replace(regexp_replace(v, '^\"((?:[^\"]|\"\")*)\"', '\\1'), '\"\"', '\"') ELSE v END"

    def split(delimiter: str) -> str:
        d = "\\|" if delimiter == "|" else delimiter
        field = f'("(?:[^"]|"")*"[^{d}]*|[^{d}]*){d}'
        return f"list_transform(regexp_extract_all(header_line || {_lit(delimiter)}, {_lit(field)}, 1), lambda v: regexp_replace({unquoted}, {_lit('^' + _SPACE + '+|' + _SPACE + '+$')}, '', 'g'))"

    # The header's delimiter: a comma if it has one, else the first of these it holds (``check_file``, ``reading.header_delimiter``).
    found = " ".join(f"WHEN contains(header_line, {_lit(d)}) THEN {_lit(d)}" for d in (",", ";", "\t", "|"))
    sent = "CASE delimiter " + " ".join(f"WHEN {_lit(d)} THEN {split(d)}" for d in (",", ";", "\t", "|")) + " END"
    lower, names = _list([c.lower() for c in contract.column_names]), _list(contract.column_names)
    return [
        {"do": "sql", "sql": f"CREATE TABLE {BYTES} AS SELECT content, octet_length(content) AS size, try(decode(content)) IS NOT NULL AS utf8 FROM read_blob($1)", "params": ["path"]},
        {"do": "sql", "sql": (
            f"CREATE TABLE {TEXT} AS SELECT text, header_line, delimiter, sent, "
            f"list_transform(sent, lambda h: coalesce(({names})[list_position({lower}, lower(h))], h)) AS header FROM ("
            f"SELECT *, {sent} AS sent FROM (SELECT *, CASE {found} ELSE ',' END AS delimiter FROM (SELECT text, regexp_extract(text, '^[^\\r\\n]*') AS header_line FROM ("
            f"SELECT regexp_replace(decode(content), '^\\x{{feff}}', '') AS text FROM {BYTES} WHERE utf8 AND size > 0))))"
        )},
    ]


def _header_problem_queries(contract: Contract) -> list[str]:
    """``file_checks._header_problems`` of ``TEXT``'s header, in its order: duplicated, missing, unexpected columns, their order."""
    expected = contract.column_names
    slot = "Q9SLOT"
    source = f"FROM {TEXT}"
    steps = []
    duplicate = _template(_one(fc._header_problems([*expected, slot, slot], contract), "duplicate_column"), {slot: "columns"})
    dups = "list_sort(list_distinct(list_filter(header, lambda h: len(list_filter(header, lambda g: g = h)) > 1)))"
    steps.append(_problem(duplicate, source=source, where=f"len({dups}) > 0", message=_fill(duplicate.message, columns=f"array_to_string({dups}, ', ')"), columns=dups))
    missing = f"list_filter({_list(expected)}, lambda c: NOT list_contains(header, c))"
    required = [c.name for c in contract.columns if c.required]
    optional = [c for c in expected if c not in required]
    variants = []
    for dropped in (required[:1], optional[:1] + required[:1]):
        if dropped and (len(variants) == 0 or optional):
            dropped = [c for c in expected if c in dropped]
            problem = _one(fc._header_problems([c for c in expected if c not in dropped], contract), "missing_column")
            variants.append(_template(problem, {", ".join(dropped) + ".": "columns"}))
    filled = [_fill(v.message, columns=f"array_to_string({missing}, ', ') || '.'") for v in variants]
    message = filled[0] if len(filled) == 1 else f"CASE WHEN len(list_filter({missing}, lambda c: NOT list_contains({_list(required)}, c))) = 0 THEN {filled[0]} ELSE {filled[1]} END"
    steps.append(_problem(variants[0], source=source, where=f"len({missing}) > 0", message=message, columns=missing))
    unexpected = _template(_one(fc._header_problems([*expected, slot], contract), "unexpected_column"), {repr(slot): "columns"})
    extra = f"list_filter(header, lambda h: NOT list_contains({_list(expected)}, h))"
    steps.append(_problem(unexpected, source=source, where=f"len({extra}) > 0", columns=extra,
                          message=_fill(unexpected.message, columns=f"array_to_string(list_transform({extra}, lambda h: chr(39) || h || chr(39)), ', ')")))
    order = _one(fc._header_problems(list(reversed(expected)), contract), "column_order")
    steps.append(_problem(order, source=source, where=f"len({dups}) = 0 AND len({missing}) = 0 AND len({extra}) = 0 AND header <> {_list(expected)}"))
    return steps


def _header_steps(contract: Contract) -> list[dict]:
    """``file_checks``' header problems, the warning for a header in capitals and Excel's empty rows at the end."""
    steps = _header_problem_queries(contract)
    steps.append(_problem(fc._column_case_warning(contract), source=f"FROM {TEXT}", where="header <> sent"))
    empty_rows = _template(fc._empty_rows_problem(12_345), {"12,345": "rows"}, {"12,345": "rows"})
    lines = (
        "FROM (SELECT count(*) FILTER (WHERE i > last_value AND empty_row) AS rows FROM ("
        "SELECT *, max(i) FILTER (WHERE i = 1 OR (NOT empty_row AND regexp_matches(line, '[^ \t\n\r\x0b\x0c]'))) OVER () AS last_value FROM ("
        "SELECT *, regexp_full_match(line, '[ \t]*,[, \t]*') AS empty_row FROM ("
        f"SELECT unnest(lines) AS line, generate_subscripts(lines, 1) AS i FROM (SELECT regexp_split_to_array(text, '\r\n|\r|\n') AS lines FROM {TEXT})))))"
    )
    steps.append(_problem(empty_rows, source=lines, where="rows > 0", affected="rows",
                          message=_fill(empty_rows.message, rows=_thousands("rows")), fix=_fill(empty_rows.fix, rows=_thousands("rows"))))
    return [{"do": "problems", "sql": sql} for sql in steps]


class _Recorder:
    """A DuckDB connection that keeps every statement run through it (``stage_files``' own SQL)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.statements = con, []

    def execute(self, sql: str, params=None):
        self.statements.append(("execute", sql, list(params or [])))
        return self.con.execute(sql, params) if params is not None else self.con.execute(sql)

    def executemany(self, sql: str, rows):
        self.statements.append(("executemany", sql, [list(r) for r in rows]))
        return self.con.executemany(sql, rows)


def _staging_steps(contract: Contract, councils: Councils) -> list[dict]:
    """``validation.stage_files`` as it runs (its statements recorded on a sample file), the sample's agency, period, dates and path as tokens."""
    period = contract.example_period
    bounds = contract.period_bounds(period) or (None, None)
    with tempfile.TemporaryDirectory() as tmp, duckdb.connect() as con:
        path = Path(tmp) / f"{_SAMPLE_NAME_PERIOD}.csv"
        path.write_text(_header(contract) + "\n", encoding="utf-8")
        recorder = _Recorder(con)
        stage_files([StagedFile(0, path, _SAMPLE_AGENCY, period)], recorder, contract, councils)
    tokens = {_SAMPLE_AGENCY: "agency", period: "period", str(path): "path", bounds[0]: "period_start", bounds[1]: "period_end"}
    steps = []
    for kind, sql, params in recorder.statements:
        if kind == "executemany":  # the council codes: a table of reference data
            steps.append({"do": "sql", "sql": sql.replace("VALUES (?, ?)", "VALUES " + ", ".join(f"({_lit(a)}, {_lit(b)})" for a, b in params))})
        elif "read_csv" in sql:
            steps.append({"do": "load", "sql": sql, "params": [tokens[p] for p in params]})
        elif sql.startswith("SELECT"):
            continue  # stage_files' own checks of what it staged
        else:
            steps.append({"do": "sql", "sql": sql, **({"params": [tokens[p] for p in params]} if params else {})})
            if sql.startswith("CREATE TABLE first_rows"):
                # stage_files fills it from the staged rows' places (with no rows staged here, the statement is not recorded).
                steps.append({"do": "sql", "sql": f"INSERT INTO first_rows SELECT {FILE_ID}, min(rowid) FROM sent GROUP BY ALL"})
    return steps


def _unreadable_steps(contract: Contract) -> list[dict]:
    """``file_checks.explain_unreadable_rows``: rows of the wrong length, a file cut short, mixed line breaks, else an open quote."""
    width = len(contract.column_names)
    outside_quotes = "regexp_replace(record, '\"(?:[^\"]|\"\")*\"', '', 'g')"
    # Records as Python's csv module reads them after the header line: a quoted value may hold line breaks.
    records = (
        f"SELECT i, CASE WHEN record = '' THEN 0 ELSE length({outside_quotes}) - length(replace({outside_quotes}, ',', '')) + 1 END AS n FROM ("
        f"SELECT unnest(r) AS record, generate_subscripts(r, 1) AS i FROM ("
        f"SELECT regexp_extract_all(CASE WHEN body = '' OR regexp_matches(body, '[\\r\\n]$') THEN body ELSE body || chr(10) END, "
        f"'((?:\"(?:[^\"]|\"\")*\"|[^\"\\r\\n])*)(?:\\r\\n|\\r|\\n)', 1) AS r FROM ("
        f"SELECT regexp_replace(text, '^[^\\r\\n]*(\\r\\n|\\r|\\n)?', '') AS body FROM {TEXT})))"
    )
    example = _one(fc._row_shape_problems(io.StringIO("a,b,c\n" * 2), 99, ends_with_newline=True)).examples[0]
    assert re.fullmatch(r"\D*1\D*3\D*", example), example
    example = _fill(example.replace("1", "{row}", 1).replace("3", "{values}", 1), row="CAST(i AS VARCHAR)", values="CAST(n AS VARCHAR)")
    shape = (
        f"FROM (SELECT list(i ORDER BY i) FILTER (WHERE n <> {width} AND n > 0) AS bad, max(i) AS last, "
        f"list({example} ORDER BY i) FILTER (WHERE n <> {width} AND n > 0) AS counts FROM ({records})) "
        f"CROSS JOIN (SELECT regexp_matches(text, '[\\r\\n]$') AS ends_with_newline FROM {TEXT})"
    )
    truncated_here = "len(bad) = 1 AND bad[1] = last AND NOT ends_with_newline"
    truncated = _template(_one(fc._row_shape_problems(io.StringIO("abc"), width, ends_with_newline=False)), {"row 1)": "row"})
    many = 1_234
    row_length = _template(_one(fc._row_shape_problems(io.StringIO("a\n" * many), 99, ends_with_newline=True)), {f"{many:,} row(s)": "count", "the 99 values": "width"})
    steps = [
        _problem(truncated, source=shape, where=f"coalesce({truncated_here}, false)", message=_fill(truncated.message, row="'row ' || " + _thousands("last") + " || ')'"), rows="[last]::INTEGER[]"),
        _problem(row_length, source=shape, where=f"len(bad) > 0 AND NOT coalesce({truncated_here}, false)",
                 message=_fill(row_length.message, count=_thousands("len(bad)") + " || ' row(s)'", width=f"'the {width} values'"),
                 rows=f"bad[:{_ROWS_KEPT}]::INTEGER[]", affected="len(bad)", examples="counts[:5]"),
        _line_break_problem(),
    ]
    fallback = _problem(_one(_unreadable_fallback(contract)), source=f"FROM {TEXT}")
    return [
        *({"do": "problems", "sql": sql, "group": "unreadable"} for sql in steps),
        {"do": "problems", "sql": fallback, "group": "unreadable", "if_group_empty": True},
    ]


def _unreadable_fallback(contract: Contract) -> list[Problem]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.csv"
        path.write_text(_header(contract) + "\n", encoding="utf-8")
        return fc.explain_unreadable_rows(path, len(contract.column_names))


def _line_break_problem() -> str:
    # Lines ending [CR LF, LF, LF, LF] and [LF, CR LF, LF, LF]: the same counts, the header among the odd ones or not.
    def mixed(endings: list[str]) -> Problem:
        return fc._mixed_line_breaks(io.StringIO("".join(f"a{e}" for e in endings)))

    with_header, without = mixed(["\r\n", "\n", "\n", "\n"]), mixed(["\n", "\r\n", "\n", "\n"])
    start = next(i for i, (a, b) in enumerate(zip(with_header.message, without.message, strict=False)) if a != b)
    header_words = with_header.message[start : start + len(with_header.message) - len(without.message)]
    assert with_header.message.replace(header_words, "", 1) == without.message, (with_header.message, without.message)
    kinds = ", ".join(f"{n} with {fc._LINE_BREAKS[k]}" for k, n in (("\n", 3), ("\r\n", 1)))
    problem = _template(with_header, {kinds: "kinds", header_words: "header", "; 1 line(s)": "odd"})
    tokens = (
        "SELECT tok, i, sum(CASE WHEN tok = '\"' THEN 1 ELSE 0 END) OVER (ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS quotes FROM ("
        f"SELECT unnest(t) AS tok, generate_subscripts(t, 1) AS i FROM (SELECT regexp_extract_all(text, '\"|\\r\\n|\\r|\\n') AS t FROM {TEXT}))"
    )
    breaks = f"SELECT tok AS kind, row_number() OVER (ORDER BY i) - 1 AS row, i FROM ({tokens}) WHERE tok <> '\"' AND coalesce(quotes, 0) % 2 = 0"
    names = [(_lit(k), _lit(v)) for k, v in fc._LINE_BREAKS.items()]
    name = "CASE kind " + " ".join(f"WHEN {k} THEN {v}" for k, v in names) + " END"
    kinds_sql = f"SELECT kind, count(*) AS n, min(i) AS first FROM ({breaks}) GROUP BY kind"
    source = (
        f"FROM (SELECT (SELECT count(*) FROM ({kinds_sql})) AS kinds_seen, "
        f"(SELECT string_agg(format('{{:,}}', n) || ' with ' || {name}, ', ' ORDER BY n DESC, first) FROM ({kinds_sql})) AS kinds, "
        f"(SELECT list(row ORDER BY row) FROM ({breaks}) WHERE kind <> (SELECT kind FROM ({kinds_sql}) ORDER BY n DESC, first LIMIT 1)) AS odd)"
    )
    data_rows = "list_filter(odd, lambda r: r > 0)"
    return _problem(
        problem, source=source, where="kinds_seen >= 2",
        message=_fill(problem.message, kinds="kinds", header=f"CASE WHEN odd[1] = 0 THEN {_lit(header_words)} ELSE '' END", odd="'; ' || " + _thousands("len(odd)") + " || ' line(s)'"),
        rows=f"{data_rows}[:{_ROWS_KEPT}]::INTEGER[]", affected=f"len({data_rows})",
    )


def _rule_query(rule: Rule) -> str:
    """``validation._failures_by_file`` in SQL: the count, the first rows and the first sample values (masked for identifiers)."""
    failing = failing_rows_query(rule.table, rule.expectation, ROW_IDS)
    shown = [c for c in dict.fromkeys([*ROW_IDS, *rule.expectation.shown()]) if c not in (*ROW_IDS, "_failing")]

    def text(column: str) -> str:
        value = f"CAST(\"{column}\" AS VARCHAR)"
        if rule.mask_values:
            value = f"CASE WHEN length({value}) <= 2 THEN {value} ELSE {value}[1] || repeat('*', length({value}) - 2) || {value}[-1] END"
        return f"CASE WHEN \"{column}\" IS NULL THEN '(empty)' ELSE {value} END"

    example = text(shown[0]) if len(shown) == 1 else " || ', ' || ".join(f"'{c}=' || {text(c)}" for c in shown)
    firsts = (
        f"SELECT *, count(*) OVER () AS _failing, row_number() OVER (ORDER BY {ROW_ID}) AS _place FROM ({failing}) "
        f"WHERE {FILE_ID} = 0 QUALIFY _place <= {_ROWS_KEPT}"
    )
    source = (
        f"FROM (SELECT max(_failing) AS failing, list({ROW_ID} ORDER BY {ROW_ID}) AS rows FROM ({firsts})) "
        f"CROSS JOIN (SELECT list(example ORDER BY place) AS examples FROM ("
        f"SELECT example, min(_place) AS place FROM (SELECT {example} AS example, _place FROM ({firsts}) WHERE _place <= {_EXAMPLES}) GROUP BY example))"
    )
    template = Problem(check=rule.name, message=rule.explain, columns=rule.columns, blocking=rule.blocking, fix=rule.fix, masked=rule.mask_values)
    return _problem(template, source=source, where="failing > 0", message=_fill(rule.explain, n=_thousands("failing")) if "{n}" in rule.explain else None,
                    rows="rows::INTEGER[]", affected="failing", examples="coalesce(examples, []::VARCHAR[])")


def _version_steps(contract: Contract, reference_dir: Path) -> list[dict]:
    """The rule steps of every version of the contract (``Contract.in_force``), each run only for a file of a
    period it judges: a flag per version, worked out from the period the file's name gives."""
    versions = contract.versions
    if len(versions) == 1:
        return _rule_steps(contract, reference_dir)
    bounds = [v.starts for v in versions[1:]]
    period = f"coalesce(regexp_full_match(period, {_lit(_period_pattern(contract))}), false)"
    in_force = [
        f"{period} AND {' AND '.join(c for c in (f'period >= {_lit(first)}' if first else '', f'period < {_lit(until)}' if until else '') if c)}"
        for first, until in zip([None, *bounds], [*bounds, None])
    ]
    names = [f"version_{n}" for n in range(len(versions))]
    flags = {"do": "flags", "sql": f"SELECT {', '.join(f'{c} AS {n}' for c, n in zip(in_force, names))} FROM {INPUT}", "names": names}
    words = " ".join(f"WHEN {c} THEN {_lit(f'v{v.version}, the version for {v.years_in_force()}')}" for c, v in zip(in_force, versions))
    named = {"do": "values", "sql": f"SELECT CASE {words} END AS contract_version FROM {INPUT}"}  # what the page's verdict names
    return [flags, named, *(step for name, version in zip(names, versions) for step in _rule_steps(version, reference_dir, name))]


def _rule_steps(contract: Contract, reference_dir: Path, version: str | None = None) -> list[dict]:
    """``validation.validate_staged``: one pass per table says which rules fail; only those are looked at again.
    ``version``: the flag under which these steps run, and the prefix of the flags they set."""
    rules = compile_rules(contract, reference_dir)
    prefix, guard = (f"{version}_", {"if": version}) if version else ("", {})
    steps: list[dict] = []
    for table in dict.fromkeys(r.table for r in rules):
        table_rules = [r for r in rules if r.table == table]
        expectations = [r.expectation for r in table_rules]
        own = [e.fails_anywhere(table) for e in expectations]
        recorder = _Recorder(_NoRun(len(expectations) - sum(q is not None for q in own)))
        failing_expectations(recorder, table, expectations)
        queries = iter(sql for _, sql, _ in recorder.statements)
        for number, query in enumerate(own):
            if query is not None:
                steps.append({"do": "flags", "sql": next(queries), "names": [f"{prefix}{table}_{number}"], **guard})
        in_pass = [i for i, q in enumerate(own) if q is None]
        if in_pass:
            steps.append({"do": "flags", "sql": next(queries), "names": [f"{prefix}{table}_{i}" for i in in_pass], **guard})
        for number, rule in enumerate(table_rules):
            steps.append({"do": "problems", "sql": _rule_query(rule), "if": f"{prefix}{table}_{number}"})
    return steps


def _reading(contract: Contract) -> dict:
    """What the page's worker needs to read a return as ``reading.read_return`` does when it is not UTF-8,
    comma-separated text already: each refusal as a template from the intake's own function (slots in
    braces), and how a workbook's cells are written (``workbooks._text``)."""
    from assets.ingest import reading
    from assets.ingest import workbooks as wb

    def template(problem: Problem, values: dict[str, str]) -> dict:
        return _template(problem, values, {v: slot for v, slot in values.items() if v in problem.fix}).as_dict()

    def formulas(listed: list[str], errors: list[str]) -> dict:
        count = len(listed) + len(errors) + 12_345
        return template(wb.formula_problem((listed, errors, count), "Q9SHEET"), {"; 12,345 more": "more", f"{count:,}": "count", "'Q9SHEET'": "sheet", **{v: k for k, v in (("formulas", "Q9F"), ("errors", "Q9E")) if v in listed + errors}})

    assert "; 12,345 more" in wb.formula_problem((["A2"], [], 12_346), "S").message
    return {
        "workbooks": {suffix: {"unopenable": template(wb.unopenable(suffix, "Q9ERROR"), {"Q9ERROR": "error"})} for suffix in (".xlsx", ".ods")},
        "sheet": contract.sheet,
        "no_such_sheet": template(wb.no_such_sheet(contract.sheet, ["Q9NAMES"]), {"'Q9NAMES'": "names"}) if contract.sheet else None,
        "no_worksheet": wb.NO_WORKSHEET.as_dict(),
        "empty_sheet": template(wb.empty_sheet("Q9SHEET"), {"'Q9SHEET'": "sheet"}),
        "formulas": {"formulas": formulas(["Q9F"], []), "errors": formulas([], ["Q9E"]), "both": formulas(["Q9F"], ["Q9E"]), "more": "; {n} more", "listed": wb._LISTED},
        "kinds": {c.name.casefold(): c.logical_type for c in contract.columns},
        "epochs": {"excel": wb._EXCEL_EPOCH.isoformat(), "1904": wb._EPOCH_1904.isoformat()},
        "last_serial": wb._LAST_SERIAL,
        "separated": {d: template(reading.unreadable_as(d, "Q9ERROR"), {"Q9ERROR": "error"}) for d in (";", "\t")},
    }


GUESS_NOT_MADE = "an encoding this page cannot name (the intake names the one it most likely was)"


@cache
def _encoding() -> dict:
    """``reading.text_encoding`` for a file that is not UTF-8, as data: each byte's character in Windows-1252,
    its class as a neighbour (letter, digit, other) and, for each pair of neighbour classes, why it does not
    fit there (``reading._misfit``, run here for every byte and checked for every neighbour); the sentences
    as templates. The guess at another encoding (charset-normalizer) is not made in the page: it says so."""
    from assets.ingest import reading

    def kind(character: str) -> str:
        return "L" if reading._is_letter(character) else "D" if character.isdigit() else "O"

    stand_in = {"L": "a", "D": "1", "O": " "}
    characters = [chr(b) if b < 128 else (None if b in reading._UNDEFINED_IN_CP1252 else bytes([b]).decode("cp1252")) for b in range(256)]
    neighbours = [c for c in characters if c is not None]
    misfits = {}
    for b in range(128, 256):
        c = characters[b]
        if c is None:
            continue
        table = {x + y: reading._misfit(c, stand_in[x], stand_in[y]) for x in stand_in for y in stand_in}
        for n in neighbours:
            assert reading._misfit(c, n, " ") == table[kind(n) + "O"] and reading._misfit(c, " ", n) == table["O" + kind(n)], (c, n)
        misfits[b] = {"named": f"in Windows-1252 {c!r} ({unicodedata.name(c, 'a control character').lower()})", "why": table}

    def item(reads: str) -> reading._Bytes:
        return reading._Bytes(7_777, 8_888, b"\x88", reads)

    def verdict(**counts: int) -> Problem:
        found = reading._Found()
        for what, count in counts.items():
            found.add(what, item(f"Q9{what.upper()}"))
            found.counts[what] = count
        problem = reading._verdict(found, lambda _: "Q9GUESS")
        listed = {reading._listed([item(f"Q9{what.upper()}")], count): f"{what}_listed" for what, count in counts.items()}
        numbers = {f"{count:,}": f"{what}_count" for what, count in counts.items()}
        return _template(problem, {**listed, **numbers, **({"Q9GUESS": "guess"} if "Q9GUESS" in problem.message else {})}).as_dict()

    def reads(data: bytes, values: dict[str, str]) -> str:
        found = reading._Found()
        reading._classify(b"a" + data + b"b", 1, 1 + len(data), 0, 1, found)
        return _template(Problem("", (found.utf8 or found.single_byte)[0].reads), values).message

    one, two = reading._Bytes(7_777, 8_888, b"\x88", "Q9"), reading._Bytes(7_777, 8_888, b"\x88\x89", "Q9")
    return {
        "reprs": [None if b < 128 or c is None else repr(c)[1:-1] for b, c in enumerate(characters)],
        "kinds": "".join("O" if c is None else kind(c) for c in characters),
        "undefined": sorted(reading._UNDEFINED_IN_CP1252),
        "misfits": misfits,
        "neither": reading.NEITHER,
        "ends_part_way": reading.ENDS_PART_WAY.as_dict(),
        "bytes": [_template(Problem("", str(one)), {"7,777": "offset", "8,888": "line", "88": "hex", "Q9": "reads"}).message,
                  _template(Problem("", str(two)), {"7,777-7,778": "offset}-{end", "8,888": "line", "88 89": "hex", "Q9": "reads"}).message],
        "listed": {"kept": reading._LISTED, "shown": 3, "joined": "; ", "more": reading._listed([one], 12_346).removeprefix(str(one)).replace("12,345", "{n}")},
        "undefined_problem": verdict(undefined=12_345),
        "mixed_problem": verdict(utf8=12_345, single_byte=23_456),
        "misfits_problem": verdict(misfits=12_345),
        "guess": GUESS_NOT_MADE,
        "utf8_reads": reads("é".encode(), {"'é'": "utf8", "'Ã©'": "cp1252"}),
        "single_byte_reads": reads("é".encode("cp1252"), {"'é'": "cp1252"}),
    }


class _NoRun:
    """Stands in for a connection where only the statements are wanted."""

    def __init__(self, width: int) -> None:
        self.width = width

    def execute(self, sql: str, params=None):
        return SimpleNamespace(fetchone=lambda: (False,) * max(self.width, 1) if "coalesce(bool_or" in sql else (False,))


def compile_plan(contract: Contract, councils: Councils, reference_dir: Path) -> dict:
    """Every step ``story check`` takes for a file of this dataset, as SQL and words, for the page (JSON).

    Steps: ``sql`` (run), ``values`` (run; its one row fills tokens that later ``params`` name),
    ``load`` (run; if DuckDB cannot read the file, ``unreadable`` holds), ``flags`` (run; its one
    row of booleans is named ``names``), ``rows`` (the rows staged), ``problems`` (run; each row is a
    problem), ``stop_if_refused`` and ``stop_if_no_rows``; ``read_workbook`` (a file named as a workbook),
    ``read_encoding`` and ``convert`` (when their query finds a row): the worker's ``reader.js`` makes the
    file UTF-8 comma-separated text, or finds the problem that refuses it, and runs ``then`` on the text. A step with ``if`` runs only when that
    flag holds; in a ``group``, a step with ``first`` runs only while the group has found nothing,
    and one with ``if_group_empty`` only if the group found nothing.
    """
    if contract.agencies.councils:
        agencies = [{"code": code, "name": councils.names[code]} for code in sorted(councils.codes, key=lambda c: councils.names[c])]
    else:
        agencies = [{"code": code, "name": code} for code in contract.agencies.codes]
    steps = [
        *_input_step(contract),
        *_naming_steps(contract, councils),
        {"do": "stop_if_refused"},
        *_text_setup(contract),
        *_file_steps(contract),
        {"do": "stop_if_refused"},
        *_header_steps(contract),
        {"do": "stop_if_refused"},
        *_staging_steps(contract, councils),
        *({**step, "if": "unreadable"} for step in _unreadable_steps(contract)),
        {"do": "stop_if_refused"},
        {"do": "rows", "sql": "SELECT count(*) FROM staged"},
        {"do": "problems", "sql": _problem(fc.no_rows_problem(), source="FROM (SELECT count(*) AS n FROM staged)", where="n = 0")},
        {"do": "stop_if_no_rows"},
        *_version_steps(contract, reference_dir),
    ]
    return {
        "plan_version": PLAN_VERSION,
        "dataset": contract.id,
        "name": contract.name,
        "version": contract.latest.version,
        "versions": [{"from": v.starts, "version": v.version, "in_force": v.years_in_force()} for v in contract.versions],
        "agencies": agencies,
        "agency_pattern": contract.agencies.pattern,
        "agency_rule": contract.agencies.describe(),
        "file_name": contract.expected_file_name("<agency>", "<period>"),
        "period_example": contract.period_example,
        "resend": f"When it passes, send it to your agency folder (<agency>/{contract.id}/), named {contract.expected_file_name('<agency>', '<period>')}. Once accepted, it replaces any earlier file for the same period.",
        "upload": UPLOAD,
        "rows_shown": ROWS_SHOWN,
        "reading": {**_reading(contract), "encoding": _encoding()},
        "steps": steps,
    }


# --- the plan run in Python: what the page does, for the tests and the benchmark --------------

def run_plan(plan: dict, path: Path, name: str, agency: str) -> tuple[list[Problem], int, bool]:
    """The problems and the rows the page finds for the file at ``path``, named ``name``, sent by ``agency``:
    the page's worker (``assets/reports/preflight_page/worker.js``) step for step, but for the reading of a
    file that is not UTF-8 comma-separated text (JavaScript, ``reader.js``): then it stops and says True."""
    read_in_the_worker = False
    values: dict[str, object] = {"name": name, "agency": agency, "path": str(path)}
    flags: dict[str, bool] = {}
    found_in: dict[str, int] = {}
    problems: list[Problem] = []
    rows = 0
    with duckdb.connect() as con:
        for step in plan["steps"]:
            kind, group = step["do"], step.get("group")
            if "if" in step and not flags.get(step["if"]):
                continue
            if group and (step.get("first") or step.get("if_group_empty")) and found_in.get(group):
                continue
            if kind in ("read_workbook", "read_encoding", "convert"):  # JavaScript in the worker: the browser test holds it to judge
                if (Path(name).suffix.lower() in plan["reading"]["workbooks"]) if kind == "read_workbook" else con.execute(step["sql"]).fetchall():
                    read_in_the_worker = True
                    break
                continue
            if kind == "stop_if_refused":
                if any(p.blocking for p in problems):
                    break
                continue
            if kind == "stop_if_no_rows":
                if not rows:
                    break
                continue
            params = [values[t] for t in step.get("params", [])]
            try:
                cursor = con.execute(step["sql"], params)
            except duckdb.InvalidInputException:
                if kind != "load":
                    raise
                flags["unreadable"] = True
                continue
            if kind == "values":
                values.update(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
            elif kind == "flags":
                flags.update(zip(step["names"], cursor.fetchone(), strict=True))
            elif kind == "rows":
                rows = cursor.fetchone()[0]
            elif kind == "problems":
                names = [d[0] for d in cursor.description]
                for row in (dict(zip(names, r, strict=True)) for r in cursor.fetchall()):
                    problems.append(Problem(
                        check=row["check"], message=row["message"], fix=row["fix"], columns=tuple(row["columns"]), rows=tuple(row["rows"]),
                        rows_affected=int(row["rows_affected"]), examples=tuple(row["examples"]), blocking=bool(row["blocking"]), masked=bool(row["masked"]),
                    ))
                    if group:
                        found_in[group] = found_in.get(group, 0) + 1
    return problems, rows, read_in_the_worker
