"""Backtest: preventative spend share and hearings with the child's views recorded, worked out by hand."""

from __future__ import annotations

from backtest_tables import ABERDEEN_CITY as A
from backtest_tables import ABERDEENSHIRE as B
from backtest_tables import SCOTLAND, assert_figures

from assets.measures.hearings import hearings_child_views_recorded_share
from assets.measures.spend import preventative_spend_share

SPEND = f"""
financial_year,la_code,community_health_social_care_spend_gbp,preventative_whole_family_support_spend_gbp
2020-21,{A},1000000,30000.40
2020-21,{B},3000000,150000
2021-22,{A},1100000,44000
"""

HEARINGS = f"""
la_code,sex,birth_year,birth_month,referral_date,hearing_date,child_views_recorded,_period
{A},F,2010,1,2019-09-01,2019-10-01,Y,2019-20
{A},M,2005,6,2020-03-01,2020-04-20,N,2019-20
{A},F,2010,1,2020-09-01,2020-10-01,Y,2020-21
{B},M,2016,3,2021-01-01,,,2020-21
{B},M,2016,3,2021-02-01,2021-03-01,,2020-21
{A},F,2004,1,2021-03-01,2021-04-15,Y,2020-21
"""


def test_preventative_spend_share_sums_pounds_before_dividing(analysis_warehouse) -> None:
    # 2020-21: A 30,000 (30,000.40 to the pound) / 1,000,000 = 3.0; B 150,000 / 3,000,000 = 5.0;
    # Scotland 180,000 / 4,000,000 = 4.5 (not the average of 3.0 and 5.0). 2021-22: only A sent figures: 44,000 / 1,100,000 = 4.0.
    assert_figures(preventative_spend_share(analysis_warehouse(family_support_spend=SPEND)), f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2020-21,{A},total,total,30000,1000000,3.0
        2020-21,{B},total,total,150000,3000000,5.0
        2020-21,{SCOTLAND},total,total,180000,4000000,4.5
        2021-22,{A},total,total,44000,1100000,4.0
        2021-22,{SCOTLAND},total,total,44000,1100000,4.0
    """)


def test_hearings_child_views_recorded_in_scras_year_of_the_hearing(analysis_warehouse) -> None:
    # SCRA's year (1 April to 31 March) of the hearing: row 1 -> 2019-20 (A, F, 9, Y); row 2 -> 2020-21 (referred in March,
    # heard in April; A, M, 14, N); row 3 -> 2020-21 (A, F, 10, Y); row 4 no hearing; row 5 -> 2020-21 (heard 1 March;
    # B, M, 5, nothing recorded = not recorded); row 6 -> 2021-22, after the latest referrals year (2020-21), so not
    # published half counted. 2019-20: A 1/1. 2020-21: A 1/2 (F 1/1, M 0/1, 5-11 1/1, 12-15 0/1); B 0/1 (M, 5-11);
    # Scotland 1/3 = 33.3, F 1/1, M 0/2, 5-11 1/2, 12-15 0/1.
    assert_figures(hearings_child_views_recorded_share(analysis_warehouse(hearings_referrals=HEARINGS)), f"""
        period,geography_code,breakdown,category,numerator,denominator,value
        2019-20,{A},total,total,1,1,100.0
        2019-20,{A},sex,F,1,1,100.0
        2019-20,{A},age_band,5-11,1,1,100.0
        2019-20,{SCOTLAND},total,total,1,1,100.0
        2019-20,{SCOTLAND},sex,F,1,1,100.0
        2019-20,{SCOTLAND},age_band,5-11,1,1,100.0
        2020-21,{A},total,total,1,2,50.0
        2020-21,{A},sex,F,1,1,100.0
        2020-21,{A},sex,M,0,1,0.0
        2020-21,{A},age_band,5-11,1,1,100.0
        2020-21,{A},age_band,12-15,0,1,0.0
        2020-21,{B},total,total,0,1,0.0
        2020-21,{B},sex,M,0,1,0.0
        2020-21,{B},age_band,5-11,0,1,0.0
        2020-21,{SCOTLAND},total,total,1,3,33.3
        2020-21,{SCOTLAND},sex,F,1,1,100.0
        2020-21,{SCOTLAND},sex,M,0,2,0.0
        2020-21,{SCOTLAND},age_band,5-11,1,2,50.0
        2020-21,{SCOTLAND},age_band,12-15,0,1,0.0
    """)
