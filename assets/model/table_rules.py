"""The contracts' table rules, one function per rule.

Method notes: docs/intake.md, "Notes on `assets/model/table_rules.py`".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from assets.model.contracts import Contract, TableRule

PERIOD_DATES = {"periodStart": "{period_start}", "periodEnd": "{period_end}"}
_PERIOD_WORDS = {"periodStart": "the start of the reporting period", "periodEnd": "the end of the reporting period"}


@dataclass(frozen=True)
class Flag:
    """A true/false condition on each row, and the value shown for a row where it is false."""

    condition: str
    shown: str


@dataclass(frozen=True)
class TableCheck:
    name: str  # the rule's short name in the UI and the refusal's JSON
    columns: tuple[str, ...]
    explain: str  # "{n}" is replaced by the number of rows that broke the rule
    fix: str
    statement: str  # what a good file does, for the agencies' documentation
    flag: Flag | None = None  # checked as a column of the typed view that must be NULL on every row
    at_least: tuple[str, str] | None = None  # (a, b): a >= b wherever both are given


def _date(column: str) -> str:
    return f"TRY_CAST({{{column}}} AS DATE)"


def agency_matches_folder(rule: TableRule, contract: Contract) -> TableCheck:
    column = rule.arguments["column"]
    return TableCheck(
        "agency_matches_folder", (column,),
        f"'{column}' must be the agency whose folder the file was dropped in, but differs in {{n}} row(s).",
        f"Either the rows belong to another agency (send them from that agency's folder) or '{column}' is wrong: every row must carry the code of the folder it is sent from.",
        f"'{column}' on every row is the code of the agency whose folder the file is sent from (a council's former code is accepted and mapped to the current one).",
        Flag(f"coalesce((SELECT current FROM council_codes WHERE code = {{{column}}}), {{{column}}}) = {{expected_agency}}", f"{{{column}}}"),
    )


def period_matches_file(rule: TableRule, contract: Contract) -> TableCheck:
    column = rule.arguments["column"]
    return TableCheck(
        "period_matches_file", (column,),
        f"'{column}' must be the period in the file name, but differs in {{n}} row(s).",
        f"Send each period in its own file, named with that period, with '{column}' the same on every row. The period is written like {contract.period_example}.",
        f"'{column}' on every row is the period in the file name.",
        Flag(f"CAST({{{column}}} AS VARCHAR) = {{expected_period}}", f"{{{column}}}"),
    )


def _period_rule(condition: str, must: str, is_: str) -> Callable[[TableRule, Contract], TableCheck]:
    """The rules that hold a date to the reporting period named in the file name."""

    def check(rule: TableRule, contract: Contract) -> TableCheck:
        column, why = rule.arguments["column"], rule.description
        return TableCheck(
            "within_period", (column,),
            f"{why or column} ('{column}' must {must} the reporting period named in the file name): {{n}} row(s) do not.",
            f"Check '{column}' on the rows listed; rows that belong to another period go in that period's file.",
            f"{why or column}: '{column}' {is_} the reporting period in the file name.",
            Flag(condition.format(date=_date(column)), f"{{{column}}}"),
        )

    return check


within_period = _period_rule("{date} BETWEEN {{period_start}} AND {{period_end}}", "fall inside", "falls inside")
on_or_before_period_end = _period_rule("{date} <= {{period_end}}", "be on or before the end of", "is on or before the end of")
on_or_after_period_start = _period_rule("{date} >= {{period_start}}", "be on or after the start of", "is on or after the start of")


def on_or_after(rule: TableRule, contract: Contract) -> TableCheck:
    later, earlier, why = rule.arguments["later"], rule.arguments["earlier"], rule.description
    return TableCheck(
        "date_order", (later, earlier),
        f"{why or f'{later!r} must be on or after {earlier!r}'}: {{n}} row(s) have '{later}' before '{earlier}'.",
        "Check both dates on the rows listed: one of them is probably mistyped (day and month swapped, or the wrong year).",
        f"{why or 'Dates in order'}: '{later}' is on or after '{earlier}'.",
        at_least=(later, earlier),
    )


def not_greater_than(rule: TableRule, contract: Contract) -> TableCheck:
    smaller, larger, why = rule.arguments["smaller"], rule.arguments["larger"], rule.description
    return TableCheck(
        "not_greater_than", (smaller, larger),
        f"{why or f'{smaller!r} must not exceed {larger!r}'}: {{n}} row(s) break this.",
        f"Correct '{smaller}' or '{larger}' on the rows listed.",
        f"{why or 'Parts within the whole'}: '{smaller}' is not greater than '{larger}'.",
        at_least=(larger, smaller),
    )


def _on_date(at: str, contract: Contract) -> tuple[str, str]:
    """The date an age is taken on, as SQL and in words: a column of the file, or the start or end of its period."""
    if at in PERIOD_DATES:
        if contract.period_kind == "vintage":
            raise ValueError(f"{contract.id}: an age at {at} needs a period with dates, not a {contract.period_kind}")
        return PERIOD_DATES[at], _PERIOD_WORDS[at]
    if at not in contract.column_names:
        raise ValueError(f"{contract.id}: an age is taken on {at!r}, which is neither a column nor periodStart or periodEnd")
    return _date(at), f"'{at}'"


def age_between(rule: TableRule, contract: Contract) -> TableCheck:
    """A person's age in whole years on a date lies in a stated range (a looked after child is 0 to 17 when the episode starts)."""
    args, why = rule.arguments, rule.description
    birth, at, low, high = args["birth"], args["at"], int(args["minimum"]), int(args["maximum"])
    on, on_words = _on_date(at, contract)
    born = _date(birth)
    # Whole years: the years between, less one if the birthday has not come yet that year.
    age = f"(year({on}) - year({born}) - CASE WHEN month({on}) * 100 + day({on}) < month({born}) * 100 + day({born}) THEN 1 ELSE 0 END)"
    columns = (birth,) if at in PERIOD_DATES else (birth, at)
    return TableCheck(
        "plausible_age", columns,
        f"{why or 'Age out of range'} (the age from '{birth}' to {on_words} must be {low} to {high} years): {{n}} row(s) give an age outside that.",
        f"Check '{birth}'{f' and {on_words}' if at not in PERIOD_DATES else ''} on the rows listed at source: a year or a day and month is probably mistyped. The reports show only the age, never the date of birth.",
        f"{why or 'Ages in range'}: the age from '{birth}' to {on_words} is {low} to {high} years.",
        # The age, not the date of birth: an identifier is never echoed back in a report.
        Flag(f"{age} BETWEEN {low} AND {high}", f"'aged ' || {age}"),
    )


def age_between_month_of_birth(rule: TableRule, contract: Contract) -> TableCheck:
    """``ageBetween`` where only the year and month of birth are given (the content half of a return
    split at source): a row is refused only when no day of that month gives an age in range."""
    args, why = rule.arguments, rule.description
    year, month, at, low, high = args["year"], args["month"], args["at"], int(args["minimum"]), int(args["maximum"])
    on, on_words = _on_date(at, contract)
    born_year, born_month = f"TRY_CAST({{{year}}} AS INTEGER)", f"TRY_CAST({{{month}}} AS INTEGER)"
    years = f"(year({on}) - {born_year})"
    # Born later in the year than the month of the date: a year younger; born in that month: either.
    oldest = f"({years} - CASE WHEN month({on}) < {born_month} THEN 1 ELSE 0 END)"
    youngest = f"({years} - CASE WHEN month({on}) <= {born_month} THEN 1 ELSE 0 END)"
    columns = (year, month) if at in PERIOD_DATES else (year, month, at)
    return TableCheck(
        "plausible_age", columns,
        f"{why or 'Age out of range'} (the age from '{year}' and '{month}' to {on_words} must be {low} to {high} years): {{n}} row(s) give an age outside that.",
        f"Check '{year}' and '{month}'{f' and {on_words}' if at not in PERIOD_DATES else ''} on the rows listed at source: a year is probably mistyped.",
        f"{why or 'Ages in range'}: the age from '{year}' and '{month}' to {on_words} can be {low} to {high} years.",
        Flag(f"{oldest} >= {low} AND {youngest} <= {high}", f"'aged ' || {youngest} || CASE WHEN {youngest} < {oldest} THEN ' or ' || {oldest} ELSE '' END"),
    )


def not_before_year(rule: TableRule, contract: Contract) -> TableCheck:
    """No date before 1 January of a stated year (no episode starting before 1990)."""
    column, year, why = rule.arguments["column"], int(rule.arguments["year"]), rule.description
    first = dt.date(year, 1, 1).isoformat()
    return TableCheck(
        "plausible_date", (column,),
        f"{why or column} ('{column}' must be on or after 1 January {year}): {{n}} row(s) are earlier.",
        f"Check '{column}' on the rows listed: the year is probably mistyped.",
        f"{why or column}: '{column}' is on or after 1 January {year}.",
        Flag(f"{_date(column)} >= DATE '{first}'", f"{{{column}}}"),
    )


def duration_at_most(rule: TableRule, contract: Contract) -> TableCheck:
    """No span from one date to another longer than is possible (a placement longer than childhood)."""
    start, end, days, why = rule.arguments["start"], rule.arguments["end"], int(rule.arguments["days"]), rule.description
    span = f"date_diff('day', {_date(start)}, {_date(end)})"
    return TableCheck(
        "plausible_duration", (start, end),
        f"{why or 'Too long'} (from '{start}' to '{end}' must be at most {days:,} days): {{n}} row(s) are longer.",
        f"Check '{start}' and '{end}' on the rows listed: one of them is probably mistyped (the wrong year).",
        f"{why or 'Spans in range'}: from '{start}' to '{end}' is at most {days:,} days.",
        Flag(f"{span} <= {days}", f"{span} || ' days'"),
    )


TABLE_RULES: dict[str, Callable[[TableRule, Contract], TableCheck]] = {
    "agencyMatchesFolder": agency_matches_folder,
    "periodMatchesFile": period_matches_file,
    "withinPeriod": within_period,
    "onOrBeforePeriodEnd": on_or_before_period_end,
    "onOrAfterPeriodStart": on_or_after_period_start,
    "onOrAfter": on_or_after,
    "notGreaterThan": not_greater_than,
    "ageBetween": age_between,
    "ageBetweenMonthOfBirth": age_between_month_of_birth,
    "notBeforeYear": not_before_year,
    "durationAtMost": duration_at_most,
}


def table_checks(contract: Contract) -> list[tuple[str, TableCheck]]:
    """Each table rule of a contract with the name of its flag column on the typed view."""
    checks = []
    for number, rule in enumerate(contract.table_rules):
        if rule.rule not in TABLE_RULES:
            raise ValueError(f"{contract.id}: table rule {rule.rule!r} is not known")
        flag_column = f"_rule_{number}"
        checks.append((flag_column, TABLE_RULES[rule.rule](rule, contract)))
    return checks
