"""Q2 measures of restraint and seclusion of children in care services (Care Inspectorate returns).

Each incident carries the code of the council that placed the child, and each service its
own council and its places for the calendar year. The two measures use those two
geographies on purpose: incidents by placing council (what happens to a council's
children, wherever they live), and incidents per place by the council where the service is
(how restrictive services are, in proportion to their size). Councils with no residential,
school care or secure service have no per-place figure, and an incident in a service with no
places reported for that year is in the count but cannot be in the rate.

They share no breakdown, so no figure is published in both with different suppression:
the count is broken down by practice (physical restraint, seclusion, other restrictive
practice), the rate by type of service. Periods are calendar years, as the returns are.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from assets.measures.long_format import FIGURE, NO_DEPRIVATION, counts_by_breakdown, every_council_in_periods_of
from assets.model.measures import measure

INCIDENTS_BY_PLACING_COUNCIL = """
(SELECT CAST(year(incident_date) AS VARCHAR) AS period, la_code, practice FROM analysis.restraint_incidents)
"""

# Services with places in a year, with that year's incidents in them (none gives a row of 0).
SERVICE_YEARS = """
(SELECT CAST(p.period AS VARCHAR) AS period, p.la_code, p.service_type, p.places,
        count(i.service_id) AS incidents
 FROM analysis.service_places AS p
 LEFT JOIN analysis.restraint_incidents AS i
   ON i.service_id = p.service_id AND year(i.incident_date) = p.period
 GROUP BY ALL)
"""


@measure(
    id="restraint_incidents",
    question="Q2",
    vision_id=5,
    title="Restraint and seclusion incidents involving children placed by the council",
    numerator="Incidents of physical restraint, seclusion or other restrictive practice reported to the Care Inspectorate in the calendar year, by the council that placed the child." + NO_DEPRIVATION,
    denominator=None,
    unit="incidents",
    breakdowns=("practice",),
    desired_direction="down",
    baseline_period="2020",
    counted_in="calendar_year",
    sources=("restraint_incidents", "population_estimates"),
    progress_framework=("V5-O1",),
)
def restraint_incidents(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return counts_by_breakdown(con, INCIDENTS_BY_PLACING_COUNCIL, ("practice",), reporting=every_council_in_periods_of(INCIDENTS_BY_PLACING_COUNCIL))


@measure(
    id="restraint_incidents_per_place",
    question="Q2",
    vision_id=5,
    title="Restraint and seclusion incidents per place in residential, school care and secure services",
    numerator="Incidents of restraint, seclusion or other restrictive practice in the calendar year in services in the council." + NO_DEPRIVATION,
    denominator="Places registered in those services for the year (Care Inspectorate)",
    unit="per place",
    breakdowns=("service_type",),
    desired_direction="down",
    baseline_period="2020",
    counted_in="calendar_year",
    sources=("restraint_incidents", "service_places"),
    progress_framework=("V5-O1",),
)
def restraint_incidents_per_place(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    incidents = counts_by_breakdown(con, SERVICE_YEARS, ("service_type",), count="sum(incidents)")
    places = counts_by_breakdown(con, SERVICE_YEARS, ("service_type",), count="sum(places)").rename(columns={"numerator": "denominator"})
    # A council has no places of a type it has no service of: no rate, rather than 0 of 0.
    rates = incidents.merge(places[places["denominator"] > 0], on=FIGURE)
    rates["value"] = (rates["numerator"] / rates["denominator"]).astype("Float64").round(2)
    return rates
