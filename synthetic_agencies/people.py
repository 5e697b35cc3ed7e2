"""The one true population behind every agency's records, and the identifiers agencies hold.

Birth cohorts sized for the chosen scale, spread over the 32 councils in realistic shares.
Each person has a true name, date of birth, sex, council, postcode, CHI (date of birth, a
serial whose ninth digit is odd for males, and a modulus-11 check digit) and, from school
age, a Scottish Candidate Number.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

FORENAMES_F = ["Olivia", "Emily", "Isla", "Sophie", "Ava", "Amelia", "Jessica", "Ella", "Lucy", "Grace", "Freya", "Katie", "Ellie", "Chloe", "Hannah", "Eilidh", "Mia", "Erin", "Rebecca", "Megan", "Abbie", "Niamh", "Holly", "Rachel", "Skye", "Leah", "Kayla", "Zara", "Aria", "Layla"]
FORENAMES_M = ["Jack", "James", "Lewis", "Oliver", "Harris", "Noah", "Leo", "Alexander", "Charlie", "Logan", "Ryan", "Daniel", "Callum", "Jamie", "Kyle", "Ethan", "Aaron", "Cameron", "Liam", "Finlay", "Rory", "Euan", "Connor", "Matthew", "Nathan", "Ross", "Scott", "Thomas", "Adam", "Reuben"]
SURNAMES = ["Smith", "Brown", "Wilson", "Campbell", "Stewart", "Thomson", "Robertson", "Anderson", "MacDonald", "Scott", "Reid", "Murray", "Taylor", "Clark", "Ross", "Watson", "Morrison", "Paterson", "Young", "Mitchell", "Walker", "Fraser", "Miller", "McDonald", "Gray", "Henderson", "Hamilton", "Johnston", "Duncan", "Ferguson", "Kerr", "Davidson", "Bell", "Cameron", "Kelly", "Martin", "Hunter", "Allan", "Grant", "Mackenzie", "Simpson", "MacLeod", "Black", "Wallace", "McLean", "Russell", "Gibson", "Marshall", "Sutherland", "Burns", "Boyle", "Docherty", "McGregor", "Munro", "Graham", "Hughes", "Kennedy", "Wood", "Crawford", "Jamieson", "Baird", "Houston", "Lindsay", "Kinnear", "Nisbet", "Ogilvie", "Quinn", "Rankin", "Sinclair", "Tait", "Urquhart", "Whyte", "Yule", "Dalziel", "Findlay"]

# Approximate share of Scotland's children aged 0-17 and relative looked-after rate, by council.
COUNCIL_PROFILE = {
    "S12000033": (0.041, 0.9, "AB"), "S12000034": (0.050, 0.6, "AB"), "S12000041": (0.020, 1.0, "DD"), "S12000035": (0.014, 1.0, "PA"),
    "S12000036": (0.088, 0.8, "EH"), "S12000005": (0.010, 1.3, "FK"), "S12000006": (0.026, 1.0, "DG"), "S12000042": (0.027, 1.6, "DD"),
    "S12000008": (0.023, 1.3, "KA"), "S12000045": (0.020, 0.5, "G"), "S12000010": (0.021, 0.7, "EH"), "S12000011": (0.021, 0.4, "G"),
    "S12000014": (0.029, 1.0, "FK"), "S12000047": (0.068, 1.0, "KY"), "S12000049": (0.110, 1.5, "G"), "S12000017": (0.042, 0.9, "IV"),
    "S12000018": (0.013, 1.7, "PA"), "S12000019": (0.018, 1.0, "EH"), "S12000020": (0.017, 0.8, "IV"), "S12000013": (0.005, 0.8, "HS"),
    "S12000021": (0.024, 1.4, "KA"), "S12000050": (0.064, 1.1, "ML"), "S12000023": (0.004, 0.7, "KW"), "S12000048": (0.027, 0.8, "PH"),
    "S12000038": (0.032, 1.1, "PA"), "S12000026": (0.020, 0.8, "TD"), "S12000027": (0.004, 0.5, "ZE"), "S12000028": (0.019, 1.1, "KA"),
    "S12000029": (0.059, 0.9, "ML"), "S12000030": (0.017, 0.9, "FK"), "S12000039": (0.016, 1.6, "G"), "S12000040": (0.034, 1.0, "EH"),
}
LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
NATIONAL_COHORT = 56_000  # births per year, roughly Scotland's


def chi_check_digit(first9: str) -> int:
    total = sum(int(d) * w for d, w in zip(first9, range(10, 1, -1)))
    return (11 - total % 11) % 11


def make_chi(dob: dt.date, serial: int, male: bool) -> str:
    """A valid CHI: DDMMYY, a serial whose last digit's parity gives sex, and the check digit."""
    for step in range(20):
        digits = (serial + 2 * step) % 1000
        if (digits % 2 == 1) != male:
            digits = (digits + 1) % 1000
        first9 = f"{dob:%d%m%y}{digits:03d}"
        check = chi_check_digit(first9)
        if check != 10:
            return first9 + str(check)
    raise ValueError("no valid CHI serial found")


def make_population(rng: np.random.Generator, scale: float, first_birth_year: int = 2000, last_birth_year: int = 2024) -> pd.DataFrame:
    councils = list(COUNCIL_PROFILE)
    shares = np.array([COUNCIL_PROFILE[c][0] for c in councils])
    shares = shares / shares.sum()
    frames = []
    for year in range(first_birth_year, last_birth_year + 1):
        n = max(int(round(NATIONAL_COHORT * scale)), 64)
        day = rng.integers(0, 365, n)
        frames.append(pd.DataFrame({"date_of_birth": pd.to_datetime(dt.date(year, 1, 1)) + pd.to_timedelta(day, unit="D")}))
    people = pd.concat(frames, ignore_index=True)
    n = len(people)
    people["true_person_id"] = [f"T{i:07d}" for i in range(n)]
    people["sex"] = np.where(rng.random(n) < 0.512, "M", "F")
    male = people["sex"].to_numpy() == "M"
    people["forename"] = np.where(male, rng.choice(FORENAMES_M, n), rng.choice(FORENAMES_F, n))
    people["surname"] = rng.choice(SURNAMES, n)
    people["la_code"] = rng.choice(councils, n, p=shares)
    area = people["la_code"].map(lambda c: COUNCIL_PROFILE[c][2]).to_numpy()
    district = rng.integers(1, 40, n)
    people["postcode"] = [f"{a}{d} {s}{l1}{l2}" for a, d, s, l1, l2 in zip(area, district, rng.integers(1, 10, n), rng.choice(LETTERS, n), rng.choice(LETTERS, n))]
    serials = rng.integers(0, 1000, n)
    people["date_of_birth"] = people["date_of_birth"].dt.date
    people["chi"] = [make_chi(d, s, m) for d, s, m in zip(people["date_of_birth"], serials, male)]
    # Multiplying by a number coprime with 900,000,000 permutes the range: unique nine-digit SCNs.
    offset = int(rng.integers(0, 900_000_000))
    people["scn"] = [f"{(i * 7919 + offset) % 900_000_000 + 100_000_000:09d}" for i in range(n)]
    return people


def age_on(dob: pd.Series, day: dt.date) -> pd.Series:
    return pd.Series([day.year - d.year - ((day.month, day.day) < (d.month, d.day)) for d in dob], index=dob.index)
