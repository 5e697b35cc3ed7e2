"""Where the tests find the repository's own inputs: the shared reference tables and the data contracts."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"
REFERENCE = SHARED / "reference"
CONTRACTS = REPO_ROOT / "data_contracts"
