"""Held-out coverage and mean width of 90 % CV+ intervals, plain vs normalised residuals.

For each split the model is wrapped in CV+ on every outer training set (calibration folds
grouped like the split: composition or DOI for the official split, composition + family for
the group split) and scored on the uncensored held-out rows.

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python bench/interval_widths.py --model lgbm
"""

from __future__ import annotations

import argparse

from superionic.config import load_settings
from superionic.models.dataset import build_target_data
from superionic.models.evaluate import evaluate_model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="lgbm")
    ap.add_argument("--features", default="composition+structure")
    ap.add_argument("--censored-as", default="bound")
    ap.add_argument("--splits", default="obelix,group")
    args = ap.parse_args(argv)
    settings = load_settings()
    print("| split | training rows | residuals | MAE | 90 % coverage | mean width (decades) |")
    print("|---|---|---|---|---|---|")
    for split in args.splits.split(","):
        extra = split == "obelix"  # K-fold splits would fold over the extra rows too
        data = build_target_data("log10_sigma", settings.data_dir, extra=extra,
                                 feature_kind=args.features, censored_as=args.censored_as)
        for normalized in (False, True):
            res = evaluate_model(args.model, data, split, budget=0, level=0.9,
                                 normalized=normalized)
            r = res.row()
            print(f"| {split} | {'OBELiX + extra' if extra else 'OBELiX'} | "
                  f"{'normalised' if normalized else 'plain'} | {r['mae']:.3f} | "
                  f"{r['coverage_90']:.3f} | {r['interval_width_90']:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
