"""CSV downloads of the publication mart: one tidy CSV per measure, and one per other mart table.

Downloads are written from ``mart.*`` only, so they carry exactly what the reports show
after disclosure control (``[c]`` cells have an empty ``numerator_published`` and
``value_published`` and ``[c]`` in ``value_display``). Tidy: one row per figure, one column
per variable, the same columns in every measure file, so files can be stacked.

Layout under ``out_dir``: ``measures/<measure_id>.csv`` (the rows of
``mart.published_measures`` for that measure, ordered by period, geography, breakdown and
category), ``all_published_figures.csv`` (every figure of every measure in one tidy file, as
statistics users expect: measure, geography, period, breakdown, category, unit, ``value``,
``lower`` and ``upper`` (the 95% interval where there is one), ``vintage`` and ``status``:
``published``, or the shorthand that says why the value is blank, ``[c]`` hidden, ``[x]`` not
available, ``[z]`` not applicable) and ``<table>.csv`` for every other mart table (revisions,
early warnings, data coverage, the Data Map, themes, quotes ...). Called by the published edition.

A text cell a spreadsheet would run as a formula (a quote that starts with ``=``, say) is
written with a leading single quote (``assets.spreadsheet_formulas``): the contracts refuse such
cells, and this is the defence in depth for anything that reaches the mart another way.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from tqdm import tqdm

from assets.publication.export import MART, mart_tables
from assets.spreadsheet_formulas import neutralise_frame

MEASURES_TABLE = "published_measures"
ALL_FIGURES = "all_published_figures.csv"
ALL_FIGURES_SQL = (
    "SELECT measure_id, geography_code, geography_level, period, breakdown, category, unit, value_published AS value, "
    "lower_published AS lower, upper_published AS upper, vintage, "
    "CASE WHEN value_published IS NULL THEN value_display ELSE 'published' END AS status "
    f"FROM {MART}.{MEASURES_TABLE} ORDER BY measure_id, period, geography_code, breakdown, category"
)
MEASURE_ORDER = "period, geography_code, breakdown, category"
# RFC 4180's line ending: Python's CSV writer quotes a cell holding any character of the line
# terminator, so a carriage return inside a quote stays inside its cell.
_LINE_END = "\r\n"


def write_downloads(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Path]:
    """Write the downloads under ``out_dir`` (created if missing); returns the files written."""
    out_dir = Path(out_dir)
    (out_dir / "measures").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    tables = mart_tables(con)
    if MEASURES_TABLE in tables:
        measure_ids = [m for (m,) in con.execute(f"SELECT DISTINCT measure_id FROM {MART}.{MEASURES_TABLE} ORDER BY measure_id").fetchall()]
        for measure_id in tqdm(measure_ids, desc="measure downloads", unit="file"):
            path = out_dir / "measures" / f"{measure_id}.csv"
            frame = con.execute(f"SELECT * FROM {MART}.{MEASURES_TABLE} WHERE measure_id = ? ORDER BY {MEASURE_ORDER}", [measure_id]).df()
            neutralise_frame(frame).to_csv(path, index=False, lineterminator=_LINE_END)
            written.append(path)
        path = out_dir / ALL_FIGURES
        neutralise_frame(con.execute(ALL_FIGURES_SQL).df()).to_csv(path, index=False, lineterminator=_LINE_END)
        written.append(path)
    for table in (t for t in tables if t != MEASURES_TABLE):
        path = out_dir / f"{table}.csv"
        neutralise_frame(con.execute(f'SELECT * FROM {MART}."{table}"').df()).to_csv(path, index=False, lineterminator=_LINE_END)
        written.append(path)
    return written
