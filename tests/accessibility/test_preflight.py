"""The page "Check a file before you send it" gives story check's verdicts, offline, accessibly.

Every file of the bad-file matrix (``tests/support/bad_files.BAD_FILES``) and a valid file is
checked twice: by story check's Python path (``intake.judge`` on a copy placed as ``story check``
places it) and by the page, opened from disk (``file://``) in headless Chromium (Debian's, driven by
the pinned playwright-core in ``preflight_browser.mjs``). Each verdict, and each problem with its
rows, count, values and words, must be the same; so too for files the intake reads as they were
sent (Windows-1252, semicolons or tabs, .xlsx and .ods workbooks). Where the page says it cannot
do as the intake does (``preflight_plan.NOT_IN_THE_PAGE``: a guess at an encoding, a workbook
reader's own error), it must name it, and the rest of the problem must be the same. The page is
opened from the edition's zip, unpacked elsewhere. Every request the page makes is
recorded: only the page's own files (and the Blob URLs it makes of them) may appear. axe-core
(pinned in package.json) runs on the page after the checks. ``test_the_plan_gives_story_checks_verdicts``
holds ``preflight_plan.run_plan`` (the page's loop, in Python's DuckDB) to the same, without a browser.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import io
import json
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pytest

from assets.bidi_controls import BIDI_CONTROLS
from assets.ingest.intake import judge
from assets.ingest.landing import landed_file
from assets.ingest.preflight_plan import GUESS_NOT_MADE, NOT_IN_THE_PAGE, compile_plan, run_plan
from assets.model.contracts import load_contracts
from assets.model.reference import councils
from assets.reports.preflight import EDITION_FOLDER, OFFLINE_COPY, write_engine, write_offline_copy, write_preflight
from orchestration.settings import REPO_ROOT
from tests.support.bad_files import BAD_FILES, SIZE_LIMIT
from tests.support.paths import CONTRACTS, SHARED
from tests.support.samples import DATASET, EpisodesFile
from tests.support.workbooks import ods, xlsx

REFERENCE = SHARED / "reference"
AGENCY, PERIOD = "S12000049", "2021"
DRIVER = Path(__file__).with_name("preflight_browser.mjs")
NO_GUESS_NAMED, UNOPENABLE_NAMED = NOT_IN_THE_PAGE[1:3]  # what the page says it leaves to the intake
SHEETJS_SAYS = r"SheetJS: [^)]*"  # a workbook reader's own words for why it cannot open a file
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
DIRECTION_CONTROL = "direction_control_in_a_value"  # a refused value holding U+202E: written out and named, as the refusal report does


def _contract():
    return dataclasses.replace(load_contracts(CONTRACTS)[DATASET], max_file_bytes=SIZE_LIMIT)


def story_check(path: Path, contract) -> list[dict]:
    """What ``story check`` finds: judge a copy placed as an agency would drop it (``cli._check``)."""
    with tempfile.TemporaryDirectory() as tmp:
        placed = Path(tmp) / "landing" / AGENCY / contract.id / path.name
        placed.parent.mkdir(parents=True)
        placed.write_bytes(path.read_bytes())
        with duckdb.connect() as staging:
            [verdict] = judge([landed_file(placed)], contract, councils(REFERENCE), REFERENCE, staging)
    return [p.as_dict() for p in verdict.problems], verdict.rows


def _small(workbook: bytes) -> bytes:
    """An xlsxwriter workbook without its theme and document properties (no reader needs them), to fit the test's size limit."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as small:
        for item in source.infolist():
            if not item.filename.startswith(("docProps/", "xl/theme/")):
                part = source.read(item.filename)
                small.writestr(item.filename, re.sub(rb"<(Relationship|Override)[^>]*(docProps|theme)[^>]*/>", b"", part) if item.filename.endswith((".rels", ".xml")) else part)
    return out.getvalue()


def _read_by_the_intake(folder: Path) -> dict[str, tuple[str, bytes]]:
    """Returns the intake reads that are not UTF-8 comma-separated text (issue 35), each as its suffix and bytes:
    workbooks with date cells, a bare Excel serial and whole numbers stored as floats, one with a broken rule; other separators."""
    def sample() -> EpisodesFile:
        return EpisodesFile.valid(AGENCY, PERIOD).set(3, "surname", "Ní Bhriain, Jr")

    semicolons = sample().text().replace(",", ";").replace('"Ní Bhriain; Jr"', "Ní Bhriain, Jr")
    return {
        "xlsx_valid": (".xlsx", _small(xlsx(folder / "valid.xlsx", sample()))),
        "xlsx_unknown_code": (".xlsx", _small(xlsx(folder / "code.xlsx", sample().set(2, "placement_type", "fostering")))),
        "xlsx_1904_hidden_first_sheet": (".xlsx", _small(xlsx(folder / "1904.xlsx", sample(), first_sheet="Notes", hidden=True, date_1904=True))),
        "ods_valid": (".ods", ods(sample())),
        "csv_named_xlsx": (".xlsx", sample().bytes()),  # not a ZIP archive: the intake cannot open it, so the page must not read it as text
        "semicolons_valid": (".csv", semicolons.encode()),
        "tabs_crlf_valid": (".csv", sample().text().replace(",", "\t").replace("\n", "\r\n").encode()),
        "semicolons_open_quote": (".csv", semicolons.replace("Ní Bhriain, Jr", '"Ní Bhriain, Jr').encode()),
        "cp1252_valid": (".csv", sample().set(1, "surname", "O’Neill–Màiri").set(2, "surname", "“Eòghann”").set(3, "sibling_group_ref", "SG 25°").text().encode("cp1252")),
        "cp1252_semicolons": (".csv", semicolons.encode("cp1252")),
        "cp1252_byte_in_neither": (".csv", sample().set(2, "surname", "Zoë").text().encode("cp1252").replace(b"Zo", b"Z\x81o")),
        "utf8_cut_short": (".csv", sample().bytes() + b"\xc3"),
    }


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("preflight_files")
    made = {}
    for kind, bad in [("valid", None), *((b.kind, b) for b in BAD_FILES)]:
        sample = EpisodesFile.valid(AGENCY, PERIOD)
        data = bad.spoil(sample) if bad else sample.bytes()
        name = (bad.file_name if bad and bad.file_name else sample.file_name).format(agency=AGENCY, period=PERIOD)
        (root / kind).mkdir()
        made[kind] = root / kind / name
        made[kind].write_bytes(data)
    for kind, (suffix, data) in _read_by_the_intake(root).items():
        (root / kind).mkdir()
        made[kind] = root / kind / f"{DATASET}_{AGENCY}_{PERIOD}{suffix}"
        made[kind].write_bytes(data)
    sample = EpisodesFile.valid(AGENCY, PERIOD).set(2, "placement_type", "foster\u202ecare")
    (root / DIRECTION_CONTROL).mkdir()
    made[DIRECTION_CONTROL] = root / DIRECTION_CONTROL / sample.file_name
    made[DIRECTION_CONTROL].write_bytes(sample.bytes())
    # A code a later collection year retired: accepted in 2019's version, refused in 2023's (the page picks the version by the period).
    for period in ("2019", "2023"):
        sample = EpisodesFile.valid(AGENCY, period).set(2, "ethnicity", "white_other")
        (root / f"collection_year_{period}").mkdir()
        made[f"collection_year_{period}"] = root / f"collection_year_{period}" / sample.file_name
        made[f"collection_year_{period}"].write_bytes(sample.bytes())
    return made


@pytest.fixture(scope="module")
def judged(files) -> dict[str, tuple[list[dict], int]]:
    """What ``story check`` finds in each file, and the rows it reads: once for both tests."""
    contract = _contract()
    return {kind: story_check(path, contract) for kind, path in files.items()}


def _refused(problems: list[dict]) -> bool:
    return any(p["blocking"] for p in problems)


def test_the_plan_gives_story_checks_verdicts(files, judged):
    contract = _contract()
    plan = compile_plan(contract, councils(REFERENCE), REFERENCE)
    in_the_worker = []
    for kind, path in files.items():
        expected, rows = judged[kind]
        problems, plan_rows, read_in_the_worker = run_plan(plan, path, path.name, AGENCY)
        if read_in_the_worker:
            in_the_worker.append(kind)
            continue
        assert [p.as_dict() for p in problems] == expected, kind
        if kind.startswith("collection_year_"):
            assert _refused(expected) == kind.endswith("2023"), kind
        if not _refused(expected):
            assert plan_rows == rows, kind
    # The worker's JavaScript reads files not UTF-8, workbooks and other separators (the browser test holds it to judge).
    assert set(in_the_worker) == {"mac_roman", "mixed_encodings", "damaged_xlsx", "xlsx_with_a_formula", *(set(files) - {"valid", "collection_year_2019", "collection_year_2023", DIRECTION_CONTROL, *(b.kind for b in BAD_FILES)})}, in_the_worker


def test_every_contract_compiles_to_a_plan():
    for contract in load_contracts(CONTRACTS).values():
        plan = compile_plan(contract, councils(REFERENCE), REFERENCE)
        assert plan["steps"] and (plan["agencies"] or plan["agency_pattern"]), contract.id


def _unpacked_engine(engine_dir: Path) -> bytes:
    script = (engine_dir / "duckdb-engine.js").read_text(encoding="ascii")
    return gzip.decompress(base64.b64decode(script.split('"')[1]))


def test_an_edition_reuses_the_latest_engine_and_zip_only_where_they_hold_the_same_bytes(tmp_path):
    wasm = (REPO_ROOT / "node_modules" / "@duckdb" / "duckdb-wasm" / "dist" / "duckdb-eh.wasm").read_bytes()
    first = tmp_path / "first"
    write_engine(first)
    # An earlier engine script whose WebAssembly is not the installed one (an older engine, or tampered): written afresh.
    stale = tmp_path / "stale"
    stale.mkdir()
    (stale / "duckdb-engine.js").write_text(f'self.PREFLIGHT_ENGINE_GZIP_BASE64 = "{base64.b64encode(gzip.compress(wasm[:-1], compresslevel=1)).decode()}";\n', encoding="ascii")
    for previous in (first, stale):
        again = tmp_path / f"after-{previous.name}"
        write_engine(again, previous=previous)
        assert _unpacked_engine(again) == wasm, previous.name
    assert (tmp_path / "after-first" / "duckdb-engine.js").read_bytes() == (first / "duckdb-engine.js").read_bytes()
    # The offline zip: an earlier one is copied only when it holds exactly the folder's files.
    folder = tmp_path / "page"
    (folder / "engine").mkdir(parents=True)
    (folder / "index.html").write_text("then", encoding="utf-8")
    earlier = write_offline_copy(folder, tmp_path / "earlier.zip")
    (folder / "index.html").write_text("now", encoding="utf-8")
    with zipfile.ZipFile(write_offline_copy(folder, tmp_path / "now.zip", earlier)) as archive:
        assert archive.read("page/index.html") == b"now"
    assert write_offline_copy(folder, tmp_path / "again.zip", tmp_path / "now.zip").read_bytes() == (tmp_path / "now.zip").read_bytes()
    (folder / "engine" / "added.js").write_text("", encoding="utf-8")
    with zipfile.ZipFile(write_offline_copy(folder, tmp_path / "added.zip", tmp_path / "now.zip")) as archive:
        assert "page/engine/added.js" in archive.namelist()


@pytest.fixture(scope="module")
def browser_run(files, tmp_path_factory):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium and AXE.exists() and shutil.which("node"), "Chromium, node and npm ci (make setup) are needed"
    written = tmp_path_factory.mktemp("preflight_page") / EDITION_FOLDER
    contracts = {**load_contracts(CONTRACTS), DATASET: _contract()}
    write_preflight(written, contracts, councils(REFERENCE), REFERENCE)
    # As an agency gets it: the edition's zip, unpacked elsewhere and opened from disk.
    unpacked = tmp_path_factory.mktemp("downloaded")
    with zipfile.ZipFile(write_offline_copy(written, written.parent / OFFLINE_COPY)) as archive:
        archive.extractall(unpacked)
    folder = unpacked / EDITION_FOLDER
    job = {
        "chromium": chromium, "url": (folder / "index.html").as_uri(), "keyboard": True, "axe": str(AXE),
        "cases": [{"name": kind, "dataset": DATASET, "agency": AGENCY, "file": str(path)} for kind, path in files.items()],
    }
    job_file = folder.parent / "job.json"
    job_file.write_text(json.dumps(job), encoding="utf-8")
    done = subprocess.run(["node", str(DRIVER), str(job_file)], capture_output=True, text=True, timeout=900, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder, json.loads(done.stdout)


def _as_the_intake_says(page: dict, intake: dict, page_text: str) -> dict:
    """The page's problem, where its sentence holds what the page says it cannot do (and names), with the intake's words there."""
    for words, named in ((re.escape(GUESS_NOT_MADE), NO_GUESS_NAMED), (SHEETJS_SAYS, UNOPENABLE_NAMED)):
        if re.search(words, page["message"]):
            assert named in page_text
            before, after = re.split(words, page["message"], maxsplit=1)
            assert intake["message"].startswith(before) and intake["message"].endswith(after) and len(intake["message"]) > len(before + after), (page, intake)
            return {**page, "message": intake["message"]}
    return page


def test_the_page_gives_story_checks_verdict_and_problems_for_every_file(browser_run, files, judged):
    _, run = browser_run
    assert run["ready"] == "yes" and not run["console"], run["console"]
    by_name = {c["name"]: c for c in run["cases"]}
    assert set(by_name) == set(files)
    for kind in files:
        case = by_name[kind]
        expected, rows = judged[kind]
        assert case["verdict"] == ("refused" if _refused(expected) else "accepted"), (kind, case["heading"])
        found = case["result"]["problems"]
        assert len(found) == len(expected), (kind, found, expected)
        found = [_as_the_intake_says(page, intake, run["page_text"]) for page, intake in zip(found, expected, strict=True)]
        assert found == expected, kind
        if not _refused(expected):
            assert f"({rows:,} rows)" in case["heading"]
            in_force = _contract().in_force(files[kind].stem.rsplit("_", 1)[-1])
            assert f" v{in_force.version}" in case["heading"] and in_force.years_in_force() in case["heading"], (kind, case["heading"])
        for problem in case["result"]["problems"]:  # shown as found
            assert problem["message"] in case["text"] and problem["fix"] in case["text"], kind
        assert case["focused"] == "verdict", "the verdict takes the focus, so a screen reader reads it first"


def test_the_page_writes_out_a_direction_control_and_names_it_never_obeys_it(browser_run):
    _, run = browser_run
    [case] = [c for c in run["cases"] if c["name"] == DIRECTION_CONTROL]
    assert "foster[U+202E]care" in case["text"] and "U+202E RIGHT-TO-LEFT OVERRIDE" in case["text"]
    assert not any(BIDI_CONTROLS & set(map(ord, c["text"] + c["heading"])) for c in run["cases"])


def test_the_page_makes_no_request_beyond_its_own_files(browser_run):
    """Opened from the unpacked download: its own files from disk, the Blob URLs it makes of them, and nothing else."""
    folder, run = browser_run
    own = {(folder / f).as_uri() for f in ("index.html", "page.js", "rules.js", "engine/preflight-worker.js", "engine/duckdb-engine.js")}
    assert own <= set(run["requests"]), "the page did not load from the unpacked download"
    others = [url for url in run["requests"] if url not in own and not url.startswith("blob:null/")]
    assert not others, others


def test_the_page_is_accessible_and_works_with_the_keyboard(browser_run):
    _, run = browser_run
    serious = [v for v in run["axe"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    assert run["tab_order"][:4] == ["dataset", "agency", "file", "check-button"]
