"""The page "Check a file before you send it": the contract rules of ``story check`` run in the browser.

``write_preflight(out_dir, ...)`` writes a folder that works opened from disk (``file://``) or from
the edition's website, with nothing fetched from anywhere else:

- ``index.html`` and ``page.js``: choose the dataset, the agency and the file; the verdict and the
  refusal report's words (``assets/reports/preflight_page``).
- ``rules.js``: each dataset's plan, the SQL and sentences ``assets.ingest.preflight_plan``
  compiles from the contracts (no rule is written in JavaScript), and the bidirectional controls
  the page writes out as the refusal report does (``assets.bidi_controls``).
- ``engine/``: DuckDB-WASM (the npm package pinned in package.json, from ``node_modules``): its
  WebAssembly gzipped and base64-encoded in a script, and a worker script (Apache Arrow, DuckDB's
  blocking API, SheetJS ``xlsx`` (Apache-2.0) with ``reader.js`` to read workbooks and other separators,
  and ``worker.js``) as a string. Scripts load from ``file://`` where a fetch or a
  worker URL would be blocked; the page makes the worker and the module from Blob URLs.
  The engine is written once per folder (once per edition). An edition takes the latest one's
  engine script, and its offline zip, where they hold exactly the same bytes (compressing the
  WebAssembly is most of the page's cost).
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import logging
import shutil
import zipfile
from pathlib import Path

from assets.bidi_controls import bidi_controls_table
from assets.ingest.preflight_plan import compile_plan, not_in_the_page
from assets.ingest.refusal_report import HIDDEN_CHARACTERS, PARTIAL_LOADS
from assets.model.contracts import Contract
from assets.model.reference import Councils

PAGE_DIR = Path(__file__).parent / "preflight_page"
EDITION_FOLDER = "check-a-file"  # in each edition: <edition>/check-a-file/index.html
OFFLINE_COPY = "downloads/check-a-file.zip"  # in each edition: the folder to download, unpack and open from disk
PROMISE = "Your file is checked on this computer by this page alone: it is never uploaded, sent or kept anywhere."
_LOG = logging.getLogger(__name__)


class EngineMissing(RuntimeError):
    """The pinned DuckDB-WASM is not in node_modules: run ``npm ci`` (``make setup``)."""


def _node_modules() -> Path:
    """Where ``npm ci`` installs the pinned engine: the repository's root, above this package."""
    return Path(__file__).resolve().parents[2] / "node_modules"


def _engine_files(node_modules: Path) -> dict[str, Path]:
    dist = node_modules / "@duckdb" / "duckdb-wasm" / "dist"
    files = {
        "wasm": dist / "duckdb-eh.wasm",
        "blocking": dist / "duckdb-browser-blocking.cjs",
        "arrow": node_modules / "apache-arrow" / "Arrow.es2015.min.js",
        "duckdb_package": dist.parent / "package.json",
        "duckdb_licence": dist.parent / "LICENSE",
        "arrow_licence": node_modules / "apache-arrow" / "LICENSE.txt",
        "sheetjs": node_modules / "xlsx" / "dist" / "xlsx.core.min.js",
        "sheetjs_licence": node_modules / "xlsx" / "LICENSE",
    }
    missing = [str(p) for key, p in files.items() if not p.exists() and "licence" not in key]
    if missing:
        raise EngineMissing(f"The browser engine is not installed ({', '.join(missing)} missing): run `npm ci` (make setup).")
    return files


def engine_version(node_modules: Path | None = None) -> str:
    files = _engine_files(node_modules or _node_modules())
    return json.loads(files["duckdb_package"].read_text(encoding="utf-8"))["version"]


def _script_string(variable: str, text: str) -> str:
    return f"self.{variable} = {json.dumps(text)};\n"


_ENGINE_SCRIPT = ('self.PREFLIGHT_ENGINE_GZIP_BASE64 = "', '";\n')


def _holds_wasm(script: Path, wasm: bytes) -> bool:
    """Whether an engine script written earlier unpacks to exactly ``wasm``: checked by unpacking, so no record is kept."""
    try:
        encoded = script.read_text(encoding="ascii").removeprefix(_ENGINE_SCRIPT[0]).removesuffix(_ENGINE_SCRIPT[1])
        return gzip.decompress(base64.b64decode(encoded, validate=True)) == wasm
    except (OSError, ValueError, EOFError):  # gone, not ASCII, not base64, not gzip: written afresh
        return False


def write_engine(engine_dir: Path, node_modules: Path | None = None, previous: Path | None = None) -> list[Path]:
    """DuckDB-WASM and the page's worker as two scripts (loadable from ``file://``), and the licences.
    ``previous``: an earlier engine folder, whose engine script is copied if it holds the same WebAssembly."""
    files = _engine_files(node_modules or _node_modules())
    engine_dir.mkdir(parents=True, exist_ok=True)
    wasm = files["wasm"].read_bytes()
    engine = engine_dir / "duckdb-engine.js"
    if previous is not None and _holds_wasm(previous / engine.name, wasm):
        shutil.copyfile(previous / engine.name, engine)
    else:
        packed = base64.b64encode(gzip.compress(wasm, compresslevel=6, mtime=0)).decode()
        engine.write_text(f"{_ENGINE_SCRIPT[0]}{packed}{_ENGINE_SCRIPT[1]}", encoding="ascii")
    # The Arrow bundle defines the global Arrow; DuckDB's blocking build is CommonJS asking for it.
    source = "\n;".join([
        files["sheetjs"].read_text(encoding="utf-8"),  # first, while nothing named module or exports is defined: it sets self.XLSX
        (PAGE_DIR / "reader.js").read_text(encoding="utf-8"),
        files["arrow"].read_text(encoding="utf-8"),
        "var module = {exports: {}}; var exports = module.exports; var require = function (name) { return name === 'apache-arrow' ? self.Arrow : {}; };",
        files["blocking"].read_text(encoding="utf-8"),
        "self.duckdbBlocking = module.exports;",
        (PAGE_DIR / "worker.js").read_text(encoding="utf-8"),
    ])
    worker = engine_dir / "preflight-worker.js"
    worker.write_text(_script_string("PREFLIGHT_WORKER_SOURCE", source), encoding="utf-8")
    written = [engine, worker]
    for key, name in (("duckdb_licence", "LICENSE-duckdb-wasm.txt"), ("arrow_licence", "LICENSE-apache-arrow.txt"), ("sheetjs_licence", "LICENSE-sheetjs.txt")):
        if files[key].exists():
            shutil.copyfile(files[key], engine_dir / name)
            written.append(engine_dir / name)
    return written


def plans(contracts: dict[str, Contract], councils: Councils, reference_dir: Path) -> dict[str, dict]:
    return {d: {**compile_plan(c, councils, reference_dir), "partial_loads": PARTIAL_LOADS, "hidden_characters": HIDDEN_CHARACTERS} for d, c in sorted(contracts.items())}


def write_preflight(
    out_dir: Path, contracts: dict[str, Contract], councils: Councils, reference_dir: Path, node_modules: Path | None = None, previous: Path | None = None,
) -> list[Path]:
    """Write the page, its rules and its engine into ``out_dir``; returns the files written.
    ``previous``: the page's folder in an earlier edition, whose engine script is reused if the same."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = write_engine(out_dir / "engine", node_modules, previous / "engine" if previous is not None else None)
    rules = out_dir / "rules.js"
    rules.write_text(
        f"self.PREFLIGHT_PLANS = {json.dumps(plans(contracts, councils, reference_dir), separators=(',', ':'))};\n"
        f"self.PREFLIGHT_BIDI_CONTROLS = {json.dumps(bidi_controls_table(), separators=(',', ':'))};\n",
        encoding="utf-8",
    )
    script = out_dir / "page.js"
    shutil.copyfile(PAGE_DIR / "page.js", script)
    page = (PAGE_DIR / "page.html").read_text(encoding="utf-8")
    versions = ", ".join(
        f"{c.id} " + " and ".join(f"v{v.version}" + (f" ({v.years_in_force()})" if c.years else "") for v in c.versions)
        for c in sorted(contracts.values(), key=lambda c: c.id)
    )
    for slot, value in {
        "promise": html.escape(PROMISE),
        "versions": html.escape(versions),
        "not_in_the_page": "\n".join(f"<li>{html.escape(line)}</li>" for line in not_in_the_page(contracts)),
        "engine_version": html.escape(engine_version(node_modules)),
    }.items():
        page = page.replace("{{" + slot + "}}", value)
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return [index, script, rules, *written]


_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # every entry's time: the same page makes the same bytes


def _entries(folder: Path) -> dict[str, Path]:
    return {f"{folder.name}/{p.relative_to(folder).as_posix()}": p for p in sorted(folder.rglob("*")) if p.is_file()}


def _zip_holds(archive_path: Path, folder: Path) -> bool:
    """Whether a zip written earlier holds exactly ``folder``'s files, as ``write_offline_copy`` writes them (checked by reading it)."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            entries, infos = _entries(folder), archive.infolist()
            return [i.filename for i in infos] == list(entries) and all(
                i.date_time == _ZIP_TIME and i.compress_type == zipfile.ZIP_DEFLATED and archive.read(i) == entries[i.filename].read_bytes() for i in infos
            )
    except (OSError, zipfile.BadZipFile):
        return False


def write_offline_copy(folder: Path, target: Path, previous: Path | None = None) -> Path:
    """``folder`` zipped as one folder of its name, to unpack anywhere and open ``index.html`` from disk,
    entries in path order; ``previous``, a zip written earlier, is copied instead when it holds the same files."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if previous is not None and _zip_holds(previous, folder):
        shutil.copyfile(previous, target)
        return target
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in _entries(folder).items():
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), path.read_bytes(), zipfile.ZIP_DEFLATED)
    return target


def write_edition_preflight(edition_dir: Path, contracts: dict[str, Contract], reference_dir: Path, latest: Path | None = None) -> list[Path]:
    """The page in an edition (``<edition>/check-a-file/``), from the contracts in force, and the same folder
    zipped in its downloads (``OFFLINE_COPY``); nothing if the engine is not installed. ``latest``: the
    latest edition, whose engine script and zip are reused where they are the same bytes."""
    from assets.model.reference import councils

    previous = latest / EDITION_FOLDER if latest is not None else None  # absent before the first edition: written afresh
    try:
        written = write_preflight(edition_dir / EDITION_FOLDER, contracts, councils(reference_dir), reference_dir, previous=previous)
    except EngineMissing as missing:
        _LOG.warning("No 'Check a file before you send it' page in this edition: %s", missing)
        return []
    earlier = latest / OFFLINE_COPY if latest is not None else None
    return [*written, write_offline_copy(edition_dir / EDITION_FOLDER, edition_dir / OFFLINE_COPY, earlier)]
