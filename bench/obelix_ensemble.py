"""Equal-weight mean of three ensembles (median forest, LightGBM, CatBoost) on the OBELiX
official split, next to each member, measured in one run (zoo defaults, seed 0).

The members and the equal weights are fixed before looking at the test rows; no other
combination is reported. Censored training rows by one-step imputation.

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python bench/obelix_ensemble.py --censored-as bound \
        --features composition+structure --extra
"""

from __future__ import annotations

import argparse

import numpy as np
from _obelix import add_data_arguments, fit_and_predict, official_split

MEMBERS = ("rf_median", "lgbm", "catboost")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_arguments(ap, features="composition+structure")
    args = ap.parse_args(argv)
    split = official_split(args)
    y_te = split.y[split.test]
    cif = split.data.has_structure[split.test]
    preds = {}
    print(f"| model | MAE, {len(split.test)} test rows | MAE, {int(cif.sum())} CIF rows |")
    print("|---|---|---|")
    for name in MEMBERS:
        preds[name] = fit_and_predict(name, 0, split)
    preds["mean of " + " + ".join(MEMBERS)] = np.mean([preds[m] for m in MEMBERS], axis=0)
    for name, p in preds.items():
        err = np.abs(p - y_te)
        print(f"| {name} | {err.mean():.3f} | {err[cif].mean():.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
