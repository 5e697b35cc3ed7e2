"""Benchmark: the page "Check a file before you send it" in headless Chromium, on valid returns.

    .venv/bin/python bench/preflight_page_speed.py [--rows 1000 100000]

Writes the page (``story preflight``'s folder), opens it from disk as an agency would, and times
each file from pressing "Check the file" to the verdict on screen (the engine is loaded once, when
the page opens; its load time is printed apart). ``bench/validation_speed.py`` prints these beside
``story check``'s. Target (issue 36): under 3 s for 1,000 rows once the page has loaded, and a
100,000-row file answered without freezing the page (the check runs in a worker). Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from assets.ingest.contracts import load_contracts
from assets.reference import councils
from assets.reports.preflight import write_preflight
from orchestration.settings import REPO_ROOT, Settings

DRIVER = REPO_ROOT / "tests" / "accessibility" / "preflight_browser.mjs"


def page_seconds(folder: Path, files: dict[str, Path], dataset: str, agency: str) -> dict:
    """The page's load time and each file's time to its verdict, in seconds, with the verdicts."""
    settings = Settings.from_env()
    page = folder / "page"
    write_preflight(page, load_contracts(settings.contracts_dir), councils(settings.reference_dir), settings.reference_dir)
    job = {
        "chromium": shutil.which("chromium") or shutil.which("chromium-browser"), "url": (page / "index.html").as_uri(),
        "cases": [{"name": name, "dataset": dataset, "agency": agency, "file": str(path)} for name, path in files.items()],
    }
    (folder / "job.json").write_text(json.dumps(job), encoding="utf-8")
    done = subprocess.run(["node", str(DRIVER), str(folder / "job.json")], capture_output=True, text=True, timeout=1800, cwd=REPO_ROOT, check=True)
    run = json.loads(done.stdout)
    return {
        "load": run["load_ms"] / 1000,
        "cases": {c["name"]: {"seconds": c["ms"] / 1000, "in_worker": c["result"].get("ms", 0) / 1000, "verdict": c["verdict"]} for c in run["cases"]},
    }


def main(argv: list[str] | None = None) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from validation_speed import AGENCY, DATASET, PERIOD, generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 100_000])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="story-page-bench-") as tmp:
        files = {}
        for rows in args.rows:
            (Path(tmp) / str(rows)).mkdir()
            files[f"{rows:,} rows"] = Path(tmp) / str(rows) / f"{DATASET}_{AGENCY}_{PERIOD}.csv"
            generate(files[f"{rows:,} rows"], rows)
        found = page_seconds(Path(tmp), files, DATASET, AGENCY)
    print(f"page load (engine ready)  {found['load']:.2f} s")
    for name, case in found["cases"].items():
        print(f"page, {name:<14} {case['seconds']:.2f} s to the verdict ({case['in_worker']:.2f} s in the worker), {case['verdict']}")


if __name__ == "__main__":
    main()
