"""Link records of people: identifiers first, then Splink's scores, then clusters that respect identifiers.

Method notes: docs/linkage.md, "Notes on `assets/linkage/core.py`".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import jellyfish
import numpy as np
import pandas as pd
from anyascii import anyascii
from nicknames import NickNamer

from assets.linkage.clusters import ConflictAwareClusters
from assets.model.chi import chi_is_valid

STANDARD_COLUMNS = ("forename", "surname", "date_of_birth", "sex", "postcode", "address", "chi", "scn")
# Apostrophes and dots join a name ("O'Brien", "St.John"); any other non-letter separates its parts.
_JOINERS = re.compile(r"['\u2019`.]")
_SEPARATORS = re.compile(r"[^a-z]+")
_UK_POSTCODE = r"^(?P<area>[A-Z]{1,2})(?P<district>[0-9][0-9A-Z]?)(?P<sector>[0-9])(?P<unit>[A-Z]{2})$"
# Comparison level for "no similarity at all" (Splink's else level: a name below Jaro-Winkler
# 0.7, a date of birth neither equal, transposed nor one character apart).
_DIFFER = 0
# Identifier comparison levels at or above this mean "exact or one digit apart".
_IDENTIFIER_AGREES = 1


def _text(column: pd.Series) -> pd.Series:
    return column.astype("string").str.strip().replace("", pd.NA)


def _ascii(text: pd.Series) -> pd.Series:
    """Letters of any script as their plain ASCII reading ("Jos\u00e9" and "Jose", "\u0141ukasz" and
    "Lukasz", "M\u00fcller" and "Muller"), so a diacritic an agency's system dropped is no difference."""
    foreign = text.fillna("").str.contains(r"[^\x00-\x7f]", regex=True)
    return text.where(~foreign, text[foreign].map(anyascii)) if foreign.any() else text


def _name_parts(column: pd.Series) -> pd.DataFrame:
    """A name as lower-case letters (``whole``, parts run together, so "Mc Donald" is
    "mcdonald") and its ``first`` and ``last`` parts ("smith-jones": "smith", "jones")."""
    parts = _ascii(_text(column)).str.lower().str.replace(_JOINERS, "", regex=True)
    parts = parts.str.replace(_SEPARATORS, " ", regex=True).str.strip().replace("", pd.NA)
    split = parts.str.split(" ")
    return pd.DataFrame({"whole": parts.str.replace(" ", "", regex=False), "first": split.str[0], "last": split.str[-1]})


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


def _sounds(names: pd.Series) -> pd.Series:
    """Metaphone of each name: spellings that sound alike ("catherine", "kathryn") share it."""
    unique = names.dropna().unique()
    return names.map(dict(zip(unique, (jellyfish.metaphone(name) or pd.NA for name in unique)))).astype("string")


def _nicknames(names: pd.Series) -> pd.Series:
    """Each forename with its nicknames and the names it is a nickname of (the public
    ``nicknames`` list, Apache-2.0), space-separated with a space at each end so SQL can look
    one name up with LIKE ("robert": " bob bobby rob ... ")."""
    namer, unique = _nicknamer(), names.dropna().unique()
    related = {name: namer.nicknames_of(name) | namer.canonicals_of(name) for name in unique}
    return names.map({name: f" {' '.join(sorted(other))} " for name, other in related.items() if other}).astype("string")


def _postcode_parts(column: pd.Series) -> pd.DataFrame:
    """A UK-shaped postcode written the one way ("eh13dg" is "EH1 3DG") with its sector,
    district and area; any other postcode as its letters and digits, in ``other``."""
    code = _ascii(_text(column)).str.upper().str.replace(r"[^A-Z0-9]", "", regex=True).replace("", pd.NA)
    uk = code.str.extract(_UK_POSTCODE)
    outward = uk["area"] + uk["district"]
    is_uk = outward.notna()
    return pd.DataFrame(
        {
            "postcode": (outward + " " + uk["sector"] + uk["unit"]).where(is_uk, code),
            "sector": outward + " " + uk["sector"],
            "district": outward,
            "area": uk["area"],
            "other": code.where(~is_uk),
        }
    )


def _address(column: pd.Series) -> pd.Series:
    """Lower-case letters and digits in words, punctuation and line breaks as single spaces."""
    words = _ascii(_text(column)).str.lower().str.replace(_JOINERS, "", regex=True)
    return words.str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip().replace("", pd.NA)


def _address_words(address: pd.Series) -> pd.Series:
    """An address's distinct words in alphabetical order: the same address with a part moved
    ("79 meeson street cherry haven", "79 cherry haven meeson street") reads the same."""
    return address.map(lambda text: " ".join(sorted(set(text.split()))), na_action="ignore").astype("string")


def trusted_chi(chi: pd.Series, date_of_birth: pd.Series, sex: pd.Series) -> pd.Series:
    """The CHI where its check digit holds and its date and sex digit agree with the record, else NA."""
    valid = chi.map(chi_is_valid).astype(bool)
    ddmmyy = date_of_birth.str.slice(8, 10) + date_of_birth.str.slice(5, 7) + date_of_birth.str.slice(2, 4)
    date_agrees = (chi.str.slice(0, 6) == ddmmyy).fillna(True)
    sex_digit_odd = chi.str.slice(8, 9).astype("Float64") % 2 == 1
    sex_agrees = (sex_digit_odd == (sex == "M")).fillna(True)
    return chi.where(valid & date_agrees & sex_agrees)


def prepare_people(people: pd.DataFrame) -> pd.DataFrame:
    """Standard columns, normalised, one row per input row in order (missing columns become NA),
    with the parts of names and postcodes the comparisons read (``probabilistic.SPLINK_COLUMNS``).

    Names and addresses are read in ASCII (diacritics and other scripts transliterated);
    ``date_of_birth`` keeps ``YYYY-MM-DD`` values only (a timestamp's date part is one);
    ``sex`` is its first letter, so "Female" is "F".
    ``chi`` keeps a trusted CHI or a mistyped one (its check digit fails: a near-miss still says a
    lot); a valid CHI that contradicts the record's date of birth or sex is someone else's and
    is dropped. ``trusted_chi`` is what deterministic linkage and cluster conflicts use.
    """
    people = people.reset_index(drop=True)
    column = {c: (people[c] if c in people else pd.Series(pd.NA, index=people.index, dtype="string")) for c in STANDARD_COLUMNS}
    date_of_birth = _text(column["date_of_birth"]).str.slice(0, 10)
    date_of_birth = date_of_birth.where(date_of_birth.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False))
    sex = _text(column["sex"]).str.upper().str.slice(0, 1)
    chi = _text(column["chi"]).str.replace(r"\s", "", regex=True)
    trusted = trusted_chi(chi, date_of_birth, sex)
    mistyped = chi.str.fullmatch(r"\d{10}").fillna(False) & ~chi.map(chi_is_valid).astype(bool)
    scn = _text(column["scn"]).str.replace(r"\s", "", regex=True)
    forename, surname, postcode = _name_parts(column["forename"]), _name_parts(column["surname"]), _postcode_parts(column["postcode"])
    address = _address(column["address"])
    return pd.DataFrame(
        {
            "record": np.arange(len(people)),
            "forename": forename["whole"],
            "surname": surname["whole"],
            "date_of_birth": date_of_birth,
            "sex": sex,
            "postcode": postcode["postcode"],
            "address": address,
            "chi": trusted.where(trusted.notna(), chi.where(mistyped)),
            "trusted_chi": trusted,
            "scn": scn.where(scn.str.fullmatch(r"\d{9}").fillna(False)),
            "forename_first": forename["first"],
            "forename_last": forename["last"],
            "surname_first": surname["first"],
            "surname_last": surname["last"],
            "postcode_sector": postcode["sector"],
            "postcode_district": postcode["district"],
            "postcode_area": postcode["area"],
            "postcode_other": postcode["other"],
            "forename_sound": _sounds(forename["whole"]),
            "surname_sound": _sounds(surname["whole"]),
            "forename_nicknames": _nicknames(forename["whole"]),
            "address_words": _address_words(address),
        }
    )


def filled_columns(prepared: pd.DataFrame) -> tuple[str, ...]:
    """The standard columns of ``prepare_people`` output holding at least one value."""
    return tuple(column for column in STANDARD_COLUMNS if prepared[column].notna().any())


def column_notes(people: pd.DataFrame, prepared: pd.DataFrame) -> list[str]:
    """A line for each standard column the linkage cannot use, and for values it set aside."""
    notes = []
    for column in STANDARD_COLUMNS:
        if column not in people:
            notes.append(f"{column}: not in the table, so it is left out of the model and the blocking")
        elif prepared[column].isna().all():
            notes.append(f"{column}: no usable value, so it is left out of the model and the blocking")
        elif column == "date_of_birth":
            unreadable = int((_text(people[column]).notna().to_numpy() & prepared[column].isna().to_numpy()).sum())
            if unreadable:
                notes.append(f"date_of_birth: {unreadable:,} values not in YYYY-MM-DD form are treated as missing")
    return notes


@dataclass(frozen=True)
class LinkageResult:
    """What a linkage run decided.

    ``clusters``: one row per input record, in input order: ``record`` (position), ``cluster``
    (the smallest position in the record's person), ``linked_by`` (``chi``, ``scn``,
    ``probabilistic``, ``earlier_run``, ``clerical`` (a reviewer said "same person"), the name
    of another identifier column the caller gave, or ``unlinked`` when the person has no other record).
    ``pairs``: every pair Splink scored at or above the review floor: ``record_l``, ``record_r``,
    ``match_weight``, ``match_probability`` and ``decision`` (``match``, or why not:
    ``below_threshold``, ``forenames_differ``, ``dates_of_birth_differ``, ``identifiers_conflict``,
    ``one_to_one``: a record of the same table is already linked better; ``reviewed_same`` or
    ``reviewed_different``: a person decided it). ``threshold``: the
    match probability pairs needed (``probabilistic.model_threshold`` unless the caller set one).
    ``model``: the Splink model used (JSON form), to store and reuse; None when nothing could be
    scored (fewer than two records, no column to compare). ``model_source``: ``trained`` on
    this table, ``given`` (the ``model`` argument), ``default`` (the stored default model) or
    ``none``. ``notes``: columns left out, and what the run assumed, in plain words.
    """

    clusters: pd.DataFrame
    pairs: pd.DataFrame
    deterministic_links: int
    model: dict | None
    model_source: str
    notes: tuple[str, ...]
    threshold: float


def other_identifiers(people: pd.DataFrame, columns: Sequence[str]) -> dict[str, pd.Series]:
    """An agency's own identifiers (a reference, a national insurance or pupil number) as exact
    keys: letters and digits only, upper case, one row per input row; absent or empty is NA."""
    people = people.reset_index(drop=True)
    return {column: _text(people[column]).str.upper().str.replace(r"[^0-9A-Z]", "", regex=True).replace("", pd.NA) for column in columns if column in people}


def _link_on_identifiers(prepared: pd.DataFrame, clusters: ConflictAwareClusters, linked_by: np.ndarray, identifiers: Mapping[str, pd.Series]) -> int:
    """Join records sharing a trusted CHI, an SCN, then each other identifier the caller named;
    returns how many links were made."""
    links = 0
    for method, key in (("chi", prepared["trusted_chi"]), ("scn", prepared["scn"]), *identifiers.items()):
        present = key.dropna()
        anchor = pd.Series(present.index, index=present.index).groupby(present.to_numpy()).transform("first")
        for first, member in zip(anchor.to_numpy(), anchor.index.to_numpy()):
            if first != member and clusters.join(int(first), int(member)):
                links += 1
                for record in (first, member):
                    if linked_by[record] == "unlinked":
                        linked_by[record] = method
    return links


REVIEWED = {"same": "reviewed_same", "different": "reviewed_different"}


def _apply_reviews(reviewed: pd.DataFrame | None, clusters: ConflictAwareClusters, linked_by: np.ndarray) -> dict[tuple[int, int], str]:
    """A person's decisions before any other evidence (``record_l``, ``record_r``, ``decision``:
    ``same`` or ``different``): "different people" keeps the two records' persons apart for
    the rest of the run, whatever identifiers, earlier runs or scores say; "same person" joins
    them whatever their identifiers say (``linked_by`` ``clerical``). Returns each decided pair
    (lower record first) with its decision."""
    if reviewed is None or reviewed.empty:
        return {}
    decided = {}
    for decision in ("different", "same"):
        rows = reviewed[reviewed["decision"] == decision]
        for left, right in zip(rows["record_l"].to_numpy(dtype=np.int64), rows["record_r"].to_numpy(dtype=np.int64)):
            left, right = int(min(left, right)), int(max(left, right))
            decided[(left, right)] = decision
            if decision == "different":
                clusters.keep_apart(left, right)
            elif clusters.join(left, right, despite_identifiers=True):
                linked_by[[left, right]] = "clerical"
    return decided


def _keep_earlier_persons(earlier_persons: pd.Series, clusters: ConflictAwareClusters, linked_by: np.ndarray) -> None:
    present = earlier_persons.dropna()
    anchor = pd.Series(present.index, index=present.index).groupby(present.to_numpy()).transform("first")
    for first, member in zip(anchor.to_numpy(), anchor.index.to_numpy()):
        if first != member and clusters.find(int(first)) != clusters.find(int(member)) and clusters.join(int(first), int(member)):
            for record in (first, member):
                if linked_by[record] == "unlinked":
                    linked_by[record] = "earlier_run"


def _borne_out(pairs: pd.DataFrame, likely: pd.Series, gamma: str) -> pd.Series:
    """Per pair, whether both records' values of ``gamma``'s column are borne out by another
    record each: a pair likely linked (``likely``) in which that record's value agrees at some level."""
    agreeing = pairs[likely & (pairs[gamma] > _DIFFER)]
    attested = set(agreeing["record_l"]) | set(agreeing["record_r"])
    return pairs["record_l"].isin(attested) & pairs["record_r"].isin(attested)


def lone_values_likelier_errors(pairs: pd.DataFrame, threshold: float, records: int) -> set[str]:
    """The guarded columns (forename, date of birth) in which a lone record's entirely different
    value is likelier a value mistyped or replaced than a relative, as the table shows it.

    Relatives alike in all but that field (twins; a parent and child named alike) show as pairs
    whose records are both borne out (``_borne_out``) as often as a record is borne out at all,
    squared (``q``), and otherwise as pairs with a lone record: so ``B`` pairs of two people
    borne out stand for about ``B (1 - q^2) / q^2`` lone pairs of relatives. Where that explains
    under half of the lone pairs, most of them are errors, and the guard waits only for two people."""
    likely = pairs["match_probability"] >= threshold
    identifier_agrees = (pairs["gamma_chi"] >= _IDENTIFIER_AGREES) | (pairs["gamma_scn"] >= _IDENTIFIER_AGREES)
    columns = set()
    for column in ("forename", "date_of_birth"):
        gamma = f"gamma_{column}"
        differ = likely & (pairs[gamma] == _DIFFER) & ~identifier_agrees
        both = _borne_out(pairs, likely, gamma)
        two_people, lone = int((differ & both).sum()), int((differ & ~both).sum())
        agreeing = pairs[likely & (pairs[gamma] > _DIFFER)]
        q = len(set(agreeing["record_l"]) | set(agreeing["record_r"])) / max(records, 1)
        relatives = two_people * (1 - q * q) / (q * q) if two_people else 0.0
        if lone and relatives < lone / 2:
            columns.add(column)
    return columns


def _decide(pairs: pd.DataFrame, threshold: float, lone_value_is_an_error: set[str] = frozenset()) -> pd.Series:
    """Before clustering: ``match`` candidates and the pairs held back for review, with why.
    Without forenames or dates of birth the guards have nothing to read (level -1 is "no value").

    Twins share everything but a forename, and a parent and child named alike everything but a
    date of birth, so a pair whose forenames (dates of birth) are entirely different is held
    back, unless an identifier agrees. In ``lone_value_is_an_error`` (``lone_values_likelier_errors``)
    it is held back only when the table shows two people: each record's value borne out by
    another record it is likely linked to; a lone record with another value is then taken as
    the error it more likely is."""
    identifier_agrees = (pairs["gamma_chi"] >= _IDENTIFIER_AGREES) | (pairs["gamma_scn"] >= _IDENTIFIER_AGREES)
    likely = pairs["match_probability"] >= threshold
    decision = pd.Series("match", index=pairs.index, dtype=object)
    for column, why in (("date_of_birth", "dates_of_birth_differ"), ("forename", "forenames_differ")):
        gamma = f"gamma_{column}"
        differ = (pairs[gamma] == _DIFFER) & ~identifier_agrees
        decision[differ & (_borne_out(pairs, likely, gamma) if column in lone_value_is_an_error else True)] = why
    decision[~likely] = "below_threshold"
    return decision


def link_people(
    people: pd.DataFrame,
    match_threshold: float | None = None,
    review_floor: float | None = None,
    earlier_persons: pd.Series | None = None,
    model: dict | None = None,
    backend: str = "duckdb",
    identifiers: Sequence[str] = (),
) -> LinkageResult:
    """Who is who in one table of people (standard columns; see the module docstring).

    ``earlier_persons`` (aligned with ``people``; NA for records not seen before) names the
    person each record was given by an earlier run. Records an earlier run put together stay
    together (``linked_by`` ``earlier_run`` where today's weights alone would not link them)
    unless their identifiers now conflict: they are joined straight after the identifiers and
    before any scored pair, so neither re-estimated weights nor a new record matching one of
    them better can split a person; a new record whose identifiers conflict is kept apart instead. ``model``: a
    Splink model from an earlier run (``LinkageResult.model``) to reuse instead of training.
    ``backend``: where Splink scores pairs, ``duckdb`` or ``spark`` (``probabilistic.splink_api``).
    ``identifiers``: other columns holding an identifier of the person (``other_identifiers``):
    records sharing a value are joined, as by an SCN.
    """
    prepared = prepare_people(people)
    result = link_prepared(prepared, match_threshold, review_floor, earlier_persons, model, backend, identifiers=other_identifiers(people, identifiers))
    return replace(result, notes=(*column_notes(people, prepared), *result.notes))


def link_prepared(
    prepared: pd.DataFrame,
    match_threshold: float | None = None,
    review_floor: float | None = None,
    earlier_persons: pd.Series | None = None,
    model: dict | None = None,
    backend: str = "duckdb",
    term_frequencies: Mapping[str, pd.DataFrame] | None = None,
    identifiers: Mapping[str, pd.Series] | None = None,
    one_per_table: np.ndarray | None = None,
    reviewed: pd.DataFrame | None = None,
) -> LinkageResult:
    """``link_people`` on ``prepare_people`` output (``record`` numbering its rows from 0), so
    records prepared once can be linked again; ``term_frequencies`` as ``probabilistic.score_pairs``;
    ``identifiers`` as ``other_identifiers`` gives them. ``one_per_table``: each record's table,
    when every table holds one record per person: a person then gets at most one record of each
    table, the best-scored first (``link_two_tables``'s ``one_to_one``). ``reviewed``: a person's
    decisions on pairs of records (``_apply_reviews``), which nothing else in the run overturns;
    a scored pair so decided is ``reviewed_same`` or ``reviewed_different``."""
    from assets.linkage.probabilistic import REVIEW_FLOOR, model_threshold, score_pairs

    clusters = ConflictAwareClusters(prepared["trusted_chi"].tolist(), prepared["scn"].tolist())
    linked_by = np.full(len(prepared), "unlinked", dtype=object)
    decided = _apply_reviews(reviewed, clusters, linked_by)
    deterministic_links = _link_on_identifiers(prepared, clusters, linked_by, identifiers or {})
    if earlier_persons is not None:
        _keep_earlier_persons(pd.Series(earlier_persons).reset_index(drop=True), clusters, linked_by)

    scored = score_pairs(prepared, REVIEW_FLOOR if review_floor is None else review_floor, model, backend=backend, term_frequencies=term_frequencies)
    # Strongest first; equal weights in the order of the records, so which of two tied pairs a
    # conflict refuses does not depend on the order Splink happened to return them in.
    pairs = scored.pairs.sort_values(["match_weight", "record_l", "record_r"], ascending=[False, True, True], kind="stable").reset_index(drop=True)
    threshold = model_threshold(scored.model) if match_threshold is None else match_threshold
    # Only a model trained on this table has seen all of it: a run scoring with a given model
    # (a stored one, an incremental run's neighbourhood, the default for a small table) cannot
    # read how often relatives show, and keeps the guards whole.
    lone_value_is_an_error = lone_values_likelier_errors(pairs, threshold, len(prepared)) if scored.model_source == "trained" else set()
    decision = _decide(pairs, threshold, lone_value_is_an_error)
    record_l, record_r = pairs["record_l"].to_numpy(dtype=np.int64), pairs["record_r"].to_numpy(dtype=np.int64)
    if decided:
        by_person = pd.Series([decided.get((min(a, b), max(a, b))) for a, b in zip(record_l.tolist(), record_r.tolist())], index=pairs.index, dtype=object)
        decision[by_person.notna()] = by_person.dropna().map(REVIEWED)
    tables: dict[int, set] = {}
    if one_per_table is not None:
        for record, root in enumerate(clusters.labels()):
            tables.setdefault(int(root), set()).add(one_per_table[record])
    for position in np.flatnonzero((decision == "match").to_numpy()):
        left, right = int(record_l[position]), int(record_r[position])
        if one_per_table is not None:
            roots = clusters.find(left), clusters.find(right)
            if roots[0] != roots[1] and tables[roots[0]] & tables[roots[1]]:
                decision.iat[position] = "one_to_one"
                continue
        if not clusters.join(left, right):
            decision.iat[position] = "identifiers_conflict"
            continue
        if one_per_table is not None:
            tables[clusters.find(left)] = tables[roots[0]] | tables[roots[1]]
        for record in (left, right):
            if linked_by[record] in ("unlinked", "earlier_run"):
                linked_by[record] = "probabilistic"
    labels = clusters.labels()
    linked_by[np.bincount(labels, minlength=len(labels))[labels] == 1] = "unlinked"
    return LinkageResult(
        clusters=pd.DataFrame({"record": prepared["record"].to_numpy(), "cluster": labels, "linked_by": linked_by}),
        pairs=pairs[["record_l", "record_r", "match_weight", "match_probability"]].assign(decision=decision.to_numpy()),
        deterministic_links=deterministic_links,
        model=scored.model,
        model_source=scored.model_source,
        notes=scored.notes,
        threshold=threshold,
    )


@dataclass(frozen=True)
class TwoTableLinkage:
    """``pairs``: left row, right row (0-based positions), weight, probability and decision for
    every scored pair across the tables, plus ``same_person`` (True when the final clusters put
    them together, also through other records). ``clusters``: ``table`` (``left``/``right``),
    ``row``, ``cluster``, ``linked_by`` for every input row. ``notes``: as ``LinkageResult``'s,
    and a line for a column only one table fills (it can only link rows of that table).
    ``threshold`` as ``LinkageResult``'s."""

    pairs: pd.DataFrame
    clusters: pd.DataFrame
    notes: tuple[str, ...]
    threshold: float


def link_two_tables(
    left: pd.DataFrame,
    right: pd.DataFrame,
    match_threshold: float | None = None,
    one_to_one: bool = False,
    identifiers: Sequence[str] = (),
    review_floor: float | None = None,
) -> TwoTableLinkage:
    """Link two tables of people (standard columns), also finding duplicates within each table.

    ``one_to_one``: the caller knows each table holds one record per person, so a left row is
    linked to at most one right row and no two rows of a table are one person: the best-scored
    pair claims a row first, and a weaker pair of a row already linked is ``one_to_one``. Off by
    default, as a table of a person's several returns is the usual case.
    ``identifiers`` and ``review_floor`` as ``link_people``'s (a floor of 0 returns every pair
    the blocking compared, as the bench reads them)."""
    both = pd.concat([left.reset_index(drop=True), right.reset_index(drop=True)], ignore_index=True)
    sides = np.where(np.arange(len(both)) < len(left), "left", "right")
    prepared = prepare_people(both)
    one_per_table = sides if one_to_one else None
    result = link_prepared(prepared, match_threshold, review_floor, identifiers=other_identifiers(both, identifiers), one_per_table=one_per_table)
    result = replace(result, notes=(*column_notes(both, prepared), *result.notes))
    filled = {side: set(filled_columns(prepare_people(table))) for side, table in (("left", left), ("right", right))}
    one_sided = [
        f"{column}: only the {side} table has values, so it compares {side} rows among themselves only"
        for side, other in (("left", "right"), ("right", "left"))
        for column in STANDARD_COLUMNS
        if column in filled[side] - filled[other]
    ]
    table = sides
    row = np.where(table == "left", np.arange(len(both)), np.arange(len(both)) - len(left))
    clusters = result.clusters.assign(table=table, row=row)[["table", "row", "cluster", "linked_by"]]
    pairs = result.pairs
    low, high = np.minimum(pairs["record_l"], pairs["record_r"]), np.maximum(pairs["record_l"], pairs["record_r"])
    across = (low < len(left)) & (high >= len(left))
    cluster = result.clusters["cluster"].to_numpy()
    cross = pd.DataFrame(
        {
            "left_row": low[across].to_numpy(),
            "right_row": high[across].to_numpy() - len(left),
            "match_weight": pairs.loc[across, "match_weight"].to_numpy(),
            "match_probability": pairs.loc[across, "match_probability"].to_numpy(),
            "decision": pairs.loc[across, "decision"].to_numpy(),
            "same_person": cluster[low[across]] == cluster[high[across]],
        }
    )
    return TwoTableLinkage(pairs=cross.reset_index(drop=True), clusters=clusters, notes=(*result.notes, *one_sided), threshold=result.threshold)
