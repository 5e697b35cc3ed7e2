"""Link records of people: identifiers first, then Splink's scores, then clusters that respect identifiers.

A plain function on tables of people with standard columns (forename, surname,
date_of_birth as ``YYYY-MM-DD``, sex ``M``/``F``, postcode, and optional chi and scn; any value
may be missing), so it can be evaluated on any data, not only inside the pipeline:

    result = link_people(people)                  # one table: who is who
    result = link_two_tables(left, right)         # two tables: which left rows are which right rows

Why each step (measured on the synthetic ground truth, see ``bench/linkage_quality.py``):

- Deterministic keys are a **trusted CHI** (check digit holds *and* its DDMMYY and sex digit agree
  with the record, so a brother's or sister's CHI typed into the wrong record is not trusted)
  and the **SCN**. An exact name and date of birth is *not* a deterministic key: strangers
  share both (two Connor Wilsons born 5 August 2004 with different SCNs); Splink weighs it
  against the rest.
- Splink (``probabilistic``) scores the remaining evidence. Twins share surname, date of birth,
  sex and postcode, which outweighs any forename disagreement, so a scored pair whose forenames
  are entirely different is only accepted when a CHI or SCN agrees (exactly or one digit
  apart); otherwise it goes to clerical review.
- Clusters refuse merges between different trusted CHIs or clearly different SCNs
  (``clusters``), so one wrong link cannot chain two people's records together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assets.linkage.clusters import ConflictAwareClusters

STANDARD_COLUMNS = ("forename", "surname", "date_of_birth", "sex", "postcode", "chi", "scn")
_NOT_LETTERS = re.compile(r"[^a-z]")
# Splink's name comparison level for "no similarity at all" (below Jaro-Winkler 0.7).
_FORENAMES_DIFFER = 0
# Identifier comparison levels at or above this mean "exact or one digit apart".
_IDENTIFIER_AGREES = 1


def chi_is_valid(chi: object) -> bool:
    """A 10-digit CHI whose modulus-11 check digit holds (10 is never issued)."""
    if not isinstance(chi, str) or len(chi) != 10 or not chi.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(chi[:9], range(10, 1, -1)))
    check = (11 - total % 11) % 11
    return check != 10 and check == int(chi[9])


def _text(column: pd.Series) -> pd.Series:
    return column.astype("string").str.strip().replace("", pd.NA)


def _name(column: pd.Series) -> pd.Series:
    return _text(column).str.lower().str.replace(_NOT_LETTERS, "", regex=True).replace("", pd.NA)


def trusted_chi(chi: pd.Series, date_of_birth: pd.Series, sex: pd.Series) -> pd.Series:
    """The CHI where its check digit holds and its date and sex digit agree with the record, else NA."""
    valid = chi.map(chi_is_valid).astype(bool)
    ddmmyy = date_of_birth.str.slice(8, 10) + date_of_birth.str.slice(5, 7) + date_of_birth.str.slice(2, 4)
    date_agrees = (chi.str.slice(0, 6) == ddmmyy).fillna(True)
    sex_digit_odd = chi.str.slice(8, 9).astype("Float64") % 2 == 1
    sex_agrees = (sex_digit_odd == (sex == "M")).fillna(True)
    return chi.where(valid & date_agrees & sex_agrees)


def prepare_people(people: pd.DataFrame) -> pd.DataFrame:
    """Standard columns, normalised, one row per input row in order (missing columns become NA).

    ``chi`` keeps a trusted CHI or a mistyped one (its check digit fails: a near-miss still says a
    lot); a valid CHI that contradicts the record's date of birth or sex is someone else's and
    is dropped. ``trusted_chi`` is what deterministic linkage and cluster conflicts use.
    """
    people = people.reset_index(drop=True)
    column = {c: (_text(people[c]) if c in people else pd.Series(pd.NA, index=people.index, dtype="string")) for c in STANDARD_COLUMNS}
    date_of_birth = column["date_of_birth"].str.slice(0, 10)
    sex = column["sex"].str.upper()
    chi = column["chi"].str.replace(r"\s", "", regex=True)
    trusted = trusted_chi(chi, date_of_birth, sex)
    mistyped = chi.str.fullmatch(r"\d{10}").fillna(False) & ~chi.map(chi_is_valid).astype(bool)
    scn = column["scn"].str.replace(r"\s", "", regex=True)
    return pd.DataFrame(
        {
            "record": np.arange(len(people)),
            "forename": _name(column["forename"]),
            "surname": _name(column["surname"]),
            "date_of_birth": date_of_birth,
            "sex": sex,
            "postcode": column["postcode"].str.upper().str.replace(r"\s+", " ", regex=True),
            "chi": trusted.where(trusted.notna(), chi.where(mistyped)),
            "trusted_chi": trusted,
            "scn": scn.where(scn.str.fullmatch(r"\d{9}").fillna(False)),
        }
    )


@dataclass(frozen=True)
class LinkageResult:
    """What a linkage run decided.

    ``clusters``: one row per input record, in input order: ``record`` (position), ``cluster``
    (the smallest position in the record's person), ``linked_by`` (``chi``, ``scn``,
    ``probabilistic``, ``earlier_run``, or ``unlinked`` when the person has no other record).
    ``pairs``: every pair Splink scored at or above the review floor: ``record_l``, ``record_r``,
    ``match_weight``, ``match_probability`` and ``decision`` (``match``, or why not:
    ``below_threshold``, ``forenames_differ``, ``identifiers_conflict``).
    ``model``: the Splink model used (JSON form), to store and reuse.
    """

    clusters: pd.DataFrame
    pairs: pd.DataFrame
    deterministic_links: int
    model: dict


def _link_on_identifiers(prepared: pd.DataFrame, clusters: ConflictAwareClusters, linked_by: np.ndarray) -> int:
    """Join records sharing a trusted CHI, then an SCN; returns how many links were made."""
    links = 0
    for method, key in (("chi", prepared["trusted_chi"]), ("scn", prepared["scn"])):
        present = key.dropna()
        anchor = pd.Series(present.index, index=present.index).groupby(present.to_numpy()).transform("first")
        for first, member in zip(anchor.to_numpy(), anchor.index.to_numpy()):
            if first != member and clusters.join(int(first), int(member)):
                links += 1
                for record in (first, member):
                    if linked_by[record] == "unlinked":
                        linked_by[record] = method
    return links


def _keep_earlier_persons(earlier_persons: pd.Series, clusters: ConflictAwareClusters, linked_by: np.ndarray) -> None:
    present = earlier_persons.dropna()
    anchor = pd.Series(present.index, index=present.index).groupby(present.to_numpy()).transform("first")
    for first, member in zip(anchor.to_numpy(), anchor.index.to_numpy()):
        if first != member and clusters.find(int(first)) != clusters.find(int(member)) and clusters.join(int(first), int(member)):
            for record in (first, member):
                if linked_by[record] == "unlinked":
                    linked_by[record] = "earlier_run"


def _decide(pairs: pd.DataFrame, threshold: float) -> pd.Series:
    """Before clustering: ``match`` candidates and the pairs held back for review, with why."""
    identifier_agrees = (pairs["gamma_chi"] >= _IDENTIFIER_AGREES) | (pairs["gamma_scn"] >= _IDENTIFIER_AGREES)
    decision = pd.Series("match", index=pairs.index, dtype=object)
    decision[(pairs["gamma_forename"] == _FORENAMES_DIFFER) & ~identifier_agrees] = "forenames_differ"
    decision[pairs["match_probability"] < threshold] = "below_threshold"
    return decision


def link_people(
    people: pd.DataFrame,
    match_threshold: float | None = None,
    review_floor: float | None = None,
    earlier_persons: pd.Series | None = None,
    model: dict | None = None,
    backend: str = "duckdb",
) -> LinkageResult:
    """Who is who in one table of people (standard columns; see the module docstring).

    ``earlier_persons`` (aligned with ``people``; NA for records not seen before) names the
    person each record was given by an earlier run. Records an earlier run put together stay
    together (``linked_by`` ``earlier_run``) unless their identifiers now conflict, so a rerun
    with re-estimated weights cannot split a person over a borderline pair. ``model``: a
    Splink model from an earlier run (``LinkageResult.model``) to reuse instead of training.
    ``backend``: where Splink scores pairs, ``duckdb`` or ``spark`` (``probabilistic.splink_api``).
    """
    from assets.linkage.probabilistic import MATCH_THRESHOLD, REVIEW_FLOOR, score_pairs

    prepared = prepare_people(people)
    clusters = ConflictAwareClusters(prepared["trusted_chi"].tolist(), prepared["scn"].tolist())
    linked_by = np.full(len(prepared), "unlinked", dtype=object)
    deterministic_links = _link_on_identifiers(prepared, clusters, linked_by)

    pairs, trained = score_pairs(prepared, REVIEW_FLOOR if review_floor is None else review_floor, model, backend=backend)
    pairs = pairs.sort_values("match_weight", ascending=False, kind="stable").reset_index(drop=True)
    decision = _decide(pairs, MATCH_THRESHOLD if match_threshold is None else match_threshold)
    record_l, record_r = pairs["record_l"].to_numpy(dtype=np.int64), pairs["record_r"].to_numpy(dtype=np.int64)
    for position in np.flatnonzero((decision == "match").to_numpy()):
        left, right = int(record_l[position]), int(record_r[position])
        if not clusters.join(left, right):
            decision.iat[position] = "identifiers_conflict"
            continue
        for record in (left, right):
            if linked_by[record] == "unlinked":
                linked_by[record] = "probabilistic"
    if earlier_persons is not None:
        _keep_earlier_persons(pd.Series(earlier_persons).reset_index(drop=True), clusters, linked_by)
    labels = clusters.labels()
    linked_by[np.bincount(labels, minlength=len(labels))[labels] == 1] = "unlinked"
    return LinkageResult(
        clusters=pd.DataFrame({"record": prepared["record"].to_numpy(), "cluster": labels, "linked_by": linked_by}),
        pairs=pairs[["record_l", "record_r", "match_weight", "match_probability"]].assign(decision=decision.to_numpy()),
        deterministic_links=deterministic_links,
        model=trained,
    )


@dataclass(frozen=True)
class TwoTableLinkage:
    """``pairs``: left row, right row (0-based positions), weight, probability and decision for
    every scored pair across the tables, plus ``same_person`` (True when the final clusters put
    them together, also through other records). ``clusters``: ``table`` (``left``/``right``),
    ``row``, ``cluster``, ``linked_by`` for every input row."""

    pairs: pd.DataFrame
    clusters: pd.DataFrame


def link_two_tables(left: pd.DataFrame, right: pd.DataFrame, match_threshold: float | None = None) -> TwoTableLinkage:
    """Link two tables of people (standard columns), also finding duplicates within each table."""
    both = pd.concat([left.reset_index(drop=True), right.reset_index(drop=True)], ignore_index=True)
    result = link_people(both, match_threshold=match_threshold)
    table = np.where(np.arange(len(both)) < len(left), "left", "right")
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
    return TwoTableLinkage(pairs=cross.reset_index(drop=True), clusters=clusters)
