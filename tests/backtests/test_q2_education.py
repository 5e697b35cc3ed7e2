"""Backtest: leavers' destinations (care-experienced, all, the gap) and exclusions, worked out by hand.

School year 2020-21 = social work year 2021. Looked after returns: P1, P2, P6 (twice: two
placements) in 2021; P3 only in 2020 (looked after the year before, not in the last school
year, so not care-experienced here).

leaver  council  person  sex  initial             follow-up              care-experienced
L1      A        P1      F    employment          employment             yes
L2      A        P2      M    unemployed_seeking  training               yes
L3      A        P3      F    higher_education    higher_education       no
L4      A        P4      M    unknown             (not followed up)      no
L5      A        P5      M    further_education   unemployed_not_seeking no
L6      B        P6      F    training            training               yes
L7      B        P7      M    employment          employment             no
L8      B        (unlinked) F voluntary_work      voluntary_work         no

Exclusions 2020-21: A: P1 twice (born 2008-03; Nov 2020 and Feb 2021, age 12 both), P9 once
(born 2012-05, May 2021, age 9); B: P6 once (born 2005-01, Sep 2020, age 15). Angus (C)
excluded nobody and still has a row of 0 (population estimates list every council).
"""

from __future__ import annotations

from backtest_tables import ABERDEEN_CITY as A
from backtest_tables import ABERDEENSHIRE as B
from backtest_tables import ANGUS as C
from backtest_tables import SCOTLAND, assert_figures, population_csv

from assets.measures import education

LOOKED_AFTER = """
person_id,year_ending
P1,2021
P2,2021
P3,2020
P6,2021
P6,2021
"""

LEAVERS = f"""
person_id,la_code,sex,leaver_year,initial_destination,followup_destination
P1,{A},F,2020-21,employment,employment
P2,{A},M,2020-21,unemployed_seeking,training
P3,{A},F,2020-21,higher_education,higher_education
P4,{A},M,2020-21,unknown,
P5,{A},M,2020-21,further_education,unemployed_not_seeking
P6,{B},F,2020-21,training,training
P7,{B},M,2020-21,employment,employment
,{B},F,2020-21,voluntary_work,voluntary_work
"""

EXCLUSIONS = f"""
person_id,birth_year,birth_month,la_code,school_year,exclusion_date
P1,2008,3,{A},2020-21,2020-11-10
P1,2008,3,{A},2020-21,2021-02-01
P9,2012,5,{A},2020-21,2021-05-20
P6,2005,1,{B},2020-21,2020-09-01
"""


def _warehouse(analysis_warehouse):
    return analysis_warehouse(
        looked_after_episodes=LOOKED_AFTER, school_leavers=LEAVERS, school_exclusions=EXCLUSIONS,
        population_estimates=population_csv({A: 1, B: 1, C: 1}, (2021,)),
    )


def test_positive_initial_destinations_and_gap(analysis_warehouse) -> None:
    con = _warehouse(analysis_warehouse)
    # Care-experienced: A L1 yes, L2 no -> 1/2 = 50.0 (F 1/1, M 0/1); B L6 yes -> 1/1 (no M: no row);
    # Scotland 2/3 = 66.7, F 2/2, M 0/1.
    assert_figures(education.leavers_positive_initial_destination_care_experienced(con), f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2020-21,{A},total,total,1,2,50.0
        2020-21,{A},sex,F,1,1,100.0
        2020-21,{A},sex,M,0,1,0.0
        2020-21,{B},total,total,1,1,100.0
        2020-21,{B},sex,F,1,1,100.0
        2020-21,{SCOTLAND},total,total,2,3,66.7
        2020-21,{SCOTLAND},sex,F,2,2,100.0
        2020-21,{SCOTLAND},sex,M,0,1,0.0
    """)
    # All: A L1, L3, L5 of 5 -> 60.0 (F 2/2, M L5 of L2, L4, L5 -> 33.3); B 3/3; Scotland 6/8 = 75.0, F 4/4, M 2/4.
    assert_figures(education.leavers_positive_initial_destination_all(con), f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2020-21,{A},total,total,3,5,60.0
        2020-21,{A},sex,F,2,2,100.0
        2020-21,{A},sex,M,1,3,33.3
        2020-21,{B},total,total,3,3,100.0
        2020-21,{B},sex,F,2,2,100.0
        2020-21,{B},sex,M,1,1,100.0
        2020-21,{SCOTLAND},total,total,6,8,75.0
        2020-21,{SCOTLAND},sex,F,4,4,100.0
        2020-21,{SCOTLAND},sex,M,2,4,50.0
    """)
    # Gap = all minus care-experienced, carrying the care-experienced counts:
    # A 60.0 - 50.0 = 10.0, F 0.0, M 33.3 - 0.0; B 0.0; Scotland 75.0 - 66.7 = 8.3, F 0.0, M 50.0.
    assert_figures(education.leavers_positive_initial_destination_gap(con), f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2020-21,{A},total,total,1,2,10.0
        2020-21,{A},sex,F,1,1,0.0
        2020-21,{A},sex,M,0,1,33.3
        2020-21,{B},total,total,1,1,0.0
        2020-21,{B},sex,F,1,1,0.0
        2020-21,{SCOTLAND},total,total,2,3,8.3
        2020-21,{SCOTLAND},sex,F,2,2,0.0
        2020-21,{SCOTLAND},sex,M,0,1,50.0
    """)


def test_positive_followup_destinations_count_only_leavers_followed_up(analysis_warehouse) -> None:
    con = _warehouse(analysis_warehouse)
    # All followed up (L4 is not): A L1, L2, L3 of L1, L2, L3, L5 -> 75.0 (F 2/2, M L2 of L2, L5 -> 50.0); B 3/3;
    # Scotland 6/7 = 85.7, F 4/4, M 2/3 = 66.7. Care-experienced: all positive (A 2/2, B 1/1, Scotland 3/3).
    assert_figures(education.leavers_positive_followup_destination_all(con), f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2020-21,{A},total,total,3,4,75.0
        2020-21,{A},sex,F,2,2,100.0
        2020-21,{A},sex,M,1,2,50.0
        2020-21,{B},total,total,3,3,100.0
        2020-21,{B},sex,F,2,2,100.0
        2020-21,{B},sex,M,1,1,100.0
        2020-21,{SCOTLAND},total,total,6,7,85.7
        2020-21,{SCOTLAND},sex,F,4,4,100.0
        2020-21,{SCOTLAND},sex,M,2,3,66.7
    """)
    # Gap: A 75.0 - 100.0 = -25.0, M 50.0 - 100.0 = -50.0; Scotland 85.7 - 100.0 = -14.3, M 66.7 - 100.0 = -33.3.
    assert_figures(education.leavers_positive_followup_destination_gap(con), f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2020-21,{A},total,total,2,2,-25.0
        2020-21,{A},sex,F,1,1,0.0
        2020-21,{A},sex,M,1,1,-50.0
        2020-21,{B},total,total,1,1,0.0
        2020-21,{B},sex,F,1,1,0.0
        2020-21,{SCOTLAND},total,total,3,3,-14.3
        2020-21,{SCOTLAND},sex,F,2,2,0.0
        2020-21,{SCOTLAND},sex,M,1,1,-33.3
    """)


def test_exclusions_care_experienced_and_all(analysis_warehouse) -> None:
    con = _warehouse(analysis_warehouse)
    # Care-experienced: A P1 twice (12-15), B P6 (12-15), C none -> 2, 1, 0; Scotland 3 (nobody 5-11: no row).
    assert_figures(education.school_exclusions_care_experienced(con), f"""
        period,geography_code,breakdown,category,numerator
        2020-21,{A},total,total,2
        2020-21,{A},age_band,12-15,2
        2020-21,{B},total,total,1
        2020-21,{B},age_band,12-15,1
        2020-21,{C},total,total,0
        2020-21,{C},age_band,12-15,0
        2020-21,{SCOTLAND},total,total,3
        2020-21,{SCOTLAND},age_band,12-15,3
    """)
    # All: A 3 (12-15 2, 5-11 1), B 1, C 0; Scotland 4 (12-15 3, 5-11 1).
    assert_figures(education.school_exclusions_all(con), f"""
        period,geography_code,breakdown,category,numerator
        2020-21,{A},total,total,3
        2020-21,{A},age_band,12-15,2
        2020-21,{A},age_band,5-11,1
        2020-21,{B},total,total,1
        2020-21,{B},age_band,12-15,1
        2020-21,{B},age_band,5-11,0
        2020-21,{C},total,total,0
        2020-21,{C},age_band,12-15,0
        2020-21,{C},age_band,5-11,0
        2020-21,{SCOTLAND},total,total,4
        2020-21,{SCOTLAND},age_band,12-15,3
        2020-21,{SCOTLAND},age_band,5-11,1
    """)
