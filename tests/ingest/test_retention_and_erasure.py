"""``story retention`` destroys exactly what has been kept its period, and logs it; ``story erase`` removes a person from both zones (issue 30)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from assets.folders import IndexFolders
from assets.ingest import raw_zone
from assets.ingest.destruction_log import DESTRUCTION_LOG
from assets.ingest.erasure import ERASURES
from assets.ingest.factory import build_retention_asset
from assets.model.contracts import load_contracts
from assets.model.keys import RETENTION
from orchestration.cli import INGEST_NOT_ALL_TAKEN, INGEST_TAKEN, USAGE_ERROR, main
from orchestration.settings import Settings
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import DATASET, EpisodesFile

COUNCIL = "S12000049"
IDENTIFIERS = ("child_ref", "chi", "forename", "surname", "date_of_birth", "postcode")


def _drop(data: Path, sample: EpisodesFile) -> None:
    folder = data / "landing" / COUNCIL / DATASET
    folder.mkdir(parents=True, exist_ok=True)
    (folder / sample.file_name).write_bytes(sample.bytes())


def _zone(data: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(data / "linkage_zone.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _content(data: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(data / "content_zone.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def _backdate(data: Path, period: str, days: int) -> str:
    """Make the entry of ``period`` look taken in ``days`` ago; returns its entry id."""
    with duckdb.connect(str(data / "linkage_zone.duckdb")) as con:
        con.execute(f"UPDATE {raw_zone.LEDGER} SET processed_at = now() - to_days(?) WHERE period = ?", [days, period])
        return con.execute(f"SELECT entry_id FROM {raw_zone.LEDGER} WHERE period = ?", [period]).fetchone()[0]


def _files(data: Path) -> set[str]:
    return {str(p.relative_to(data)) for folder in ("accepted", "quarantine") for p in (data / folder).rglob("*") if p.is_file()}


def _person_values(data: Path, child_ref: str) -> set[bytes]:
    """The identifier values of one child that no other record holds (nor holds inside a longer value)."""
    columns = ", ".join(c for c in IDENTIFIERS if c != "date_of_birth")
    rows = _zone(data, f"SELECT child_ref, {columns} FROM raw.{DATASET}")
    others = " ".join(str(v) for row in rows if row[0] != child_ref for v in row[1:])
    return {str(v).encode() for row in rows if row[0] == child_ref for v in row[1:] if v and str(v) not in others}


def _bytes_holding(data: Path, values: set[bytes]) -> dict[str, list[bytes]]:
    """Every file under the data root outside published/ whose raw bytes hold one of ``values``."""
    found = {}
    for path in (p for p in data.rglob("*") if p.is_file() and "published" not in p.relative_to(data).parts):
        held = [v for v in values if v in path.read_bytes()]
        if held:
            found[str(path.relative_to(data))] = held
    return found


def test_retention_destroys_exactly_what_expired_and_logs_it(story_env: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("STORY_RETENTION_DAYS_SEALED_ORIGINALS", "2000")
    monkeypatch.setenv("STORY_RETENTION_DAYS_REFUSED_COPIES", "1000")
    monkeypatch.setenv("STORY_RETENTION_DAYS_IDENTIFIERS", "3000")
    story_env.mkdir()
    for period in ("2023", "2024"):
        _drop(story_env, EpisodesFile.valid(COUNCIL, period))
    retired = {b"Oldfellow", b"EH1 1YZ"}  # held by the oldest entry alone
    _drop(story_env, EpisodesFile.valid(COUNCIL, "2022").set(0, "surname", "Oldfellow").set(0, "postcode", "EH1 1YZ"))
    assert main(["ingest"]) == INGEST_TAKEN
    _drop(story_env, EpisodesFile.valid(COUNCIL, "2021").set(1, "placement_type", "fostering"))  # refused
    assert main(["ingest"]) == INGEST_NOT_ALL_TAKEN
    oldest, older, _ = _backdate(story_env, "2022", 3500), _backdate(story_env, "2023", 2500), _backdate(story_env, "2024", 10)
    refused = _backdate(story_env, "2021", 1500)
    files_before, content_before = _files(story_env), _content(story_env, f"SELECT * FROM content.{DATASET} ORDER BY ALL")
    identifiers = f"SELECT _entry_id, {', '.join(IDENTIFIERS)} FROM raw.{DATASET} ORDER BY ALL"
    raw_before = _zone(story_env, identifiers)
    assert set(_bytes_holding(story_env, retired)) >= {"linkage_zone.duckdb"}
    capsys.readouterr()

    assert main(["retention", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Due (dry run: nothing destroyed): 4" in out
    for kind, entry in (("sealed_original", oldest), ("sealed_original", older), ("refused_copy", refused), ("identifiers", oldest)):
        assert f"{kind} | entry {entry}" in out
    assert _files(story_env) == files_before and _zone(story_env, identifiers) == raw_before
    assert _zone(story_env, f"SELECT count(*) FROM {DESTRUCTION_LOG}") == [(0,)]

    # Destroyed by the index role's asset, as its daily schedule runs it: the run's metadata says what went.
    resources = {"index_folders": IndexFolders(data_dir=str(story_env), shared_dir=str(SHARED)), "linkage_zone": DuckDBResource(database=str(story_env / "linkage_zone.duckdb"))}
    run = dg.materialize([build_retention_asset(load_contracts(CONTRACTS), Settings.from_env().retention)], resources=resources, instance=dg.DagsterInstance.ephemeral())
    [materialized] = [e.materialization for e in run.get_asset_materialization_events() if e.asset_key == RETENTION]
    metadata = {k: v.value for k, v in materialized.metadata.items()}
    assert (metadata["destroyed"], metadata["destroyed_sealed_original"], metadata["destroyed_refused_copy"], metadata["destroyed_identifiers"]) == (4, 2, 1, 1)
    assert oldest in metadata["what_was_destroyed"] and refused in metadata["what_was_destroyed"]
    gone = files_before - _files(story_env)
    assert {Path(p).parts[0] for p in gone} == {"accepted", "quarantine"} and len([p for p in gone if p.startswith("accepted")]) == 2
    assert not any(p.startswith("quarantine") for p in _files(story_env))  # the refused copy went with its reports
    [kept_original] = [p for p in _files(story_env) if p.startswith("accepted")]
    assert _zone(story_env, f"SELECT sha256 FROM {raw_zone.LEDGER} WHERE period = '2024'")[0][0] in kept_original
    raw_after = _zone(story_env, identifiers)
    assert len(raw_after) == len(raw_before)  # every record keeps its reference
    assert all(all(v is None for v in row[1:]) for row in raw_after if row[0] == oldest)
    assert [r for r in raw_after if r[0] != oldest] == [r for r in raw_before if r[0] != oldest]
    assert _content(story_env, f"SELECT * FROM content.{DATASET} ORDER BY ALL") == content_before
    logged = _zone(story_env, f"SELECT kind, entry_id, rule FROM {DESTRUCTION_LOG} ORDER BY kind, entry_id")
    assert sorted((k, e) for k, e, _ in logged) == sorted([("identifiers", oldest), ("refused_copy", refused), ("sealed_original", oldest), ("sealed_original", older)])
    assert all("days after intake" in rule for *_, rule in logged)
    assert _bytes_holding(story_env, retired) == {}  # the index zone was rebuilt: emptied columns leave no bytes

    # Nothing is due twice, and the log is only added to.
    assert main(["retention"]) == 0
    assert "Destroyed: 0" in capsys.readouterr().out
    assert _zone(story_env, f"SELECT kind, entry_id, rule FROM {DESTRUCTION_LOG} ORDER BY kind, entry_id") == logged


def test_a_sealed_original_may_not_outlive_its_identifiers(story_env: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    story_env.mkdir()
    monkeypatch.setenv("STORY_RETENTION_DAYS_SEALED_ORIGINALS", "400")
    monkeypatch.setenv("STORY_RETENTION_DAYS_IDENTIFIERS", "300")
    assert main(["retention", "--dry-run"]) == USAGE_ERROR
    assert "STORY_RETENTION_DAYS_SEALED_ORIGINALS=400 is longer than STORY_RETENTION_DAYS_IDENTIFIERS=300" in capsys.readouterr().err


def test_erasure_removes_a_persons_records_from_both_zones(story_env: Path, capsys):
    story_env.mkdir()
    for period in ("2023", "2024"):
        _drop(story_env, EpisodesFile.valid(COUNCIL, period))
    _drop(story_env, EpisodesFile.valid(COUNCIL, "2022").set(1, "placement_type", "fostering"))  # refused: its sealed copy holds the child too
    assert main(["ingest"]) == INGEST_NOT_ALL_TAKEN
    # A person index as the linkage hands it over: every record reference with a person id.
    with duckdb.connect(str(story_env / "person_index.duckdb")) as index:
        index.execute("CREATE SCHEMA links")
        index.execute(f"ATTACH '{story_env / 'linkage_zone.duckdb'}' AS zone (READ_ONLY)")
        index.execute(f"CREATE TABLE links.{DATASET} AS SELECT _entry_id, _row_number, 'P-' || child_ref AS person_id FROM zone.raw.{DATASET}")
    rows = _zone(story_env, f"SELECT child_ref, _entry_id, _row_number FROM raw.{DATASET} ORDER BY ALL")
    erased = {(e, r) for c, e, r in rows if c == "C0001"}
    assert len(erased) == 4  # two placements in each of two years
    values = _person_values(story_env, "C0001")
    assert _bytes_holding(story_env, values)  # the scan below can find them
    [chi] = {c for (c,) in _zone(story_env, f"SELECT chi FROM raw.{DATASET} WHERE child_ref = 'C0001'")}
    page = story_env / "clerical_review" / "queue" / "review.html"  # as a linkage run left it, showing the child
    page.parent.mkdir(parents=True)
    page.write_text(f"<td>{chi}</td>")
    assert len([p for p in _files(story_env) if p.startswith("quarantine")]) > 1  # the refused copy and its reports
    capsys.readouterr()

    assert main(["erase", "--agency", COUNCIL, "--dataset", DATASET, "--record", "C0001", "--reason", "the council asked: recorded in error"]) == 0
    out = capsys.readouterr().out
    assert f"{DATASET} from {COUNCIL}: 4" in out
    left = {(e, r) for _, e, r in _zone(story_env, f"SELECT child_ref, _entry_id, _row_number FROM raw.{DATASET}")}
    assert left == {(e, r) for c, e, r in rows if c != "C0001"}
    assert {(e, r) for e, r in _content(story_env, f"SELECT _entry_id, _row_number FROM content.{DATASET}")} == left
    with duckdb.connect(str(story_env / "person_index.duckdb"), read_only=True) as index:
        assert {(e, r) for e, r in index.execute(f"SELECT _entry_id, _row_number FROM links.{DATASET}").fetchall()} == left
    # Logged on both sides; the content side's log holds no reference, reason or row.
    [erasure] = _content(story_env, f"SELECT * FROM {ERASURES}")
    assert erasure[2:] == (DATASET, COUNCIL, 4) and "C0001" not in str(erasure) and "error" not in str(erasure)
    logged = _zone(story_env, f"SELECT kind, entry_id, detail FROM {DESTRUCTION_LOG} ORDER BY kind, entry_id")
    assert [k for k, *_ in logged] == ["erased_records"] * 2 + ["refused_copy", "review_page"] + ["sealed_original"] * 2
    assert not any("C0001" in str(row) for row in logged)
    assert not list((story_env / "accepted").rglob("*.sealed"))  # both originals held the person's records
    assert not [p for p in _files(story_env) if p.startswith("quarantine")] and not page.exists()  # and so did these
    # Nor do their bytes stay in any file: each database the erasure deleted from was rebuilt.
    assert _bytes_holding(story_env, values) == {}

    # The same reference names nothing now.
    assert main(["erase", "--agency", COUNCIL, "--dataset", DATASET, "--record", "C0001", "--reason", "again"]) == USAGE_ERROR
    assert main(["erase", "--agency", COUNCIL, "--dataset", DATASET, "--record", "C0002", "--column", "legal_reason", "--reason", "x"]) == USAGE_ERROR
    assert "is not a reference column" in capsys.readouterr().err


RESTRAINT = "restraint_incidents"
# The Care Inspectorate's incidents carry the placing council's child_ref, that council in la_code: the
# second is this council's child C0002 written another way, the third another council's child C0002.
INCIDENTS = (
    "incident_id,service_id,service_type,la_code,child_ref,incident_date,practice,duration_minutes,injury\n"
    f"I1,CS1,residential_house,{COUNCIL},C0001,2024-03-01,seclusion,10,N\n"
    f"I2,CS1,residential_house,{COUNCIL},c-0002,2024-03-02,physical_restraint,5,N\n"
    "I3,CS1,residential_house,S12000036,C0002,2024-03-03,physical_restraint,5,N\n"
)


def test_erasure_of_every_agency_follows_the_person_id_and_the_reference(story_env: Path):
    _drop(story_env, EpisodesFile.valid(COUNCIL, "2024"))
    incidents = story_env / "landing" / "CI" / RESTRAINT / f"{RESTRAINT}_CI_2024.csv"
    incidents.parent.mkdir(parents=True)
    incidents.write_text(INCIDENTS, encoding="utf-8")
    assert main(["ingest"]) == INGEST_TAKEN
    # The person registry as the linkage leaves it, here saying both children's records are one person;
    # the incidents are in no person's records (their dataset holds no name, date of birth or CHI to link by).
    with duckdb.connect(str(story_env / "linkage_zone.duckdb")) as con:
        con.execute("CREATE SCHEMA linkage")
        con.execute(f"CREATE TABLE linkage.person_registry AS SELECT '{DATASET}' AS dataset, _file_sha256, _row_number, 'P1' AS person_id FROM raw.{DATASET} WHERE child_ref = 'C0002'")
    assert main(["erase", "--agency", COUNCIL, "--dataset", DATASET, "--record", "C0002", "--every-agency", "--reason", "a person's request"]) == 0
    assert _zone(story_env, f"SELECT DISTINCT child_ref FROM raw.{DATASET}") == [("C0001",)]
    # The incident carrying the council's reference went with them; another council's child C0002 and this council's C0001 stay.
    assert sorted(_zone(story_env, f"SELECT child_ref FROM raw.{RESTRAINT}")) == [("C0001",), ("C0002",)]
    assert sorted(_content(story_env, f"SELECT incident_date, la_code FROM content.{RESTRAINT}")) == [
        (dt.date(2024, 3, 1), COUNCIL), (dt.date(2024, 3, 3), "S12000036"),
    ]
