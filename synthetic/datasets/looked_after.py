"""Councils' looked after children returns: one row per placement overlapping the year.

A file for year ending Y holds every placement that was open at some point from
1 August Y-1 to 31 July Y. Ends after 31 July Y are not yet known to the council
and are left empty, as are the reasons and destinations of episodes still
running. The four councils recoded in 2018-19 still use their former code in the
``la_code`` column of the 2019 return (the pipeline maps it on ingest); folders
and file names always use the current code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic import periods
from synthetic.care_histories import DESTINATIONS, LEGAL_REASONS, REASONS_ENDED
from synthetic.output import AgencyFile
from synthetic.population import DISABILITY_CODES, ETHNICITY_CODES
from synthetic.reference import PLACEMENT_TYPES
from synthetic.world import World

DATASET = "looked_after_episodes"
COLUMNS = (
    "la_code", "year_ending", "child_ref", "scn", "chi", "forename", "surname", "date_of_birth", "sex", "postcode",
    "ethnicity", "disability", "sibling_group_ref", "episode_start", "episode_end", "legal_reason", "placement_type",
    "placement_start", "placement_end", "placement_outside_scotland", "reason_ended", "destination_on_leaving", "continuing_care",
)
FORMER_CODE_YEAR = 2019
_IDENTIFIERS = ("scn", "chi", "forename", "surname", "date_of_birth", "sex", "postcode")


def _sibling_group_numbers(world: World) -> dict[int, int]:
    """A stable number for each family with two or more children ever looked after."""
    episodes = world.care.episodes
    families = pd.DataFrame({"family": world.population.family[episodes["person"].to_numpy()], "person": episodes["person"].to_numpy()})
    sizes = families.drop_duplicates().groupby("family").size()
    groups = sizes[sizes >= 2].index.to_numpy()
    offset = int(world.rng("sibling_groups").integers(1, 500))
    return {int(f): offset + i for i, f in enumerate(np.sort(groups))}


def build(world: World) -> list[AgencyFile]:
    """One file per council and year ending 31 July, rows ordered by child and placement start."""
    pop, councils, care = world.population, world.councils, world.care
    rng = world.rng(DATASET)
    placements = care.placements.join(care.episodes.drop(columns="person"), on="episode", rsuffix="_episode")
    group_numbers = _sibling_group_numbers(world)
    files: list[AgencyFile] = []
    for year in periods.SOCIAL_WORK_YEARS:
        on, start = periods.census_day(year), periods.year_start(year)
        rows = placements[(placements["start"] <= on) & (placements["end"] >= start)]
        person = rows["person"].to_numpy()
        children = np.unique(person)
        # One record per child per return: every placement row repeats the same (possibly mistyped) identifiers.
        identifiers = world.errors.apply(DATASET, rng, children, on, _IDENTIFIERS)
        record = np.searchsorted(children, person)
        family = pop.family[person]
        council = rows["council"].to_numpy()
        brothers_and_sisters = pd.DataFrame({"c": council, "f": family, "p": person}).groupby(["c", "f"])["p"].transform("nunique").to_numpy()
        sibling_ref = np.full(len(person), "", dtype=object)
        grouped = np.flatnonzero(brothers_and_sisters >= 2)
        sibling_ref[grouped] = [f"{councils.codes[c]}-SG{group_numbers[int(f)]:05d}" for c, f in zip(council[grouped], family[grouped])]
        episode_end = rows["end_episode"].to_numpy()
        ended = episode_end <= on
        la_code = councils.codes[council].copy()
        if year == FORMER_CODE_YEAR:
            former = councils.former_codes[council]
            la_code = np.where(former != "", former, la_code)
        frame = pd.DataFrame({
            "la_code": la_code,
            "year_ending": str(year),
            "child_ref": care.child_ref[person],
            **{name: identifiers[name][record] for name in ("scn", "chi", "forename", "surname", "date_of_birth", "sex", "postcode")},
            "ethnicity": np.array(ETHNICITY_CODES, dtype=object)[pop.ethnicity[person]],
            "disability": np.array(DISABILITY_CODES, dtype=object)[pop.disability[person]],
            "sibling_group_ref": sibling_ref,
            "episode_start": periods.iso(rows["start_episode"].to_numpy()),
            "episode_end": periods.iso(np.where(ended, episode_end, periods.OPEN)),
            "legal_reason": np.array(LEGAL_REASONS, dtype=object)[rows["legal"].to_numpy()],
            "placement_type": np.array(PLACEMENT_TYPES, dtype=object)[rows["type"].to_numpy()],
            "placement_start": periods.iso(rows["start"].to_numpy()),
            "placement_end": periods.iso(np.where(rows["end"].to_numpy() <= on, rows["end"].to_numpy(), periods.OPEN)),
            "placement_outside_scotland": np.where(rows["outside"].to_numpy(), "Y", "N"),
            "reason_ended": np.where(ended, np.array(REASONS_ENDED, dtype=object)[rows["reason"].to_numpy()], ""),
            "destination_on_leaving": np.where(ended, np.array(DESTINATIONS, dtype=object)[rows["destination"].to_numpy()], ""),
            "continuing_care": np.where(ended & rows["continuing_care"].to_numpy(), "Y", "N"),
        })
        frame["_person"] = person
        frame["_council"] = council
        frame = frame.sort_values(["child_ref", "placement_start"], kind="stable")
        for index, part in frame.groupby("_council", sort=True):
            files.append(AgencyFile(
                agency=councils.codes[index], dataset=DATASET, period=str(year),
                rows=part[list(COLUMNS)].reset_index(drop=True), persons=part["_person"].to_numpy(),
            ))
    return files


def looked_after_31_july(world: World) -> pd.DataFrame:
    """True children looked after at each 31 July by council (current code) and placement type."""
    councils = world.councils
    frames = []
    for year in periods.SOCIAL_WORK_YEARS:
        stock = world.care.at_census(year)
        council = world.population.council[stock["person"].to_numpy()].astype(np.int64)
        counts = np.bincount(council * len(PLACEMENT_TYPES) + stock["type"].to_numpy(), minlength=len(councils) * len(PLACEMENT_TYPES))
        frames.append(pd.DataFrame({
            "year_ending": year,
            "la_code": np.repeat(councils.codes, len(PLACEMENT_TYPES)),
            "placement_type": np.tile(PLACEMENT_TYPES, len(councils)),
            "children": counts,
        }))
    return pd.concat(frames, ignore_index=True)
