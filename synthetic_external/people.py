"""True people drawn with ``faker``: names, date of birth, sex, address and postcode by locale.

Each person belongs to a locale of the chosen set and takes its names and address from it.
Some people share a household (surname, address and postcode) with the person drawn before
them; a few of those are twins (born the same day). A few surnames are double-barrelled.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from faker import Faker

# Sets of locales, each a different mix of scripts, name stocks and postcode formats.
LOCALE_SETS = {
    "uk_ireland": ("en_GB", "en_IE"),
    "europe": ("fr_FR", "de_DE", "es_ES", "it_IT", "pl_PL", "pt_PT", "nl_NL", "cs_CZ", "hu_HU", "sv_SE", "ro_RO"),
    "world": ("en_US", "en_AU", "en_IN", "es_MX", "pt_BR", "vi_VN", "tr_TR", "ru_RU", "el_GR"),
}
HOUSEHOLD_SHARE = 0.2  # share of people living with the person drawn before them
TWIN_SHARE = 0.1  # of those, the share born the same day as that person
DOUBLE_BARRELLED_SHARE = 0.05
OLDEST_AGE_DAYS = 90 * 365
REFERENCE_DATE = dt.date(2025, 1, 1)


def fakers_for(locales: tuple[str, ...], seed: int) -> dict[str, Faker]:
    """One seeded ``Faker`` per locale (building one takes a while: build them once)."""
    fakers = {}
    for offset, locale in enumerate(locales):
        fakers[locale] = Faker(locale)
        fakers[locale].seed_instance(seed * 1_000 + offset)
    return fakers


def draw_people(count: int, fakers: dict[str, Faker], rng: np.random.Generator, first_person: int = 0) -> pd.DataFrame:
    """``count`` people numbered from ``first_person``: ``person``, ``locale``, ``forename``,
    ``surname``, ``date_of_birth`` (``YYYY-MM-DD``), ``sex`` (``M``/``F``), ``address`` (street
    and town), ``postcode``."""
    locales = tuple(fakers)
    rows: list[dict] = []
    for person in range(first_person, first_person + count):
        joins = bool(rows) and rng.random() < HOUSEHOLD_SHARE
        locale = rows[-1]["locale"] if joins else locales[int(rng.integers(len(locales)))]
        fake = fakers[locale]
        sex = "F" if rng.random() < 0.5 else "M"
        forename = fake.first_name_female() if sex == "F" else fake.first_name_male()
        born = REFERENCE_DATE - dt.timedelta(days=int(rng.integers(0, OLDEST_AGE_DAYS)))
        if joins:
            head = rows[-1]
            surname, address, postcode = head["surname"], head["address"], head["postcode"]
            if rng.random() < TWIN_SHARE:
                born = dt.date.fromisoformat(head["date_of_birth"])
        else:
            surname = fake.last_name_female() if sex == "F" and hasattr(fake, "last_name_female") else fake.last_name()
            if rng.random() < DOUBLE_BARRELLED_SHARE:
                surname = f"{surname}-{fake.last_name()}"
            address, postcode = new_address(fake)
        rows.append(
            {
                "person": person,
                "locale": locale,
                "forename": forename,
                "surname": surname,
                "date_of_birth": born.isoformat(),
                "sex": sex,
                "address": address,
                "postcode": postcode,
            }
        )
    return pd.DataFrame(rows)


def new_address(fake: Faker) -> tuple[str, str]:
    """An address (street and town) and postcode of ``fake``'s locale."""
    return f"{fake.street_address()}, {fake.city()}", fake.postcode()
