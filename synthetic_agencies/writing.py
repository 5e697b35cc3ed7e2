"""Write a dataset as agencies send it: one CSV per agency and period, ground truth beside."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def write_returns(out: Path, dataset: str, table: pd.DataFrame, columns: list[str], agency_column: str, period_column: str) -> list[Path]:
    """Split ``table`` by agency and period into landing files; ``true_person_id`` goes to ground truth only."""
    written = []
    for (agency, period), rows in table.groupby([agency_column, period_column], sort=True):
        name = f"{dataset}_{agency}_{period}.csv"
        landing = out / "landing" / str(agency) / dataset / name
        landing.parent.mkdir(parents=True, exist_ok=True)
        rows[columns].to_csv(landing, index=False, lineterminator="\n")
        truth = out / "ground_truth" / str(agency) / dataset / name
        truth.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame({"row_number": range(1, len(rows) + 1), "true_person_id": rows.get("true_person_id", pd.Series([None] * len(rows))).to_numpy()}).to_csv(truth, index=False, lineterminator="\n")
        written.append(landing)
    return written
