"""Care Inspectorate returns: restraint and seclusion incidents, and places per service.

Incidents happen to children while they are in residential houses, school care
accommodation or secure units in the care histories, at a rate that differs a
lot between children (a few children account for many incidents). Each incident
carries the placing council's code and that council's ``child_ref``, so it can be
joined to the looked after return. Seclusion is rare and mostly in school care
accommodation and secure units. Services are fictional, with Care Inspectorate
style numbers; their count and places follow the run's scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthetic import periods
from synthetic.output import AgencyFile, not_about_people
from synthetic.reference import PLACEMENT_TYPES
from synthetic.sampling import choose_by_probability, largest_remainder
from synthetic.world import World

INCIDENTS = "restraint_incidents"
PLACES = "service_places"
INCIDENT_COLUMNS = ("incident_id", "service_id", "service_type", "la_code", "child_ref", "incident_date", "practice", "duration_minutes", "injury")
PLACES_COLUMNS = ("service_id", "service_type", "la_code", "period", "places")
SERVICE_TYPES = ("residential_house", "school_care_accommodation", "secure_accommodation")
PRACTICES = ("physical_restraint", "seclusion", "other_restrictive")
# Which service a residential placement type is delivered in.
_SERVICE_OF_PLACEMENT = {
    "la_home": 0, "voluntary_home": 0, "other_residential": 0, "crisis_care": 0,
    "residential_school": 1,
    "secure_accommodation": 2,
}
SERVICES_NATIONAL = (200, 25, 5)  # residential houses, school care accommodation services, secure units
_PLACES_RANGE = ((3, 7), (8, 50), (12, 24))
INCIDENTS_PER_CHILD_YEAR = np.array([2.0, 2.6, 4.0])
_PRACTICE_MIX = np.array([[0.90, 0.005, 0.095], [0.86, 0.04, 0.10], [0.80, 0.08, 0.12]])
_MINUTES = ((8.0, 0.7, 1, 120), (45.0, 0.8, 5, 600), (15.0, 0.8, 1, 240))  # median, spread, min, max per practice
INJURY_SHARE = 0.05


@dataclass(frozen=True)
class Services:
    """The fictional care services: their Care Inspectorate style ids, type, council and usual places."""
    service_id: np.ndarray
    service_type: np.ndarray  # index into SERVICE_TYPES
    council: np.ndarray
    places: np.ndarray  # usual places per service; each year's return differs by at most one


def _services(world: World) -> Services:
    """Houses spread by need, school care accommodation by population, five secure units."""
    rng = world.rng("care_services")
    councils = world.councils
    counts = [world.scaled(SERVICES_NATIONAL[0], minimum=8), world.scaled(SERVICES_NATIONAL[1], minimum=3), SERVICES_NATIONAL[2]]
    kind = np.repeat(np.arange(3), counts)
    need = councils.child_share * councils.looked_after_rate
    council = np.concatenate([
        np.repeat(np.arange(len(councils)), largest_remainder(counts[0], need)),
        rng.choice(len(councils), size=counts[1], p=councils.child_share),
        rng.choice(len(councils), size=counts[2], replace=False, p=need / need.sum()),
    ])
    low = np.array([r[0] for r in _PLACES_RANGE])[kind]
    high = np.array([r[1] for r in _PLACES_RANGE])[kind]
    places = rng.integers(low, high + 1)
    # Secure units are national resources: their places shrink with the run so rates per place stay realistic.
    places = np.where(kind == 2, np.maximum(1, np.round(places * world.scale_factor)), places).astype(np.int64)
    registered = rng.integers(2002, 2016, size=len(kind))
    serial = rng.choice(np.arange(100, 999_999), size=len(kind), replace=False)
    service_id = np.array([f"CS{y}{n:06d}" for y, n in zip(registered, serial)], dtype=object)
    return Services(service_id=service_id, service_type=kind, council=council, places=places)


def _places_files(world: World, services: Services) -> list[AgencyFile]:
    """Places per service per calendar year, the denominator for incidents per place."""
    rng = world.rng(PLACES)
    files: list[AgencyFile] = []
    for year in periods.CALENDAR_YEARS:
        places = np.maximum(1, services.places + rng.integers(-1, 2, size=len(services.places)))
        frame = pd.DataFrame({
            "service_id": services.service_id,
            "service_type": np.array(SERVICE_TYPES, dtype=object)[services.service_type],
            "la_code": world.councils.codes[services.council],
            "period": str(year),
            "places": places.astype(str),
        }).sort_values("service_id", kind="stable").reset_index(drop=True)
        files.append(AgencyFile("CI", PLACES, str(year), frame[list(PLACES_COLUMNS)], not_about_people(len(frame))))
    return files


def _incident_files(world: World, services: Services) -> list[AgencyFile]:
    """Incidents per residential placement and calendar year, Poisson on days in the service."""
    rng = world.rng(INCIDENTS)
    pop, councils = world.population, world.councils
    placements = world.care.placements
    service_of_type = np.full(len(PLACEMENT_TYPES), -1)
    for name, kind in _SERVICE_OF_PLACEMENT.items():
        service_of_type[PLACEMENT_TYPES.index(name)] = kind
    kind = service_of_type[placements["type"].to_numpy()]
    residential = placements[(kind >= 0) & world.reported[placements["person"].to_numpy()]].copy()
    residential["kind"] = service_of_type[residential["type"].to_numpy()]
    # Each placement is in one service: houses usually in the child's own council.
    service = np.empty(len(residential), dtype=np.int64)
    person_council = pop.council[residential["person"].to_numpy()]
    for index, (k, c) in enumerate(zip(residential["kind"].to_numpy(), person_council)):
        local = np.flatnonzero((services.service_type == k) & (services.council == c))
        pool = local if (k == 0 and len(local) and rng.random() < 0.7) else np.flatnonzero(services.service_type == k)
        service[index] = pool[rng.integers(0, len(pool))]
    residential["service"] = service
    propensity = rng.gamma(0.6, 1 / 0.6, size=len(pop))  # a few children are restrained far more than others
    files: list[AgencyFile] = []
    for year in periods.CALENDAR_YEARS:
        first, last = periods.day(year, 1, 1), periods.day(year, 12, 31)
        begin = np.maximum(residential["start"].to_numpy(), first)
        end = np.minimum(np.minimum(residential["end"].to_numpy(), periods.HORIZON_END), last)
        days = np.maximum(end - begin, 0)
        expected = days / 365.0 * INCIDENTS_PER_CHILD_YEAR[residential["kind"].to_numpy()] * propensity[residential["person"].to_numpy()]
        count = rng.poisson(expected)
        if count.sum() == 0:
            count[np.argmax(expected)] = 1  # the pipeline refuses empty files
        row = np.repeat(np.arange(len(residential)), count)
        when = begin[row] + np.floor(rng.random(len(row)) * np.maximum(days[row], 1)).astype(np.int64)
        service_kind = residential["kind"].to_numpy()[row]
        practice = choose_by_probability(rng, _PRACTICE_MIX[service_kind])
        median, spread, shortest, longest = (np.array(column)[practice] for column in zip(*_MINUTES))
        minutes = np.clip(np.round(median * np.exp(spread * rng.normal(size=len(row)))), shortest, longest)
        person = residential["person"].to_numpy()[row]
        frame = pd.DataFrame({
            "incident_id": "",
            "service_id": services.service_id[residential["service"].to_numpy()[row]],
            "service_type": np.array(SERVICE_TYPES, dtype=object)[service_kind],
            "la_code": councils.codes[pop.council[person]],
            "child_ref": world.care.child_ref[person],
            "incident_date": periods.iso(when),
            "practice": np.array(PRACTICES, dtype=object)[practice],
            "duration_minutes": minutes.astype(np.int64).astype(str),
            "injury": np.where(rng.random(len(row)) < INJURY_SHARE, "Y", "N"),
            "_person": person,
        }).sort_values(["incident_date", "service_id", "child_ref"], kind="stable").reset_index(drop=True)
        frame["incident_id"] = [f"CI-RI-{year}-{n:06d}" for n in range(1, len(frame) + 1)]
        files.append(AgencyFile("CI", INCIDENTS, str(year), frame[list(INCIDENT_COLUMNS)], frame["_person"].to_numpy()))
    return files


def build(world: World) -> list[AgencyFile]:
    """Incidents first, then the places they are compared with."""
    services = _services(world)
    return _incident_files(world, services) + _places_files(world, services)
