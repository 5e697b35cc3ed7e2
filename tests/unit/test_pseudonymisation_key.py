"""A pseudonymisation key anyone could guess stops the pipeline, naming the setting it came from.

Issue 16: a blank ``STORY_PSEUDONYMISATION_KEY`` loaded as the empty key and published
pseudonyms anyone could recompute; ``00`` did the same; ``xyz`` failed deep in linkage.
Issue 33: ``deadbeef`` x 8, ``0123456789abcdef`` x 4 and ``00...01`` were taken as keys.
"""

from __future__ import annotations

import math
import re
import secrets
from collections import Counter
from fractions import Fraction
from pathlib import Path

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from assets.folders import IndexFolders
from assets.linkage import person_links
from assets.linkage.factory import build_person_links_asset
from assets.linkage.pseudonyms import KEY_BYTES, MIN_BITS_PER_BYTE, UnusableKey, _bits_per_byte, parse_key, read_key_file
from assets.model.contracts import load_contracts
from orchestration import deployment
from orchestration.cli import main
from orchestration.deployment import check_environment
from orchestration.resources import pseudonymisation_key
from tests.support.paths import CONTRACTS, SHARED


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


# Long enough, but made up: the three, the keys this repository's tests and bench used
# to fix, RFC 4231's HMAC-SHA256 test key "Jefe" repeated to length, and other ways people make keys by hand.
MADE_UP = {
    "deadbeef x 8": ("deadbeef" * 8, "repeats the same 4 bytes"),
    "0123456789abcdef x 4": ("0123456789abcdef" * 4, "repeats the same 8 bytes"),
    "00...01": ("00" * 31 + "01", "uses too few byte values"),
    "the end-to-end test's old key": ("0f1e2d3c4b5a6978" * 4, "repeats the same 8 bytes"),
    "the bench's old key": ("5e17a9c3" * 8, "repeats the same 4 bytes"),
    "Jefe x 8": ("4a656665" * 8, "repeats the same 4 bytes"),
    "16 bytes twice": ("8c1f4e7a2d9b03c6e5a17f4b2c8d9e01" * 2, "repeats the same 16 bytes"),
    "a pattern and a bit": ("deadbeef" * 7 + "deadbe01", "uses too few byte values"),
    "text as hex": (b"our pseudonymisation key, 2026!!".hex(), "is text written in hex"),
    "a phrase as hex": (b"correct horse battery staple 1!!".hex(), "uses too few byte values"),
    "counting up": (bytes(range(32)).hex(), "counts up or down too regularly"),
    "counting down by 3": (bytes((255 - 3 * i) % 256 for i in range(32)).hex(), "counts up or down too regularly"),
    "random half, counting half": ("b71e0c95f2a4683d51c7e90a2bf4d686" + bytes(range(16)).hex(), "counts up or down too regularly"),
    "sorted": ("090d1617171d212629455661626c6e7581848f9dabb1c1c8cacacbd6eaf7fbfe", "only rises or only falls"),
    "sorted downwards": ("fefbf7ead6cbcacac8c1b1ab9d8f8481756e6c626156452926211d1717160d09", "only rises or only falls"),
}


@pytest.mark.parametrize(("value", "says"), [*GUESSABLE.values(), *MADE_UP.values()], ids=[*GUESSABLE, *MADE_UP])
def test_a_guessable_key_in_the_environment_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch, value: str, says: str):
    monkeypatch.setenv("STORY_PSEUDONYMISATION_KEY", value)
    with pytest.raises(UnusableKey, match=f"^STORY_PSEUDONYMISATION_KEY {re.escape(says)}") as refused:
        load_key()
    assert "secrets.token_hex(32)" in str(refused.value)  # how to make a good one
    assert not value.strip() or value not in str(refused.value)  # and never the key itself


def test_fresh_random_keys_pass():
    for _ in range(10_000):
        key = secrets.token_bytes(KEY_BYTES)
        assert parse_key(key.hex(), "STORY_PSEUDONYMISATION_KEY") == key


def _partitions(n: int, largest: int | None = None):
    """Every way to write n as a sum of positive counts, largest first."""
    if n == 0:
        yield ()
    for first in range(min(n, largest or n), 0, -1):
        for rest in _partitions(n - first, first):
            yield (first, *rest)


def _chance_of_too_few_bits(n: int) -> Fraction:
    """The exact chance that n random bytes have under MIN_BITS_PER_BYTE bits per byte: the
    entropy depends only on how many times each value occurs, so sum over those profiles."""
    chance = 0
    for counts in _partitions(n):
        if _bits_per_byte(bytes(value for value, count in enumerate(counts) for _ in range(count))) < MIN_BITS_PER_BYTE:
            values = math.perm(256, len(counts)) // math.prod(math.factorial(m) for m in Counter(counts).values())
            orders = math.factorial(n) // math.prod(math.factorial(c) for c in counts)
            chance += values * orders
    return Fraction(chance, 256**n)


def test_a_random_key_is_refused_with_chance_under_one_in_a_billion():
    """The bound the docstring of ``assets.linkage.pseudonyms`` states, for a key of ``KEY_BYTES``."""
    n = KEY_BYTES
    in_bytes = _chance_of_too_few_bits(n)
    in_steps = _chance_of_too_few_bits(n - 1)  # a random key's n - 1 steps are themselves n - 1 random bytes
    periodic = sum(Fraction(1, 256 ** (n - p)) for p in range(1, n // 2 + 1))  # period p fixes the last n - p bytes
    ordered = 2 * Fraction(math.comb(256 + n - 1, n), 256**n)  # multisets of n bytes, each in one rising (or falling) order
    text = Fraction(0x7F - 0x20, 256) ** n
    assert float(in_bytes) == pytest.approx(1.45e-11, rel=0.01)
    assert float(in_steps) == pytest.approx(1.01e-10, rel=0.01)
    assert float(text) == pytest.approx(1.7e-14, rel=0.05)
    assert periodic + ordered < 1e-34
    assert in_bytes + in_steps + text + periodic + ordered < Fraction(12, 10**11) < Fraction(1, 10**9)


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


def test_production_will_not_start_with_a_guessable_key(monkeypatch: pytest.MonkeyPatch):
    env = {"STORY_DEPLOYMENT": "production", "STORY_DAGSTER_PG_URL": "postgresql+psycopg2://db/dagster", "STORY_MART_URL": "sqlite://", "STORY_SEALING_KEY": secrets.token_hex(KEY_BYTES)}
    with pytest.raises(RuntimeError, match="STORY_PSEUDONYMISATION_KEY"):
        check_environment(env | {"STORY_PSEUDONYMISATION_KEY": " "})  # blank counts as missing
    with pytest.raises(UnusableKey, match="^STORY_PSEUDONYMISATION_KEY holds 1 byte"):
        check_environment(env | {"STORY_PSEUDONYMISATION_KEY": "00"})
    with pytest.raises(UnusableKey) as at_start_up:
        check_environment(env | {"STORY_PSEUDONYMISATION_KEY": "deadbeef" * 8})
    monkeypatch.setenv("STORY_PSEUDONYMISATION_KEY", "deadbeef" * 8)
    with pytest.raises(UnusableKey) as in_linkage:
        load_key()
    assert str(at_start_up.value) == str(in_linkage.value)
    assert deployment.parse_key is person_links.parse_key  # one check, not two copies
    check_environment(env | {"STORY_PSEUDONYMISATION_KEY": secrets.token_hex(KEY_BYTES)})
    with pytest.raises(UnusableKey, match="^STORY_SEALING_KEY"):  # the sealing key is checked the same way
        check_environment(env | {"STORY_PSEUDONYMISATION_KEY": secrets.token_hex(KEY_BYTES), "STORY_SEALING_KEY": "deadbeef" * 8})


@pytest.mark.parametrize(("value", "says"), [("00", "holds 1 byte"), ("0123456789abcdef" * 4, "repeats the same 8 bytes")], ids=["short", "made up"])
def test_the_linkage_asset_stops_before_linking_anyone(story_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, says: str):
    monkeypatch.setenv("STORY_PSEUDONYMISATION_KEY", value)
    zone = tmp_path / "linkage_zone.duckdb"
    result = dg.materialize([build_person_links_asset(load_contracts(CONTRACTS))], resources={"linkage_zone": DuckDBResource(database=str(zone)), "index_folders": IndexFolders(data_dir=str(zone.parent), shared_dir=str(SHARED)), "pseudonymisation_key": pseudonymisation_key()}, raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    cause = failure.step_failure_data.error.cause
    assert cause.cls_name == "UnusableKey" and cause.message.startswith(f"assets.linkage.pseudonyms.UnusableKey: STORY_PSEUDONYMISATION_KEY {says}")
    assert not zone.exists()  # it stopped before opening the linkage zone


def test_demo_key_says_when_the_configured_key_could_be_guessed(story_env: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("STORY_PSEUDONYMISATION_KEY", "0f" * 32)
    assert main(["demo-key"]) == 1
    assert "STORY_PSEUDONYMISATION_KEY is one byte repeated" in capsys.readouterr().err


def test_demo_key_writes_a_key_that_passes(story_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("STORY_PSEUDONYMISATION_KEY")
    monkeypatch.setenv("STORY_KEY_FILE", str(tmp_path / "pseudonymisation.key"))
    assert main(["demo-key"]) == 0
    assert len(read_key_file(tmp_path / "pseudonymisation.key")) == KEY_BYTES
