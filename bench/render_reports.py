"""Render every report of an edition (Scotland and the 32 councils) and its website, and print time and memory.

    python bench/render_reports.py [--warehouse PATH] [--workers N] [--out DIR]

Reads ``mart.*`` from the warehouse (default ``$STORY_DATA_DIR/warehouse.duckdb``, as left by
``make demo``); with ``--sample``, from a seeded sample mart over the current catalogue (the
one the report tests use), so the benchmark runs without a pipeline run. Prints the wall time
of each stage, pages per report, the CPU time of all processes, and the peak resident memory
of the parent and of the largest worker process; then the edition's website (every page) and
whether it met its target (``WEBSITE_SECONDS``: it is rendered in the step that seals the
edition, in one process, so it must stay a small part of a run).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb  # noqa: E402

from assets.measures.catalogue import catalogue  # noqa: E402
from assets.model.contracts import load_contracts  # noqa: E402
from assets.reports.edition_reports import edition_inputs, render_places  # noqa: E402
from assets.reports.editions import NATIONAL_STEM  # noqa: E402
from assets.reports.places import SCOTLAND, council_places  # noqa: E402
from assets.reports.website import write_website  # noqa: E402
from assets.reports.worker_pool import reap_fork_server  # noqa: E402
from orchestration.settings import Settings  # noqa: E402

WEBSITE_SECONDS = 10.0


def main() -> None:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=settings.warehouse_path)
    parser.add_argument("--sample", action="store_true", help="use a seeded sample mart instead of a warehouse")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--councils", type=int, default=32, help="how many council reports (for a quick look)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="render-reports-"))
    out = args.out or scratch / "edition"
    warehouse = args.warehouse
    if args.sample:
        from tests.support.sample_mart import build_sample_mart

        warehouse = build_sample_mart(scratch / "sample.duckdb", settings.reference_dir)
    started = time.perf_counter()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        contracts = load_contracts(settings.contracts_dir)
        inputs = edition_inputs(con, catalogue(settings.reference_dir, contracts), contracts, settings.reference_dir, "bench", "bench")
    read = time.perf_counter()
    print(f"[1/4] mart read: {len(inputs.mart.published_measures):,} published figures, {len(inputs.entries)} catalogue measures, {read - started:.1f} s", flush=True)
    national = render_places(inputs, [(SCOTLAND, out / "national", NATIONAL_STEM)], lambda *_: None, workers=1)
    done_national = time.perf_counter()
    print(f"[2/4] national report: {national[0]['pages']} pages, {done_national - read:.1f} s", flush=True)
    places = council_places(settings.reference_dir)[: args.councils]

    def progress(done: int, total: int, result: dict) -> None:
        print(f"      [{done}/{total}] {result['place']}: {result['pages']} pages ({time.perf_counter() - done_national:.0f} s)", flush=True)

    councils = render_places(inputs, [(p, out / "councils", p.slug) for p in places], progress, workers=args.workers)
    finished = time.perf_counter()
    pages = [r["pages"] for r in councils]
    print(f"[3/4] {len(councils)} council reports with {args.workers} workers: {finished - done_national:.1f} s, pages {min(pages)}-{max(pages)}")
    reap_fork_server()  # the workers' CPU time, counted below
    parent, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = parent.ru_utime + parent.ru_stime + workers.ru_utime + workers.ru_stime
    print(f"all {len(councils) + 1} editions: wall time {finished - started:.1f} s; CPU time {cpu:.0f} s (wall time depends on other load, CPU time less so); "
          f"peak memory {parent.ru_maxrss / 1024:.0f} MB (parent), {workers.ru_maxrss / 1024:.0f} MB (largest worker)")
    site_started = time.perf_counter()
    site_files = write_website(out, inputs)
    site_seconds = time.perf_counter() - site_started
    print(f"[4/4] website: {len(site_files) - 1} pages and a stylesheet, {site_seconds:.1f} s (target {WEBSITE_SECONDS:.0f} s: {'met' if site_seconds <= WEBSITE_SECONDS else 'missed'})")
    print(f"reports and website in {out}")


if __name__ == "__main__":
    main()
