"""The ``sealing_key`` resource: the index role's key for agencies' originals (``sealing``), handed to the intake rather than read by it."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.ingest.sealing import load_sealing_key


class SealingKey(dg.ConfigurableResource):
    """``hex_key`` from ``dg.EnvVar(SEALING_KEY_ENV)`` (never in run config or the UI), else the key file.
    Missing or guessable, it stops the intake, naming its setting."""

    hex_key: str | None = None
    key_file: str | None = None

    def load(self) -> bytes:
        return load_sealing_key(self.hex_key, Path(self.key_file) if self.key_file else None)
