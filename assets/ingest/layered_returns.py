"""A return sent layered, as a national collection is structured: several files linked by the child's ID.

Scotland's looked after children collection is a child file, an episode file, a placement file
and a legal-reason file, with no names and no CHI. A council may send that instead of the flat
file; the contract declares the parts (``Contract.layered``). The intake groups the parts by
agency and period as it pairs split halves (``split_pairs.paired``): a part alone waits. Each part
is staged apart and judged against its own columns, keys and the dataset's rules on them
(``part_contract``); then the contract's SQL rules between parts (``cross_part_problems``); then
the return is flattened into the dataset's shape (``flatten``: one row per placement, in the
placement file's order) and judged by the dataset's own rules, so a rule broken across files
names the placement's row. The return is accepted or refused whole, every part's report listing
every part's problems, and loaded as a flat file is, identifiers to the index zone and content to
the content zone.
"""

from __future__ import annotations

import dataclasses

import duckdb

from assets.ingest.problems import Problem
from assets.model.contracts import Contract, ReturnPart
from assets.model.table_rules import table_checks

_ROWS_NAMED = 20
FLAT_ROWS_FROM = "placement"  # the part whose rows the flattened return's rows are, one for one and in order


def staging_alias(part: str) -> str:
    """Each part's in-memory staging database, attached to the intake's connection."""
    return f"staging_layered_{part}"


def part_names(contract: Contract) -> tuple[str, ...]:
    return tuple(p.name for p in contract.layered)


def part_contract(version: Contract, part: ReturnPart) -> Contract:
    """What one part is judged against: its columns, its keys and the dataset's rules that need no other part's columns."""
    columns = part.columns(version)
    names = {c.name for c in columns}
    rules = tuple(rule for rule, (_, check) in zip(version.table_rules, table_checks(version), strict=True) if set(check.columns) <= names)
    return dataclasses.replace(version, columns=columns, table_rules=rules, unique_keys=part.unique_keys)


def flattened_contract(version: Contract) -> Contract:
    """The dataset's version with each column as the parts require it (a name may be left out of a layered return)."""
    carried = {c.name: c for part in version.layered for c in part.columns(version)}
    return dataclasses.replace(version, columns=tuple(carried.get(c.name, c) for c in version.columns))


def _parts_of_file(contract: Contract, number: int) -> str:
    """Each part, as the rows of the return staged as file ``number``, named as the contract's SQL rules name them."""
    return "WITH " + ", ".join(f"{p.name} AS (SELECT * FROM {staging_alias(p.name)}.typed WHERE _file = {int(number)})" for p in contract.layered)


def cross_part_problems(con: duckdb.DuckDBPyConnection, contract: Contract, number: int) -> dict[str, list[Problem]]:
    """Each part's rows that break one of the contract's rules between parts, for the return staged as file ``number``."""
    found: dict[str, list[Problem]] = {}
    for part in contract.layered:
        for rule in part.cross_rules:
            rows = [r[0] for r in con.execute(f"{_parts_of_file(contract, number)} SELECT DISTINCT * FROM ({rule.query}) ORDER BY 1").fetchall()]
            if rows:
                found.setdefault(part.name, []).append(Problem(
                    check="cross_part", rows=tuple(rows[:_ROWS_NAMED]), rows_affected=len(rows),
                    message=f"{rule.description}: {len(rows):,} row(s) of the {part.name} file do not.",
                    fix=f"Correct the rows listed in the {part.name} file, or the rows of the other files they should match, then send all {len(contract.layered)} files again.",
                ))
    return found


def flatten(contract: Contract, number: int) -> str:
    """The return staged as file ``number`` as the dataset's rows, as text, in the placement file's order: each placement
    with its child, the episode it lies in and the legal reason in force on the day it started (the latest to start by then)."""
    carried = {name: part.name for part in reversed(contract.layered) for name in part.column_names}
    columns = ", ".join(f"CAST({carried[c]}.{c} AS VARCHAR) AS {c}" for c in contract.column_names)
    return (
        f"{_parts_of_file(contract, number)} SELECT {columns} FROM placement "
        "JOIN child USING (child_ref) "
        "JOIN episode ON episode.child_ref = placement.child_ref AND episode.episode_start <= placement.placement_start "
        "JOIN legal_reason ON legal_reason.child_ref = placement.child_ref AND legal_reason.legal_start <= placement.placement_start "
        "QUALIFY row_number() OVER (PARTITION BY placement._row_number ORDER BY episode.episode_start DESC, legal_reason.legal_start DESC) = 1 "
        "ORDER BY placement._row_number"
    )


def in_part(problem: Problem, part: str) -> Problem:
    """A problem as the return's one list shows it: which file it is in."""
    return dataclasses.replace(problem, message=f"In the {part} file: {problem.message}")


def as_placement_rows(problem: Problem) -> Problem:
    """A problem found on the flattened return: its rows are the placement file's (one flat row per placement, in its order)."""
    return dataclasses.replace(problem, message=f"Checked with each placement's child, episode and legal reason: {problem.message}")


def waiting_for(landed_part: str, missing: list[str], dataset: str, agency: str, period: str) -> Problem:
    names = ", ".join(f"{dataset}_{agency}_{period}_{m}.csv" for m in missing)
    return Problem(
        check="waiting_for_other_parts",
        message=f"This is the {landed_part} file of a layered return; waiting for {names}: the files of one return are taken in together, so none is yet.",
        fix="Drop every file of the return in the same folder; they are then taken in together at the next intake.",
        blocking=False,
    )
