"""Intake checks on ``raw/<dataset>``: every file of the run was taken in, and the raw table still matches its contract."""

from __future__ import annotations

from assets.ingest.intake import IntakeResult
from assets.ingest.raw_zone import zone_columns
from assets.model.contracts import Contract
from assets.model.outcome import CheckOutcome


def no_files_refused(results: list[IntakeResult]) -> CheckOutcome:
    """Fails when a file of the run was refused (file, name or contract rule) or could not be taken (skipped)."""
    turned_away = [r for r in results if r.outcome in ("refused", "skipped")]
    return CheckOutcome(
        passed=not turned_away,
        threshold="0 refused or skipped files",
        seen={
            "files_refused": sum(r.outcome == "refused" for r in results),
            "files_skipped": sum(r.outcome == "skipped" for r in results),
        },
        listed={"refused": [f"{r.landed.location}: {r.outcome}, {r.problems[0].message}" for r in turned_away]},
    )


def raw_table_matches_contract(contract: Contract, columns: list[str], empty_required: dict[str, int]) -> CheckOutcome:
    """The dataset's tables' ``columns`` (identifiers in the index zone, content in the content zone,
    each with its lineage: ``raw_zone.zone_columns``) are the contract's, and no required column has empty values.

    ``empty_required``: each required column's count of empty values.
    """
    matches = columns == zone_columns(contract)
    broken = {name: count for name, count in empty_required.items() if count}
    return CheckOutcome(
        passed=matches and not broken,
        threshold="0 empty required values",
        seen={"columns_match": matches, "required_columns_with_empty_values": str(broken or "none")},
    )
