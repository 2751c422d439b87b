"""Predicted transport properties of pool compounds, with conformal intervals.

* ``log10_sigma``: log10(sigma(300 K) / S cm^-1), the models' saved best model for the
  room-temperature conductivity target (trained first when none is saved);
* ``Ea``: activation energy (eV), the models' best model for target ``Ea`` (Laskowski et al.
  2023 activation energies).

Both are :class:`~superionic.models.FittedModel` objects whose ``predict_interval`` gives CV+
intervals at ``level`` (90 % by default) with calibration folds grouped by composition and family.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

#: Targets the screen predicts and the column stem each one gets.
SCREEN_TARGETS = {"log10_sigma": "log10_sigma", "Ea": "Ea_eV"}
#: Rows per prediction call (one progress-bar step).
CHUNK = 2000


@dataclass
class Predictors:
    """Fitted models per target (``"log10_sigma"``, ``"Ea"``)."""

    models: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """Name, target, CV MAE and where each model came from (for provenance)."""
        out = {}
        for target, m in self.models.items():
            man = getattr(m, "manifest", {}) or {}
            out[target] = {"model": m.name, "target": m.target,
                           "cv_mae": man.get("selection", {}).get("cv_mae"),
                           "n_rows": man.get("n_rows"), "saved_at": man.get("saved_at"),
                           "source": self.sources.get(target, "given")}
        return out


def load_predictors(model_dir: str | Path | None = None, data_dir: str | Path | None = None,
                    mobile_ion: str = "Li", seed: int = 0,
                    targets: tuple[str, ...] = tuple(SCREEN_TARGETS),
                    progress: Callable[[str], None] | None = None) -> Predictors:
    """The saved best model per target from the model folder (the one ``superionic train``
    writes), trained and saved first where none exists
    (:func:`superionic.models.workflow.load_or_train`)."""
    from superionic.models.paths import default_model_dir, model_path
    from superionic.models.persist import MANIFEST
    from superionic.models.workflow import load_or_train

    root = Path(model_dir) if model_dir else default_model_dir()
    models, sources = {}, {}
    for target in targets:
        folder = model_path(root, target, mobile_ion)
        how = f"loaded from {folder}" if (folder / MANIFEST).is_file() else \
            f"trained and saved to {folder}"
        models[target] = load_or_train(target, folder, Path(data_dir) if data_dir else None,
                                       mobile_ion, seed=seed, progress=progress)
        sources[target] = how
    return Predictors(models, sources)


def predict_properties(features: pd.DataFrame, predictors: Predictors, ok: np.ndarray,
                       level: float = 0.9, progress: bool = False) -> pd.DataFrame:
    """Mean and ``level`` interval of every target for the rows where ``ok`` (others NaN).

    Columns per target stem S: ``S_mean`` (``Ea_eV`` for Ea), ``S_low``, ``S_high``; plus
    ``sigma_S_cm`` = 10 ** log10_sigma_mean (S/cm, 300 K).
    """
    n = len(features)
    out = pd.DataFrame(index=features.index)
    rows = np.flatnonzero(ok)
    total = len(rows) * len(predictors.models)
    with tqdm(total=total, desc="predict", disable=not progress, leave=False) as bar:
        for target, model in predictors.models.items():
            stem = SCREEN_TARGETS.get(target, target)
            mean, low, high = (np.full(n, np.nan) for _ in range(3))
            for s in range(0, len(rows), CHUNK):
                idx = rows[s:s + CHUNK]
                m, lo, hi = model.predict_interval(features.iloc[idx], level)
                mean[idx], low[idx], high[idx] = m, lo, hi
                bar.update(len(idx))
            out[f"{stem}_mean" if stem == "log10_sigma" else stem] = mean
            out[f"{stem}_low"], out[f"{stem}_high"] = low, high
    if "log10_sigma_mean" in out:
        out["sigma_S_cm"] = 10.0 ** out["log10_sigma_mean"]
    return out
