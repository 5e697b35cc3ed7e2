"""Shared fixtures: every test gets its own data root, Dagster home and pseudonymisation key."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from tests.support.paths import SHARED
from tests.support.sealed import SEALING_KEY


@pytest.fixture
def story_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the pipeline at a fresh data root under tmp_path; returns the data root."""
    data = tmp_path / "data"
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("")
    monkeypatch.setenv("STORY_DATA_DIR", str(data))
    monkeypatch.setenv("STORY_SHARED_DIR", str(SHARED))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("STORY_PSEUDONYMISATION_KEY", secrets.token_hex(32))
    monkeypatch.setenv("STORY_SEALING_KEY", SEALING_KEY.hex())
    # Tests drop a file and take it in at once; the tests of settling set their own interval.
    monkeypatch.setenv("STORY_SETTLE_SECONDS", "0")
    return data


@pytest.fixture(scope="session")
def tiny_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny synthetic drop (seed 3), generated once for the tests that only read it: its landing folder."""
    from synthetic.generate import generate

    out = tmp_path_factory.mktemp("tiny_synthetic")
    generate(out, scale="tiny", seed=3, progress=lambda _: None)
    return out / "landing"
