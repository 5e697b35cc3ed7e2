"""The edition's downloads: CSV per measure, every published figure in one tidy file and as an accessible spreadsheet.

Downloads are written from ``mart.*`` only, so they carry exactly what the reports show
after disclosure control (``[c]`` cells have an empty ``numerator_published`` and
``value_published`` and ``[c]`` in ``value_display``). Tidy: one row per figure, one column
per variable, the same columns in every measure file, so files can be stacked.

Method notes: docs/publication.md, "Notes on `assets/publication/downloads.py`".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import Executor, Future
from pathlib import Path

import duckdb
import pandas as pd
from tqdm import tqdm

from assets.model.reference import SCOTLAND_CODE
from assets.publication.export import MART, mart_tables
from assets.publication.published_figures import published_figures
from assets.publication.spreadsheet import write_spreadsheet
from assets.spreadsheet_formulas import neutralise_frame

MEASURES_TABLE = "published_measures"
REVISIONS_TABLE = "indicator_revisions"
MOVED_TABLE = "figure_revisions"
MEASURE_ORDER = "period, geography_code, breakdown, category"
MEASURE_FOLDER = "measures"
ALL_FIGURES = "all-published-figures"
PUBLISHER = "story-of-progress"
# RFC 4180's line ending: Python's CSV writer quotes a cell holding any character of the line
# terminator, so a carriage return inside a quote stays inside its cell.
_LINE_END = "\r\n"


def where(geography_codes: Iterable[str]) -> str:
    """The places a file covers, for its name, from the geography codes of its rows."""
    codes = set(geography_codes)
    scotland, councils = SCOTLAND_CODE in codes, bool(codes - {SCOTLAND_CODE})
    return "scotland-and-councils" if scotland and councils else "scotland" if scotland else "councils"


def download_stem(edition: str, what: str, geography_codes: Iterable[str]) -> str:
    """``story-of-progress_<edition>_<what>_<where>``: a name that says what and where a file is
    (no ``where`` for a file whose rows are no places: a table without places, or empty)."""
    stem, codes = f"{PUBLISHER}_{edition}_{what.replace('_', '-')}", set(geography_codes)
    return f"{stem}_{where(codes)}" if codes else stem


def measure_download(edition: str, measure_id: str, geography_codes: Iterable[str]) -> str:
    """A measure's CSV, relative to the downloads folder (the website links it by this name)."""
    return f"{MEASURE_FOLDER}/{download_stem(edition, measure_id, geography_codes)}.csv"


def all_figures_downloads(edition: str, geography_codes: Iterable[str]) -> tuple[str, str]:
    """The all-published-figures CSV and spreadsheet, relative to the downloads folder."""
    stem = download_stem(edition, ALL_FIGURES, geography_codes)
    return f"{stem}.csv", f"{stem}.xlsx"


def table_download(edition: str, table: str, rows: pd.DataFrame) -> str:
    """Another mart table's CSV, relative to the downloads folder: ``where`` from its
    ``geography_code`` column when it has one (early warnings), none otherwise (the Data Map)."""
    codes = rows["geography_code"].dropna().astype(str) if "geography_code" in rows else []
    return f"{download_stem(edition, table, codes)}.csv"


def download_title(name: str) -> str:
    """What a download holds, in words, read back from its name (``what`` never holds an underscore)."""
    parts = Path(name).stem.split("_")
    what = parts[2] if len(parts) > 2 and parts[0] == PUBLISHER else Path(name).stem
    return what.replace("-", " ").replace("_", " ").capitalize()


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    neutralise_frame(frame).to_csv(path, index=False, lineterminator=_LINE_END)
    return path


def write_downloads(
    con: duckdb.DuckDBPyConnection, out_dir: Path, *, edition: str, titles: Mapping[str, str], geography_names: Mapping[str, str],
    spreadsheets: Executor | None = None,
) -> list[Path | Future]:
    """Write the downloads under ``out_dir`` (created if missing); returns the files written.

    ``edition``: the edition's id, in every file name; ``titles``: each measure's title by id;
    ``geography_names``: each place's name by code (Scotland and the councils).
    ``spreadsheets``: where the spreadsheet is written; the list then holds its ``Future``
    (of its path) in its place, to wait for before reading the file. Here when None.
    """
    out_dir = Path(out_dir)
    (out_dir / MEASURE_FOLDER).mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    tables = mart_tables(con)
    if MEASURES_TABLE in tables:
        measures = con.execute(f"SELECT * FROM {MART}.{MEASURES_TABLE} ORDER BY measure_id, {MEASURE_ORDER}").df()
        revisions = con.execute(f"SELECT * FROM {MART}.{REVISIONS_TABLE}").df() if REVISIONS_TABLE in tables else None
        moved = con.execute(f"SELECT * FROM {MART}.{MOVED_TABLE}").df() if MOVED_TABLE in tables else None
        figures = published_figures(measures, revisions, titles, geography_names, moved)
        csv_name, spreadsheet_name = all_figures_downloads(edition, measures["geography_code"])
        # The spreadsheet first: with an executor it is written while the CSVs are.
        if not figures.empty:  # a workbook of no table would be a cover and nothing else
            job = (figures, out_dir / spreadsheet_name, edition)
            written.append(write_spreadsheet(*job) if spreadsheets is None else spreadsheets.submit(write_spreadsheet, *job))
        for measure_id, rows in tqdm(measures.groupby("measure_id", sort=True), desc="measure downloads", unit="file"):
            written.append(_write_csv(rows, out_dir / measure_download(edition, measure_id, rows["geography_code"])))
        written.append(_write_csv(figures, out_dir / csv_name))
    for table in (t for t in tables if t != MEASURES_TABLE):
        rows = con.execute(f'SELECT * FROM {MART}."{table}"').df()
        written.append(_write_csv(rows, out_dir / table_download(edition, table, rows)))
    return written
