"""What organisations hold, beside what they send: the Data Map's second half.

The Promise Scotland's Data Map asks organisations what data they *hold*, mapped to what
matters to children and families, "helping to fill gaps, find links, avoid duplication". The
``data_holdings`` return declares one row per holding; this module sets each organisation's
latest return beside the ingest ledger and the map's gaps, per vision statement:

Method notes: docs/publication.md, "Notes on `assets/publication/data_holdings.py`".
"""

from __future__ import annotations

import pandas as pd

from assets.model.reference import SCOTLAND_CODE

HOLDINGS = "data_holdings"
HOLDING_COLUMNS = (
    "vision_id", "organisation_code", "organisation_name", "what_is_recorded", "topic", "about_whom", "kind", "what_matters",
    "places", "years", "frequency", "shared", "shared_with", "sent_as", "sent", "also_held_by",
)
FINDING_COLUMNS = ("vision_id", "kind", "topic", "organisations", "finding")
SHARED = {"not_shared": "not shared", "on_request": "shared on request", "routinely": "shared routinely", "published": "published"}
# Which kinds of holding could fill each kind of gap the map names for a vision statement.
FILLS = {"no_measure": ("records", "statistics", "experience"), "no_indicator": ("records", "statistics"), "no_experience": ("experience",)}


def _words(code: str) -> str:
    return str(code).replace("_", " ")


def _phrase(text: str) -> str:
    """An organisation's description inside a sentence: no full stop, a capital kept only where it starts a name."""
    text = str(text).strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _covers(places: str) -> set[str]:
    return set(str(places).split(";"))


def _overlap(a: pd.Series, b: pd.Series) -> bool:
    """Two holdings are about the same places and years: a Scotland-wide one overlaps any place."""
    places_a, places_b = _covers(a["places"]), _covers(b["places"])
    same_places = SCOTLAND_CODE in places_a or SCOTLAND_CODE in places_b or bool(places_a & places_b)
    return same_places and a["first_year"] <= b["last_year_or_now"] and b["first_year"] <= a["last_year_or_now"]


def latest_returns(holdings: pd.DataFrame) -> pd.DataFrame:
    """Each organisation's latest return only (``_period`` is the return's year): a holding dropped from it is no longer held."""
    latest = holdings.groupby("organisation_code")["_period"].transform("max")
    return holdings[holdings["_period"] == latest]


def _sent(holding: pd.Series, accepted: set[tuple[str, str]]) -> bool:
    dataset = str(holding["sent_as"] or "")
    senders = {holding["organisation_code"], *_covers(holding["places"])}
    return bool(dataset) and any((dataset, agency) in accepted for agency in senders)


def held_data(holdings: pd.DataFrame, coverage: pd.DataFrame, gaps: pd.DataFrame, visions: pd.DataFrame, place_names: dict[str, str], this_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``mart.data_holdings`` and ``mart.data_map_findings`` (columns in the module doc).

    ``holdings``: the latest returns (``latest_returns``); ``coverage``: ``mart.data_coverage``
    (dataset, agency, outcome); ``gaps``: ``mart.data_map_gaps``; ``place_names``: GSS code -> name.
    """
    h = holdings.fillna({"vision_ids": "", "what_matters": "", "shared_with": "", "sent_as": ""}).reset_index(drop=True).copy()
    h["first_year"] = h["first_year"].astype(int)
    h["last_year_or_now"] = pd.to_numeric(h["last_year"], errors="coerce").fillna(this_year).astype(int)
    taken = coverage[coverage["outcome"] == "accepted"] if not coverage.empty else coverage
    accepted = set(zip(taken["dataset"], taken["agency"])) if not taken.empty else set()
    h["sent"] = [_sent(row, accepted) for _, row in h.iterrows()]
    h["also_held_by"] = [
        "; ".join(sorted({o["organisation_name"] for _, o in h.iterrows() if o["organisation_code"] != row["organisation_code"]
                          and (o["topic"], o["about_whom"]) == (row["topic"], row["about_whom"]) and _overlap(row, o)}))
        for _, row in h.iterrows()
    ]
    h["places"] = h["places"].map(lambda p: "; ".join(place_names.get(code, code) for code in str(p).split(";")))
    last = pd.to_numeric(h["last_year"], errors="coerce")
    h["years"] = [f"{first} to {int(end)}" if pd.notna(end) else f"{first} onwards" for first, end in zip(h["first_year"], last)]
    h["vision_id"] = h["vision_ids"].map(lambda v: [int(x) for x in str(v).split(";") if x] or [pd.NA])
    table = h.explode("vision_id")
    table = table.astype({"vision_id": "Int64"})[list(HOLDING_COLUMNS)].sort_values(["vision_id", "topic", "organisation_name"], ignore_index=True)
    return table, _findings(table, gaps, visions)


def _findings(table: pd.DataFrame, gaps: pd.DataFrame, visions: pd.DataFrame) -> pd.DataFrame:
    rows: list[tuple] = []
    for vision in visions.itertuples():
        mine = table[table["vision_id"] == vision.vision_id]
        label = f"Vision {vision.vision_id} ({vision.short_title})"
        for r in mine[~mine["sent"]].itertuples():
            shared = f"; {SHARED.get(r.shared, _words(r.shared))}" + (f" with {r.shared_with}" if r.shared_with and r.shared in ("on_request", "routinely") else "")
            rows.append((vision.vision_id, "held_not_sent", r.topic, r.organisation_name,
                         f"{r.organisation_name} holds {_phrase(r.what_is_recorded)} ({_words(r.about_whom)}; {r.places}; {r.years}){shared}, and does not send it to the Story of Progress."))
        for (topic, about), group in mine[mine["also_held_by"] != ""].groupby(["topic", "about_whom"], sort=True):
            names = sorted(set(group["organisation_name"]))
            rows.append((vision.vision_id, "collected_more_than_once", topic, "; ".join(names),
                         f"{len(names)} organisations collect {_words(topic)} about {_words(about)} for the same places and years: {', '.join(names)}."))
        if mine.empty:
            rows.append((vision.vision_id, "nothing_held", "", "", f"{label}: no organisation has said it holds data that informs it."))
        for gap in gaps[(gaps["vision_id"] == vision.vision_id) & gaps["kind"].isin(list(FILLS))].itertuples():
            could = mine[mine["kind"].isin(FILLS[gap.kind])].drop_duplicates(["organisation_name", "what_is_recorded"])
            if could.empty:
                rows.append((vision.vision_id, "gap_nothing_held_would_fill", "", "", f"{gap.gap} Nothing any organisation holds would fill it."))
            else:
                held = "; ".join(f"{r.organisation_name}: {_phrase(r.what_is_recorded)}" for r in could.itertuples())
                rows.append((vision.vision_id, "gap_held_data_could_fill", "", "; ".join(sorted(set(could["organisation_name"]))), f"{gap.gap} Data already held could fill it ({held})."))
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS)).astype({"vision_id": "Int64"})
