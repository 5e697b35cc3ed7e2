"""Clerical review: the pairs the linkage held back, put before a person, and their decisions kept.

Everything here is in the index zone, beside ``linkage_zone.duckdb`` under ``clerical_review/``
(``FolderLayout.clerical_review_dir``), since it shows identifiers; only the linkage role sees it.

Method notes: docs/linkage.md, "Notes on `assets/linkage/clerical_review.py`".
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import duckdb
import jinja2
import pandas as pd

from assets.bidi_controls import bidi_controls_shown
from assets.ingest.intake import judge
from assets.ingest.landing import landed_file
from assets.ingest.problems import Problem
from assets.ingest.refusal_report import render_refusal
from assets.linkage.probabilistic import pair_evidence
from assets.model.contracts import Contract, load_contract
from assets.model.reference import Councils

REVIEW = "linkage.clerical_review"
DECISIONS = "linkage.clerical_decisions"
DECISIONS_DDL = (
    f"CREATE TABLE IF NOT EXISTS {DECISIONS} (pair_reference VARCHAR, record_key_l VARCHAR, record_key_r VARCHAR, decision VARCHAR, "
    "note VARCHAR, reviewer VARCHAR, file_name VARCHAR, received_at TIMESTAMP, taken_at TIMESTAMP, applied_at TIMESTAMP)"
)
CONTRACT_PATH = Path(__file__).resolve().parents[2] / "data_contracts" / "linkage" / "clerical_decisions.yaml"
# The page shows this many pairs, oldest first: a queue longer than a day's work is still shown
# in full by its size and age in the asset's metadata.
PAGE_PAIRS = 500
HELD_BACK_BECAUSE = {
    "below_threshold": "scored below the threshold the model needs to link",
    "forenames_differ": "forenames entirely different (twins?) and no identifier agrees",
    "dates_of_birth_differ": "dates of birth entirely different (a parent and child named alike?) and no identifier agrees",
    "identifiers_conflict": "linking them would join two different CHIs or SCNs",
    "one_to_one": "a record of the same table is already linked better",
}


def decisions_contract(path: Path = CONTRACT_PATH) -> Contract:
    return load_contract(path)


def pair_reference(record_key_l: str, record_key_r: str) -> str:
    """A pair's reference for reviewers: the same whichever record is named first, and the same
    on every run while both records are held (the queue is rebuilt; the reference is not)."""
    keys = "|".join(sorted((record_key_l, record_key_r)))
    return "R-" + hashlib.sha256(keys.encode("utf-8")).hexdigest()[:12]


def with_references(review: pd.DataFrame, queued_before: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """``review`` rows with their ``pair_reference`` and ``queued_at``: when an earlier run first
    put the pair up for review (``queued_before``: ``pair_reference``, ``queued_at``), else ``now``."""
    references = [pair_reference(left, right) for left, right in zip(review["record_key_l"], review["record_key_r"])]
    review = review.assign(pair_reference=pd.Series(references, index=review.index, dtype=object))
    before = queued_before.drop_duplicates("pair_reference").set_index("pair_reference")["queued_at"]
    queued = review["pair_reference"].map(before)
    return review.assign(queued_at=pd.to_datetime(queued).fillna(pd.Timestamp(now)).astype("datetime64[us]"))


def queued_before(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every queued pair's reference and when it was first queued (nothing before the first run)."""
    if not queue_has_references(con):
        return pd.DataFrame(columns=["pair_reference", "queued_at"])
    return con.execute(f"SELECT pair_reference, queued_at FROM {REVIEW}").df()


def standing_decisions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The decision that stands for each pair (the latest received), with its record keys."""
    con.execute(DECISIONS_DDL)
    return con.execute(
        f"SELECT pair_reference, record_key_l, record_key_r, decision FROM {DECISIONS} "
        "QUALIFY row_number() OVER (PARTITION BY pair_reference ORDER BY received_at DESC, taken_at DESC) = 1"
    ).df()


def pending_records(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The records (``record_key``) of decisions no run has applied yet: an incremental run relinks their persons."""
    con.execute(DECISIONS_DDL)
    return con.execute(
        f"SELECT record_key_l AS record_key FROM {DECISIONS} WHERE applied_at IS NULL UNION SELECT record_key_r FROM {DECISIONS} WHERE applied_at IS NULL"
    ).df()


def mark_applied(con: duckdb.DuckDBPyConnection) -> int:
    """Record that this run applied every decision taken so far; returns how many were new to it."""
    return int(con.execute(f"UPDATE {DECISIONS} SET applied_at = now() WHERE applied_at IS NULL").fetchall()[0][0])


def carry_resent(con: duckdb.DuckDBPyConnection, resent_view: str) -> None:
    """Decisions follow a record re-sent in a corrected return (``resent_view``: ``record_key``, ``previous_key``)."""
    con.execute(DECISIONS_DDL)
    for side in ("l", "r"):
        con.execute(f"UPDATE {DECISIONS} d SET record_key_{side} = m.record_key FROM {resent_view} m WHERE d.record_key_{side} = m.previous_key")


@dataclass(frozen=True)
class DecisionsTaken:
    """What one look at the decisions folder found: files taken, decisions kept, files refused (by name)."""

    files: int
    decisions: int
    refused: tuple[str, ...]


def _waiting(inbox: Path) -> list[tuple[str, Path]]:
    """(reviewer, file) for every regular file in a reviewer's folder, following no link."""
    if not inbox.is_dir():
        return []
    return [
        (folder.name, path)
        for folder in sorted(inbox.iterdir()) if folder.is_dir() and not folder.is_symlink()
        for path in sorted(folder.iterdir()) if path.is_file() and not path.is_symlink() and not path.name.startswith(".")
    ]


def _unknown_references(rows: pd.DataFrame, known: set[str]) -> Problem | None:
    unknown = rows.index[~rows["pair_reference"].isin(known)]
    if not len(unknown):
        return None
    return Problem(
        check="pair_reference",
        message=f"{len(unknown):,} pair references are not pairs the linkage put up for review.",
        columns=("pair_reference",),
        rows=tuple(int(r) + 1 for r in unknown[:20]),
        rows_affected=len(unknown),
        examples=tuple(rows.loc[unknown[:10], "pair_reference"]),
        fix="Copy each reference from the latest review page (clerical_review/queue/review.html) or its decisions template.",
    )


def _move(path: Path, folder: Path, stamp: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return path.replace(folder / f"{stamp}_{path.name}")


def take_decisions(con: duckdb.DuckDBPyConnection, review_dir: Path, contract: Contract, councils: Councils, reference_dir: Path) -> DecisionsTaken:
    """Check every file in ``review_dir/decisions/<reviewer>/`` and keep the decisions of those
    that pass (module docstring). Each file's decisions are committed before it is moved, so a
    crash leaves a file to be taken again, never decisions lost."""
    con.execute(DECISIONS_DDL)
    known = {ref for (ref,) in con.execute(f"SELECT pair_reference FROM {REVIEW} UNION SELECT pair_reference FROM {DECISIONS}").fetchall()} if queue_has_references(con) else set()
    files = decisions = 0
    refused = []
    for reviewer, path in _waiting(review_dir / "decisions"):
        landed = replace(landed_file(path), agency=reviewer, dataset=contract.id, location=f"clerical_review/decisions/{reviewer}/{path.name}")
        with duckdb.connect() as staging:
            [verdict] = judge([landed], contract, councils, reference_dir, staging)
            rows = staging.execute("SELECT pair_reference, decision, note FROM staged ORDER BY _row_number").df() if verdict.accepted else None
        problem = _unknown_references(rows, known) if rows is not None else None
        problems = [*verdict.problems, *([problem] if problem else [])]
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        if any(p.blocking for p in problems):
            kept = _move(path, review_dir / "refused" / reviewer, stamp)
            for suffix, text in render_refusal(landed, contract, problems).items():
                kept.with_name(kept.name + suffix).write_text(text, encoding="utf-8")
            refused.append(f"{reviewer}/{path.name}")
            continue
        _keep(con, rows, reviewer, path.name, landed.received_at)
        _move(path, review_dir / "taken" / reviewer, stamp)
        files, decisions = files + 1, decisions + len(rows)
    return DecisionsTaken(files, decisions, tuple(refused))


def queue_has_references(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the queue holds pair references (a queue written before clerical review did not)."""
    return bool(con.execute("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'linkage' AND table_name = 'clerical_review' AND column_name = 'pair_reference'").fetchall()[0][0])


def _keep(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, reviewer: str, file_name: str, received_at: dt.datetime) -> None:
    """Each decision with the records of its pair (from the queue, or an earlier decision on it)."""
    con.register("decided_rows", rows)
    try:
        con.execute(
            f"""INSERT INTO {DECISIONS}
            SELECT d.pair_reference, p.record_key_l, p.record_key_r, d.decision, d.note, ?, ?, ?, now(), NULL
            FROM decided_rows d JOIN (
                SELECT DISTINCT ON (pair_reference) pair_reference, record_key_l, record_key_r FROM (
                    SELECT pair_reference, record_key_l, record_key_r, 0 AS choice FROM {REVIEW}
                    UNION ALL SELECT pair_reference, record_key_l, record_key_r, 1 FROM {DECISIONS}
                ) ORDER BY pair_reference, choice
            ) p USING (pair_reference)""",
            [reviewer, file_name, received_at.replace(tzinfo=None)],
        )
    finally:
        con.unregister("decided_rows")


def queue_summary(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> tuple[int, float | None]:
    """The queue's size and the age in days of its oldest pair (None when empty)."""
    if not queue_has_references(con):
        return int(con.execute(f"SELECT count(*) FROM {REVIEW}").fetchall()[0][0]), None
    size, oldest = con.execute(f"SELECT count(*), min(queued_at) FROM {REVIEW}").fetchall()[0]
    return int(size), (round((now.replace(tzinfo=None) - oldest).total_seconds() / 86400, 1) if oldest is not None else None)


@cache
def _page_template() -> jinja2.Template:
    """Autoescaped, and each bidirectional control in a value written out as ``[U+202E]``: a name that hides
    one must not look like another to the reviewer, who should see that it is there."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True, undefined=jinja2.StrictUndefined,
        finalize=bidi_controls_shown,
    )
    return environment.get_template("clerical_review.html.j2")


def write_review_page(queue: pd.DataFrame, records: pd.DataFrame, prepared: pd.DataFrame, model: dict | None, review_dir: Path, now: dt.datetime) -> Path:
    """The review page and decisions template for ``queue`` (``REVIEW`` rows, oldest first) in
    ``review_dir/queue/``. ``records``: each record as sent (``record_key``, ``dataset``, ``_agency``
    and its standard columns); ``prepared``: the same records as linkage reads them (``record_key``
    and ``core.prepare_people`` columns); ``model``: the Splink model whose evidence is shown."""
    shown = queue.head(PAGE_PAIRS).reset_index(drop=True)
    prepared = prepared.drop_duplicates("record_key").set_index("record_key")
    evidence: dict[int, list] = {}
    if model is not None and not shown.empty:
        left = prepared.loc[shown["record_key_l"]].reset_index(drop=True)
        right = prepared.loc[shown["record_key_r"]].reset_index(drop=True)
        for item in pair_evidence(left, right, model):
            evidence.setdefault(item.pair, []).append(item)
    as_sent = records.drop_duplicates("record_key").set_index("record_key")
    fields = [c for c in as_sent.columns if c not in ("dataset", "_agency") and as_sent[c].notna().any()]

    def record(key: str) -> dict:
        row = as_sent.loc[key]
        return {"dataset": row["dataset"], "agency": row["_agency"], "values": {c: ("" if pd.isna(row[c]) else str(row[c])) for c in fields}}

    pairs = [
        {
            "reference": row.pair_reference,
            "queued": row.queued_at.strftime("%Y-%m-%d"),
            "age_days": (now.replace(tzinfo=None) - row.queued_at).days,
            "probability": f"{row.match_probability:.3f}",
            "weight": f"{row.match_weight:.1f}",
            "why": HELD_BACK_BECAUSE.get(row.decision, row.decision),
            "left": record(row.record_key_l),
            "right": record(row.record_key_r),
            "evidence": evidence.get(number, []),
        }
        for number, row in enumerate(shown.itertuples(index=False))
    ]
    out = review_dir / "queue"
    out.mkdir(parents=True, exist_ok=True)
    html = _page_template().render(pairs=pairs, fields=fields, queued=len(queue), shown=len(shown), written=now.strftime("%Y-%m-%d %H:%M UTC"))
    page = out / "review.html"
    building = page.with_name(page.name + ".new")
    building.write_text(html, encoding="utf-8")
    building.replace(page)
    template = pd.DataFrame({"pair_reference": shown["pair_reference"], "decision": "", "note": ""})
    template.to_csv(out / "decisions_template.csv", index=False)
    return page
