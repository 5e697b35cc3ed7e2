"""Benchmark: the intruder audit (assets/disclosure/intruder_audit.py) on a synthetic edition of national shape.

    .venv/bin/python bench/disclosure_audit_speed.py [--periods 6] [--seed 1] [--exact]

Builds true tables like a national edition's (Scotland and 32 councils, a dozen measures,
breakdowns of 2 to 12 categories, counts from a skewed distribution: counts of children,
rates per 1,000 sharing their numerators, shares whose denominators are counts of another
measure, a composite), hides them with a plain suppression of its own (every count of 1-4,
then a second cell wherever a sum, a council column, a composite or a shared count would
otherwise hold a single hidden cell), and times the audit. Prints the shape, the time and
met/missed against the publish stage's budget (under 60 s on 2 cores); asserts nothing.

The suppression here is deliberately simple (it is not the pipeline's, which the audit must
judge without sharing code); its misses are what the audit is there to find, so the failure
count it prints says nothing about the pipeline.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assets.disclosure.intruder_audit import audit_disclosure

BUDGET_SECONDS = 60.0
SCOTLAND = "S92000003"
COUNCILS = [f"S120000{n:02d}" for n in range(5, 37)]
BREAKDOWNS = {
    "sex": ("F", "M"),
    "age_band": ("0-4", "5-11", "12-15", "16-17"),
    "placement_type": ("at_home", "kinship", "foster_la", "foster_purchased", "adopters", "other_community", "la_home",
                       "voluntary_home", "residential_school", "secure", "crisis", "other_residential"),
    "legal_reason": ("compulsory_order", "permanence", "voluntary", "emergency", "interim", "other", "unknown", "criminal_justice"),
    "ethnicity": ("white_scottish", "white_other", "mixed", "asian", "african", "other"),
    "deprivation": ("1", "2", "3", "4", "5"),
    "practice": ("physical_restraint", "seclusion", "other_restrictive"),
    "service_type": ("residential", "school_care", "secure", "respite"),
    "stage": ("P1-P3", "P4-P7", "S1-S2", "S3-S4", "S5-S6", "special", "other"),
    "disability": ("yes", "no", "unknown"),
    "duration": ("under_6_weeks", "6_weeks_to_6_months", "6_months_to_1_year", "1_to_2_years", "2_to_5_years", "5_years_or_more"),
    "reason_ended": ("home", "kinship", "adopted", "own_tenancy", "supported", "other_care", "other"),
}
FAMILY = ("at_home", "kinship")


@dataclass(frozen=True)
class CountMeasure:
    id: str
    median: float  # a council's typical headline count
    breakdowns: tuple[str, ...]


COUNTS = (
    CountMeasure("looked_after", 1200, ("sex", "age_band", "placement_type", "legal_reason", "ethnicity", "deprivation", "disability", "duration")),
    CountMeasure("started_looked_after", 600, ("sex", "age_band", "placement_type", "legal_reason", "ethnicity", "deprivation", "disability")),
    CountMeasure("ceased_looked_after", 600, ("sex", "age_band", "placement_type", "legal_reason", "deprivation", "duration", "reason_ended")),
    CountMeasure("restraint_incidents", 400, ("practice", "service_type", "sex", "age_band", "deprivation")),
    CountMeasure("school_exclusions", 900, ("sex", "stage", "ethnicity", "deprivation", "age_band", "disability")),
    CountMeasure("custody_under_18", 12, ("sex",)),
    CountMeasure("leavers", 700, ("sex", "stage", "deprivation", "ethnicity", "disability")),
)
RATES = {"looked_after_rate": "looked_after", "started_looked_after_rate": "started_looked_after", "ceased_looked_after_rate": "ceased_looked_after",
         "school_exclusions_rate": "school_exclusions"}
SHARES = {"three_or_more_placements": ("looked_after", 0.3), "leavers_positive_destination": ("leavers", 0.8), "started_in_kinship": ("started_looked_after", 0.4)}
POPULATION = {"sex": True, "age_band": True, "deprivation": True}  # breakdowns the population estimates have


def split(rng: np.random.Generator, total: int, categories: int, skew: float) -> np.ndarray:
    """A total spread over categories with skewed shares (some categories rare)."""
    return rng.multinomial(total, rng.dirichlet(np.full(categories, skew)))


def true_tables(periods: int, seed: int) -> pd.DataFrame:
    """Long-format true figures: measure_id, period, geography_code, geography_level, breakdown, category, numerator, denominator, value, unit."""
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0, 0.6, len(COUNCILS))  # councils differ a lot in size
    population = (size * 30_000).astype(int) + 2_000
    rows = []
    counts: dict[tuple[str, str, str, str, str], int] = {}
    for period in (str(2019 + p) for p in range(periods)):
        for measure in COUNTS:
            for c, council in enumerate(COUNCILS):
                total = int(rng.negative_binomial(3, 3 / (3 + measure.median * size[c])))
                counts[measure.id, period, council, "total", "total"] = total
                for b in measure.breakdowns:
                    for category, n in zip(BREAKDOWNS[b], split(rng, total, len(BREAKDOWNS[b]), 2.0)):
                        counts[measure.id, period, council, b, category] = int(n)
        # Population by the breakdowns it has: additive, public.
        for c, council in enumerate(COUNCILS):
            counts["population", period, council, "total", "total"] = int(population[c])
            for b in POPULATION:
                for category, n in zip(BREAKDOWNS[b], split(rng, int(population[c]), len(BREAKDOWNS[b]), 20)):
                    counts["population", period, council, b, category] = int(n)
    # Share numerators: a part of another measure's count, hypergeometric so every breakdown adds up.
    for share, (base, p) in SHARES.items():
        measure = next(m for m in COUNTS if m.id == base)
        for period in (str(2019 + p) for p in range(periods)):
            for council in COUNCILS:
                whole = counts[base, period, council, "total", "total"]
                part = int(rng.binomial(whole, p))
                counts[share, period, council, "total", "total"] = part
                for b in measure.breakdowns:
                    sizes = [counts[base, period, council, b, k] for k in BREAKDOWNS[b]]
                    for category, n in zip(BREAKDOWNS[b], rng.multivariate_hypergeometric(sizes, part)):
                        counts[share, period, council, b, category] = int(n)
    for key, n in counts.items():
        rows.append((*key, n))
    councils = pd.DataFrame(rows, columns=["measure_id", "period", "geography_code", "breakdown", "category", "numerator"])
    scotland = councils.groupby(["measure_id", "period", "breakdown", "category"], as_index=False)["numerator"].sum().assign(geography_code=SCOTLAND)
    every = pd.concat([councils.assign(geography_level="council"), scotland.assign(geography_level="scotland")], ignore_index=True)
    key = ["period", "geography_code", "breakdown", "category"]
    pieces = [every[every["measure_id"].isin([m.id for m in COUNTS])].assign(denominator=np.nan, unit="children")]
    population = every[every["measure_id"] == "population"]
    by_category = population[[*key, "numerator"]].rename(columns={"numerator": "denominator"})
    # A breakdown the population estimates lack (placement type) is a rate per 1,000 of all children.
    by_place = population[population["breakdown"] == "total"][["period", "geography_code", "numerator"]].rename(columns={"numerator": "all_children"})
    for rate, base in RATES.items():
        numerators = every[every["measure_id"] == base][[*key, "geography_level", "numerator"]]
        rates = numerators.merge(by_category, on=key, how="left").merge(by_place, on=["period", "geography_code"])
        rates["denominator"] = rates["denominator"].fillna(rates.pop("all_children"))
        pieces.append(rates.assign(measure_id=rate, unit="per 1,000 children aged 0-17"))
    for share, (base, _) in SHARES.items():
        numerators = every[every["measure_id"] == share][[*key, "geography_level", "numerator"]]
        denominators = every[every["measure_id"] == base][[*key, "numerator"]].rename(columns={"numerator": "denominator"})
        pieces.append(numerators.merge(denominators, on=key).query("denominator > 0").assign(measure_id=share, unit="percent"))
    family = every[(every["measure_id"] == "looked_after") & every["category"].isin(FAMILY)].groupby(["period", "geography_code", "geography_level"], as_index=False)["numerator"].sum()
    pieces.append(family.assign(measure_id="looked_after_family_settings", breakdown="total", category="total", denominator=np.nan, unit="children"))
    truth = pd.concat(pieces, ignore_index=True)
    scale = np.where(truth["unit"] == "percent", 100.0, 1000.0)
    truth["value"] = np.where(truth["denominator"].isna(), truth["numerator"], np.round(scale * truth["numerator"] / truth["denominator"], 1))
    truth["numerator"] = truth["numerator"].astype("Int64")
    truth["denominator"] = truth["denominator"].astype("Float64")
    truth["value"] = truth["value"].astype("Float64")
    return truth.reset_index(drop=True)


def suppress(truth: pd.DataFrame) -> np.ndarray:
    """Which rows to hide: counts of 1-4 (numerator, or a share's denominator), then a second
    cell wherever a group a reader can add up holds exactly one hidden cell, and a shared count
    hidden in every measure that shows it; repeated until nothing changes."""
    t = truth.reset_index(drop=True)
    n = t["numerator"].astype(float).to_numpy()
    d = t["denominator"].astype(float).to_numpy()
    is_share = (t["unit"] == "percent").to_numpy()
    hidden = ((n >= 1) & (n <= 4)) | (is_share & (d >= 1) & (d <= 4))
    # The count behind each row: rates show their base count, shares their base count too (as denominator).
    base = t["measure_id"].map({**RATES, **{s: b for s, (b, _) in SHARES.items()}}).fillna(t["measure_id"])
    figure = t[["period", "geography_code", "breakdown", "category"]].astype(str).agg("|".join, axis=1)
    same_count = pd.factorize(base + "|" + figure)[0]
    groups = [
        pd.factorize(t["measure_id"] + "|" + t["period"] + "|" + t["geography_code"] + "|" + t["breakdown"].where(t["breakdown"] != "total", ""))[0],
        pd.factorize(t["measure_id"] + "|" + t["period"] + "|" + t["breakdown"] + "|" + t["category"])[0],
    ]
    # The total row belongs to every breakdown's group: give it one membership per breakdown.
    members = []
    for g in groups:
        members.append((g, np.arange(len(t))))
    totals = np.flatnonzero((t["breakdown"] == "total").to_numpy())
    for b in t.loc[t["breakdown"] != "total", "breakdown"].unique():
        group_of = pd.factorize(t["measure_id"] + "|" + t["period"] + "|" + t["geography_code"] + "|" + b)[0]
        members.append((group_of[totals] + len(t), totals))
        parts = np.flatnonzero((t["breakdown"] == b).to_numpy())
        members.append((group_of[parts] + len(t), parts))
    # The composite and the categories it adds up.
    composite = (t["measure_id"] == "looked_after_family_settings") | ((t["measure_id"] == "looked_after") & t["category"].isin(FAMILY))
    rows = np.flatnonzero(composite.to_numpy())
    members.append((pd.factorize(t["period"] + "|" + t["geography_code"])[0][rows] + 2 * len(t), rows))
    size = np.where(np.isnan(n), np.inf, np.where(n == 0, np.inf, n))
    while True:
        before = hidden.sum()
        shared = np.bincount(same_count, hidden) > 0
        hidden |= shared[same_count]
        for group, rows in members:
            count = np.bincount(group, hidden[rows], minlength=group.max() + 1)
            lonely = count[group] == 1
            candidates = rows[lonely & ~hidden[rows]]
            if len(candidates):
                order = pd.DataFrame({"group": group[lonely & ~hidden[rows]], "row": candidates, "size": size[candidates]}).sort_values("size")
                hidden[order.drop_duplicates("group")["row"].to_numpy()] = True
        if hidden.sum() == before:
            return hidden


def published_edition(truth: pd.DataFrame, hidden: np.ndarray) -> pd.DataFrame:
    t = truth.reset_index(drop=True)
    is_rate = t["unit"].str.startswith("per ").to_numpy()  # "percent" is a share: its denominator is a count
    value = t["value"].astype(float)
    display = np.where(t["denominator"].isna(), value.map("{:,.0f}".format), value.map("{:.1f}".format))
    return pd.DataFrame({
        **{k: t[k] for k in ["measure_id", "period", "geography_code", "geography_level", "breakdown", "category", "unit"]},
        "numerator_published": t["numerator"].mask(hidden),
        "denominator_published": t["denominator"].mask(~is_rate & hidden),
        "value_published": t["value"].mask(hidden),
        "value_display": np.where(hidden, "[c]", display),
    })


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--periods", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--exact", action="store_true", help="settle every interval exactly (slower)")
    args = parser.parse_args()
    truth = true_tables(args.periods, args.seed)
    hidden = suppress(truth)
    published = published_edition(truth, hidden)
    small = hidden & truth["numerator"].astype(float).between(1, 4).to_numpy()
    print(f"edition: {len(published):,} published rows, {truth['measure_id'].nunique()} measures, {args.periods} periods, "
          f"{hidden.sum():,} hidden cells ({small.sum():,} small)", flush=True)
    started, cpu = time.perf_counter(), time.process_time()
    audit = audit_disclosure(published, truth, compositions={"looked_after_family_settings": ("looked_after", "placement_type", FAMILY)},
                             exact_intervals=args.exact)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"audit: {audit.cells_audited:,} cells audited, {audit.relations:,} relations, {audit.components:,} components")
    print(f"verdict: {'passed' if audit.passed else f'{len(audit.failures):,} cells fail'} (this bench's plain suppression, not the pipeline's)")
    print(f"narrowest: {audit.narrowest}")
    print(f"time: {wall:.1f} s wall, {cpu:.1f} s CPU; budget {BUDGET_SECONDS:.0f} s: {'met' if wall < BUDGET_SECONDS else 'missed'}")


if __name__ == "__main__":
    main()
