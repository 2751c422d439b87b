"""P(fast) = P(sigma >= 1E-4 S/cm) on the OBELiX official test rows: ROC AUC, Brier score and
reliability of :func:`superionic.models.uncertainty.p_fast`, against the base rate.

The model is fitted on the official training side (plus leak-filtered extra labels) inside CV+
(calibration folds grouped by composition or source DOI); the probability comes from the CV+
predictive distribution. Censored test rows (all below 1E-8) count as "not fast".

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python bench/p_fast_auc.py --model lgbm
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score

from superionic.config import load_settings
from superionic.models.dataset import build_target_data
from superionic.models.evaluate import obelix_split_indices
from superionic.models.groups import calibration_groups
from superionic.models.uncertainty import ConformalRegressor, p_fast
from superionic.models.zoo import make_model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="lgbm")
    ap.add_argument("--features", default="composition")
    args = ap.parse_args(argv)
    data = build_target_data("log10_sigma", load_settings().data_dir, extra=True,
                             feature_kind=args.features)
    tr, te = obelix_split_indices(data)
    X = data.X.to_numpy(float)
    groups = calibration_groups([data.formulas[i] for i in tr], [data.families[i] for i in tr],
                                "source", data.mobile_ion, [data.sources[i] for i in tr])
    conf = ConformalRegressor(make_model(args.model), n_folds=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        conf.fit(X[tr], data.y[tr], groups=groups, censored=data.censored[tr])
    p = p_fast(conf, X[te])
    fast = data.y[te] >= -4.0
    base = np.full(len(te), fast.mean())
    print(f"OBELiX test rows {len(te)}, fast (>= 1E-4 S/cm) {int(fast.sum())}; "
          f"model {args.model}, features {args.features} + extra labels")
    print(f"ROC AUC of p_fast: {roc_auc_score(fast, p):.3f}; of the point prediction: "
          f"{roc_auc_score(fast, conf.predict(X[te])):.3f}")
    print(f"Brier score: p_fast {brier_score_loss(fast, p):.3f}, base rate "
          f"{brier_score_loss(fast, base):.3f} (ratio {brier_score_loss(fast, p) / brier_score_loss(fast, base):.2f})")
    print("| p_fast bin | rows | mean p_fast | observed fraction fast |")
    print("|---|---|---|---|")
    for lo, hi in ((0, 0.1), (0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 1.0001)):
        sel = (p >= lo) & (p < hi)
        if sel.any():
            print(f"| {lo:.1f}-{min(hi, 1):.1f} | {int(sel.sum())} | {p[sel].mean():.2f} | "
                  f"{fast[sel].mean():.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
