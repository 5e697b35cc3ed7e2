"""Helpers for the Q2 backtests: population tables and the comparison with hand-worked figures."""

from __future__ import annotations

import io
import textwrap

import pandas as pd

FIGURE_COLUMNS = ["period", "geography_code", "breakdown", "category", "numerator", "denominator", "value"]
ABERDEEN_CITY, ABERDEENSHIRE, ANGUS, SCOTLAND = "S12000033", "S12000034", "S12000041", "S92000003"


def population_csv(cells: dict[str, int], years: tuple[int, ...]) -> str:
    """Population estimates: ``cells[council]`` people at each of ages 2, 8, 13 and 17, for each sex and year.

    One age per age band, so a council's band holds 2 x cells, a sex 4 x cells, the council 8 x cells.
    """
    rows = ["year,la_code,sex,age,population"]
    rows += [f"{y},{c},{s},{a},{n}" for y in years for c, n in cells.items() for s in "FM" for a in (2, 8, 13, 17)]
    return "\n".join(rows)


def assert_figures(actual: pd.DataFrame, expected_csv: str, where: str | None = None) -> None:
    """The measure's figures (rows selected by ``where``, a pandas query) equal the hand-worked CSV, row for row."""
    if where:
        actual = actual.query(where)
    expected = pd.read_csv(io.StringIO(textwrap.dedent(expected_csv).strip()), dtype={"period": str})
    columns = [c for c in FIGURE_COLUMNS if c in expected.columns]
    key = ["period", "geography_code", "breakdown", "category"]
    got = actual[columns].sort_values(key).reset_index(drop=True)
    want = expected[columns].sort_values(key).reset_index(drop=True)
    for number in ("numerator", "denominator", "value"):
        if number in columns:
            got[number] = got[number].astype("float64")
            want[number] = want[number].astype("float64")
    pd.testing.assert_frame_equal(got, want, check_dtype=False, atol=1e-9)
