"""Write an edition's downloads (CSV per measure and mart table, the tidy all-figures file, the spreadsheet) and print time, sizes and memory.

    python bench/downloads_speed.py [--warehouse PATH | --sample]

Reads ``mart.*`` from the warehouse (default ``$STORY_DATA_DIR/warehouse.duckdb``, as left by
``make demo``); with ``--sample``, from the seeded sample mart over the whole catalogue that
the report tests use, so it runs without a pipeline run. The downloads are written in the
step that seals the edition, in one process, so they must stay a small part of a run
(``DOWNLOADS_SECONDS``); most of the time is the spreadsheet, which ``gptables`` writes cell by
cell, so it is also timed alone.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb  # noqa: E402

from assets.measures.catalogue import catalogue  # noqa: E402
from assets.model.contracts import load_contracts  # noqa: E402
from assets.model.reference import SCOTLAND_CODE, councils  # noqa: E402
from assets.publication.downloads import write_downloads  # noqa: E402
from assets.publication.export import mart_tables  # noqa: E402
from assets.publication.published_figures import published_figures  # noqa: E402
from assets.publication.spreadsheet import write_spreadsheet  # noqa: E402
from orchestration.settings import Settings  # noqa: E402

DOWNLOADS_SECONDS = 30.0


def main() -> None:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=settings.warehouse_path)
    parser.add_argument("--sample", action="store_true", help="use a seeded sample mart instead of a warehouse")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="downloads-speed-"))
    warehouse = args.warehouse
    if args.sample:
        from tests.support.sample_mart import build_sample_mart

        warehouse = build_sample_mart(scratch / "sample.duckdb", settings.reference_dir)
    entries = catalogue(settings.reference_dir, load_contracts(settings.contracts_dir))
    names = {SCOTLAND_CODE: "Scotland", **councils(settings.reference_dir).names}
    titles = {e.id: e.title for e in entries.values()}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        measures = con.execute("SELECT * FROM mart.published_measures").df()
        revisions = con.execute("SELECT * FROM mart.indicator_revisions").df() if "indicator_revisions" in mart_tables(con) else None
        started = time.perf_counter()
        files = write_downloads(con, scratch / "downloads", edition="bench", titles=titles, geography_names=names)
        seconds = time.perf_counter() - started
    # The spreadsheet alone, written again from the same figures.
    started = time.perf_counter()
    spreadsheet = write_spreadsheet(published_figures(measures, revisions, titles, names), scratch / "again.xlsx", "bench")
    spreadsheet_seconds = time.perf_counter() - started
    figures = len(measures)
    total_bytes = sum(f.stat().st_size for f in files)
    print(f"{figures:,} published figures, {len(entries)} catalogue measures: {len(files)} files, {total_bytes / 1e6:.1f} MB, in {seconds:.1f} s "
          f"(target {DOWNLOADS_SECONDS:.0f} s: {'met' if seconds <= DOWNLOADS_SECONDS else 'missed'})")
    print(f"  the spreadsheet alone: {spreadsheet.stat().st_size / 1e6:.1f} MB in {spreadsheet_seconds:.1f} s")
    print(f"  peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; files in {scratch / 'downloads'}")


if __name__ == "__main__":
    main()
