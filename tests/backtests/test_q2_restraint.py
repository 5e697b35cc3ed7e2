"""Backtest: restraint incidents (by placing council) and incidents per place (by the service's council).

Services: SV1 residential house in Aberdeen City (A), 4 places in 2021 and 2022; SV2 school
care accommodation in Aberdeenshire (B), 10 places in 2021 only; SV3 secure unit in B, 5
places in 2021. Incidents:
  I1 SV1 placed by A physical_restraint 2021-01-05
  I2 SV1 placed by B seclusion          2021-06-01
  I3 SV2 placed by A physical_restraint 2021-12-31
  I4 SV2 placed by A other_restrictive  2021-03-03
  I5 SV2 placed by Angus (C) physical   2021-02-02
  I6 SV2 placed by B physical           2022-01-01 (SV2 reported no places for 2022: in the count, not the rate)
"""

from __future__ import annotations

from backtest_tables import ABERDEEN_CITY as A
from backtest_tables import ABERDEENSHIRE as B
from backtest_tables import ANGUS as C
from backtest_tables import SCOTLAND, assert_figures, population_csv

from assets.measures.restraint import restraint_incidents, restraint_incidents_per_place

INCIDENTS = f"""
incident_id_key,service_id,la_code,incident_date,practice
I1,SV1,{A},2021-01-05,physical_restraint
I2,SV1,{B},2021-06-01,seclusion
I3,SV2,{A},2021-12-31,physical_restraint
I4,SV2,{A},2021-03-03,other_restrictive
I5,SV2,{C},2021-02-02,physical_restraint
I6,SV2,{B},2022-01-01,physical_restraint
"""

PLACES = f"""
service_id,service_type,la_code,period,places
SV1,residential_house,{A},2021,4
SV1,residential_house,{A},2022,4
SV2,school_care_accommodation,{B},2021,10
SV3,secure_accommodation,{B},2021,5
"""


def _warehouse(analysis_warehouse):
    return analysis_warehouse(
        restraint_incidents=INCIDENTS, service_places=PLACES, population_estimates=population_csv({A: 1, B: 1, C: 1}, (2021,)),
    )


def test_incidents_by_placing_council(analysis_warehouse) -> None:
    # 2021: A I1, I3 physical, I4 other -> 3; B I2 seclusion -> 1; C I5 physical -> 1; Scotland 5 (3, 1, 1).
    # 2022: B I6 -> 1; A and C 0 (only physical seen in 2022).
    assert_figures(restraint_incidents(_warehouse(analysis_warehouse)), f"""
        period,geography_code,breakdown,category,numerator
        2021,{A},total,total,3
        2021,{A},practice,physical_restraint,2
        2021,{A},practice,other_restrictive,1
        2021,{A},practice,seclusion,0
        2021,{B},total,total,1
        2021,{B},practice,physical_restraint,0
        2021,{B},practice,other_restrictive,0
        2021,{B},practice,seclusion,1
        2021,{C},total,total,1
        2021,{C},practice,physical_restraint,1
        2021,{C},practice,other_restrictive,0
        2021,{C},practice,seclusion,0
        2021,{SCOTLAND},total,total,5
        2021,{SCOTLAND},practice,physical_restraint,3
        2021,{SCOTLAND},practice,other_restrictive,1
        2021,{SCOTLAND},practice,seclusion,1
        2022,{A},total,total,0
        2022,{A},practice,physical_restraint,0
        2022,{B},total,total,1
        2022,{B},practice,physical_restraint,1
        2022,{C},total,total,0
        2022,{C},practice,physical_restraint,0
        2022,{SCOTLAND},total,total,1
        2022,{SCOTLAND},practice,physical_restraint,1
    """)


def test_incidents_per_place_by_service_council(analysis_warehouse) -> None:
    # 2021: A SV1 I1, I2 -> 2 / 4 = 0.5. B SV2 I3, I4, I5 -> 3 / 10 = 0.3, SV3 0 / 5 = 0.0, B 3 / 15 = 0.2.
    # Scotland 5 / 19 = 0.26 (two places: per place is small). No rate where a council has no places of a type.
    # 2022: A SV1 0 / 4 = 0.0 (I6 is in SV2, which has no 2022 places).
    assert_figures(restraint_incidents_per_place(_warehouse(analysis_warehouse)), f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2021,{A},total,total,2,4,0.5
        2021,{A},service_type,residential_house,2,4,0.5
        2021,{B},total,total,3,15,0.2
        2021,{B},service_type,school_care_accommodation,3,10,0.3
        2021,{B},service_type,secure_accommodation,0,5,0.0
        2021,{SCOTLAND},total,total,5,19,0.26
        2021,{SCOTLAND},service_type,residential_house,2,4,0.5
        2021,{SCOTLAND},service_type,school_care_accommodation,3,10,0.3
        2021,{SCOTLAND},service_type,secure_accommodation,0,5,0.0
        2022,{A},total,total,0,4,0.0
        2022,{A},service_type,residential_house,0,4,0.0
        2022,{SCOTLAND},total,total,0,4,0.0
        2022,{SCOTLAND},service_type,residential_house,0,4,0.0
    """)
