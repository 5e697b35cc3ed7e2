"""The edition's published figures as an accessible spreadsheet, following the Analysis Function's guidance.

Written with ONS's ``gptables`` (good-practice tables on XlsxWriter): a cover sheet, a
contents sheet, a notes table, then one table per sheet, one sheet per measure (``Table_1``
...), each a marked-up table with its title, unit and source above it. The value column
stays numeric: where a figure is not shown its cell is empty and the status column holds
the shorthand (``[c]``, ``[x]``, ``[z]``, ``[r]``), each explained in the notes table.

Every text cell is inert: formula-like text (a category sent as ``=HYPERLINK(...)``, say) is
prefixed with a single quote as in every CSV (``assets.spreadsheet_formulas``), and the
workbook is told never to turn a string into a formula or a link.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import gptables as gpt
import pandas as pd
from xlsxwriter.utility import cell_autofit_width

from assets.publication.published_figures import CONFIDENTIAL, NOT_APPLICABLE, NOT_AVAILABLE, REVISED, SHORTHAND
from assets.spreadsheet_formulas import neutralise_frame

# The tidy table's columns as each measure's sheet heads them (the measure's id, title and
# unit are in the sheet's title and subtitle, so they are not repeated on every row).
SHEET_COLUMNS = {
    "geography_code": "Geography code", "geography_name": "Geography name", "geography_level": "Geography level",
    "period": "Period", "breakdown": "Breakdown", "category": "Category", "value": "Value",
    "lower": "Lower limit", "upper": "Upper limit", "vintage": "Vintage", "status": "Status",
}
OPTIONAL_COLUMNS = ("lower", "upper", "vintage")  # left off a sheet where no figure of its measure has one
NOTES = {
    "c": f"{CONFIDENTIAL} {SHORTHAND[CONFIDENTIAL]}.",
    "x": f"{NOT_AVAILABLE} {SHORTHAND[NOT_AVAILABLE]}.",
    "z": f"{NOT_APPLICABLE} {SHORTHAND[NOT_APPLICABLE]}.",
    "r": f"{REVISED} {SHORTHAND[REVISED]}.",
    "values": "Values are as published after disclosure control. Where a value is not shown its cell is empty and the Status column says why; the value column holds numbers only.",
}
# XlsxWriter turns a string starting "=" into a formula and one like a web address into a link unless told not to.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
FONT_SCALE = 12 / 11  # gptables' theme sets 12 pt; XlsxWriter measures text at 11 pt
LEGEND = f"Status shorthand: {CONFIDENTIAL} confidential, {NOT_AVAILABLE} not available, {NOT_APPLICABLE} not applicable, {REVISED} revised (see the notes)."
SOURCE = "The Promise Story of Progress: agencies' returns, after disclosure control"


def measure_sheet(rows: pd.DataFrame, number: int) -> gpt.GPTable:
    """One measure's figures as a table on its own sheet."""
    first = rows.iloc[0]
    columns = [c for c in SHEET_COLUMNS if c not in OPTIONAL_COLUMNS or rows[c].notna().any()]
    table = neutralise_frame(rows[columns].rename(columns=SHEET_COLUMNS).reset_index(drop=True))
    return gpt.GPTable(
        table=table,
        table_name=f"table_{number}",
        title=str(first["measure_title"]),
        subtitles=[f"Measure: {first['measure_id']}", f"Unit: {first['unit']}"],
        instructions="This worksheet contains one table. Some cells refer to notes, which can be found on the notes worksheet. An empty value cell is explained by the shorthand in the Status column.",
        legend=[LEGEND],
        source=SOURCE,
        table_notes={"Value": "$$values$$", "Status": "$$c$$$$x$$$$z$$$$r$$"},
        index_columns={},
    )


def write_spreadsheet(figures: pd.DataFrame, path: Path, edition: str) -> Path:
    """Write ``figures`` (``published_figures``' tidy table) to ``path`` (.xlsx), one sheet per measure."""
    sheets = {f"Table_{n}": measure_sheet(rows, n) for n, (_, rows) in enumerate(figures.groupby("measure_id", sort=True), start=1)}
    cover = gpt.Cover(
        title=f"The Promise Story of Progress: published figures, edition {edition}",
        intro=[
            "Every figure published in this edition of the Story of Progress: whether Scotland is keeping the promise made in 2020 to care-experienced children, young people, adults and their families.",
            "One table per measure, for Scotland and each council, every period since the baseline.",
        ],
        about=[
            "Counts of 1 to 4, and figures that would let one be worked out, are not shown: their value cells are empty and their status is [c].",
            "Shorthand in the Status column: [c] confidential, [x] not available, [z] not applicable, [r] revised. The notes worksheet explains each.",
            "The same figures are in the edition's downloads as CSV, one file per measure and one file of all published figures.",
        ],
    )
    notes = pd.DataFrame({"Note reference": list(NOTES), "Note text": list(NOTES.values())})
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # gptables warns of every empty cell; ours are the hidden values, and each sheet's
        # instructions and legend say why (the Analysis Function's shorthand, in the status column).
        warnings.filterwarnings("ignore", message=r"\s*Empty or null cell found", category=UserWarning)
        workbook = gpt.produce_workbook(
            filename=str(path), sheets=sheets, cover=cover, notes_table=notes, workbook_options=WORKBOOK_OPTIONS,
            auto_width={label: False for label in sheets},
        )
    for sheet in workbook.worksheets():
        if sheet.name in sheets:
            for column, width in enumerate(column_widths(sheets[sheet.name].table)):
                sheet.set_column_pixels(column, column, width)
    workbook.close()
    return path


def column_widths(table: pd.DataFrame) -> list[int]:
    """Each column's width in pixels, as gptables' ``auto_width`` measures it (the widest line of
    a column, its heading bold) but of a column's distinct longest entries only: gptables
    measures every cell, a tenth of the workbook's time."""
    widths = []
    for heading in table.columns:
        entries = pd.Series(table[heading].dropna().astype(str).unique())
        longest = entries[entries.str.len() >= entries.str.len().max() - 2] if len(entries) else []
        headings = [_width(line, bold=True) for line in str(heading).split("\n")]
        widths.append(max([*headings, *(_width(e, bold=False) for e in longest)]))
    return widths


def _width(text: str, bold: bool) -> int:
    """gptables' measure of one line: XlsxWriter's width at 11 pt, scaled to the theme's 12 pt, bold and capitals a little wider."""
    capitals = sum(c.isupper() for c in text) / len(text) if text else 0
    return math.ceil(cell_autofit_width(text) * FONT_SCALE * (1.1 if bold else 1.0) * (1 + 0.15 * capitals))
