"""Per-family errors of the group K-fold split (log10 sigma): is a held-out family extrapolated,
or is something wrong?

Every leakage group (composition + family) is held out once (5 folds); per family the held-out
MAE of a model is set against the MAE of the mean predictor trained on the same folds, with the
model's mean signed error (bias: > 0 predicted too high). Writes a bar figure and a JSON table.

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python bench/group_families.py \
        --models mean,rf,rf_median --out docs/img/group_family_errors.png
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from superionic.config import load_settings
from superionic.models.dataset import build_target_data
from superionic.models.evaluate import evaluate_model
from superionic.models.groups import family_keys


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="mean,rf,rf_median")
    ap.add_argument("--censored-as", default="bound")
    ap.add_argument("--features", default="composition+structure")
    ap.add_argument("--min-rows", type=int, default=10, help="families smaller than this are "
                    "pooled as 'other'")
    ap.add_argument("--out", type=Path, default=Path("docs/img/group_family_errors.png"))
    args = ap.parse_args(argv)
    settings = load_settings()
    data = build_target_data("log10_sigma", settings.data_dir, feature_kind=args.features,
                             censored_as=args.censored_as)
    fam = pd.Series(family_keys(data.formulas, data.families, data.mobile_ion))
    fam = fam.str.replace("family:", "").str.replace("chem:", "")
    counts = fam.value_counts()
    fam = fam.where(fam.map(counts) >= args.min_rows, "other")
    frames = []
    for name in args.models.split(","):
        res = evaluate_model(name, data, "group", budget=0, level=None)
        p = res.predictions.assign(model=name, family=lambda d: fam.iloc[d["row"]].to_numpy())
        frames.append(p)
        print(f"{name:>10}: MAE {res.metrics['mae']:.3f} R2 {res.metrics['r2']:.3f} "
              f"Spearman {res.metrics['spearman']:.3f}", file=sys.stderr, flush=True)
    preds = pd.concat(frames, ignore_index=True)
    preds["err"] = preds["y_pred"] - preds["y_true"]
    table = preds.groupby(["family", "model"]).agg(
        n=("err", "size"), mae=("err", lambda e: float(np.mean(np.abs(e)))),
        bias=("err", "mean"), y_mean=("y_true", "mean")).reset_index()
    wide = table.pivot(index="family", columns="model", values=["mae", "bias"])
    n = table.groupby("family")["n"].first()
    y_mean = table.groupby("family")["y_mean"].first()
    order = n.sort_values().index
    models = args.models.split(",")
    fig = Figure(figsize=(7.5, 0.32 * len(order) + 1.6))
    ax_mae, ax_bias = fig.subplots(1, 2, sharey=True)
    ypos = np.arange(len(order))
    h = 0.8 / len(models)
    for j, m in enumerate(models):
        ax_mae.barh(ypos + j * h, wide["mae"][m].loc[order], height=h, label=m)
        ax_bias.barh(ypos + j * h, wide["bias"][m].loc[order], height=h, label=m)
    ax_mae.set_yticks(ypos + 0.4 - h / 2,
                      [f"{f} (n={n[f]}, mean {y_mean[f]:.1f})" for f in order], fontsize=7)
    ax_mae.set_xlabel("held-out MAE [log10(S/cm)]")
    ax_bias.set_xlabel("mean signed error [decades]\n(> 0: predicted too high)")
    ax_bias.axvline(0, color="k", lw=0.8)
    ax_mae.legend(fontsize=7)
    fig.suptitle(f"group K-fold: each family held out once (censored as {args.censored_as})",
                 fontsize=9)
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=130)
    rows = [{"family": f, "n": int(n[f]), "y_mean": float(y_mean[f]),
             **{f"mae_{m}": float(wide["mae"][m][f]) for m in models},
             **{f"bias_{m}": float(wide["bias"][m][f]) for m in models}} for f in order[::-1]]
    print(json.dumps(rows), file=sys.stderr)
    print("| family | n | mean log10 sigma | " + " | ".join(f"MAE {m}" for m in models)
          + " | " + " | ".join(f"bias {m}" for m in models) + " |")
    print("|---|---|---|" + "---|" * (2 * len(models)))
    for r in rows:
        print(f"| {r['family']} | {r['n']} | {r['y_mean']:.2f} | "
              + " | ".join(f"{r[f'mae_{m}']:.2f}" for m in models) + " | "
              + " | ".join(f"{r[f'bias_{m}']:+.2f}" for m in models) + " |")
    print(f"\nfigure: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
