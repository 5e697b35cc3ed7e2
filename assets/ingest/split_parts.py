"""Each half of a return split at source, against its part of the contract: a contract of its own.

The identifier part holds what the index zone keeps of a row (``raw_zone.index_columns``: the
identifiers and the sex the linkage compares); the content part what the content zone keeps
(``raw_zone.content_columns``: the other columns, a date of birth as ``birth_year`` and
``birth_month``). Each starts with the ``record_reference`` (``split_names``), required and
different on every row. So a new contract needs no code to be sent split.

Each part keeps the contract's rules on its own columns. A rule that needs both halves cannot
be checked without holding identifiers beside content, so it changes or goes: an age from the
date of birth to a content date is checked from the year and month of birth
(``ageBetweenMonthOfBirth``: refused only when no day of that month gives an age in range), and
a unique key mixing identifiers and content is checked by references (``split_pairs.repeated_keys``).
``unchecked`` lists what goes.
"""

from __future__ import annotations

import dataclasses

from assets.ingest.raw_zone import content_columns, index_columns
from assets.ingest.split_names import CONTENT, IDENTIFIERS, PARTS, REFERENCE, REFERENCE_PATTERN
from assets.model.contracts import Column, Contract, TableRule
from assets.model.table_rules import PERIOD_DATES, table_checks

_REFERENCE = Column(
    REFERENCE, "string", required=True, unique=True, pattern=REFERENCE_PATTERN,
    description="The record's reference, the same in both halves: random letters, as story split writes them", example="kdqm-xwtz-bvnh-prsa",
)
_MONTH = "month"


def part_columns(contract: Contract, part: str) -> list[Column]:
    """The contract's columns a half carries after its reference, in order."""
    if part == IDENTIFIERS:
        return index_columns(contract)
    columns: list[Column] = []
    for name, _, column, how in content_columns(contract):
        if how == "{}":
            columns.append(column)
        else:  # a date of birth, as year and month of birth
            month = name.endswith(_MONTH)
            columns.append(Column(
                name, "integer", required=column.required, minimum=1 if month else None, maximum=12 if month else None,
                description=f"The {'month' if month else 'year'} of '{column.name}'", example="5" if month else "2006",
            ))
    return columns


def _birth_parts(contract: Contract) -> dict[str, tuple[str, str]]:
    """Each column sent in the content part as year and month: its two columns there."""
    made: dict[str, list[str]] = {}
    for name, _, column, how in content_columns(contract):
        if how != "{}":
            made.setdefault(column.name, []).append(name)
    return {source: (year, month) for source, (year, month) in made.items()}


def _part_rules(contract: Contract, names: set[str]) -> list[TableRule | None]:
    """Each table rule as a part with these columns checks it (an age translated to year and month of birth), or None."""
    birth = _birth_parts(contract)
    rules: list[TableRule | None] = []
    for rule, (_, check) in zip(contract.table_rules, table_checks(contract), strict=True):
        args = rule.arguments
        if set(check.columns) <= names:
            rules.append(rule)
        elif rule.rule == "ageBetween" and set(birth.get(args["birth"], ("",))) <= names and (args["at"] in names or args["at"] in PERIOD_DATES):
            year, month = birth[args["birth"]]
            rules.append(TableRule("ageBetweenMonthOfBirth", {"year": year, "month": month, **{k: args[k] for k in ("at", "minimum", "maximum")}}, rule.description))
        else:
            rules.append(None)
    return rules


def part_contract(contract: Contract, part: str) -> Contract:
    """The contract one half is checked against: its reference, its columns and the rules on them."""
    columns = part_columns(contract, part)
    names = {c.name for c in columns}
    rules = tuple(r for r in _part_rules(contract, names) if r is not None)
    keys = tuple(k for k in contract.unique_keys if set(k) <= names)
    return dataclasses.replace(contract, columns=(_REFERENCE, *columns), table_rules=rules, unique_keys=keys)


def crossing_keys(contract: Contract) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The unique keys with columns in both halves: each as its identifier columns and its content columns (``split_pairs.repeated_keys``)."""
    identifiers = {c.name for c in part_columns(contract, IDENTIFIERS)}
    content = {c.name for c in part_columns(contract, CONTENT)}
    return [
        (tuple(c for c in key if c in identifiers), tuple(c for c in key if c not in identifiers))
        for key in contract.unique_keys if not set(key) <= identifiers and not set(key) <= content
    ]


def unchecked(contract: Contract) -> list[str]:
    """What a return sent split is not checked for: the rules that need both halves' values at once."""
    names = [{c.name for c in part_columns(contract, part)} for part in PARTS]
    checked = [_part_rules(contract, n) for n in names]
    return [check.statement for (_, check), *kept in zip(table_checks(contract), *checked, strict=True) if not any(kept)]
