"""Command line: ``python -m synthetic --scale tiny|demo|national --seed N --out DATA_DIR [--calibrate FILE] [--layered COUNCIL]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from synthetic.generate import SCALES, generate


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, generate, print rows per dataset to stdout."""
    parser = argparse.ArgumentParser(prog="python -m synthetic", description="Write synthetic agency files and their ground truth.")
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo", help="national = Scotland's volumes, demo = 1/10, tiny = 1/50")
    parser.add_argument("--seed", type=int, default=1, help="the same seed always gives the same bytes")
    parser.add_argument("--out", type=Path, required=True, help="data folder: landing/ and ground_truth/ are written inside it")
    parser.add_argument(
        "--calibrate",
        type=Path,
        help="looked after at 31 July by placement type to reproduce exactly (columns of reference/looked_after_by_placement_national.csv)",
    )
    parser.add_argument("--layered", action="append", default=[], metavar="COUNCIL", help="a council (GSS code) whose looked after returns are written layered, as Scotland's collection is, without names or CHI")
    args = parser.parse_args(argv)
    summary = generate(args.out, scale=args.scale, seed=args.seed, calibrate=args.calibrate, layered=frozenset(args.layered))
    width = max(len(name) for name in summary.rows)
    for dataset, count in summary.rows.items():
        print(f"{dataset:<{width}}  {count:>10,}")
    print(f"{len(summary.files):,} files written under {summary.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
