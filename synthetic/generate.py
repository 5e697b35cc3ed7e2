"""Build the synthetic world and write every agency's files and the ground truth."""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from assets.model.contracts import load_contracts
from synthetic import periods
from synthetic.agency_checks import in_collection_year_codes, with_plausible_dates_of_birth
from synthetic.calibration import StockTargets, read_calibration
from synthetic.care_histories import simulate_care
from synthetic.datasets import aggregates, education, experience, holdings, justice, looked_after, organisations, restraint
from synthetic.geography import Councils
from synthetic.identifier_errors import IdentifierErrors
from synthetic.layered import write_layered
from synthetic.output import write_agency_file, write_json, write_table
from synthetic.population import build_population
from synthetic.reference import Reference
from synthetic.sampling import stream
from synthetic.world import World

SCALES: dict[str, float] = {"tiny": 0.02, "demo": 0.1, "national": 1.0}
CONTRACTS = Path(__file__).resolve().parents[1] / "data_contracts"  # the files are written to these contracts
# Generators in the order they run; each writes one or more datasets.
GENERATORS = (looked_after, justice, education, restraint, aggregates, experience, organisations, holdings)
DATASETS: tuple[str, ...] = (
    "looked_after_episodes", "hearings_referrals", "secure_admissions", "custody_under_18", "school_leavers", "school_exclusions",
    "restraint_incidents", "service_places", "population_estimates", "family_support_spend", "indicator_values",
    "experience_responses", "engagement_evidence", "organisational_learning", "route_map_milestones", "data_holdings",
)


@dataclass
class GenerationSummary:
    """What a run produced: people simulated, rows per dataset and every file written."""

    out_dir: Path
    scale: str
    seed: int
    people: int
    calibrated_years: list[int]
    rows: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def _stderr(message: str) -> None:
    """Default progress reporter: counted steps on stderr, leaving stdout for the summary."""
    print(message, file=sys.stderr, flush=True)


def generate(
    out_dir: Path,
    scale: str = "demo",
    seed: int = 1,
    calibrate: Path | None = None,
    progress: Callable[[str], None] = _stderr,
    layered: frozenset[str] = frozenset(),
) -> GenerationSummary:
    """Write ``landing/`` and ``ground_truth/`` under ``out_dir`` for one scale and seed.

    The same arguments always give byte-identical files. ``calibrate`` names a
    table like ``reference/looked_after_by_placement_national.csv`` whose years
    are reproduced exactly in the looked after returns, whatever the scale. The councils in
    ``layered`` send their looked after returns as Scotland's collection is layered, without names or CHI.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {sorted(SCALES)}, not {scale!r}")
    out_dir = Path(out_dir)
    landing = out_dir / "landing"
    if landing.exists() and any(landing.iterdir()):
        raise FileExistsError(f"{landing} already holds files; generate into an empty folder so no stale file survives")
    steps = 2 + len(DATASETS) + 1
    done = 0
    started = time.perf_counter()

    def step(message: str) -> None:
        nonlocal done
        done += 1
        progress(f"[{done}/{steps}] {message} ({time.perf_counter() - started:.1f}s)")

    scale_factor = SCALES[scale]
    reference = Reference.load()
    councils = Councils.from_reference(reference)
    calibration = read_calibration(calibrate) if calibrate else {}
    targets = StockTargets.build(stream(seed, "stock_targets"), reference, councils, scale_factor, calibration)
    pool_factor = targets.pool_factor(reference, scale_factor)
    population = build_population(stream(seed, "population"), councils, pool_factor, scale_factor / pool_factor, scale_factor)
    step(f"population: {len(population):,} people")
    care = simulate_care(stream(seed, "care_histories"), population, councils, targets)
    step(f"care histories: {len(care.episodes):,} episodes, {len(care.placements):,} placements")
    world = World(seed, scale_factor, reference, councils, population, care, IdentifierErrors(population, councils))

    contracts = load_contracts(CONTRACTS)
    summary = GenerationSummary(out_dir=out_dir, scale=scale, seed=seed, people=len(population), calibrated_years=sorted(calibration))
    rows: Counter[str] = Counter()
    for generator in GENERATORS:
        files = in_collection_year_codes(with_plausible_dates_of_birth(generator.build(world), contracts, population), contracts)
        for file in files:
            summary.files.extend(write_agency_file(out_dir, file, population))
            rows[file.dataset] += len(file.rows)
        for dataset in dict.fromkeys(f.dataset for f in files):
            step(f"{dataset}: {rows[dataset]:,} rows")
    for flat in [f for f in summary.files if f.parent.name == "looked_after_episodes" and f.parent.parent.name in layered]:
        summary.files += list(write_layered(flat, contracts["looked_after_episodes"], flat.parent).values())
        summary.files.remove(flat)
        flat.unlink()
    summary.rows = {dataset: rows[dataset] for dataset in DATASETS}
    summary.files.append(write_table(out_dir, "looked_after_31_july.csv", looked_after.looked_after_31_july(world)))
    summary.files.append(write_json(out_dir, "identifier_error_rates.json", world.errors.realised()))
    step(f"ground truth: {len(summary.files):,} files in all, years {periods.SOCIAL_WORK_YEARS[0]}-{periods.SOCIAL_WORK_YEARS[-1]}")
    return summary
