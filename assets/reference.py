"""Public reference tables read from the shared folder (never hard-coded in the pipeline)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

SCOTLAND_CODE = "S92000003"  # the GSS code of Scotland as a whole, beside the councils' codes below


@dataclass(frozen=True)
class Councils:
    """Scotland's 32 councils, with the GSS codes that were retired in 2018-19 mapped to current ones."""

    names: dict[str, str]
    current_code_of: dict[str, str]  # every accepted code (current or former) -> current code

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self.names)


@cache
def councils(reference_dir: Path) -> Councils:
    table = pd.read_csv(reference_dir / "local_authorities.csv", dtype=str, keep_default_na=False)
    current_code_of: dict[str, str] = {}
    for row in table.itertuples():
        current_code_of[row.la_code] = row.la_code
        for former in filter(None, row.former_codes.split(";")):
            current_code_of[former] = row.la_code
    return Councils(names=dict(zip(table.la_code, table.la_name)), current_code_of=current_code_of)


@cache
def plan_themes(reference_dir: Path) -> tuple[str, ...]:
    return tuple(pd.read_csv(reference_dir / "plan_24_30_themes.csv", dtype=str)["theme"])


@cache
def vision_statements(reference_dir: Path) -> pd.DataFrame:
    return pd.read_csv(reference_dir / "vision_statements.csv", dtype={"vision_id": int})


def code_list(name: str, reference_dir: Path) -> tuple[str, ...]:
    """Values a contract column may take when it names a reference code list."""
    if name == "local_authorities":
        return tuple(sorted(councils(reference_dir).current_code_of))
    if name == "plan_24_30_themes":
        return plan_themes(reference_dir)
    raise KeyError(f"unknown code list {name!r}")
