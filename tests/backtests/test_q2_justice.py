"""Backtest: children in custody and secure care admissions, against figures worked out by hand.

Custody census (Scotland only; age at the end of the census month):
  2020-03-31: remand born 2003-10 (16), sentenced 2002-04 (17), remand 2005-02 (15)
  2021-03-31: sentenced 2004-05 (16) - not counted: 2021 has a later census
  2021-09-30: remand 2004-05 (17), sentenced 2005-01 (16)
Secure admissions (social work year of admission; age at the end of the month of admission):
  S1 Aberdeen City (A) welfare F born 2006-03, 2020-09-15 -> 2021, age 14
  S2 A justice M born 2004-01, 2021-07-31 -> 2021, age 17
  S3 Aberdeenshire (B) welfare M born 2005-08, 2020-08-01 -> 2021, age 15
  S4 E06000001 (England) welfare F born 2006-05, 2021-01-10 -> 2021, outside Scotland
  S5 W06000001 (Wales) justice M born 2004-09, 2021-03-01 -> 2021, outside Scotland
  S6 A welfare F born 2006-03, 2020-07-31 -> 2020 (July ends the year), age 14
Angus (C) placed nobody and still has rows of 0.
"""

from __future__ import annotations

from backtest_tables import ABERDEEN_CITY as A
from backtest_tables import ABERDEENSHIRE as B
from backtest_tables import ANGUS as C
from backtest_tables import SCOTLAND, assert_figures, population_csv

from assets.measures.justice import children_in_custody_under_18, secure_care_admissions, secure_care_admissions_from_outside_scotland

CUSTODY = """
census_date,status,birth_year,birth_month
2020-03-31,remand,2003,10
2020-03-31,sentenced,2002,4
2020-03-31,remand,2005,2
2021-03-31,sentenced,2004,5
2021-09-30,remand,2004,5
2021-09-30,sentenced,2005,1
"""

ADMISSIONS = f"""
admission_id_key,placing_authority_code,route,sex,birth_year,birth_month,admission_date
S1,{A},welfare,F,2006,3,2020-09-15
S2,{A},justice,M,2004,1,2021-07-31
S3,{B},welfare,M,2005,8,2020-08-01
S4,E06000001,welfare,F,2006,5,2021-01-10
S5,W06000001,justice,M,2004,9,2021-03-01
S6,{A},welfare,F,2006,3,2020-07-31
"""


def test_children_in_custody_use_the_latest_census_of_the_year(analysis_warehouse) -> None:
    # 2020: 3 (remand 2, sentenced 1; 12-15 1, 16-17 2). 2021 (30 September census): 2 (remand 1, sentenced 1; 16-17 2).
    assert_figures(children_in_custody_under_18(analysis_warehouse(custody_under_18=CUSTODY)), f"""
        period,geography_code,breakdown,category,numerator
        2020,{SCOTLAND},total,total,3
        2020,{SCOTLAND},status,remand,2
        2020,{SCOTLAND},status,sentenced,1
        2020,{SCOTLAND},age_band,12-15,1
        2020,{SCOTLAND},age_band,16-17,2
        2021,{SCOTLAND},total,total,2
        2021,{SCOTLAND},status,remand,1
        2021,{SCOTLAND},status,sentenced,1
        2021,{SCOTLAND},age_band,16-17,2
    """)


def test_secure_admissions_by_scottish_councils_add_up_to_scotland(analysis_warehouse) -> None:
    con = analysis_warehouse(secure_admissions=ADMISSIONS, population_estimates=population_csv({A: 1, B: 1, C: 1}, (2021,)))
    # 2020: A S6 (welfare, F, 12-15). 2021: A S1, S2 (justice 1, welfare 1; F 1, M 1; 12-15 1, 16-17 1);
    # B S3 (welfare, M, 12-15); C nothing; Scotland = A + B + C; S4 and S5 are not Scottish councils' placements.
    table = secure_care_admissions(con)
    rows = []
    for period, figures in {
        "2020": {A: (1, 0, 1, 1, 0, 1, 0), B: (0,) * 7, C: (0,) * 7, SCOTLAND: (1, 0, 1, 1, 0, 1, 0)},
        "2021": {A: (2, 1, 1, 1, 1, 1, 1), B: (1, 0, 1, 0, 1, 1, 0), C: (0,) * 7, SCOTLAND: (3, 1, 2, 1, 2, 2, 1)},
    }.items():
        # (total, justice, welfare, F, M, 12-15, 16-17); 2020 has no justice admission or 16-17 anywhere: no such rows.
        for geography, (total, justice, welfare, female, male, band_12, band_16) in figures.items():
            cells = [("total", "total", total), ("route", "welfare", welfare), ("sex", "F", female), ("sex", "M", male), ("age_band", "12-15", band_12)]
            if period == "2021":
                cells += [("route", "justice", justice), ("age_band", "16-17", band_16)]
            rows += [f"{period},{geography},{b},{c},{n}" for b, c, n in cells]
    assert_figures(table, "period,geography_code,breakdown,category,numerator\n" + "\n".join(rows))


def test_secure_admissions_from_outside_scotland(analysis_warehouse) -> None:
    # 2021: S4 (England, welfare) and S5 (Wales, justice); none in 2020, so no 2020 rows.
    assert_figures(secure_care_admissions_from_outside_scotland(analysis_warehouse(secure_admissions=ADMISSIONS)), f"""
        period,geography_code,breakdown,category,numerator
        2021,{SCOTLAND},total,total,2
        2021,{SCOTLAND},placing_country,England,1
        2021,{SCOTLAND},placing_country,Wales,1
        2021,{SCOTLAND},route,justice,1
        2021,{SCOTLAND},route,welfare,1
    """)
