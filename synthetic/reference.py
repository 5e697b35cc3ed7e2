"""The shared reference tables the generator reads instead of hard-coding.

Councils, Plan 24-30 themes (the route maps), vision statements, published national indicator
values (and the Promise Progress Framework dashboard's) and the published looked-after-by-placement table live in the shared
folder beside the repository (``STORY_SHARED_DIR`` overrides it), so that the
synthetic world and the pipeline agree on codes without copying them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

PLACEMENT_TYPES: tuple[str, ...] = (
    "at_home_with_parents",
    "kinship_friends_relatives",
    "foster_provided_by_la",
    "foster_purchased_by_la",
    "prospective_adopters",
    "other_community",
    "la_home",
    "voluntary_home",
    "residential_school",
    "secure_accommodation",
    "crisis_care",
    "other_residential",
)


def shared_dir() -> Path:
    """The shared folder: ``STORY_SHARED_DIR`` or ``shared/`` beside the repository."""
    configured = os.environ.get("STORY_SHARED_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[1].parent / "shared"


@dataclass(frozen=True)
class Reference:
    """The reference tables, read once per run."""

    local_authorities: pd.DataFrame
    themes: pd.DataFrame
    vision_statements: pd.DataFrame
    indicator_values: pd.DataFrame
    looked_after_by_placement: pd.DataFrame

    @classmethod
    def load(cls, folder: Path | None = None) -> "Reference":
        """Read every reference table as text, so codes keep their leading zeros and exact spelling."""
        folder = (folder or shared_dir()) / "reference"

        def read(name: str) -> pd.DataFrame:
            return pd.read_csv(folder / name, dtype=str, keep_default_na=False)

        placement = read("looked_after_by_placement_national.csv")
        placement["year_ending_31_july"] = placement["year_ending_31_july"].astype(int)
        placement["children"] = placement["children"].astype(int)
        return cls(
            local_authorities=read("local_authorities.csv"),
            themes=read("plan_24_30_route_maps.csv"),
            vision_statements=read("vision_statements.csv"),
            # The Promise Progress Framework dashboard's values are sent like the national ones.
            indicator_values=pd.concat([read("national_indicator_values.csv"), read("ppf_dashboard_indicator_values.csv")], ignore_index=True),
            looked_after_by_placement=placement,
        )

    def looked_after_totals(self) -> dict[int, int]:
        """Published children looked after at 31 July by year, latest vintage of each year."""
        rows = self.indicator_values[self.indicator_values["indicator_id"] == "looked_after_31_july"]
        latest = rows.sort_values("vintage").groupby("period").tail(1)
        return {int(p): int(float(v)) for p, v in zip(latest["period"], latest["value"])}

    def placement_shares(self) -> pd.Series:
        """Average published share of the looked after stock in each placement type."""
        table = self.looked_after_by_placement
        by_year = table.pivot_table(index="year_ending_31_july", columns="placement_type", values="children", aggfunc="sum")
        shares = by_year.div(by_year.sum(axis=1), axis=0).mean(axis=0)
        return shares.reindex(list(PLACEMENT_TYPES)).fillna(0.0)
