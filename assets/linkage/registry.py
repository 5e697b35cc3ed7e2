"""The person registry: a person keeps their ``person_id`` when new files arrive and linkage reruns.

Each linkage run makes its clusters afresh (of every record, or of the records a new file
touches, ``incremental``), so they are new objects each time. The registry
(``linkage.person_registry`` in the linkage zone: one row per record with the person id it
was given) carries ids across runs: each new cluster takes the previous id most of its
records held, each previous id going to one cluster only. A cluster with no previous id (a
person seen for the first time, or a part split off a person) gets a new keyed pseudonym of
one of its records' seeds (``minting_seeds``: dataset, agency and identifiers as linkage reads
them), never an id the registry holds. A seed names no file, so the same records sent combined
or split at source, linked in full or incrementally, give the same ids.

An id changes only when the evidence changes: two previous persons now linked into one keep
the id of the larger (the other is retired), or a person split apart keeps the id on the
larger part. Every change is returned, to be logged in ``linkage.person_id_changes``.

A record's key names the file it came in (``dataset|file hash|row``; the index zone's own
bookkeeping, never a person id's seed), so a corrected return brings every row it repeats under a new key. ``resent_records`` matches such a row to the
registered row it repeats, so it keeps that row's person (and needs no linking): the
evidence about the person has not changed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import pandas as pd

from assets.linkage.pseudonyms import pseudonym

PERSON_PREFIX = "P"
_MISSING = "\x00"


def minting_seeds(people: pd.DataFrame, prepared: pd.DataFrame, columns: Iterable[str]) -> pd.Series:
    """What a new person's id may be made from, per record: its dataset, agency and ``columns``
    of ``prepared`` (identifiers as linkage reads them), the same whether the return came whole
    or split and whatever its file's bytes. Held in memory only; the id is a keyed pseudonym of it."""
    parts = [people["dataset"], people["_agency"], *(prepared[c] if c in prepared else pd.Series(pd.NA, index=prepared.index, dtype="string") for c in columns)]
    # Missing is empty (prepare_people never keeps an empty value); not NUL, which pandas' multi-column sort cuts strings at.
    text = [(part if part.dtype == object or isinstance(part.dtype, pd.StringDtype) else part.astype("string")).to_numpy(dtype=object, na_value="") for part in parts]
    return pd.Series(["|".join(values) for values in zip(*text)], name="seed", dtype=object)


def _candidate_ids(seeds: list[str], key: bytes) -> Iterator[str]:
    """Ids a new person may take, from its records' seeds: a part split off a person may hold the
    very record whose seed named that person, so the seeds are tried again with a counter."""
    for round_ in itertools.count():
        for seed in seeds:
            yield pseudonym(key, f"person|{seed}" + (f"|{round_}" if round_ else ""), PERSON_PREFIX)


def stable_person_ids(
    records: pd.DataFrame, previous: pd.DataFrame | None, key: bytes, issued: Iterable[str] = (), seeds: pd.Series | None = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """Person ids for ``records`` (``record_key``, ``cluster``, ``_row_number``) given last run's registry.

    ``previous``: ``record_key``, ``person_id`` (None on the first run); its ids, and ``issued``
    (ids that records outside ``records`` hold: an incremental run relinks a few persons whole),
    are never given to a new person. ``seeds``: each record's ``minting_seeds`` (aligned with
    ``records``; by default its record key). A new person's id comes from its smallest seed, and
    persons whose seeds tie are served in row-number order. Returns the person id of every record
    (aligned with ``records``) and the changes: ``previous_person_id``, ``person_id``, ``records``
    for every record whose id is not the one it had.
    """
    known = records[["record_key", "cluster"]].copy()
    known["seed"] = (seeds if seeds is not None else records["record_key"]).to_numpy()
    known["row"] = records["_row_number"].to_numpy() if "_row_number" in records else 0
    if previous is not None and not previous.empty:
        known = known.merge(previous[["record_key", "person_id"]].rename(columns={"person_id": "previous_id"}), on="record_key", how="left")
    else:
        known["previous_id"] = pd.NA
    claims = (
        known.dropna(subset=["previous_id"]).groupby(["cluster", "previous_id"]).size().rename("records").reset_index()
        .sort_values(["records", "previous_id", "cluster"], ascending=[False, True, True], kind="stable")
    )
    cluster_id: dict[int, str] = {}
    claimed: set[str] = set()
    for cluster, previous_id in zip(claims["cluster"].to_numpy(), claims["previous_id"].to_numpy()):
        if cluster not in cluster_id and previous_id not in claimed:
            cluster_id[cluster] = previous_id
            claimed.add(previous_id)
    issued = set(issued) | set(known["previous_id"].dropna()) | claimed
    if previous is not None:
        issued |= set(previous["person_id"].dropna())  # a gone person's id too, as an incremental run's registry holds it
    newcomers = known[~known["cluster"].isin(cluster_id)].sort_values(["seed", "row", "record_key"], kind="stable")
    for cluster, cluster_seeds in newcomers.groupby("cluster", sort=False)["seed"]:
        candidate = next(c for c in _candidate_ids(list(dict.fromkeys(cluster_seeds)), key) if c not in issued)
        cluster_id[cluster] = candidate
        issued.add(candidate)
    person_id = known["cluster"].map(cluster_id)
    moved = known["previous_id"].notna() & (known["previous_id"] != person_id)
    changes = (
        pd.DataFrame({"previous_person_id": known.loc[moved, "previous_id"], "person_id": person_id[moved]})
        .groupby(["previous_person_id", "person_id"]).size().rename("records").reset_index()
    )
    return pd.Series(person_id.to_numpy(), index=records.index, name="person_id"), changes


def resent_records(new: pd.DataFrame, gone: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``new`` that repeat a row of ``gone``, each with the person it keeps.

    ``new``: records not registered yet, ``gone``: registered records no longer in the raw
    zone, both ``core.prepare_people`` rows with ``record_key``, ``dataset`` and ``_agency``;
    ``gone`` also has ``person_id`` and ``linked_by``. A new row repeats a gone row when every
    column of ``new`` but ``record`` and ``record_key`` agrees (missing equals missing): the
    dataset, the agency and every identifier as linkage reads it. Identical
    rows pair off in record-key order, one new row per gone row; where identical gone rows
    were given different persons (or linked differently), which one a new row repeats is
    unknowable, so none of them is matched. Returns ``record_key`` (new), ``previous_key``,
    ``person_id`` and ``linked_by``.
    """
    columns = [c for c in new.columns if c not in ("record", "record_key")]
    if new.empty or gone.empty:
        return pd.DataFrame(columns=["record_key", "previous_key", "person_id", "linked_by"])

    def content(frame: pd.DataFrame) -> pd.DataFrame:
        same = frame[columns].astype("string").fillna(_MISSING)
        same.columns = [f"same_{c}" for c in columns]
        keyed = pd.concat([frame[["record_key"]].reset_index(drop=True), same.reset_index(drop=True)], axis=1).sort_values("record_key", kind="stable")
        keyed["copy"] = keyed.groupby(list(same.columns), sort=False).cumcount()
        return keyed

    earlier = content(gone).join(gone.set_index("record_key")[["person_id", "linked_by"]], on="record_key")
    same = [c for c in earlier.columns if c.startswith("same_")]
    one_person = earlier.groupby(same, sort=False)[["person_id", "linked_by"]].transform("nunique").eq(1).all(axis=1)
    matched = content(new).merge(earlier[one_person].rename(columns={"record_key": "previous_key"}), on=[*same, "copy"])
    return matched[["record_key", "previous_key", "person_id", "linked_by"]].reset_index(drop=True)
