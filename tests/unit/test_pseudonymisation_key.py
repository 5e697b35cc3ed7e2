"""A pseudonymisation key anyone could guess stops the pipeline, naming the setting it came from.

Issue 16: a blank ``STORY_PSEUDONYMISATION_KEY`` loaded as the empty key and published
pseudonyms anyone could recompute; ``00`` did the same; ``xyz`` failed deep in linkage.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from assets.ingest.contracts import load_contracts
from assets.linkage.person_links import build_person_links_asset
from assets.linkage.pseudonyms import KEY_BYTES, UnusableKey
from orchestration.cli import main
from orchestration.deployment import check_environment
from orchestration.resources import pseudonymisation_key
from tests.support.paths import CONTRACTS


def load_key() -> bytes:
    """The key as a run is given it: the resource ``orchestration`` builds from the environment, resolved by Dagster."""
    with dg.build_resources({"key": pseudonymisation_key()}) as resources:
        return resources.key.load()


GUESSABLE = {
    "blank": (" ", "is empty"),
    "empty": ("", "is empty"),
    "one zero byte": ("00", "holds 1 byte(s)"),
    "not hexadecimal": ("xyz", "is not hexadecimal"),
    "odd length": ("abc", "is not hexadecimal"),
    "31 bytes": (secrets.token_hex(31), "holds 31 byte(s)"),
    "one byte repeated": ("ab" * 32, "is one byte repeated"),
    "zeros": ("0" * 128, "is one byte repeated"),
}


@pytest.mark.parametrize(("value", "says"), GUESSABLE.values(), ids=GUESSABLE.keys())
def test_a_guessable_key_in_the_environment_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch, value: str, says: str):
    monkeypatch.setenv("STORY_PSEUDONYMISATION_KEY", value)
    with pytest.raises(UnusableKey, match=f"^STORY_PSEUDONYMISATION_KEY {re.escape(says)}"):
        load_key()


def test_a_guessable_key_file_is_refused_naming_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    path = tmp_path / "pseudonymisation.key"
    path.write_text("00\n")
    monkeypatch.delenv("STORY_PSEUDONYMISATION_KEY", raising=False)
    monkeypatch.setenv("STORY_KEY_FILE", str(path))
    with pytest.raises(UnusableKey, match=f"the key file {path} \\(STORY_KEY_FILE\\) holds 1 byte"):
        load_key()
    key = secrets.token_hex(KEY_BYTES)
    path.write_text(key + "\n")
    assert load_key() == bytes.fromhex(key)


def test_production_will_not_start_with_a_guessable_key():
    env = {"STORY_DEPLOYMENT": "production", "STORY_DAGSTER_PG_URL": "postgresql+psycopg2://db/dagster", "STORY_MART_URL": "sqlite://"}
    with pytest.raises(RuntimeError, match="STORY_PSEUDONYMISATION_KEY"):
        check_environment(env | {"STORY_PSEUDONYMISATION_KEY": " "})  # blank counts as missing
    with pytest.raises(UnusableKey, match="^STORY_PSEUDONYMISATION_KEY holds 1 byte"):
        check_environment(env | {"STORY_PSEUDONYMISATION_KEY": "00"})
    check_environment(env | {"STORY_PSEUDONYMISATION_KEY": secrets.token_hex(KEY_BYTES)})


def test_the_linkage_asset_stops_before_linking_anyone(story_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("STORY_PSEUDONYMISATION_KEY", "00")
    zone = tmp_path / "linkage_zone.duckdb"
    result = dg.materialize([build_person_links_asset(load_contracts(CONTRACTS))], resources={"linkage_zone": DuckDBResource(database=str(zone)), "pseudonymisation_key": pseudonymisation_key()}, raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    cause = failure.step_failure_data.error.cause
    assert cause.cls_name == "UnusableKey" and cause.message.startswith("assets.linkage.pseudonyms.UnusableKey: STORY_PSEUDONYMISATION_KEY holds 1 byte")
    assert not zone.exists()  # it stopped before opening the linkage zone


def test_demo_key_says_when_the_configured_key_could_be_guessed(story_env: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("STORY_PSEUDONYMISATION_KEY", "0f" * 32)
    assert main(["demo-key"]) == 1
    assert "STORY_PSEUDONYMISATION_KEY is one byte repeated" in capsys.readouterr().err
