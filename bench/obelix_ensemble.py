"""Equal-weight mean of three ensembles (median forest, LightGBM, CatBoost) on the OBELiX
official split, next to each member, measured in one run (zoo defaults, seed 0).

The members and the equal weights are fixed before looking at the test rows; no other
combination is reported. Censored training rows by one-step imputation.

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python bench/obelix_ensemble.py --censored-as bound \
        --features composition+structure --extra
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

MEMBERS = ("rf_median", "lgbm", "catboost")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--censored-as", default="bound")
    ap.add_argument("--features", default="composition+structure")
    ap.add_argument("--extra", action="store_true")
    args = ap.parse_args(argv)
    data = build_target_data("log10_sigma", load_settings().data_dir, extra=args.extra,
                             feature_kind=args.features, censored_as=args.censored_as)
    X, y = data.X.to_numpy(float), data.y
    tr, te = obelix_split_indices(data)
    cif = data.has_structure[te]
    preds = {}
    print(f"| model | MAE, {len(te)} test rows | MAE, {int(cif.sum())} CIF rows |")
    print("|---|---|---|")
    for name in MEMBERS:
        model = make_model(name, seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit_censored(model, X[tr], y[tr], data.censored[tr], "impute")
        preds[name] = model.predict(X[te])
    preds["mean of " + " + ".join(MEMBERS)] = np.mean([preds[m] for m in MEMBERS], axis=0)
    for name, p in preds.items():
        err = np.abs(p - y[te])
        print(f"| {name} | {err.mean():.3f} | {err[cif].mean():.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
