"""Contract rule checks: which of a run's files broke each kind of rule of their data contract, where, and on how many rows.

One check per kind of rule (``required``, ``code_list``, ``date_order``...), not per rule and
column: a data engineer reads in the UI which kind failed, and in its metadata on which columns
of which files; a check per column cost every run that touches a dataset some 80 ms per rule in
Dagster's event log (64 rules on the looked after returns), more than checking the file itself.
A file breaking a rule is refused, not loaded, so these checks judge the run's files rather
than the raw table (``checks.intake`` guards that); a kind of rule that refuses a file fails as
an error, one that only warns fails as a warning.
"""

from __future__ import annotations

from collections.abc import Sequence

from assets.ingest.intake import IntakeResult
from assets.ingest.validation import Rule
from assets.model.outcome import CheckOutcome

FILES_LISTED = 20


def rules_by_kind(rules: Sequence[Rule]) -> dict[str, list[Rule]]:
    """The contract's rules by kind, in contract order: one check each. Every rule of a kind refuses, or every one warns."""
    kinds: dict[str, list[Rule]] = {}
    for rule in rules:
        kinds.setdefault(rule.name, []).append(rule)
    for kind, same in kinds.items():
        if len({r.blocking for r in same}) > 1:
            raise ValueError(f"rules of kind {kind} both refuse and warn: one check cannot say both")
    return kinds


def _columns(rules: Sequence[Rule]) -> str:
    """The columns each rule of a kind covers: ``la_code; sex`` or, for pair rules, ``episode_end, episode_start; ...``."""
    return "; ".join(", ".join(r.columns) for r in rules)


def describe(kind: str, rules: Sequence[Rule]) -> str:
    """What the check of one kind of rule guards, for the UI."""
    return (
        f"{'Refuses' if rules[0].blocking else 'Warns about'} a file that breaks a {kind} rule of its contract, on any of: {_columns(rules)}. "
        f"For example: {rules[0].explain.format(n='one or more')} The file's report says which rows and how to fix them."
    )


def files_breaking_rules(kind: str, rules: Sequence[Rule], results: list[IntakeResult]) -> CheckOutcome:
    """The run's validated files (accepted or refused) that broke a rule of ``kind``, with the columns and rows they broke it on."""
    validated = [r for r in results if r.outcome in ("accepted", "refused")]
    covered = {r.columns for r in rules}
    failing = [(r, p) for r in validated for p in r.problems if p.check == kind and p.columns in covered]
    return CheckOutcome(
        passed=not failing,
        threshold="0 rows",
        seen={
            "rule": kind,
            "columns": _columns(rules),
            "files_checked": len(validated),
            "files_failing": len({id(r) for r, _ in failing}),
            "rows_failing": sum(p.rows_affected for _, p in failing),
            "columns_failing": "; ".join(dict.fromkeys(", ".join(p.columns) for _, p in failing)),
        },
        listed={"failing_files": [
            f"{r.landed.agency}/{r.landed.path.name}: {', '.join(p.columns)}: {p.rows_affected:,} row(s), first rows {', '.join(map(str, p.rows[:10]))} ({r.outcome})"
            for r, p in failing[:FILES_LISTED]
        ]},
        warn_only=not rules[0].blocking,
    )
