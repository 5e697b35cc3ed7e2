"""A council's flat looked after return written as Scotland's collection is layered (``layered_returns``).

Child, episode, placement and legal-reason files, linked by the child's ID; by default without
names or CHI, as the collection holds none. Each placement's legal reason becomes a legal-reason
row starting the day the placement starts and ending the day it ends, so the intake's flattening
(the legal reason in force on the day a placement starts) gives back the flat return's rows.
"""

from __future__ import annotations

import csv
from pathlib import Path

from assets.model.contracts import Contract

_NAMES = ("forename", "surname", "chi")
_LEGAL_DATES = {"legal_start": "placement_start", "legal_end": "placement_end"}


def write_layered(flat: Path, contract: Contract, out_dir: Path, with_names: bool = False) -> dict[str, Path]:
    """Write ``flat``'s rows as the contract's layered parts into ``out_dir``, named as the intake groups them."""
    with flat.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    dataset, rest = flat.stem[: len(contract.id)], flat.stem[len(contract.id) + 1 :]
    written = {}
    for part in contract.layered:
        columns = part.column_names
        seen: dict[tuple, dict[str, str]] = {}
        for row in rows:
            values = {c: row.get(_LEGAL_DATES.get(c, c), "") for c in columns}
            if not with_names:
                values |= {c: "" for c in _NAMES if c in values}
            key = tuple(values[c] for c in part.unique_keys[0]) if part.unique_keys else tuple(values.values())
            seen.setdefault(key, values)
        written[part.name] = out_dir / f"{dataset}_{rest}_{part.name}.csv"
        with written[part.name].open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(seen.values())
    return written
