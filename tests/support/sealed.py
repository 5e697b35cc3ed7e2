"""Agencies' kept copies are sealed (``assets.ingest.sealing``): tests open them as the index role would."""

from __future__ import annotations

import secrets

from assets.ingest.intake import IntakeResult
from assets.ingest.sealing import opened

SEALING_KEY = secrets.token_bytes(32)  # one per test session: tests seal and open with it


def original(result: IntakeResult, dataset: str, key: bytes = SEALING_KEY) -> bytes:
    """The bytes of an intake result's kept copy, opened."""
    return opened(result.kept_at.read_bytes(), key, dataset, result.landed.agency, result.landed.sha256)
