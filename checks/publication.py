"""Publication checks on ``publication/published_measures``: the mart as stored discloses no
small count, the warehouse holds no identifier, and every indicator sent is declared.

The intruder audit of the same mart is ``assets.disclosure.intruder_audit``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np
import pandas as pd

from assets.disclosure.disclosure_control import CONFIDENTIAL, FIGURE_KEY, Balances, Compositions, DisclosureRule, verify_no_disclosure
from assets.disclosure.intruder_audit import DisclosureAudit
from assets.model.outcome import CheckOutcome

LISTED = 50


def stored_mart_problems(stored: pd.DataFrame, measures: pd.DataFrame, rule: DisclosureRule, public_denominators: set[str], compositions: Compositions | None = None, left_out: np.ndarray | None = None, balances: Balances | None = None) -> list[str]:
    """Disclosure problems in ``stored`` (``mart.published_measures`` read back), against the raw figures ``measures``.

    The blocking check reads the table back rather than trusting the frame it was written
    from, so whatever is in the mart (a planted cell, a partial write) is what gets checked.
    A figure in the mart with no raw figure behind it is a problem too, and so is a measured
    figure missing from it, unless disclosure control left it out (``left_out``, per row of
    ``measures``): those count as hidden, so the sums they are in are still checked.
    """
    raw = measures[[*FIGURE_KEY, "geography_level", "numerator", "denominator", "value", "unit", "additive"]].assign(
        left_out=np.zeros(len(measures), dtype=bool) if left_out is None else left_out,
    )
    joined = stored.drop(columns=["geography_level", "unit"]).merge(raw, on=FIGURE_KEY, how="outer", indicator=True)
    missing = joined["_merge"].eq("right_only") & ~joined["left_out"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    problems = [f"{r.measure_id} {r.period} {r.geography_code} {r.breakdown}={r.category}: in the mart without a measured figure behind it" for r in joined[joined["_merge"] == "left_only"].itertuples()]
    problems += [f"{int(missing.sum())} measured figures are missing from the mart"] if missing.any() else []
    both = joined[joined["_merge"].ne("left_only").to_numpy() & ~missing].drop(columns="_merge").reset_index(drop=True)
    both.loc[both["left_out"].astype(bool).to_numpy(), "value_display"] = CONFIDENTIAL
    both["suppression"] = np.where(both["value_display"].eq(CONFIDENTIAL), "hidden", "")
    return problems + verify_no_disclosure(both, rule, public_denominators, compositions, balances)


def no_disclosive_cells(problems: list[str]) -> CheckOutcome:
    """Blocking: ``stored_mart_problems`` found nothing."""
    return CheckOutcome(passed=not problems, threshold="0 violations", listed={"violations": problems[:LISTED]})


def intruder_audit(audit: DisclosureAudit, smallest_safe: int) -> CheckOutcome:
    """Blocking: the intruder audit (``assets.disclosure.intruder_audit``) of the mart as stored found no
    hidden small count pinned by either intruder or proved below ``smallest_safe``."""
    return CheckOutcome(
        passed=audit.passed,
        threshold=f"0 small counts pinned by either intruder or proved below {smallest_safe}",
        seen={
            "cells_audited": audit.cells_audited, "cells_failing": len(audit.failures), "narrowest_interval": audit.narrowest, "seconds": round(audit.seconds, 1),
            "verdict": "the judge's last round, which audited exactly these figures" if audit.repeated else "audited afresh",
        },
        listed={"failures": audit.failures[:LISTED]},
    )


def no_identifiers_in_warehouse(found: list[str]) -> CheckOutcome:
    """Blocking: ``assets.privacy.identifier_scan.scan_database`` found no name, date of birth, postcode, CHI or SCN."""
    return CheckOutcome(passed=not found, threshold="0 identifiers", listed={"found": found})


def no_identifiers_in_files(found: list[str], files_scanned: int, clean_before: int = 0) -> CheckOutcome:
    """Blocking: ``assets.privacy.identifier_scan.scan_published`` found no CHI-like number or postcode
    in the files about to be published (an edition's, or a digest's); ``clean_before`` of them
    were not read again, being the bytes of files the latest edition published after the same scan."""
    return CheckOutcome(passed=not found, threshold="0 identifiers", seen={"files_scanned": files_scanned, "clean_in_latest_edition": clean_before}, listed={"found": found})


def every_indicator_declared(indicator_ids: Iterable[str], declared: Collection[str]) -> CheckOutcome:
    """Every indicator in ``indicator_values`` has a declaration in ``indicator_streams.yaml``, so it is published."""
    undeclared = sorted(set(indicator_ids) - set(declared))
    return CheckOutcome(
        passed=not undeclared,
        threshold="0 undeclared indicators",
        seen={"undeclared": ", ".join(undeclared) or "none", "declared": len(declared)},
        warn_only=True,
    )
