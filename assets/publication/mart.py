"""What the ``publication/published_measures`` asset (made in ``factory.py``) does: disclosure
control as the edition applies it, the audit and its memo, and the mart's early warnings.

Disclosure control runs here and only here, before anything leaves the warehouse; reports,
downloads and the exported mart read the ``mart`` schema and nothing upstream of it. A
blocking check re-verifies the output so a publication can never follow a disclosive table.
The asset writes every mart table made from measures, so anything downstream of it sees
them all at once.

Method notes: docs/publication.md, "Notes on `assets/publication/mart.py`".
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd

from assets.disclosure.disclosure_control import FIGURE_KEY, DisclosureRule, apply_disclosure_control
from assets.disclosure.intruder_audit import AuditMemo, DisclosureAudit, audit_disclosure
from assets.measures.early_warning import WARNING_COLUMNS, early_warnings, headline_rows
from assets.model.measures import Measure

RULE = DisclosureRule()
PUBLISHED_COLUMNS = (
    "measure_id", "period", "geography_code", "geography_level", "breakdown", "category", "unit",
    "numerator_published", "denominator_published", "value_published", "lower_published", "upper_published", "value_display", "vintage",
)
SUPPRESSION_COLUMNS = (*FIGURE_KEY, "suppression", "suppression_reason")
AUDIT_SECONDS = 240.0  # the audit's solving budget: a cell it cannot decide in time counts as failing
AUDIT_MEMO = "disclosure.audit_memo"
SAME_FIGURE = ["period", "geography_code", "breakdown", "category"]


Declared = dict[str, tuple[str, str, tuple[str, ...]]]


def disclosure_declarations(entries: dict[str, Measure]) -> tuple[set[str], Declared, Declared]:
    """What the catalogue's declarations tell disclosure control: measures whose denominators
    are public, composite counts (a measure's numerator made of another's categories), and
    stocks balanced by their flows in and out (``Measure.stock_and_flow``)."""
    public = {m for m, entry in entries.items() if entry.public_denominator}
    return public, {m: entry.composed_of for m, entry in entries.items() if entry.composed_of}, {m: entry.stock_and_flow for m, entry in entries.items() if entry.stock_and_flow}


def control_measures(
    measures: pd.DataFrame, entries: dict[str, Measure], place_names: dict[str, str], progress: Callable[[str], None] = lambda message: None,
    memo: AuditMemo | None = None, keep_hidden: np.ndarray | None = None,
) -> tuple[pd.DataFrame, DisclosureAudit | None]:
    """Disclosure control as the edition applies it: the catalogue says which denominators are
    public and which counts are composites. Returns ``apply_disclosure_control``'s output with
    ``denominator_published`` (raw counts are still in it, so publish only ``PUBLISHED_COLUMNS``)
    and the judge's last verdict (None when there was nothing to judge), whose ``memo`` holds
    what every round found. ``memo``: an earlier edition's (``audit_disclosure``); each round
    of judging reuses it and what the rounds before it found. ``keep_hidden``: the rows the
    previous edition hid (``edition_revisions.hidden_before``), hidden again.
    """
    public, compositions, balances = disclosure_declarations(entries)
    verdicts: list[DisclosureAudit] = []
    found: AuditMemo = {}

    def judge(candidate: pd.DataFrame) -> pd.DataFrame:
        """The intruder audit of a candidate publication, as the gate will run it."""
        shown = candidate.assign(denominator_published=publishable_denominators(candidate, public))
        verdict = audit_mart(shown, measures, compositions, balances, memo={**(memo or {}), **found})
        progress(f"intruder audit: {verdict.components:,} parts, {verdict.components_reused:,} of them unchanged since an earlier audit ({verdict.seconds:.1f} s)")
        found.update(verdict.memo)
        verdicts[:] = [replace(verdict, memo=found)]
        return verdict.failing

    controlled = apply_disclosure_control(measures, RULE, geography_names=place_names, public_denominators=public, compositions=compositions, balances=balances, judge=judge, progress=progress, keep_hidden=keep_hidden)
    controlled["denominator_published"] = publishable_denominators(controlled, public)
    return controlled, (verdicts[0] if verdicts else None)


def publishable_denominators(published: pd.DataFrame, public: set[str]) -> pd.Series:
    """The denominator each row may show (NA where hidden); the rule is in the module doc.

    ``published``: the output of ``apply_disclosure_control`` (raw ``numerator`` and
    ``denominator`` still present); ``public``: measure ids whose denominators are public.
    """
    table = published.reset_index(drop=True)
    denominator = table["denominator"].astype("Float64")
    row_published = table["suppression"].fillna("").eq("").to_numpy()
    keys = table[SAME_FIGURE].astype(str)
    hidden = keys[~row_published & table["numerator"].notna().to_numpy()].assign(
        count=table["numerator"].astype("Float64").astype(float), hidden_in=table["measure_id"],
    ).dropna(subset=["count"])
    asked = keys.assign(count=denominator.astype(float), measure_id=table["measure_id"], row=np.arange(len(table)))
    matches = asked.dropna(subset=["count"]).merge(hidden, on=[*SAME_FIGURE, "count"])
    hidden_elsewhere = np.zeros(len(table), dtype=bool)
    hidden_elsewhere[matches.loc[matches["measure_id"] != matches["hidden_in"], "row"].to_numpy()] = True
    shown = table["measure_id"].isin(public).to_numpy() | (row_published & ~hidden_elsewhere)
    return pd.Series(denominator.mask(~shown).to_numpy(), index=published.index, dtype="Float64")


def write_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, schema: str = "mart") -> None:
    con.register("mart_frame", frame)
    con.execute(f"CREATE OR REPLACE TABLE {schema}.{name} AS SELECT * FROM mart_frame")
    con.unregister("mart_frame")


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, table]).fetchone()[0] > 0


def mart_early_warnings(
    published: pd.DataFrame, entries: dict[str, Measure], latest_files: pd.DataFrame, refresh_days: dict[str, int],
    today: dt.date, place_names: dict[str, str],
) -> pd.DataFrame:
    """Every measure's early warnings, from published values only."""
    pieces = [
        early_warnings(headline_rows(rows, "value_published"), latest_files, entries[measure_id], refresh_days, today, place_names)
        for measure_id, rows in published.groupby("measure_id", sort=True)
    ]
    return pd.concat(pieces, ignore_index=True)[WARNING_COLUMNS] if pieces else pd.DataFrame(columns=WARNING_COLUMNS)


def audit_mart(
    published: pd.DataFrame, measures: pd.DataFrame, compositions: Declared, balances: Declared,
    earlier: DisclosureAudit | None = None, memo: AuditMemo | None = None,
) -> DisclosureAudit:
    """The intruder audit of ``published`` against the raw figures, under the edition's rule;
    ``earlier`` is the verdict to give again if it judged exactly these figures, ``memo``
    earlier findings to reuse (``audit_disclosure``)."""
    return audit_disclosure(
        published, measures, compositions=compositions, balances=balances, smallest_safe=RULE.max_suppressed_count + 1,
        allow_provably_small=RULE.allow_provably_small, time_limit=AUDIT_SECONDS, earlier=earlier, memo=memo,
    )


def stored_memo(con: duckdb.DuckDBPyConnection) -> AuditMemo:
    if not has_table(con, "disclosure", "audit_memo"):
        return {}
    return {digest: json.loads(findings) for digest, findings in con.execute(f"SELECT digest, findings FROM {AUDIT_MEMO}").fetchall()}


def store_memo(con: duckdb.DuckDBPyConnection, memo: AuditMemo) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {AUDIT_MEMO} (digest VARCHAR, findings VARCHAR)")
    if memo:
        con.register("memo_rows", pd.DataFrame({"digest": list(memo), "findings": [json.dumps(findings) for findings in memo.values()]}))
        con.execute(f"INSERT INTO {AUDIT_MEMO} SELECT digest, findings FROM memo_rows")
        con.unregister("memo_rows")
