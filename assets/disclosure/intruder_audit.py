"""The intruder audit: could a reader of an edition work out a hidden small count?

This is the judge of disclosure control, written apart from it on purpose: it imports nothing
from ``assets.disclosure.disclosure_control`` and needs nothing from it but the published
table, so it can see what the suppression missed. It sees an edition as a reader would (every
published figure, every ``[c]``, the rounding of every rate) and the true figures behind it.

Method notes: docs/disclosure-control.md, "Notes on `assets/disclosure/intruder_audit.py`".
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

KEY = ["measure_id", "period", "geography_code", "breakdown", "category"]
HIDDEN = "[c]"
HEADLINE = "total"
# A big-M above any count a children's statistic can reach; only used where the linear
# programme leaves a hidden count unbounded (too small an M can only refuse, never pass).
LARGEST_COUNT = 500_000.0
# Components are stacked into solves of about this many unknowns.
BATCH_UNKNOWNS = 500
# Rounds of "push every pending cell" before cells are solved one per component.
PUSH_ROUNDS = 3
# Over one large component, an improvement round asks of at most this many cells at once
# whether any can move: a proof over thousands of cells is what would cost.
CHOSEN_PER_PROOF = 64
INFEASIBLE = 2  # scipy.optimize.milp's status
# A push needs a good witness, not a proof that it is the best: stop within this gap.
PUSH_GAP = 0.05
DECIMALS = range(7)

INTERVAL_COLUMNS = [*KEY, "geography_level", "value", "low_a", "high_a", "low_b", "high_b", "exact"]
# Part of every memo key: findings of an audit whose code has changed are not reused.
_CODE = hashlib.sha256(Path(__file__).read_bytes()).digest()

# What an audit found per component it settled: a digest of the component (``_System.digests``)
# -> per target, the best value of each of its audited cells (in order) and whether it is settled.
AuditMemo = dict[str, dict[str, list]]


@dataclass(frozen=True)
class DisclosureAudit:
    """The verdict on one edition; ``failures`` name each unsafe cell in words.

    ``intervals`` has one row per audited cell: its key, level, true ``value`` and the least
    and greatest value each intruder can give it (``low_a``, ``high_a``, ``low_b``,
    ``high_b``; NA where a cell could not be decided). ``high_a`` stops at ``smallest_safe`` (which
    then means "that or more": the audit need not know how far above). Where ``exact`` is
    False the audit only went as far as its verdict needed: the interval shown is witnessed,
    so the intruder's own interval is at least as wide. ``relations`` and ``components``
    count what the intruders solved: relations with a hidden small cell's component in them.
    ``failing`` has one row per failing cell: its key and which intruder it fails against
    (``intruder_a``, ``intruder_b``; a cell that could not be decided fails both).
    ``judged`` is what the verdict was given (the settings, and the edition as the audit read
    it), so that an audit asked about exactly the same figures can answer with this verdict
    (``audit_disclosure``'s ``earlier``); ``repeated`` says a verdict was answered so.
    ``memo`` holds the findings on every component this audit settled, for the next audit
    (``audit_disclosure``'s ``memo``); ``components_reused`` counts those taken from the memo it was given.
    """

    cells_audited: int
    failures: list[str]
    narrowest: str
    seconds: float
    intervals: pd.DataFrame
    relations: int = 0
    components: int = 0
    failing: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[*KEY, "intruder_a", "intruder_b"]))
    judged: tuple[tuple, pd.DataFrame] | None = field(default=None, repr=False, compare=False)
    repeated: bool = False
    memo: AuditMemo = field(default_factory=dict, repr=False, compare=False)
    components_reused: int = 0

    @property
    def passed(self) -> bool:
        return not self.failures


def audit_disclosure(
    published: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    compositions: Mapping[str, tuple[str, str, Collection[str]]] = {},
    balances: Mapping[str, tuple[str, str, Collection[str]]] = {},
    smallest_safe: int = 5,
    allow_provably_small: bool = False,
    exact_intervals: bool = False,
    time_limit: float = 300.0,
    workers: int = 2,
    earlier: DisclosureAudit | None = None,
    memo: AuditMemo | None = None,
) -> DisclosureAudit:
    """Audit ``published`` (one row per figure of an edition) against ``truth`` (the same
    figures before disclosure control) as the module doc describes.

    ``compositions``: composite measure -> (other measure, its breakdown, categories) whose
    counts add up to the composite's headline for the same period and place.
    ``balances``: stock measure -> (inflow measure, outflow measure, breakdowns) for which
    stock(t) = stock(t-1) + inflow(t) - outflow(t), place by place and category by category.
    ``exact_intervals``: settle every interval exactly (slower; the verdict is the same).
    ``time_limit``: seconds for all solving; a cell not decided in time fails.
    ``workers``: solves run side by side (the publish stage has two cores).
    ``earlier``: a verdict this audit gave before (the suppression's judge on its last
    candidate); when it judged exactly the figures ``published`` and ``truth`` hold, read the
    same way, under the same settings, it is the verdict here too and nothing is solved again.
    ``memo``: an earlier audit's ``memo``; a component it settled is not solved again.
    """
    started = time.perf_counter()
    figures = _figures(published, truth)
    settings = (sorted((m, other, breakdown, tuple(parts)) for m, (other, breakdown, parts) in compositions.items()),
                sorted((m, inflow, outflow, tuple(b)) for m, (inflow, outflow, b) in balances.items()), smallest_safe, allow_provably_small, exact_intervals, time_limit)
    if earlier is not None and earlier.judged is not None and earlier.judged[0] == settings and earlier.judged[1].equals(figures):
        return replace(earlier, repeated=True)
    quantities = _quantities(figures)
    relations = _holding(
        _Relations.concat([
            _breakdown_sums(quantities),
            _council_sums(quantities),
            _compositions(quantities, compositions),
            _balances(quantities, balances),
            _shared_counts(quantities),
            _rate_bounds(figures, quantities),
            _parts_of_wholes(figures, quantities),
        ]),
        quantities,
    )
    audited = quantities.index[(quantities["hidden_cell"] | quantities["withheld_cell"]) & quantities["true"].between(1, smallest_safe - 1)].to_numpy()
    system = _System.build(quantities, relations, audited, smallest_safe)
    digests = system.digests(repr(settings).encode())
    with ThreadPoolExecutor(max_workers=workers) as pool:
        intruders = _Intruders(system, smallest_safe, allow_provably_small, exact_intervals, started + time_limit, pool=pool)
        reused = intruders.recall(digests, memo or {})
        intruders.run()
    intervals = intruders.intervals(quantities)
    failures = intruders.failures(intervals)
    failing, _, against_a, against_b = intruders._verdicts()
    return DisclosureAudit(
        cells_audited=len(audited),
        failures=failures,
        narrowest=_narrowest(intervals, smallest_safe),
        seconds=time.perf_counter() - started,
        intervals=intervals,
        relations=system.rows,
        components=system.components,
        failing=intervals.loc[failing, KEY].reset_index(drop=True).assign(intruder_a=against_a[failing], intruder_b=against_b[failing]),
        judged=(settings, figures),
        memo=intruders.findings(digests),
        components_reused=reused,
    )


# --- what the edition says ---------------------------------------------------------------

def _numbers(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()


def _figures(published: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """One row per published figure: key, level, unit, hidden, true and published counts and value."""
    shown = published[[*KEY, "geography_level", "unit", "numerator_published", "denominator_published", "value_published", "value_display"]]
    true = truth[[*KEY, "numerator", "denominator", "value"]]
    shown = shown.astype({k: str for k in KEY})
    true = true.astype({k: str for k in KEY})
    rows = shown.merge(true, on=KEY, how="right", validate="one_to_one", indicator=True)
    withheld = rows["_merge"].eq("right_only").to_numpy()
    display = rows["value_display"].astype("string").str.strip()
    hidden = display.eq(HIDDEN).fillna(False).to_numpy()
    value = _numbers(rows["value_published"])
    # A figure whose value column is empty is still printed: read it from its display.
    unread = np.isnan(value) & ~hidden
    printed = display[unread].str.replace(",", "", regex=False).str.extract(r"(-?\d+(?:\.\d+)?)", expand=False)
    value[unread] = _numbers(printed)
    # What a reader sees of a value's precision is its print: "1.0" is a tenth either way, though 1.0 is whole.
    decimals = display.str.extract(r"^-?[\d,]*\.(\d+)$", expand=False).str.len()
    decimals = decimals.where(~display.str.fullmatch(r"-?[\d,]+").fillna(False), 0)
    return pd.DataFrame({
        **{k: rows[k].to_numpy() for k in [*KEY, "geography_level", "unit"]},
        "hidden": hidden,
        "withheld": withheld,
        "n_true": _numbers(rows["numerator"]),
        "d_true": _numbers(rows["denominator"]),
        "v_true": _numbers(rows["value"]),
        "n_pub": _numbers(rows["numerator_published"]),
        "d_pub": _numbers(rows["denominator_published"]),
        "v_pub": value,
        "decimals": _numbers(decimals),  # NaN where nothing is printed
    })


def _quantities(figures: pd.DataFrame) -> pd.DataFrame:
    """Every count behind a figure (its numerator ``n``, its denominator ``d``), known or not.

    A count measure's value is its numerator, so a printed count is known even without a
    numerator column. ``variable`` marks what the intruder does not see, plus every hidden
    cell's numerator (fixed where it leaked, so a leak fails as a pinned cell).
    """
    f = figures
    counts_only = pd.DataFrame({"no_denominator": f["d_true"].isna(), "value_is_count": (f["n_true"] - f["v_true"]).abs().lt(1e-9) | f["n_true"].isna()})
    count_measures = counts_only.groupby(f["measure_id"]).all().all(axis=1)
    is_count = f["measure_id"].map(count_measures).fillna(False).to_numpy(dtype=bool)
    n_known = np.where(np.isnan(f["n_pub"]) & is_count, f["v_pub"], f["n_pub"])
    base = f[[*KEY, "geography_level"]]
    numerators = base.assign(kind="n", true=f["n_true"], known=n_known, hidden_cell=f["hidden"], withheld_cell=f["withheld"], figure=np.arange(len(f)))
    denominators = base.assign(kind="d", true=f["d_true"], known=f["d_pub"], hidden_cell=False, withheld_cell=False, figure=np.arange(len(f)))
    q = pd.concat([numerators, denominators], ignore_index=True)
    q = q[q["true"].notna()].reset_index(drop=True)
    q["variable"] = q["known"].isna() | q["hidden_cell"]
    whole = (q["true"] - q["true"].round()).abs().lt(1e-9)
    q["integral"] = whole.groupby([q["measure_id"], q["kind"]]).transform("all")
    # Integer codes for fast grouping and joins.
    q["source"] = pd.factorize(q["measure_id"] + "\x1f" + q["kind"])[0]
    q["slot"] = pd.factorize(q["period"] + "\x1f" + q["geography_code"] + "\x1f" + q["breakdown"] + "\x1f" + q["category"])[0]
    q["table"] = pd.factorize(q["source"].astype(str) + "\x1f" + q["period"] + "\x1f" + q["breakdown"])[0]
    return q


# --- the relations a reader can form ------------------------------------------------------

@dataclass(frozen=True)
class _Relations:
    """Linear relations ``lower <= sum(coef * quantity) <= upper``, as terms and per-relation bounds."""

    relation: np.ndarray  # per term
    quantity: np.ndarray  # per term
    coef: np.ndarray  # per term
    lower: np.ndarray  # per relation
    upper: np.ndarray  # per relation

    @staticmethod
    def empty() -> _Relations:
        nothing = np.zeros(0)
        return _Relations(nothing.astype(int), nothing.astype(int), nothing, nothing, nothing)

    @staticmethod
    def concat(pieces: list[_Relations]) -> _Relations:
        offsets = np.cumsum([0] + [len(p.lower) for p in pieces])
        return _Relations(
            np.concatenate([p.relation + o for p, o in zip(pieces, offsets)]),
            np.concatenate([p.quantity for p in pieces]),
            np.concatenate([p.coef for p in pieces]),
            np.concatenate([p.lower for p in pieces]),
            np.concatenate([p.upper for p in pieces]),
        )


def _parts_make_whole(parts: pd.DataFrame, whole: pd.DataFrame, by: list[str], on: list[str]) -> _Relations:
    """One equation per group of ``parts`` (grouped by ``by``): they add up to the row of
    ``whole`` with the same ``on`` (a subset of ``by``)."""
    if parts.empty or whole.empty:
        return _Relations.empty()
    groups = parts.groupby(by, sort=False).ngroup().to_numpy()
    heads = parts[on].assign(relation=groups).drop_duplicates("relation")
    matched = heads.merge(whole[[*on, "quantity"]], on=on, validate="many_to_one")
    relation = np.full(groups.max() + 1, -1)
    relation[matched["relation"].to_numpy()] = np.arange(len(matched))
    keep = relation[groups] >= 0
    zeros = np.zeros(len(matched))
    return _Relations(
        np.concatenate([relation[groups[keep]], np.arange(len(matched))]),
        np.concatenate([parts["quantity"].to_numpy()[keep], matched["quantity"].to_numpy()]),
        np.concatenate([np.ones(keep.sum()), -np.ones(len(matched))]),
        zeros, zeros,
    )


def _breakdown_sums(q: pd.DataFrame) -> _Relations:
    """A breakdown's categories add up to the geography's headline row."""
    q = q.rename_axis("quantity").reset_index()
    headline = q["breakdown"].eq(HEADLINE)
    on = ["source", "period", "geography_code"]
    return _parts_make_whole(q[~headline], q[headline], by=[*on, "breakdown"], on=on)


def _council_sums(q: pd.DataFrame) -> _Relations:
    """Councils add up to Scotland, figure by figure."""
    q = q.rename_axis("quantity").reset_index()
    on = ["source", "period", "breakdown", "category"]
    return _parts_make_whole(q[q["geography_level"].eq("council")], q[q["geography_level"].eq("scotland")], by=on, on=on)


def _compositions(q: pd.DataFrame, compositions: Mapping[str, tuple[str, str, Collection[str]]]) -> _Relations:
    """A composite's headline numerator is the sum of some categories of another measure."""
    q = q.rename_axis("quantity").reset_index()
    numerators = q[q["kind"].eq("n")]
    pieces = []
    for composite, (measure_id, breakdown, categories) in compositions.items():
        parts = numerators[numerators["measure_id"].eq(measure_id) & numerators["breakdown"].eq(breakdown) & numerators["category"].isin(list(categories))]
        whole = numerators[numerators["measure_id"].eq(composite) & numerators["breakdown"].eq(HEADLINE)]
        pieces.append(_parts_make_whole(parts, whole, by=["period", "geography_code"], on=["period", "geography_code"]))
    return _Relations.concat(pieces) if pieces else _Relations.empty()


def _balances(q: pd.DataFrame, balances: Mapping[str, tuple[str, str, Collection[str]]]) -> _Relations:
    """A stock's change over a year is what flowed in less what flowed out:
    stock(t) - stock(t-1) - inflow(t) + outflow(t) = 0, for each place and category of the
    declared breakdowns, where the periods are years and t-1 is published too."""
    q = q.rename_axis("quantity").reset_index()
    numerators = q[q["kind"].eq("n") & q["period"].str.fullmatch(r"\d+")]
    on = ["period", "geography_code", "breakdown", "category"]
    terms = []
    for stock, (inflow, outflow, breakdowns) in balances.items():
        end = numerators[numerators["measure_id"].eq(stock) & numerators["breakdown"].isin(list(breakdowns))]
        start = end.assign(period=(end["period"].astype(int) + 1).astype(str))
        into, out = (numerators[numerators["measure_id"].eq(m)] for m in (inflow, outflow))
        terms.append(end[[*on, "quantity"]].merge(start[[*on, "quantity"]], on=on, suffixes=("", "_start"))
                     .merge(into[[*on, "quantity"]].rename(columns={"quantity": "inflow"}), on=on)
                     .merge(out[[*on, "quantity"]].rename(columns={"quantity": "outflow"}), on=on))
    if not terms:
        return _Relations.empty()
    quads = pd.concat(terms, ignore_index=True)
    k = len(quads)
    return _Relations(
        np.tile(np.arange(k), 4),
        np.concatenate([quads[c].to_numpy() for c in ("quantity", "quantity_start", "inflow", "outflow")]),
        np.repeat([1.0, -1.0, -1.0, 1.0], k),
        np.zeros(k), np.zeros(k),
    )


def _shared_counts(q: pd.DataFrame) -> _Relations:
    """The same count in two measures, found table by table in the truth.

    Two sources (a measure's numerators or its denominators) share a table (a period and a
    breakdown) when they agree in every place and category both have, at least two of them
    and not all zero. Candidates come from the unknowns that are not zero (a relation with
    nothing unknown in it tells the intruder nothing, and zeros coincide everywhere); once a
    pair of tables is found, every unknown they share is tied, zeros included.
    """
    q = q.rename_axis("quantity").reset_index()
    slots = q[["slot", "source", "table", "true", "quantity", "variable"]]
    unknown = slots[slots["variable"] & slots["true"].ne(0)]
    same = unknown.merge(slots, on=["slot", "true"], suffixes=("_x", "_y"))
    same = same[same["source_x"] != same["source_y"]]
    if same.empty:
        return _Relations.empty()
    tables = pd.DataFrame({
        "table_x": np.where(same["source_x"] < same["source_y"], same["table_x"], same["table_y"]),
        "table_y": np.where(same["source_x"] < same["source_y"], same["table_y"], same["table_x"]),
    }).drop_duplicates()
    left = tables.merge(slots.rename(columns=lambda c: f"{c}_x"), on="table_x")
    pairs = left.merge(slots.rename(columns=lambda c: f"{c}_y"), left_on=["table_y", "slot_x"], right_on=["table_y", "slot_y"])
    pairs["agree"] = (pairs["true_x"] - pairs["true_y"]).abs().lt(1e-9)
    pairs["nonzero"] = pairs["true_x"].ne(0)
    verdict = pairs.groupby(["table_x", "table_y"]).agg(agree=("agree", "all"), nonzero=("nonzero", "any"), shared=("agree", "size"))
    shared = verdict[verdict["agree"] & verdict["nonzero"] & verdict["shared"].ge(2)].reset_index()[["table_x", "table_y"]]
    pairs = pairs.merge(shared, on=["table_x", "table_y"])
    pairs = pairs[pairs["variable_x"] | pairs["variable_y"]]
    k = len(pairs)
    zeros = np.zeros(k)
    return _Relations(
        np.concatenate([np.arange(k), np.arange(k)]),
        np.concatenate([pairs["quantity_x"].to_numpy(), pairs["quantity_y"].to_numpy()]),
        np.concatenate([np.ones(k), -np.ones(k)]),
        zeros, zeros,
    )


def _unit_scale(unit: str) -> float | None:
    """The scale a unit names: "per 1,000 ..." -> 1000, "percent" -> 100; None if it names none."""
    text = unit.strip().lower()
    if match := re.match(r"per\s+([\d,]+)\b", text):
        return float(match.group(1).replace(",", ""))
    if text in ("percent", "percentage", "%"):
        return 100.0
    return None


def _decimals(values: np.ndarray) -> int:
    """How many decimals the values are published to (at most 6: finer is as good as exact), for figures whose print is not read."""
    values = values[~np.isnan(values)]
    for d in DECIMALS:
        if np.allclose(np.round(values, d), values, rtol=0, atol=1e-9):
            return d
    return DECIMALS[-1]


def _figure_quantities(f: pd.DataFrame, q: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per figure, the row in ``q`` of its numerator (``"n"``) and of its denominator (``"d"``), -1 where it has none."""
    quantity = {kind: np.full(len(f), -1) for kind in ("n", "d")}
    for kind, part in q.groupby("kind"):
        quantity[kind][part["figure"].to_numpy()] = part.index.to_numpy()
    return quantity


def _parts_of_wholes(f: pd.DataFrame, q: pd.DataFrame) -> _Relations:
    """A percentage's numerator is part of its denominator: ``n - d <= 0``, shown or hidden.

    A reader knows it of every share (leavers in a positive destination are some of the
    leavers). It caps a hidden numerator wherever its denominator is known, and two measures
    of the same group publish it in one and hide it in the other (the care-experienced
    leavers of the initial and the follow-up destinations: boys 5 of 5 at follow-up, hidden
    at first, under a published total of 12 of 14 with girls 9 at most, leaves the hidden
    boys 3 to 5). Only units of a hundred (percent) are shares; a rate per place can exceed one.
    """
    quantity = _figure_quantities(f, q)
    shares = f["unit"].map(lambda unit: _unit_scale(str(unit)) == 100.0).to_numpy(dtype=bool)
    both = shares & (quantity["n"] >= 0) & (quantity["d"] >= 0)
    n_q, d_q = quantity["n"][both], quantity["d"][both]
    k = len(n_q)
    return _Relations(
        np.concatenate([np.arange(k), np.arange(k)]),
        np.concatenate([n_q, d_q]),
        np.concatenate([np.ones(k), -np.ones(k)]),
        np.full(k, -np.inf),
        np.zeros(k),
    )


def _rate_bounds(f: pd.DataFrame, q: pd.DataFrame) -> _Relations:
    """A published rate pins its numerator over its denominator to the rounding it shows.

    ``scale * n - (v + h) * d <= 0`` and ``(v - h) * d - scale * n <= 0``, with ``h`` half a
    unit of the last decimal the figure is printed to (a rate printed 1.0 is known to a tenth,
    though its value is whole, so reading the precision off the values was too generous to a
    measure whose printed rates all ended in .0). The scale comes from the unit, or
    from the measure's fully published rows; each relation is still kept only where the truth
    satisfies it.
    """
    quantity = _figure_quantities(f, q)
    variable = q["variable"].to_numpy()
    pieces = []
    for measure_id, rows in f.groupby("measure_id", sort=False):
        rows = rows[rows["v_pub"].notna() & rows["n_true"].notna() & rows["d_true"].notna()]
        if rows.empty:
            continue
        idx = rows.index.to_numpy()
        n_q, d_q = quantity["n"][idx], quantity["d"][idx]
        touches_unknown = variable[n_q] | variable[d_q]
        if not touches_unknown.any():
            continue
        scale = _unit_scale(str(rows["unit"].iloc[0])) or _scale_from_published(rows)
        if scale is None:
            continue
        # Half a unit of the last decimal printed, row by row; from the measure's values where no print is read.
        from_values = _decimals(rows["v_pub"].to_numpy())
        rows, n_q, d_q = rows[touches_unknown], n_q[touches_unknown], d_q[touches_unknown]
        half = 0.5 * 10.0 ** -rows["decimals"].fillna(from_values).to_numpy()
        v = rows["v_pub"].to_numpy()
        # Slack for floating point only: far below the gap between two integer points.
        slack = 1e-12 * (scale * rows["n_true"].abs().to_numpy() + (np.abs(v) + half) * rows["d_true"].abs().to_numpy()) + 1e-9
        k = len(rows)
        pieces.append(_Relations(
            np.concatenate([np.arange(k), np.arange(k), np.arange(k, 2 * k), np.arange(k, 2 * k)]),
            np.concatenate([n_q, d_q, n_q, d_q]),
            np.concatenate([np.full(k, scale), -(v + half), np.full(k, -scale), v - half]),
            np.full(2 * k, -np.inf),
            np.concatenate([slack, slack]),
        ))
    return _Relations.concat(pieces) if pieces else _Relations.empty()


def _scale_from_published(rows: pd.DataFrame) -> float | None:
    """A power of ten from the rows that publish numerator, denominator and value."""
    full = rows[rows["n_pub"].gt(0) & rows["d_pub"].gt(0) & rows["v_pub"].gt(0)]
    if full.empty:
        return None
    ratio = float(np.median(full["v_pub"] * full["d_pub"] / full["n_pub"]))
    return 10.0 ** round(math.log10(ratio))


def _holding(relations: _Relations, q: pd.DataFrame) -> _Relations:
    """Keep the relations that hold in the truth and contain an unknown; move known counts to the bounds."""
    r = relations
    n = len(r.lower)
    true = q["true"].to_numpy()[r.quantity]
    activity = np.bincount(r.relation, r.coef * true, minlength=n)
    size = np.bincount(r.relation, np.abs(r.coef * true), minlength=n)
    tolerance = 1e-9 * (1 + size)
    holds = (activity >= r.lower - tolerance) & (activity <= r.upper + tolerance)
    variable = q["variable"].to_numpy()[r.quantity]
    holds &= np.bincount(r.relation, variable, minlength=n) > 0
    known = np.nan_to_num(q["known"].to_numpy(dtype=float, na_value=np.nan)[r.quantity]) * ~variable
    shift = np.bincount(r.relation, r.coef * known, minlength=n)
    renumber = np.cumsum(holds) - 1
    term = holds[r.relation] & variable
    return _Relations(renumber[r.relation[term]], r.quantity[term], r.coef[term], (r.lower - shift)[holds], (r.upper - shift)[holds])


# --- the system the intruders solve ------------------------------------------------------

@dataclass
class _System:
    """The unknowns (ordered so each component is a contiguous block) and their relations."""

    quantity: np.ndarray  # per unknown: row of the quantities table
    A: sparse.csr_array  # relations x unknowns, rows ordered by component too
    lower: np.ndarray
    upper: np.ndarray
    var_lower: np.ndarray  # intruder (a): 0, or the leaked value
    var_upper: np.ndarray
    integral: np.ndarray
    role: np.ndarray  # 1 small hidden count (shown [c]), 2 other hidden count, 0 any other unknown
    audited: np.ndarray  # small hidden counts, and small counts left out of the edition
    truth: np.ndarray
    component: np.ndarray  # per unknown
    var_start: np.ndarray  # per component
    row_start: np.ndarray  # per component
    rows: int = 0
    components: int = 0

    @staticmethod
    def build(q: pd.DataFrame, r: _Relations, audited: np.ndarray, smallest_safe: int) -> _System:
        used = np.union1d(np.unique(r.quantity), audited)
        column = np.full(len(q), -1)
        column[used] = np.arange(len(used))
        A = sparse.csr_array((r.coef, (r.relation, column[r.quantity])), shape=(len(r.lower), len(used)))
        pattern = abs(A).astype(bool).astype(float)
        graph = sparse.block_array([[None, pattern], [pattern.T, None]], format="csr") if A.nnz else sparse.csr_array((len(r.lower) + len(used),) * 2)
        _, label = connected_components(graph, directed=False)
        row_label, var_label = label[: len(r.lower)], label[len(r.lower):]
        is_audited = np.isin(used, audited)
        wanted = np.unique(var_label[is_audited])
        renumber = np.full(label.max() + 1 if len(label) else 0, -1)
        renumber[wanted] = np.arange(len(wanted))
        var_comp, row_comp = renumber[var_label], renumber[row_label]
        var_order = np.argsort(np.where(var_comp < 0, len(wanted), var_comp), kind="stable")[: (var_comp >= 0).sum()]
        row_order = np.argsort(np.where(row_comp < 0, len(wanted), row_comp), kind="stable")[: (row_comp >= 0).sum()]
        quantity = used[var_order]
        true = q["true"].to_numpy()
        known = q["known"].to_numpy(dtype=float, na_value=np.nan)[quantity]
        hidden = q["hidden_cell"].to_numpy()[quantity]
        t = true[quantity]
        # Intruder (b) knows a hidden count that is not small is 0 or at least smallest_safe;
        # a hidden figure that is neither (not a whole count) gives it no such knowledge.
        audited_cell = is_audited[var_order]
        role = np.where(audited_cell & hidden, 1, np.where(hidden & ((t == 0) | (t >= smallest_safe)), 2, 0))
        components = len(wanted)
        return _System(
            quantity=quantity,
            A=A[row_order][:, var_order].tocsr(),
            lower=r.lower[row_order], upper=r.upper[row_order],
            var_lower=np.where(np.isnan(known), 0.0, known),
            var_upper=np.where(np.isnan(known), np.inf, known),
            integral=q["integral"].to_numpy()[quantity],
            role=role,
            audited=audited_cell,
            truth=t,
            component=var_comp[var_order],
            var_start=np.searchsorted(var_comp[var_order], np.arange(components + 1)),
            row_start=np.searchsorted(row_comp[row_order], np.arange(components + 1)),
            rows=len(row_order),
            components=components,
        )

    def digests(self, settings: bytes) -> list[str]:
        """Per component, a digest of everything its verdict depends on (``AuditMemo``'s keys)."""
        out = []
        for c in range(self.components):
            c0, c1, r0, r1 = self.var_start[c], self.var_start[c + 1], self.row_start[c], self.row_start[c + 1]
            block = self.A[r0:r1, c0:c1].tocoo()
            block.sum_duplicates()
            digest = hashlib.sha256(_CODE + settings)
            for part in (block.row, block.col, block.data, self.lower[r0:r1], self.upper[r0:r1], self.var_lower[c0:c1], self.var_upper[c0:c1],
                         self.integral[c0:c1], self.role[c0:c1], self.audited[c0:c1], self.truth[c0:c1]):
                values = np.ascontiguousarray(part)
                digest.update(f"{values.dtype}:{len(values)}:".encode())
                digest.update(values.tobytes())
            out.append(digest.hexdigest())
        return out

    def block(self, components: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The unknowns and relations of some components (sorted)."""
        columns = np.concatenate([np.arange(self.var_start[c], self.var_start[c + 1]) for c in components])
        rows = np.concatenate([np.arange(self.row_start[c], self.row_start[c + 1]) for c in components])
        return columns, rows


TARGETS = ("high_a", "low_a", "high_b", "low_b")


@dataclass(frozen=True)
class _Job:
    """One stacked solve: a target, some components and their pending cells."""

    target: str
    components: np.ndarray
    chosen: np.ndarray
    push: bool
    time_limit: float


@dataclass
class _Intruders:
    """Works out, for each audited cell, each intruder's least and greatest value (as far as needed)."""

    system: _System
    smallest_safe: int
    allow_provably_small: bool
    exact_intervals: bool
    deadline: float
    pool: Executor
    # Per unknown (meaningful for audited cells) and target: the best value witnessed so
    # far, and whether it is settled (it reached the target's goal, or an optimum proved it).
    best: dict[str, np.ndarray] = field(init=False)
    done: dict[str, np.ndarray] = field(init=False)
    undecided: dict[int, str] = field(default_factory=dict)  # audited cell -> why
    upper_bound: np.ndarray | None = None  # per unknown, for hidden counts: see _bound_hidden_counts
    recalled: np.ndarray = field(init=False)  # per component: its findings came from a memo

    def __post_init__(self) -> None:
        s = self.system
        # Intruder (b) knows a [c] is small; a count left out of the edition shows no [c], so
        # for (b) it is an unknown like any other (0 or more), followed up to smallest_safe.
        marked = s.role == 1
        self.goal = {"high_a": self.smallest_safe, "low_a": 0, "high_b": np.where(marked, self.smallest_safe - 1, self.smallest_safe), "low_b": np.where(marked, 1, 0)}
        self.cell = np.flatnonzero(s.audited)
        # The truth is the first witness for both intruders.
        self.best = {"high_a": np.minimum(s.truth, self.smallest_safe), "low_a": s.truth.copy(), "high_b": s.truth.copy(), "low_b": s.truth.copy()}
        self.done = {target: self.best[target] == self.goal[target] for target in TARGETS}
        self.recalled = np.zeros(s.components, dtype=bool)
        self._check_truth()

    def _audited_cells(self, component: int) -> np.ndarray:
        s = self.system
        columns = np.arange(s.var_start[component], s.var_start[component + 1])
        return columns[s.audited[columns]]

    def recall(self, digests: list[str], memo: AuditMemo) -> int:
        """Take the findings on every component ``memo`` has (none of its cells is solved again); returns how many."""
        for component, digest in enumerate(digests):
            found = memo.get(digest)
            if found is None:
                continue
            cells = self._audited_cells(component)
            for target in TARGETS:
                self.best[target][cells] = found["best_" + target]
                self.done[target][cells] = found["done_" + target]
            self.recalled[component] = True
        return int(self.recalled.sum())

    def findings(self, digests: list[str]) -> AuditMemo:
        """The findings on every component settled without a cell left undecided, by digest."""
        undecided = np.unique(self.system.component[list(self.undecided)]) if self.undecided else np.array([], dtype=int)
        memo = {}
        for component in np.setdiff1d(np.arange(self.system.components), undecided):
            cells = self._audited_cells(component)
            memo[digests[component]] = {
                **{"best_" + t: self.best[t][cells].tolist() for t in TARGETS},
                **{"done_" + t: self.done[t][cells].tolist() for t in TARGETS},
            }
        return memo

    def _pending(self, target: str) -> np.ndarray:
        """Cells whose target the verdict still needs (all of them with ``exact_intervals``)."""
        open_ = np.zeros(len(self.system.truth), dtype=bool)
        open_[self.cell] = True
        open_ &= ~self.done[target]
        open_[list(self.undecided)] = False
        open_ &= ~self.recalled[self.system.component]
        if self.exact_intervals or target == "high_a":
            return open_
        if target == "low_a":
            return open_ & self.done["high_a"] & (self.best["high_a"] < self.smallest_safe)
        return open_ & (self.best["high_b"] == self.best["low_b"])

    def run(self) -> None:
        for target in TARGETS:
            self._settle(target, self._pending)
        # Cells that fail are named with their exact intervals.
        failing = np.zeros(len(self.system.truth), dtype=bool)
        failing[self.cell] = self._verdicts()[0]
        for target in TARGETS:
            self._settle(target, lambda t: failing & ~self.done[t] & ~np.isin(np.arange(len(failing)), list(self.undecided)) & ~self.recalled[self.system.component])

    def _settle(self, target: str, pending: Callable[[str], np.ndarray]) -> None:
        """Push rounds while they make progress, then improvement rounds until every pending cell is settled."""
        if self.upper_bound is None and (target[-1] == "b" or target == "low_a"):
            self._bound_hidden_counts()
        pushes = 0
        while (todo := pending(target)).any():
            push = pushes < PUSH_ROUNDS
            before = int(self.done[target].sum())
            cells = np.flatnonzero(todo)
            remaining = self.deadline - time.perf_counter()
            if remaining <= 0:
                self._give_up(cells, "not decided within the audit's time limit")
                return
            batches = self._batches(np.unique(self.system.component[cells]))
            jobs = [
                _Job(target, batch, chosen, push, remaining)
                for batch in batches
                for chosen in self._chunks(batch, cells[np.isin(self.system.component[cells], batch)], push)
            ]
            # Batches share no unknowns: solved side by side (HiGHS releases the GIL), applied in turn.
            for job, (columns, rows, result) in zip(jobs, self.pool.map(self._run, jobs)):
                self._apply(job, columns, rows, result)
            if push:
                pushes = pushes + 1 if self.done[target].sum() > before else PUSH_ROUNDS
            else:
                pushes = PUSH_ROUNDS - 1  # an improvement moves a cell one step: let a push take it further

    def _chunks(self, batch: np.ndarray, chosen: np.ndarray, push: bool) -> list[np.ndarray]:
        """A push takes every chosen cell at once, and so does an improvement round over small
        components; over one large component, an improvement round takes a few cells at a time."""
        if push or not self._large(batch):
            return [chosen]
        return np.array_split(chosen, -(-len(chosen) // CHOSEN_PER_PROOF))

    def _large(self, batch: np.ndarray) -> bool:
        return len(batch) == 1 and np.diff(self.system.var_start)[batch[0]] > BATCH_UNKNOWNS

    def _batches(self, components: np.ndarray) -> list[np.ndarray]:
        sizes = np.diff(self.system.var_start)[components]
        batches, current, count = [], [], 0
        for c, size in zip(components, sizes):
            if current and count + size > BATCH_UNKNOWNS:
                batches.append(np.array(current))
                current, count = [], 0
            current.append(c)
            count += size
        if current:
            batches.append(np.array(current))
        return batches

    def _run(self, job: _Job):
        """One stacked solve for some components' pending cells (reads shared state, writes none).

        A push moves every chosen cell towards its goal at once (any witness helps, so the
        solver need not prove optimality). An improvement round counts the chosen cells that
        get past their best value so far (a binary each), solved to optimality: a component
        where none can is settled, every chosen cell's best being its bound. Over one large
        component, proving that optimum is what costs, so there the round asks only for a
        witness that moves at least one chosen cell: none (infeasible) settles them all.
        """
        columns, rows = self.system.block(job.components)
        local = np.searchsorted(columns, job.chosen)
        model = self._model(columns, rows, job.target[-1])
        best = self.best[job.target][job.chosen]
        high = job.target.startswith("high")
        if job.push:
            # Intruder (a)'s greatest value counts only up to smallest_safe, so one cell far
            # above cannot stand in for another below.
            pushed = model.add_caps(local, self.smallest_safe) if high else local
        elif high:
            pushed = model.add_at_least(local, best + 1)
        else:
            pushed = model.add_at_most(local, best - 1, np.minimum(model.var_upper[local], self.upper_bound[job.chosen]))
        objective = np.zeros(model.size)
        objective[pushed] = -1.0 if high or not job.push else 1.0
        if job.push or not self._large(job.components):
            return columns, rows, model.solve(objective, job.time_limit, exact=not job.push)
        model.add_at_least_one(pushed)
        return columns, rows, model.solve(objective, job.time_limit, exact=False)

    def _apply(self, job: _Job, columns: np.ndarray, rows: np.ndarray, result) -> None:
        """Learn from a solve's witness; after an improvement round, settle or give up."""
        chosen, target = job.chosen, job.target
        if result.status == INFEASIBLE and not job.push and self._large(job.components):
            self.done[target][chosen] = True  # not one chosen cell can get past its best
            return
        if result.x is None:
            if not job.push:
                self._give_up(chosen, f"the solver stopped: {result.message}")
            return
        best = self.best[target][chosen]
        local = np.searchsorted(columns, chosen)
        x = self._rounded(result.x[: len(columns)], columns)
        accepted = self._verified(columns, rows, x, target[-1])
        self._learn(columns[accepted], x[accepted], target[-1])
        if job.push:
            return
        moved = (x[local] > best) if target.startswith("high") else (x[local] < best)
        component = self.system.component[chosen]
        moved_in = np.isin(component, component[moved])
        # Over a large component a witness settles nothing: the cells it did not move may still move.
        if not self._large(job.components):
            if result.status == 0:
                # The optimum, not the witness, settles these: no chosen cell of theirs can move.
                self.done[target][chosen[~moved_in]] = True
            else:
                self._give_up(chosen[~moved_in], f"the solver stopped: {result.message}")
        # A witness that moved but could not be checked would be found again: give up on it.
        self._give_up(chosen[~accepted[local] & moved_in], "the solver's answer could not be verified")

    def _give_up(self, cells, reason: str) -> None:
        for cell in cells:
            self.undecided.setdefault(int(cell), reason)

    def _model(self, columns: np.ndarray, rows: np.ndarray, intruder: str) -> _Model:
        s = self.system
        lower, upper = s.var_lower[columns].copy(), s.var_upper[columns].copy()
        model = _Model(s.A[rows][:, columns].tocoo(), s.lower[rows], s.upper[rows], lower, upper, s.integral[columns].astype(float))
        if intruder == "b":
            role = s.role[columns]
            small = role == 1
            model.var_lower[small] = np.maximum(lower[small], 1)
            model.var_upper[small] = np.minimum(upper[small], self.smallest_safe - 1)
            zero_or_safe = np.flatnonzero((role == 2) & (lower < upper))
            model.add_zero_or_at_least(zero_or_safe, self.smallest_safe, self.upper_bound[columns[zero_or_safe]])
        return model

    def _bound_hidden_counts(self) -> None:
        """An upper bound for each hidden count (intruder (b)'s big-M, and the room a low
        improvement round needs): the most all hidden counts of its component can add up to,
        from a linear programme. Where that is unbounded, LARGEST_COUNT."""
        s = self.system
        self.upper_bound = np.full(len(s.truth), LARGEST_COUNT)

        def most(batch: np.ndarray):
            columns, rows = s.block(batch)
            hidden = (s.role[columns] > 0) | s.audited[columns]
            capped = np.where(hidden, np.minimum(s.var_upper[columns], LARGEST_COUNT), s.var_upper[columns])
            model = _Model(s.A[rows][:, columns].tocoo(), s.lower[rows], s.upper[rows], s.var_lower[columns].copy(), capped, np.zeros(len(columns)))
            return columns, hidden, model.solve(-hidden.astype(float), max(self.deadline - time.perf_counter(), 1.0), exact=False)

        for columns, hidden, result in self.pool.map(most, self._batches(np.flatnonzero(~self.recalled))):
            if result.x is None or result.status != 0:
                continue
            total = np.bincount(s.component[columns], result.x[: len(columns)] * hidden, minlength=s.components)
            bound = np.clip(np.ceil(total - 1e-6), self.smallest_safe, LARGEST_COUNT)
            self.upper_bound[columns] = bound[s.component[columns]]

    def _rounded(self, x: np.ndarray, columns: np.ndarray) -> np.ndarray:
        return np.where(self.system.integral[columns], np.round(x), x)

    def _verified(self, columns: np.ndarray, rows: np.ndarray, x: np.ndarray, intruder: str) -> np.ndarray:
        """Per unknown: whether its component's values satisfy every relation exactly (the solver's tolerances aside)."""
        s = self.system
        activity = s.A[rows][:, columns] @ x
        bad_row = (activity < s.lower[rows] - 1e-7) | (activity > s.upper[rows] + 1e-7)
        bad_var = (x < s.var_lower[columns] - 1e-9) | (x > s.var_upper[columns] + 1e-9)
        if intruder == "b":
            role = s.role[columns]
            bad_var |= (role == 1) & ((x < 1) | (x > self.smallest_safe - 1))
            bad_var |= (role == 2) & (x > 1e-9) & (x < self.smallest_safe)
        row_component = np.repeat(np.arange(len(s.row_start) - 1), np.diff(s.row_start))[rows]
        bad = np.union1d(row_component[bad_row], s.component[columns][bad_var])
        return ~np.isin(s.component[columns], bad)

    def _learn(self, columns: np.ndarray, x: np.ndarray, intruder: str) -> None:
        cells = self.system.audited[columns]
        columns, x = columns[cells], x[cells]
        targets = ("high_a", "low_a", "high_b", "low_b") if intruder == "b" else ("high_a", "low_a")
        for target in targets:
            value = np.minimum(x, self.smallest_safe) if target.startswith("high") else x
            pick = np.maximum if target.startswith("high") else np.minimum
            self.best[target][columns] = pick(self.best[target][columns], value)
            self.done[target][columns] |= self.best[target][columns] == np.broadcast_to(self.goal[target], self.best[target].shape)[columns]

    def _check_truth(self) -> None:
        """The true figures must satisfy every relation; a component where they do not is not audited but failed."""
        s = self.system
        if not s.components:
            return
        columns, rows = s.block(np.arange(s.components))
        ok = self._verified(columns, rows, s.truth[columns], "b")
        self._give_up(columns[~ok & s.audited[columns]], "the published figures disagree with the true ones in its relations")

    def _verdicts(self) -> tuple[np.ndarray, list[list[str]], np.ndarray, np.ndarray]:
        """Per audited cell: whether it fails, why, and whether it fails against intruder (a)
        and (b) (a cell that could not be decided fails against both)."""
        b, d, safe = self.best, self.done, self.smallest_safe
        reasons, against_a, against_b = [], [], []
        for cell in self.cell:
            why = []
            undecided = cell in self.undecided
            if undecided:
                why.append(f"it could not be decided ({self.undecided[cell]})")
            else:
                if d["low_a"][cell] and d["high_a"][cell] and b["low_a"][cell] == b["high_a"][cell]:
                    why.append("intruder (a) pins it exactly")
                elif d["high_a"][cell] and b["high_a"][cell] < safe and not self.allow_provably_small:
                    why.append(f"intruder (a) proves it is below {safe}")
                if d["low_b"][cell] and d["high_b"][cell] and b["low_b"][cell] == b["high_b"][cell]:
                    why.append("intruder (b) pins it exactly")
            reasons.append(why)
            against_a.append(undecided or any(w.startswith("intruder (a)") for w in why))
            against_b.append(undecided or any(w.startswith("intruder (b)") for w in why))
        return np.array([bool(w) for w in reasons], dtype=bool), reasons, np.array(against_a, dtype=bool), np.array(against_b, dtype=bool)

    def intervals(self, q: pd.DataFrame) -> pd.DataFrame:
        s = self.system
        cells = self.cell
        frame = q.loc[s.quantity[cells], [*KEY, "geography_level"]].reset_index(drop=True)
        frame["value"] = s.truth[cells]
        for target in TARGETS:
            frame[target] = pd.array(self.best[target][cells], dtype="Float64")
        frame["exact"] = np.logical_and.reduce([self.done[t][cells] for t in TARGETS])
        lost = np.isin(cells, list(self.undecided))
        frame.loc[lost, list(TARGETS)] = pd.NA
        frame.loc[lost, "exact"] = False
        return frame[INTERVAL_COLUMNS]

    def failures(self, intervals: pd.DataFrame) -> list[str]:
        """Each failing cell in words (``intervals`` from :meth:`intervals`)."""
        failing, reasons, _, _ = self._verdicts()
        rows = intervals[failing].to_dict("records")
        return [f"{_cell_words(row)}: {_interval_words(row, self.smallest_safe)}; {'; '.join(why)}"
                for row, why in zip(rows, [w for w, fails in zip(reasons, failing) if fails])]


@dataclass
class _Model:
    """One MILP for HiGHS: the relations, unknowns' bounds, and any extra unknowns and rows."""

    A: sparse.coo_array
    lower: np.ndarray
    upper: np.ndarray
    var_lower: np.ndarray
    var_upper: np.ndarray
    integrality: np.ndarray
    extra: int = 0
    _rows: list = field(default_factory=list)  # (row, column, value) triplets of added rows
    _row_bounds: list = field(default_factory=list)
    _extra_bounds: list = field(default_factory=list)  # (lower, upper, integrality)

    @property
    def size(self) -> int:
        return len(self.var_lower) + self.extra

    def _add_rows(self, entries: list[tuple[np.ndarray, np.ndarray]], lower: np.ndarray, upper: np.ndarray) -> None:
        first = len(self.lower) + sum(len(lo) for lo, _ in self._row_bounds)
        k = len(lower)
        for columns, values in entries:
            self._rows.append((first + np.arange(k), columns, values))
        self._row_bounds.append((lower, upper))

    def _add_unknowns(self, k: int, lower: float, upper: float, integral: float) -> np.ndarray:
        columns = len(self.var_lower) + self.extra + np.arange(k)
        self.extra += k
        self._extra_bounds.append((np.full(k, lower), np.full(k, upper), np.full(k, integral)))
        return columns

    def add_caps(self, cells: np.ndarray, cap: float) -> np.ndarray:
        """New unknowns u_i <= x_i with 0 <= u_i <= cap (returned): maximising u counts a cell's progress up to ``cap``."""
        k = len(cells)
        u = self._add_unknowns(k, 0.0, cap, 0.0)
        self._add_rows([(u, np.ones(k)), (cells, -np.ones(k))], np.full(k, -np.inf), np.zeros(k))
        return u

    def add_zero_or_at_least(self, cells: np.ndarray, least: float, big_m: np.ndarray) -> None:
        """x = 0 or least <= x <= big_m, with a binary z: least * z <= x <= big_m * z."""
        k = len(cells)
        if not k:
            return
        z = self._add_unknowns(k, 0.0, 1.0, 1.0)
        self._add_rows([(cells, np.ones(k)), (z, np.full(k, -least))], np.zeros(k), np.full(k, np.inf))
        self._add_rows([(cells, np.ones(k)), (z, -big_m)], np.full(k, -np.inf), np.zeros(k))

    def add_at_least(self, cells: np.ndarray, least: np.ndarray) -> np.ndarray:
        """Binaries v_i (returned) with x_i >= least_i * v_i: v_i = 1 only where x_i reaches least_i."""
        k = len(cells)
        v = self._add_unknowns(k, 0.0, 1.0, 1.0)
        self._add_rows([(cells, np.ones(k)), (v, -least)], np.zeros(k), np.full(k, np.inf))
        return v

    def add_at_least_one(self, binaries: np.ndarray) -> None:
        """At least one of ``binaries`` is 1: one row over them all."""
        first = len(self.lower) + sum(len(lo) for lo, _ in self._row_bounds)
        self._rows.append((np.full(len(binaries), first), binaries, np.ones(len(binaries))))
        self._row_bounds.append((np.ones(1), np.full(1, np.inf)))

    def add_at_most(self, cells: np.ndarray, most: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """Binaries v_i (returned) with x_i <= most_i where v_i = 1 (and x_i <= upper_i, a bound it has anyway, where not)."""
        k = len(cells)
        room = upper - most
        v = self._add_unknowns(k, 0.0, 1.0, 1.0)
        self._add_rows([(cells, np.ones(k)), (v, room)], np.full(k, -np.inf), upper)
        return v

    def solve(self, objective: np.ndarray, time_limit: float, exact: bool):
        from scipy.optimize import Bounds, LinearConstraint, milp  # here: a fifth of a second that every run's process would pay to load the code

        rows = [self.A.row] + [r for r, _, _ in self._rows]
        columns = [self.A.col] + [c for _, c, _ in self._rows]
        values = [self.A.data] + [v for _, _, v in self._rows]
        lower = np.concatenate([self.lower] + [lo for lo, _ in self._row_bounds])
        upper = np.concatenate([self.upper] + [hi for _, hi in self._row_bounds])
        matrix = sparse.csr_array((np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))), shape=(len(lower), self.size))
        var_lower = np.concatenate([self.var_lower] + [lo for lo, _, _ in self._extra_bounds])
        var_upper = np.concatenate([self.var_upper] + [hi for _, hi, _ in self._extra_bounds])
        integrality = np.concatenate([self.integrality] + [i for _, _, i in self._extra_bounds])
        constraints = LinearConstraint(matrix, lower, upper) if len(lower) else None
        options = {"time_limit": max(time_limit, 0.1), "presolve": True}
        options["mip_rel_gap"] = 0.0 if exact else PUSH_GAP
        return milp(objective, integrality=integrality, bounds=Bounds(var_lower, var_upper), constraints=constraints, options=options)


# --- words --------------------------------------------------------------------------------

def _number(value: float) -> str:
    value = float(value) + 0.0  # no "-0"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _cell_words(row: Mapping) -> str:
    return f"{row['measure_id']}, {row['period']}, {row['geography_code']}, {row['breakdown']}={row['category']}"


def _interval_words(row: Mapping, smallest_safe: int) -> str:
    if pd.isna(row["high_a"]):
        return "intervals not worked out"
    high_a = f"{smallest_safe}+" if row["high_a"] >= smallest_safe else _number(row["high_a"])
    return f"intruder (a) [{_number(row['low_a'])}, {high_a}], intruder (b) [{_number(row['low_b'])}, {_number(row['high_b'])}]"


def _narrowest(intervals: pd.DataFrame, smallest_safe: int) -> str:
    solved = intervals.dropna(subset=list(TARGETS))
    if solved.empty:
        return "no hidden small cell to audit" if intervals.empty else "no interval worked out"
    widths = pd.DataFrame({"a": solved["high_a"] - solved["low_a"], "b": solved["high_b"] - solved["low_b"]})
    position, intruder = np.unravel_index(np.argmin(widths.to_numpy(dtype=float)), widths.shape)
    row = solved.iloc[position]
    which = "ab"[intruder]
    low, high = row[f"low_{which}"], row[f"high_{which}"]
    shown = f"{smallest_safe}+" if which == "a" and high >= smallest_safe else _number(high)
    width = "exact" if row["exact"] else "at least this wide"
    return f"intruder ({which}): {_cell_words(row)} in [{_number(low)}, {shown}] ({width})"
