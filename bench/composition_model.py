"""Train and save composition-only conductivity and Ea models (no lattice or structure columns).

The screen serves formula-only pool rows, so the model it ranks with must be trained on the
features a formula gives (Magpie + oxidation-state descriptors); a model trained with lattice
columns filled by medians at serving time is the train/serve skew of issue 15. This script
builds the usual training tables (``extra=True``), keeps only the columns ``feature_table``
yields for a bare formula, and saves a random forest with CV+ intervals (grouped calibration
folds) where ``superionic screen --model-dir`` finds it.

    PYTHONPATH=src python bench/composition_model.py --out .work/models [--targets log10_sigma,Ea]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path


def composition_columns(mobile_ion: str = "Li") -> list[str]:
    """Model inputs a bare formula yields (no structure, no cell)."""
    from superionic.models.dataset import feature_table

    X, _ = feature_table(["Li3InCl6", "Li7La3Zr2O12"], mobile_ion=mobile_ion)
    return list(X.columns)


def composition_data(target: str, data_dir: Path | None, mobile_ion: str):
    """The training table of ``target`` restricted to composition-only columns."""
    from superionic.models.dataset import build_target_data

    data = build_target_data(target, data_dir, mobile_ion, extra=True)
    cols = [c for c in composition_columns(mobile_ion) if c in data.X.columns]
    meta = dict(data.meta, feature_kind="composition", n_features=len(cols))
    return replace(data, X=data.X[cols].copy(), meta=meta)


def main() -> None:
    from superionic.models.paths import model_path
    from superionic.models.persist import save_model
    from superionic.models.train import train_best

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--targets", default="log10_sigma,Ea")
    ap.add_argument("--model", default="rf")
    ap.add_argument("--mobile-ion", default="Li")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    for target in args.targets.split(","):
        t0 = time.perf_counter()
        data = composition_data(target, args.data_dir, args.mobile_ion)
        model = train_best(target, data, models=(args.model,), budget=0, seed=args.seed,
                           extra_manifest={"feature_kind": "composition"})
        folder = save_model(model, model_path(args.out, target, args.mobile_ion))
        print(f"{target}: {args.model} on {len(data.y)} rows x {data.X.shape[1]} composition "
              f"features -> {folder} ({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
