"""python -m synthetic_agencies --scale tiny|demo|national --seed N --out DIR [--calibrate FILE]"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from synthetic_agencies.generate import SCALES, generate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m synthetic_agencies", description="Write fictional agency drops for the Story of Progress pipeline.")
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="data root: files go to OUT/landing/<agency>/<dataset>/, ground truth to OUT/ground_truth/")
    parser.add_argument("--calibrate", type=Path, help="table of children looked after at 31 July by placement type to match exactly")
    args = parser.parse_args()
    started = time.perf_counter()
    summary = generate(args.out, args.scale, args.seed, args.calibrate)
    print(f"Wrote {len(summary.files):,} files ({sum(summary.rows.values()):,} rows) to {args.out / 'landing'} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
