"""Public reference tables read from the shared folder (never hard-coded in the pipeline).

The councils and code lists are read with the standard library: the contract checks need them,
and an agency's ``story check`` should not wait for pandas to load.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
    rows = _rows(reference_dir / "local_authorities.csv")
    current_code_of: dict[str, str] = {}
    for row in rows:
        current_code_of[row["la_code"]] = row["la_code"]
        for former in filter(None, row["former_codes"].split(";")):
            current_code_of[former] = row["la_code"]
    return Councils(names={row["la_code"]: row["la_name"] for row in rows}, current_code_of=current_code_of)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


ROUTE_MAPS = "plan_24_30_route_maps.csv"  # the Plan 24-30 themes (route maps), with where Scotland needs to be by 2030


@cache
def plan_themes(reference_dir: Path) -> tuple[str, ...]:
    return tuple(row["theme"] for row in _rows(reference_dir / ROUTE_MAPS))


@cache
def route_maps(reference_dir: Path) -> pd.DataFrame:
    """One row per theme: ``foundation, theme, where_scotland_needs_to_be_by_2030, wording_from, complete``
    (``complete`` says "yes", or how the wording was cut off or not found)."""
    import pandas as pd

    return pd.read_csv(reference_dir / ROUTE_MAPS, dtype=str, keep_default_na=False)


@cache
def vision_statements(reference_dir: Path) -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(reference_dir / "vision_statements.csv", dtype={"vision_id": int})


@cache
def progress_framework_outcomes(reference_dir: Path) -> pd.DataFrame:
    """The Promise Progress Framework's published outcomes (only some visions have them)."""
    return _table(reference_dir / "ppf_outcomes.csv", vision_id=int)


@cache
def progress_framework_indicators(reference_dir: Path) -> pd.DataFrame:
    """The indicators published under those outcomes, with their data source."""
    return _table(reference_dir / "ppf_indicators.csv", vision_id=int)


@cache
def core_wellbeing_indicators(reference_dir: Path) -> pd.DataFrame:
    """The known core wellbeing indicators, by side of the GIRFEC My World Triangle."""
    return _table(reference_dir / "core_wellbeing_indicators.csv")


def _table(path: Path, **types) -> pd.DataFrame:
    """A reference table as text (empty cells as ''), its id columns typed as given."""
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False).astype(types)


def code_list(name: str, reference_dir: Path) -> tuple[str, ...]:
    """Values a contract column may take when it names a reference code list."""
    if name == "local_authorities":
        return tuple(sorted(councils(reference_dir).current_code_of))
    if name == "plan_24_30_route_maps":
        return plan_themes(reference_dir)
    raise KeyError(f"unknown code list {name!r}")


# The grouping the benchmarking framework uses for children's services, social work and housing.
CHILDRENS_SERVICES_SCHEME = "people_services"
FAMILY_GROUP_SOURCE = "the Improvement Service's Local Government Benchmarking Framework (improvementservice.org.uk, \"How do we compare councils?\")"


@dataclass(frozen=True)
class FamilyGroups:
    """One scheme of the benchmarking framework's family groups: councils serving like populations."""

    scheme: str
    group_of: dict[str, int]  # council code -> family group number

    def members(self, group: int) -> tuple[str, ...]:
        return tuple(code for code, g in self.group_of.items() if g == group)


@cache
def family_groups(reference_dir: Path, scheme: str = CHILDRENS_SERVICES_SCHEME) -> FamilyGroups:
    """The family groups of ``scheme``; a council the source does not place is left out, never guessed."""
    rows = [r for r in _rows(reference_dir / "council_family_groups.csv") if r["scheme"] == scheme]
    if not rows:
        raise KeyError(f"no family groups of scheme {scheme!r} in council_family_groups.csv")
    return FamilyGroups(scheme=scheme, group_of={r["la_code"]: int(r["family_group"]) for r in rows if r["family_group"].strip()})
