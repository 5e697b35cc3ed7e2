"""Files as agencies send them, and the ground truth written beside them.

Landing files follow the pipeline's contract: CSV, UTF-8, a header row,
commas, ISO dates, empty strings for missing values, at
``landing/<agency>/<dataset>/<dataset>_<agency>_<period>.csv``. For every landing
file a file of the same name under ``ground_truth/`` gives, per data row, the
``true_person_id`` of the person the row is about (empty for rows about no one),
so linkage can be scored exactly.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from synthetic.population import Population


@dataclass(frozen=True)
class AgencyFile:
    """One file one agency sends for one period."""

    agency: str
    dataset: str
    period: str
    rows: pd.DataFrame  # the contract's columns, in order, as text
    persons: np.ndarray  # population index per row, -1 where the row is about no one

    @property
    def relative_path(self) -> Path:
        return Path(self.agency) / self.dataset / f"{self.dataset}_{self.agency}_{self.period}.csv"


def not_about_people(rows: int) -> np.ndarray:
    """Ground truth for rows about no one (aggregates, services, organisations)."""
    return np.full(rows, -1, dtype=np.int64)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Plain ``csv`` rather than ``DataFrame.to_csv``: a run writes ~1,700 mostly small files."""
    if frame.isna().to_numpy().any():
        raise ValueError(f"{path.name}: missing values must be empty strings, not nulls")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(frame.columns)
        writer.writerows(frame.to_numpy(dtype=object).tolist())


def write_agency_file(out_dir: Path, file: AgencyFile, population: Population) -> list[Path]:
    """Write the landing file and its ground truth; returns both paths."""
    if file.rows.empty:
        # The pipeline refuses header-only files, so a generator must never produce one.
        raise ValueError(f"{file.relative_path} has no rows")
    if len(file.persons) != len(file.rows):
        raise ValueError(f"{file.relative_path}: ground truth does not match the rows")
    landing = out_dir / "landing" / file.relative_path
    truth = out_dir / "ground_truth" / file.relative_path
    _write_csv(file.rows, landing)
    _write_csv(
        pd.DataFrame({"row_number": np.arange(1, len(file.rows) + 1), "true_person_id": population.true_person_ids(file.persons)}),
        truth,
    )
    return [landing, truth]


def write_table(out_dir: Path, name: str, frame: pd.DataFrame) -> Path:
    """A ground-truth table that has no landing counterpart."""
    path = out_dir / "ground_truth" / name
    _write_csv(frame, path)
    return path


def write_json(out_dir: Path, name: str, content: dict) -> Path:
    """A ground-truth JSON document, keys sorted so runs compare byte for byte."""
    path = out_dir / "ground_truth" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
