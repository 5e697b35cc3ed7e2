"""A check's outcome (``assets.model.outcome.CheckOutcome``) as the Dagster check result an asset yields.

What the check saw goes into the result's metadata as it is, each list as Markdown bullets
("none" when empty), and the threshold under ``threshold``, so every check reports both.
"""

from __future__ import annotations

import dagster as dg

from assets.model.outcome import CheckOutcome


def check_result(name: str, outcome: CheckOutcome) -> dg.AssetCheckResult:
    metadata: dict[str, object] = {key: dg.MetadataValue.null() if value is None else value for key, value in outcome.seen.items()}
    metadata |= {key: dg.MetadataValue.md("\n".join(f"- {line}" for line in lines) or "none") for key, lines in outcome.listed.items()}
    metadata["threshold"] = outcome.threshold
    return dg.AssetCheckResult(
        check_name=name,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.WARN if outcome.warn_only else dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
    )
