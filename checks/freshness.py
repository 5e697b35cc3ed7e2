"""Freshness: every agency expected to send a dataset has had a file accepted within the contract's ``refreshDays``."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from assets.ingest.returns import agency_returns, expectations
from assets.model.contracts import Contract
from assets.model.outcome import CheckOutcome
from assets.model.reference import Councils


def returns_on_time(contract: Contract, ledger: pd.DataFrame, council_codes: Councils, today: dt.date) -> CheckOutcome:
    """The dataset's returns, agency by agency, from the ingest ledger: which are overdue on ``today``."""
    returns = agency_returns(ledger, expectations({contract.id: contract}, council_codes.codes), council_codes.names, today)
    overdue = returns[returns.overdue & returns.expected]
    return CheckOutcome(
        passed=overdue.empty,
        threshold=f"a file accepted within {contract.refresh_days} days from every expected agency",
        seen={"agencies_expected": int(returns.expected.sum()), "returns_overdue": len(overdue)},
        listed={"overdue": [f"{r.agency_name} ({r.agency}): last accepted file {r.last_received}" for r in overdue.itertuples()]},
        warn_only=True,
    )
