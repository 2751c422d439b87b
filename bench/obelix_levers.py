"""Levers on OBELiX log10 sigma, each measured on the official split and the group split.

One row per (lever set, censored rule, split, model), zoo defaults (budget 0) so that the lever,
not the tuning, is what changes; results append to ``<out>/levers.jsonl`` (resumable: finished
rows are skipped). Prints a Markdown table with the MAE on all 121 official test rows, on the 67
test rows with a CIF (the OBELiX authors' second table), on the group K-fold, and the ratio to
the median predictor measured in the same run.

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python bench/obelix_levers.py --out workspace/bench/levers
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from superionic.config import load_settings
from superionic.models.dataset import LATTICE_FEATURES, build_target_data
from superionic.models.evaluate import evaluate_model


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


#: lever name -> (build_target_data kwargs, columns dropped)
LEVERS = {
    "composition": ({"feature_kind": "composition"}, ()),
    "comp+sg+derived": ({}, LATTICE_FEATURES),
    "comp+sg+lattice": ({}, ()),
    "comp+sg+lattice+extra": ({"extra": True}, ()),
    "composition+extra": ({"feature_kind": "composition", "extra": True}, ()),
}

#: With extra labels the K-fold splits would fold over the extra rows too (another test set):
#: those levers are measured on the official split only.
OFFICIAL_ONLY = ("comp+sg+lattice+extra", "composition+extra")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--levers", default=",".join(LEVERS))
    ap.add_argument("--models", default="median,rf,rf_median,lgbm")
    ap.add_argument("--rules", default="paper,bound")
    ap.add_argument("--splits", default="obelix,group")
    ap.add_argument("--censor", default="impute")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("workspace/bench/levers"))
    args = ap.parse_args(argv)
    settings = load_settings(seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "levers.jsonl"
    done = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            r = json.loads(line)
            done[(r["lever"], r["rule"], r["split"], r["model"], r["censor_strategy"])] = r
    rows = []
    for lever in args.levers.split(","):
        kwargs, drop = LEVERS[lever]
        for rule in args.rules.split(","):
            data = None
            for split in args.splits.split(","):
                if split != "obelix" and lever in OFFICIAL_ONLY:
                    continue
                for model in args.models.split(","):
                    key = (lever, rule, split, model, args.censor)
                    if key in done:
                        rows.append(done[key])
                        continue
                    if data is None:
                        data = build_target_data("log10_sigma", settings.data_dir,
                                                 censored_as=rule, **kwargs)
                        if drop:
                            data.X = data.X.drop(columns=[c for c in drop if c in data.X])
                    t0 = time.perf_counter()
                    res = evaluate_model(model, data, split, budget=0, seed=args.seed,
                                         censor_strategy=args.censor, level=None)
                    p = res.predictions
                    row = {"lever": lever, "rule": rule, "split": split, "model": model,
                           "censor_strategy": args.censor, "mae": res.metrics["mae"],
                           "r2": res.metrics["r2"], "spearman": res.metrics["spearman"],
                           "n_test": len(p), "n_features": data.X.shape[1],
                           "seconds": round(time.perf_counter() - t0, 1)}
                    if split == "obelix":
                        row["mae_cif"] = _cif_mae(data, p)
                    with path.open("a") as fh:
                        fh.write(json.dumps(row) + "\n")
                    _log(f"{lever:>22} {rule:>5} {split:>6} {model:>8} MAE {row['mae']:.3f}"
                         + (f" CIF {row['mae_cif']:.3f}" if 'mae_cif' in row else "")
                         + f" ({row['seconds']} s)")
                    rows.append(row)
    _table(rows)
    return 0


def _cif_mae(data, preds) -> float:  # noqa: ANN001
    if data.has_structure is None:
        return float("nan")
    has = np.asarray(data.has_structure, dtype=bool)
    sel = has[preds["row"].to_numpy()]
    return float(np.mean(np.abs(preds["y_true"][sel] - preds["y_pred"][sel])))


def _table(rows: list[dict]) -> None:
    print("| lever | censored as | model | OBELiX test MAE (121) | CIF rows MAE (67) | "
          "group K-fold MAE | group R2 |")
    print("|---|---|---|---|---|---|---|")
    keys = sorted({(r["lever"], r["rule"], r["model"]) for r in rows},
                  key=lambda k: (k[1], list(LEVERS).index(k[0]), k[2]))
    for lever, rule, model in keys:
        ob = next((r for r in rows if (r["lever"], r["rule"], r["model"], r["split"])
                   == (lever, rule, model, "obelix")), None)
        gr = next((r for r in rows if (r["lever"], r["rule"], r["model"], r["split"])
                   == (lever, rule, model, "group")), None)
        f = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
        print(f"| {lever} | {rule} | {model} | {f(ob and ob['mae'])} | "
              f"{f(ob and ob.get('mae_cif'))} | {f(gr and gr['mae'])} | {f(gr and gr['r2'])} |")


if __name__ == "__main__":
    raise SystemExit(main())
