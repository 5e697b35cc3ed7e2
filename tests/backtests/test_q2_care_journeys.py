"""Backtest: Q2 measures from looked after returns, against figures worked out by hand.

Aberdeen City (A, S12000033) and Aberdeenshire (B, S12000034) send returns for the year
ending 31 July 2021 (1 Aug 2020 - 31 Jul 2021); only B sends one for 2020 (child b3).
Ages are at the end of the month (year and month of birth only).

Method notes: docs/synthetic.md, "Notes on `tests/backtests/test_q2_care_journeys.py`".
"""

from __future__ import annotations

from backtest_tables import ABERDEEN_CITY as A
from backtest_tables import ABERDEENSHIRE as B
from backtest_tables import SCOTLAND, assert_figures, population_csv

from assets.measures.care_journeys import (
    ceased_looked_after_rate_per_1000,
    continuing_care_uptake_share,
    started_looked_after_rate_per_1000,
    three_or_more_placements_share,
)
from assets.measures.looked_after import looked_after_family_settings_share
from assets.measures.siblings import siblings_living_together

HEADER = "la_code,year_ending,child_ref_key,person_id,birth_year,birth_month,sex,sibling_group_ref_key,episode_start,episode_end,placement_type,placement_start,placement_end,continuing_care"
EPISODES = f"""
{HEADER}
{A},2021,a1,P1,2015,3,F,A-SG3,2019-05-01,,foster_provided_by_la,2019-05-01,2020-09-10,N
{A},2021,a1,P1,2015,3,F,A-SG3,2019-05-01,,la_home,2020-09-10,2021-02-01,N
{A},2021,a1,P1,2015,3,F,A-SG3,2019-05-01,,kinship_friends_relatives,2021-02-01,,N
{A},2021,a2,P2,2005,10,M,,2020-10-01,2021-03-15,foster_provided_by_la,2020-10-01,2021-03-15,N
{A},2021,a3,P3,2003,6,M,,2018-01-01,2021-06-20,foster_provided_by_la,2019-01-01,2021-06-20,Y
{A},2021,a4,P4,2004,12,F,A-SG3,2017-05-01,2021-01-10,at_home_with_parents,2017-05-01,2021-01-10,N
{A},2021,a5,P5,2004,2,F,,2016-01-01,2021-04-30,la_home,2016-01-01,2021-04-30,N
{A},2021,a6,P6,2019,8,M,A-SG1,2020-08-01,,foster_provided_by_la,2020-08-01,,N
{A},2021,a7,P7,2017,1,F,A-SG1,2020-08-01,,foster_provided_by_la,2020-08-01,,N
{A},2021,a8,P8,2010,5,M,,2020-09-01,2020-11-01,crisis_care,2020-09-01,2020-11-01,N
{A},2021,a8,P8,2010,5,M,,2021-01-05,,at_home_with_parents,2021-01-05,,N
{A},2021,a9,P9,2012,9,M,A-SG2,2019-03-01,,kinship_friends_relatives,2019-03-01,,N
{A},2021,a10,P10,2014,4,F,A-SG2,2019-03-01,,kinship_friends_relatives,2019-03-01,,N
{A},2021,a11,P11,2008,11,M,A-SG2,2019-06-01,,foster_purchased_by_la,2019-06-01,,N
{B},2021,b1,P12,2004,6,F,,2020-12-01,,foster_provided_by_la,2020-12-01,2021-01-15,N
{B},2021,b1,P12,2004,6,F,,2020-12-01,,crisis_care,2021-01-15,2021-02-01,N
{B},2021,b1,P12,2004,6,F,,2020-12-01,,residential_school,2021-02-01,,N
{B},2021,b2,P13,2020,2,M,,2021-07-31,,foster_provided_by_la,2021-07-31,,N
{B},2020,b3,P14,2010,1,M,,2019-09-01,,kinship_friends_relatives,2019-09-01,,N
{B},2021,b3,P14,2010,1,M,,2019-09-01,,kinship_friends_relatives,2019-09-01,,N
"""


def _warehouse(analysis_warehouse):
    return analysis_warehouse(looked_after_episodes=EPISODES, population_estimates=population_csv({A: 250, B: 125}, (2020, 2021)))


def test_family_settings_share(analysis_warehouse) -> None:
    # On 31 July 2021. A: a1 kin, a8 home, a9 kin, a10 kin of 7 -> 4/7 = 57.1; F a1,a10 of a1,a7,a10 -> 2/3;
    # M a8,a9 of a6,a8,a9,a11 -> 2/4; 0-4 (a6,a7) 0/2; 5-11 (a1,a8,a9,a10) 4/4; 12-15 (a11) 0/1; no 16-17 -> no row.
    # B: b3 kin of b1,b2,b3 -> 1/3; F (b1) 0/1; M 1/2; 0-4 (b2) 0/1; 5-11 (b3) 1/1; 16-17 (b1) 0/1.
    # 2020: B only, b3 -> 1/1 (F has nobody -> no row).
    assert_figures(looked_after_family_settings_share(_warehouse(analysis_warehouse)), f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2020,{B},total,total,1,1,100.0
        2020,{B},sex,M,1,1,100.0
        2020,{B},age_band,5-11,1,1,100.0
        2020,{SCOTLAND},total,total,1,1,100.0
        2020,{SCOTLAND},sex,M,1,1,100.0
        2020,{SCOTLAND},age_band,5-11,1,1,100.0
        2021,{A},total,total,4,7,57.1
        2021,{A},sex,F,2,3,66.7
        2021,{A},sex,M,2,4,50.0
        2021,{A},age_band,0-4,0,2,0.0
        2021,{A},age_band,5-11,4,4,100.0
        2021,{A},age_band,12-15,0,1,0.0
        2021,{B},total,total,1,3,33.3
        2021,{B},sex,F,0,1,0.0
        2021,{B},sex,M,1,2,50.0
        2021,{B},age_band,0-4,0,1,0.0
        2021,{B},age_band,5-11,1,1,100.0
        2021,{B},age_band,16-17,0,1,0.0
        2021,{SCOTLAND},total,total,5,10,50.0
        2021,{SCOTLAND},sex,F,2,4,50.0
        2021,{SCOTLAND},sex,M,3,6,50.0
        2021,{SCOTLAND},age_band,0-4,0,3,0.0
        2021,{SCOTLAND},age_band,5-11,5,5,100.0
        2021,{SCOTLAND},age_band,12-15,0,1,0.0
        2021,{SCOTLAND},age_band,16-17,0,1,0.0
    """)


def test_started_rate_counts_each_child_once_in_the_year_of_the_start(analysis_warehouse) -> None:
    # 2021 starts. A: a2 (M 12-15), a6 (M 0-4), a7 (F 0-4), a8 (M 5-11, two starts, once) = 4.
    # B: b1 (F 16-17), b2 (M 0-4, started on 31 July) = 2; b3 started in 2020, not again in 2021.
    # Rates per 1,000 (by age band only: no sex breakdown for flows): A 4/2000 = 2.0, 0-4 2/500 = 4.0, 5-11 1/500 = 2.0, 12-15 2.0, 16-17 0.
    # B 2/1000 = 2.0, 0-4 1/250 = 4.0, 16-17 4.0, 5-11 and 12-15 0.
    # Scotland 6/3000 = 2.0, 0-4 3/750 = 4.0, each other band 1/750 = 1.3.
    # 2020: only B sent a return: b3 (M, age 9 at the start) -> Scotland is B, not B over both councils' children.
    table = started_looked_after_rate_per_1000(_warehouse(analysis_warehouse))
    assert_figures(table, f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2020,{B},total,total,1,1000,1.0
        2020,{B},age_band,5-11,1,250,4.0
        2020,{SCOTLAND},total,total,1,1000,1.0
        2020,{SCOTLAND},age_band,5-11,1,250,4.0
        2021,{A},total,total,4,2000,2.0
        2021,{A},age_band,0-4,2,500,4.0
        2021,{A},age_band,5-11,1,500,2.0
        2021,{A},age_band,12-15,1,500,2.0
        2021,{A},age_band,16-17,0,500,0.0
        2021,{B},total,total,2,1000,2.0
        2021,{B},age_band,0-4,1,250,4.0
        2021,{B},age_band,5-11,0,250,0.0
        2021,{B},age_band,12-15,0,250,0.0
        2021,{B},age_band,16-17,1,250,4.0
        2021,{SCOTLAND},total,total,6,3000,2.0
        2021,{SCOTLAND},age_band,0-4,3,750,4.0
        2021,{SCOTLAND},age_band,5-11,1,750,1.3
        2021,{SCOTLAND},age_band,12-15,1,750,1.3
        2021,{SCOTLAND},age_band,16-17,1,750,1.3
    """)


def test_ceased_rate_gives_a_council_with_a_return_and_no_leavers_zero(analysis_warehouse) -> None:
    # 2021 ceases, A: a2 (M 15), a3 (M 18 -> 16-17), a4 (F 16), a5 (F 17), a8 (M 10, first episode) = 5:
    # 5-11 1, 12-15 1, 16-17 3 (nobody 0-4 anywhere, so no 0-4 row). B sent a return, no one left: 0.
    # A 5/2000 = 2.5, 5-11 1/500 = 2.0, 12-15 2.0, 16-17 3/500 = 6.0.
    # Scotland 5/3000 = 1.7, 5-11 1/750 = 1.3, 12-15 1.3, 16-17 3/750 = 4.0.
    assert_figures(ceased_looked_after_rate_per_1000(_warehouse(analysis_warehouse)), f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2021,{A},total,total,5,2000,2.5
        2021,{A},age_band,5-11,1,500,2.0
        2021,{A},age_band,12-15,1,500,2.0
        2021,{A},age_band,16-17,3,500,6.0
        2021,{B},total,total,0,1000,0.0
        2021,{B},age_band,5-11,0,250,0.0
        2021,{B},age_band,12-15,0,250,0.0
        2021,{B},age_band,16-17,0,250,0.0
        2021,{SCOTLAND},total,total,5,3000,1.7
        2021,{SCOTLAND},age_band,5-11,1,750,1.3
        2021,{SCOTLAND},age_band,12-15,1,750,1.3
        2021,{SCOTLAND},age_band,16-17,3,750,4.0
    """, where="period == '2021'")


def test_three_or_more_placements_share(analysis_warehouse) -> None:
    # 2021: a1 (3 placements in the year, the first ending 10 Sep 2020) and b1 (3) of the 10 looked after on 31 July;
    # a8 has 2 (one per episode). A 1/7 = 14.3, F 1/3 = 33.3, M 0/4, 0-4 0/2, 5-11 1/4 = 25.0, 12-15 0/1.
    # B 1/3 = 33.3, F 1/1, M 0/2, 0-4 0/1, 5-11 0/1, 16-17 1/1. Scotland 2/10 = 20.0, F 2/4, M 0/6, 5-11 1/5.
    assert_figures(three_or_more_placements_share(_warehouse(analysis_warehouse)), f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2021,{A},total,total,1,7,14.3
        2021,{A},sex,F,1,3,33.3
        2021,{A},sex,M,0,4,0.0
        2021,{A},age_band,0-4,0,2,0.0
        2021,{A},age_band,5-11,1,4,25.0
        2021,{A},age_band,12-15,0,1,0.0
        2021,{B},total,total,1,3,33.3
        2021,{B},sex,F,1,1,100.0
        2021,{B},sex,M,0,2,0.0
        2021,{B},age_band,0-4,0,1,0.0
        2021,{B},age_band,5-11,0,1,0.0
        2021,{B},age_band,16-17,1,1,100.0
        2021,{SCOTLAND},total,total,2,10,20.0
        2021,{SCOTLAND},sex,F,2,4,50.0
        2021,{SCOTLAND},sex,M,0,6,0.0
        2021,{SCOTLAND},age_band,0-4,0,3,0.0
        2021,{SCOTLAND},age_band,5-11,1,5,20.0
        2021,{SCOTLAND},age_band,12-15,0,1,0.0
        2021,{SCOTLAND},age_band,16-17,1,1,100.0
    """, where="period == '2021'")


def test_continuing_care_uptake(analysis_warehouse) -> None:
    # Eligible in 2021: a3 (18, foster) and a5 (17, la_home); a4 left from home, a2 and a8 were under 16.
    # Uptake: a3 only -> A 1/2 = 50.0, F (a5) 0/1, M (a3) 1/1. B had no one eligible: no row.
    assert_figures(continuing_care_uptake_share(_warehouse(analysis_warehouse)), f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2021,{A},total,total,1,2,50.0
        2021,{A},sex,F,0,1,0.0
        2021,{A},sex,M,1,1,100.0
        2021,{SCOTLAND},total,total,1,2,50.0
        2021,{SCOTLAND},sex,F,0,1,0.0
        2021,{SCOTLAND},sex,M,1,1,100.0
    """)


def test_siblings_living_together(analysis_warehouse) -> None:
    # 31 July 2021, A: SG1 a6 and a7 share a placement (same type and start) -> both "all";
    # SG2 a9 and a10 share one, a11 is elsewhere -> a9, a10 "some", a11 "none"; a1's only sibling (a4) has left.
    # 5 children: all 2 (40.0), some 2 (40.0), none 1 (20.0). B has no siblings looked after: no rows.
    assert_figures(siblings_living_together(_warehouse(analysis_warehouse)), f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2021,{A},total,total,5,5,100.0
        2021,{A},living_with_siblings,all,2,5,40.0
        2021,{A},living_with_siblings,some,2,5,40.0
        2021,{A},living_with_siblings,none,1,5,20.0
        2021,{SCOTLAND},total,total,5,5,100.0
        2021,{SCOTLAND},living_with_siblings,all,2,5,40.0
        2021,{SCOTLAND},living_with_siblings,some,2,5,40.0
        2021,{SCOTLAND},living_with_siblings,none,1,5,20.0
    """)
