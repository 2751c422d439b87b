"""Seed spread of the OBELiX official-test MAE (zoo defaults): how much of a lever's gain is
the luck of one seed. One fit per (model, seed) on the official training side.

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python bench/obelix_seeds.py --censored-as paper \
        --features composition+structure --models rf,rf_median
    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python bench/obelix_seeds.py --censored-as bound \
        --features composition --extra --models xgb,rf,catboost
"""

from __future__ import annotations

import argparse

import numpy as np
from _obelix import add_data_arguments, fit_and_predict, official_split


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_arguments(ap, features="composition")
    ap.add_argument("--models", default="xgb,rf")
    ap.add_argument("--seeds", default="0,1,2")
    args = ap.parse_args(argv)
    split = official_split(args)
    y_te = split.y[split.test]
    seeds = [int(s) for s in args.seeds.split(",")]
    print("| model | " + " | ".join(f"seed {s}" for s in seeds) + " | mean |")
    print("|---|" + "---|" * (len(seeds) + 1))
    for name in args.models.split(","):
        maes = [float(np.mean(np.abs(fit_and_predict(name, seed, split) - y_te)))
                for seed in seeds]
        print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in maes)
              + f" | {np.mean(maes):.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
