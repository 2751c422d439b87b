"""Retrospective enrichment of the screen's ranking on the labelled pool compounds.

Every offline-pool compound with a measured room-temperature conductivity gets OUT-OF-FOLD
predictions: the label table (composition-only features, ``bench/composition_model.py``) is split
into 5 folds grouped by reduced composition, and each fold's compounds are predicted by a random
forest with CV+ intervals trained on the other four, for log10 sigma and for Ea alike. No
compound is scored by a model that saw its label (or any label of its composition).

The funnel (e_hull, gap, window) is label-free and is read from a screen run of the same pool
(``--screen``: the ``all_compounds.parquet`` written by ``superionic screen``). Compounds the
funnel removes rank below every survivor. Over the labelled pool compounds it reports, per
ranking (p_fast = the default, the seed's weighted sum with weights 1,1,1,1, and random: 200
shuffles): the fraction of measured fast conductors (median label >= 1e-4 S/cm) in the top 5 %
and 10 %, and the ROC AUC of the ranking for fast vs slow; the top-10 % fraction and the AUC among funnel survivors
only.

    PYTHONPATH=src python bench/screen_enrichment.py --screen .work/screen-out \
        --work .work/enrichment

OOF predictions are saved per fold under ``--work`` (a killed run resumes).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

FAST_S_CM = 1e-4
N_FOLDS = 5


def oof_predictions(target: str, pool_formulas: set[str], work: Path, seed: int = 0
                    ) -> pd.DataFrame:
    """Out-of-fold mean/low/high (90 %) per reduced formula of ``pool_formulas`` that has a
    label of ``target``; also the median label per formula (``y``) and ``censored``."""
    from composition_model import composition_data
    from pymatgen.core import Composition
    from sklearn.model_selection import GroupKFold

    from superionic.models.groups import calibration_groups
    from superionic.models.uncertainty import ConformalRegressor
    from superionic.models.zoo import make_model

    data = composition_data(target, None, "Li")
    red = np.array([Composition(f).reduced_formula for f in data.formulas])
    folds = list(GroupKFold(n_splits=N_FOLDS).split(data.X, groups=red))
    parts = []
    for k, (train, test) in enumerate(folds):
        path = work / f"{target}-fold{k}.parquet"
        if path.is_file():
            parts.append(pd.read_parquet(path))
            continue
        t0 = time.perf_counter()
        test_f = sorted(set(red[test]) & pool_formulas)
        rows = [int(np.flatnonzero(red[test] == f)[0]) for f in test_f]
        Xt = data.X.iloc[test].iloc[rows]
        groups = calibration_groups([data.formulas[i] for i in train],
                                    [data.families[i] for i in train], "source", "Li",
                                    [data.sources[i] for i in train] if data.sources else None)
        conf = ConformalRegressor(make_model("rf", seed=seed), n_folds=5, seed=seed)
        conf.fit(data.X.iloc[train], data.y[train], groups=groups,
                 censored=data.censored[train])
        mean, low, high = conf.predict_interval(Xt, 0.9) if len(Xt) else ([], [], [])
        part = pd.DataFrame({"reduced_formula": test_f, "mean": mean, "low": low, "high": high,
                             "fold": k})
        work.mkdir(parents=True, exist_ok=True)
        part.to_parquet(path.with_suffix(".tmp"))
        path.with_suffix(".tmp").replace(path)
        print(f"  {target} fold {k}: {len(train)} training rows, {len(test_f)} pool compounds "
              f"predicted ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    labels = pd.DataFrame({"reduced_formula": red, "y": data.y, "censored": data.censored})
    agg = labels.groupby("reduced_formula").agg(y=("y", "median"), censored=("censored", "all"))
    return out.merge(agg, left_on="reduced_formula", right_index=True, how="left")


def roc_auc(score: np.ndarray, positive: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(positive, score))


def enrichment(order_score: np.ndarray, positive: np.ndarray, frac: float) -> float:
    """Fraction of the positives among the top ``frac`` of the ranking by ``order_score``
    (higher = better; ties broken by a fixed shuffle)."""
    n = len(order_score)
    k = max(1, int(round(frac * n)))
    rng = np.random.default_rng(0)
    tie = rng.random(n)
    top = np.lexsort((-tie, -order_score))[:k]
    return float(positive[top].sum() / max(positive.sum(), 1))


def main() -> None:
    from superionic.config import ScoreWeights
    from superionic.screen.rank import IntervalProbability
    from superionic.screen.score import composite_score

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--screen", type=Path, required=True,
                    help="Output folder of a superionic screen run (all_compounds.parquet).")
    ap.add_argument("--work", type=Path, default=Path(".work/enrichment"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    table = pd.read_parquet(args.screen / "all_compounds.parquet")
    pool = set(table["reduced_formula"])
    sig = oof_predictions("log10_sigma", pool, args.work, args.seed)
    ea = oof_predictions("Ea", pool, args.work, args.seed)
    t = table.set_index("reduced_formula").loc[sig["reduced_formula"]].reset_index()
    t["log10_sigma_mean"], t["log10_sigma_low"], t["log10_sigma_high"] = \
        sig["mean"].to_numpy(), sig["low"].to_numpy(), sig["high"].to_numpy()
    t["sigma_S_cm"] = 10.0 ** t["log10_sigma_mean"]
    ea_map = ea.set_index("reduced_formula")["mean"]
    t["Ea_eV"] = t["reduced_formula"].map(ea_map)  # OOF Ea; NaN where no Ea label exists
    truth = sig["y"].to_numpy() >= np.log10(FAST_S_CM)
    # survivors of the label-free funnel: every stage before predictions passed
    survive = ~t["left_at"].isin(["e_hull", "band_gap", "esw"]).to_numpy()

    p_fast = IntervalProbability(0.9)(t, FAST_S_CM)
    w = np.full(len(t), np.nan)
    idx = np.flatnonzero(survive)
    w[idx] = composite_score(t.iloc[idx], ScoreWeights(1, 1, 1, 1))["score"].to_numpy()
    floor = -1e9
    scores = {"p_fast (default)": np.where(survive, p_fast, floor),
              "weighted sum (seed, 1,1,1,1)": np.where(survive, w, floor),
              "predicted log10 sigma, no funnel": t["log10_sigma_mean"].to_numpy()}
    rows = []
    for name, s in scores.items():
        rows.append({"ranking": name, "top5_fraction": enrichment(s, truth, 0.05),
                     "top10_fraction": enrichment(s, truth, 0.10), "auc": roc_auc(s, truth),
                     "top10_survivors": enrichment(s[survive], truth[survive], 0.10),
                     "auc_survivors": roc_auc(s[survive], truth[survive])
                     if truth[survive].any() and (~truth[survive]).any() else None})
    rng = np.random.default_rng(args.seed)
    rand = [(enrichment(r, truth, 0.05), enrichment(r, truth, 0.10), roc_auc(r, truth))
            for r in (rng.random(len(t)) for _ in range(200))]
    r5, r10, rauc = np.mean(rand, axis=0)
    rows.append({"ranking": "random (mean of 200)", "top5_fraction": r5, "top10_fraction": r10,
                 "auc": rauc, "top10_survivors": 0.10, "auc_survivors": 0.5})
    facts = {"n_labelled_pool": len(t), "n_fast": int(truth.sum()),
             "n_survivors": int(survive.sum()), "n_fast_survivors": int(truth[survive].sum()),
             "fast_removed_by_funnel": sorted(t.loc[truth & ~survive, "reduced_formula"]),
             "threshold_S_cm": FAST_S_CM, "folds": N_FOLDS, "seed": args.seed,
             "model": "rf (zoo defaults), composition-only features, CV+ 90 % intervals"}
    print(json.dumps(facts, indent=1))
    print(f"{'ranking':<36} {'top 5 %':>8} {'top 10 %':>9} {'AUC':>6} {'top 10 % surv.':>14} "
          f"{'AUC surv.':>9}")
    for r in rows:
        aus = "n/a" if r["auc_survivors"] is None else f"{r['auc_survivors']:.3f}"
        print(f"{r['ranking']:<36} {r['top5_fraction']:>8.3f} {r['top10_fraction']:>9.3f} "
              f"{r['auc']:>6.3f} {r['top10_survivors']:>14.3f} {aus:>9}")
    if args.json:
        args.json.write_text(json.dumps({"facts": facts, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
