"""Seed spread of the OBELiX official-test MAE (zoo defaults): how much of a lever's gain is
the luck of one seed. One fit per (model, seed) on the official training side.

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python bench/obelix_seeds.py --censored-as paper \
        --features composition+structure --models rf,rf_median
    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python bench/obelix_seeds.py --censored-as bound \
        --features composition --extra --models xgb,rf,catboost
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np

from superionic.config import load_settings
from superionic.models.dataset import build_target_data
from superionic.models.evaluate import obelix_split_indices
from superionic.models.targets import fit_censored
from superionic.models.zoo import make_model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--censored-as", default="bound")
    ap.add_argument("--features", default="composition")
    ap.add_argument("--extra", action="store_true")
    ap.add_argument("--models", default="xgb,rf")
    ap.add_argument("--seeds", default="0,1,2")
    args = ap.parse_args(argv)
    data = build_target_data("log10_sigma", load_settings().data_dir, extra=args.extra,
                             feature_kind=args.features, censored_as=args.censored_as)
    X, y = data.X.to_numpy(float), data.y
    tr, te = obelix_split_indices(data)
    seeds = [int(s) for s in args.seeds.split(",")]
    print("| model | " + " | ".join(f"seed {s}" for s in seeds) + " | mean |")
    print("|---|" + "---|" * (len(seeds) + 1))
    for name in args.models.split(","):
        maes = []
        for seed in seeds:
            model = make_model(name, seed=seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit_censored(model, X[tr], y[tr], data.censored[tr], "impute")
            maes.append(float(np.mean(np.abs(model.predict(X[te]) - y[te]))))
        print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in maes)
              + f" | {np.mean(maes):.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
