"""Contract rule checks: which of a run's files broke each rule of their data contract, and on how many rows.

A file breaking a rule is refused, not loaded, so these checks judge the run's files rather
than the raw table (``checks.intake`` guards that); a rule that refuses a file fails as an
error, a rule that only warns fails as a warning.
"""

from __future__ import annotations

from assets.ingest.intake import IntakeResult
from assets.ingest.problems import Problem
from assets.ingest.validation import Rule
from checks.outcome import CheckOutcome

FILES_LISTED = 20


def check_name(rule: Rule) -> str:
    """A stable, readable check name: the rule and its columns (``code_list__placement_type``)."""
    return "__".join((rule.name, *rule.columns))


def _broke(problem: Problem, rule: Rule) -> bool:
    return problem.check == rule.name and problem.columns == rule.columns


def files_breaking_rule(rule: Rule, results: list[IntakeResult]) -> CheckOutcome:
    """The run's validated files (accepted or refused) that broke ``rule``, with the rows they broke it on."""
    validated = [r for r in results if r.outcome in ("accepted", "refused")]
    failing = [(r, p) for r in validated for p in r.problems if _broke(p, rule)]
    return CheckOutcome(
        passed=not failing,
        threshold="0 rows",
        seen={
            "rule": rule.name,
            "columns": ", ".join(rule.columns),
            "files_checked": len(validated),
            "files_failing": len(failing),
            "rows_failing": sum(p.rows_affected for _, p in failing),
        },
        listed={"failing_files": [
            f"{r.landed.agency}/{r.landed.path.name}: {p.rows_affected:,} row(s), first rows {', '.join(map(str, p.rows[:10]))} ({r.outcome})"
            for r, p in failing[:FILES_LISTED]
        ]},
        warn_only=not rule.blocking,
    )
