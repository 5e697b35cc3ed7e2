"""A return split at source, taken in as one: its halves paired, their references compared, the pair loaded.

The intake finds the halves by name (``split_names``) and pairs them by agency and period. Each
half is staged apart (its own in-memory database, ``STAGING``) and checked against its part of
the contract (``split_parts``); nothing ever holds a half's identifiers beside the other's
content. The two are compared by their record references only (``unmatched``): every reference
once in each half, else both are refused with a report naming the rows. A whole pair is loaded
as a combined file is (``raw_zone.load_rows``): the identifier half to the index zone, the
content half to the content zone, under one entry id, and each row numbered by its reference's
line in the identifier half (only references and those numbers cross), so the two zones' record
references agree, and a return split by ``story split`` numbers its records as the combined file
does: the same record references, hence the same person ids (``registry``). Each half keeps its
own ledger answer and sealed copy. A half alone waits for the other (``waiting``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from assets.ingest import raw_zone
from assets.ingest.landing import LandedFile
from assets.ingest.problems import Problem
from assets.ingest.split_names import CONTENT, IDENTIFIERS, PARTS, REFERENCE, half_name, other
from assets.ingest.split_parts import crossing_keys, part_columns
from assets.model.contracts import Contract
from assets.model.reference import Councils

STAGING = {IDENTIFIERS: "staging_identifiers", CONTENT: "staging_content"}  # each half's in-memory database, attached to the intake's connection
_ROWS_NAMED = 20


@dataclass(frozen=True)
class Pair:
    """The files of one return (the two halves, or a layered return's parts), each with what the ledger adds to its verdict (``intake``)."""

    halves: dict[str, LandedFile]
    extra: dict[str, list[Problem]]

    @property
    def period(self) -> str:
        return next(iter(self.halves.values())).period


def paired(
    halves: list[tuple[LandedFile, list[Problem]]], parts: tuple[str, ...] = PARTS,
    waiting: Callable[[LandedFile, list[str]], Problem] | None = None,
) -> tuple[list[Pair], list[tuple[LandedFile, Problem]], list[tuple[LandedFile, Problem]]]:
    """The files as whole returns (one of each of ``parts`` per agency and period), oldest first; files waiting
    for the others (``waiting`` says why, by default a split half's ``waiting_for``); and files refused because
    another of the same part came with them."""
    found: dict[tuple[str, str], list[tuple[LandedFile, list[Problem]]]] = defaultdict(list)
    for landed, extra in halves:
        found[landed.agency, landed.period].append((landed, extra))
    pairs, waiting_files, refused = [], [], []
    for (agency, period), group in found.items():
        by_part = {part: [h for h in group if h[0].part == part] for part in parts}
        if any(len(h) > 1 for h in by_part.values()):
            refused += [(landed, _doubled(landed, by_part)) for landed, _ in group]
        elif all(by_part.values()):
            pairs.append(Pair({p: by_part[p][0][0] for p in parts}, {p: by_part[p][0][1] for p in parts}))
        else:
            missing = [p for p in parts if not by_part[p]]
            waiting_files += [(landed, waiting(landed, missing) if waiting else waiting_for(landed)) for landed, _ in group]
    return sorted(pairs, key=lambda p: max(h.received_at for h in p.halves.values())), waiting_files, refused


def waiting_for(landed: LandedFile) -> Problem:
    missing = other(landed.part)
    return Problem(
        check="waiting_for_other_half",
        message=f"This is the {landed.part} half of a return split at source; waiting for the {missing} half "
        f"({half_name(landed.dataset, landed.agency, landed.period, missing)}): the two are taken in together, so neither is yet.",
        fix=f"Drop the {missing} half that story split wrote with this one in the same folder; both are then taken in at the next intake.",
        blocking=False,
    )


def _doubled(landed: LandedFile, by_part: dict[str, list]) -> Problem:
    names = ", ".join(sorted(h.name for files in by_part.values() for h, _ in files))
    return Problem(
        check="split_halves_doubled",
        message=f"More than one file of the same part arrived for {landed.period} ({names}): which two belong together cannot be told, so none was taken in.",
        fix="Send one identifier half and one content half per period, as story split writes them (one file format, not both).",
    )


def with_other_half(part: str, refused: bool) -> Problem:
    """Why a half with nothing wrong of its own is refused: a return is taken whole or not at all."""
    return Problem(
        check="other_half_refused",
        message=f"The {other(part)} half of this return was refused{'' if refused else ' or could not be read'}, so this half was not taken in either: the two are one return.",
        fix=f"Correct the {other(part)} half (its report says how) and send both halves again, split afresh from the corrected return.",
    )


def unmatched(staging: dict[str, duckdb.DuckDBPyConnection], number: int) -> dict[str, Problem]:
    """The pair staged as file ``number`` in each half's staging database, compared by references alone: for each half, its rows whose reference the other lacks."""
    references = {part: dict(staging[part].execute(f"SELECT {REFERENCE}, _row_number FROM staged WHERE _file = ? AND {REFERENCE} IS NOT NULL", [number]).fetchall()) for part in PARTS}
    problems = {}
    for part in PARTS:
        alone = sorted((row, reference) for reference, row in references[part].items() if reference not in references[other(part)])
        if alone:
            problems[part] = Problem(
                check="record_reference_unmatched",
                message=f"{len(alone):,} row(s) of this {part} half have a record reference that the {other(part)} half does not have: each record's reference must be once in each half.",
                columns=(REFERENCE,),
                rows=tuple(row for row, _ in alone[:_ROWS_NAMED]),
                rows_affected=len(alone),
                examples=tuple(reference for _, reference in alone[:10]),
                fix="Send the two halves story split wrote together, unchanged: a row added to or removed from one half must be in both. Split the corrected return again and send both new halves.",
            )
    return problems


def repeated_keys(con: duckdb.DuckDBPyConnection, contract: Contract, number: int) -> list[Problem]:
    """The content half's rows that repeat a unique key mixing identifiers and content (``split_parts.crossing_keys``),
    for the pair staged as file ``number``: the identifier half gives each reference a number that is the same for
    the same identifier values, and the content half's rows are compared on that number and their own values. Only
    references and those numbers cross from one half to the other."""
    problems = []
    for identifiers, content in crossing_keys(contract):
        given = {part: " AND ".join(f"{prefix}{c} IS NOT NULL" for c in columns) for part, prefix, columns in ((IDENTIFIERS, "", identifiers), (CONTENT, "c.", content))}
        repeated = con.execute(
            f"WITH same AS (SELECT {REFERENCE}, dense_rank() OVER (ORDER BY {', '.join(identifiers)}) AS _same "
            f"FROM {STAGING[IDENTIFIERS]}.staged WHERE _file = ? AND {given[IDENTIFIERS]}) "
            f", counted AS (SELECT c._row_number, {', '.join(f'c.{n}' for n in content)}, count(*) OVER (PARTITION BY _same, {', '.join(f'c.{n}' for n in content)}) AS _times "
            f"FROM {STAGING[CONTENT]}.staged c JOIN same USING ({REFERENCE}) WHERE c._file = ? AND {given[CONTENT]}) "
            f"SELECT * EXCLUDE (_times), count(*) OVER () FROM counted WHERE _times > 1 ORDER BY _row_number",
            [number, number],
        ).fetchall()
        if repeated:
            key = ", ".join((*identifiers, *content))
            problems.append(Problem(
                check="unique_key", columns=(*identifiers, *content),
                message=f"Each combination of {key} must appear once, but {repeated[0][-1]:,} row(s) of this content half repeat one (their '{', '.join(identifiers)}' in the identifier half are the same).",
                rows=tuple(r[0] for r in repeated[:_ROWS_NAMED]), rows_affected=repeated[0][-1],
                examples=tuple(dict.fromkeys(", ".join(f"{n}={v}" for n, v in zip(content, r[1:-1])) for r in repeated[:10])),
                fix=f"Remove repeated rows, or correct {key} so that each row is a different record; then split the return again and send both halves.",
            ))
    return problems


def load_pair(
    con: duckdb.DuckDBPyConnection, contract: Contract, pair: Pair, number: int, councils: Councils,
    warnings: dict[str, list[Problem]], read_as: dict[str, str],
) -> int:
    """Load the pair staged as file ``number`` (``STAGING``) as ``raw_zone.load_accepted`` loads a combined file; return the rows loaded."""
    def rows(part: str) -> str:
        columns = "".join(f"{raw_zone.typed(c, councils)} AS {c.name}, " for c in part_columns(contract, part))
        # Each record is numbered by its line in the identifier half (as story split writes it, the combined file's line).
        lines = f"(SELECT {REFERENCE}, _row_number AS _line FROM {STAGING[IDENTIFIERS]}.staged WHERE _file = {int(number)})"
        return (
            f"SELECT {columns}_line AS _row_number FROM (SELECT * EXCLUDE (_row_number) FROM {STAGING[part]}.staged WHERE _file = {int(number)}) "
            f"JOIN {lines} USING ({REFERENCE}) ORDER BY _row_number"
        )

    def answer(entry_id: str, loaded: int) -> None:
        for part, half in pair.halves.items():
            raw_zone.record_outcome(con, contract, half, pair.period, loaded, "accepted", warnings[part], entry_id if part == IDENTIFIERS else None, read_as[part])

    return raw_zone.load_rows(con, contract, pair.halves[IDENTIFIERS], pair.period, rows(CONTENT), rows(IDENTIFIERS), answer)
