"""A small valid ``looked_after_episodes`` file, and ways to spoil it, for the ingest tests.

Every bad file in the tests starts from this valid one, so each test changes exactly one
thing and the refusal it gets can only come from that change.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from assets.model.contracts import load_contracts
from tests.support.paths import CONTRACTS

DATASET = "looked_after_episodes"
COLUMNS = load_contracts(CONTRACTS)[DATASET].column_names
# Identifier values planted in every sample: a refusal must never show them.
FORENAMES = ("Ailsa", "Ruaridh")
SURNAMES = ("MacLeod", "Fraser")


def chi_for(date_of_birth: str, serial: int) -> str:
    """A CHI number with a correct modulus-11 check digit (DDMMYY, serial, check)."""
    year, month, day = date_of_birth.split("-")
    for candidate in range(serial, serial + 11):
        first_nine = f"{day}{month}{year[2:]}{candidate % 1000:03d}"
        check = 11 - sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1))) % 11
        if check != 10:  # 10 is never issued
            return first_nine + str(check % 11)
    raise AssertionError("unreachable: a serial within 11 always gives a check digit")


@dataclass
class EpisodesFile:
    """Rows of a valid return for one council and one social work year (ending 31 July ``period``)."""

    agency: str
    period: str
    rows: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def valid(cls, agency: str, period: str) -> "EpisodesFile":
        year = int(period)
        common = {"la_code": agency, "year_ending": period, "sex": "F", "ethnicity": "white_scottish", "disability": "N",
                  "legal_reason": "compulsory_supervision_order", "placement_outside_scotland": "N", "continuing_care": "N",
                  "reason_ended": "", "destination_on_leaving": "", "episode_end": "", "scn": "", "sibling_group_ref": ""}
        first = {**common, "child_ref": "C0001", "scn": "123456789", "chi": chi_for("2012-03-04", 120), "forename": FORENAMES[0],
                 "surname": SURNAMES[0], "date_of_birth": "2012-03-04", "postcode": "G1 1AA", "sibling_group_ref": "SG1",
                 "episode_start": f"{year - 1}-09-01"}
        second = {**common, "child_ref": "C0002", "chi": chi_for("2015-06-07", 340), "forename": FORENAMES[1], "surname": SURNAMES[1],
                  "date_of_birth": "2015-06-07", "sex": "M", "postcode": "G12 8QQ", "episode_start": f"{year - 1}-10-15"}
        rows = [
            {**first, "placement_type": "foster_provided_by_la", "placement_start": f"{year - 1}-09-01", "placement_end": f"{year - 1}-12-31"},
            {**first, "placement_type": "kinship_friends_relatives", "placement_start": f"{year - 1}-12-31", "placement_end": ""},
            {**second, "placement_type": "la_home", "placement_start": f"{year - 1}-10-15", "placement_end": ""},
        ]
        return cls(agency, period, rows)

    @property
    def file_name(self) -> str:
        return f"{DATASET}_{self.agency}_{self.period}.csv"

    def set(self, row: int, column: str, value: str) -> "EpisodesFile":
        """Change one cell; ``row`` counts from 1 like the refusal report."""
        self.rows[row - 1][column] = value
        return self

    def text(self, columns: list[str] | None = None) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns or COLUMNS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()

    def bytes(self) -> bytes:
        return self.text().encode("utf-8")
