"""Each contract rule as a Dagster asset check on ``raw/<dataset>``.

A data engineer sees in the UI every rule of every contract, and after a run which rules
the run's files broke, in how many files and rows. A file breaking a rule is refused, not
loaded, so these checks never block downstream work (the raw table only ever holds accepted
files; ``raw_table_matches_contract`` guards it); they fail with ERROR severity for rules
that refuse a file and WARN for rules that only warn, and a refused file never crashes a run.
"""

from __future__ import annotations

import dagster as dg

from assets.ingest.intake import IntakeResult
from assets.ingest.problems import Problem
from assets.ingest.validation import Rule

_FILES_LISTED = 20


def check_name(rule: Rule) -> str:
    """A stable, readable check name: the rule and its columns (``code_list__placement_type``)."""
    return "__".join((rule.name, *rule.columns))


def rule_check_specs(rules: list[Rule], asset_key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            check_name(rule),
            asset=asset_key,
            blocking=False,
            description=f"{'Refuses' if rule.blocking else 'Warns about'} a file when {rule.explain.format(n='one or more')} Fix: {rule.fix}",
        )
        for rule in rules
    ]


def _matches(problem: Problem, rule: Rule) -> bool:
    return problem.check == rule.name and problem.columns == rule.columns


def rule_check_results(rules: list[Rule], results: list[IntakeResult]) -> list[dg.AssetCheckResult]:
    """One result per rule: which of this run's files broke it, and on how many rows."""
    validated = [r for r in results if r.outcome in ("accepted", "refused")]
    outcomes = []
    for rule in rules:
        failing = [(r, p) for r in validated for p in r.problems if _matches(p, rule)]
        listed = "\n".join(
            f"- {r.landed.agency}/{r.landed.path.name}: {p.rows_affected:,} row(s), first rows {', '.join(map(str, p.rows[:10]))} ({r.outcome})"
            for r, p in failing[:_FILES_LISTED]
        )
        outcomes.append(dg.AssetCheckResult(
            check_name=check_name(rule),
            passed=not failing,
            severity=dg.AssetCheckSeverity.ERROR if rule.blocking else dg.AssetCheckSeverity.WARN,
            metadata={
                "rule": rule.name,
                "columns": ", ".join(rule.columns),
                "files_checked": len(validated),
                "files_failing": len(failing),
                "rows_failing": sum(p.rows_affected for _, p in failing),
                "failing_files": dg.MetadataValue.md(listed or "none"),
                "threshold": "0 rows",
            },
        ))
    return outcomes
