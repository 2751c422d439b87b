"""ML surrogates of the reduction and oxidation potentials (V vs the mobile-ion metal).

For compounds without a phase diagram (elements missing from the entries, hypothetical
compositions), two gradient-boosting regressors predict the window limits from composition
features (:func:`superionic.features.featurize`: 132 Magpie statistics + 20 Eng_max/Eng_min
columns). Training labels: the Wang et al. 2024 ESW database (Adv. Funct. Mater. 2024, 2406146;
shared/data/esw_wang2024), rows assigned to the mobile ion by priority Li > Na > K (a row with Li
counts as vs Li/Li+; a Na row without Li as vs Na/Na+, ...; this reproduces the data set's stated
712 Li / 386 Na / 86 K row counts).

The held-out error is measured on a group split by chemical system (GroupShuffleSplit), so
no reduced formula (nor any compound of the same element set) is on both sides; the final models
are then refit on all rows. Predictions are labelled ``source="ML surrogate"``. The Wang labels
are not all thermodynamic grand-potential limits (LiF 0-7.12 V vs ~6.4 V; see the data SOURCE.md),
so the surrogate learns that database, not this package's exact windows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pymatgen.core import Composition
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.feature_selection import VarianceThreshold
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import GroupShuffleSplit
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from superionic.config import MOBILE_IONS, default_data_dir
from superionic.records import Rejection

SURROGATE_SOURCE = "ML surrogate"
WANG_SET = "esw_wang2024"
WANG_FILE = "ESW_training_dataset.csv"
WANG_COLUMNS = {"formula": "formula", "ESW_Red (V)": "reduction_V", "ESW_Oxi (V)": "oxidation_V"}
TARGETS = ("reduction_V", "oxidation_V")
_SYMBOL = re.compile(r"[A-Z][a-z]?")


def wang_path(data_dir: str | Path | None = None) -> Path:
    return Path(data_dir or default_data_dir()) / WANG_SET / WANG_FILE


def load_wang_esw(mobile_ion: str = "Li", data_dir: str | Path | None = None) -> pd.DataFrame:
    """Wang 2024 rows whose potentials are vs ``mobile_ion``: ``formula, reduction_V,
    oxidation_V`` (V). Priority Li > Na > K decides rows holding several of these ions."""
    if mobile_ion not in MOBILE_IONS:
        raise ValueError(f"mobile_ion must be one of {MOBILE_IONS}, got {mobile_ion!r}")
    path = wang_path(data_dir)
    if not path.is_file():
        raise FileNotFoundError(f"Wang 2024 ESW data not found: {path}")
    raw = pd.read_csv(path)
    missing = set(WANG_COLUMNS) - set(raw.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    df = raw[list(WANG_COLUMNS)].rename(columns=WANG_COLUMNS).dropna()
    higher = MOBILE_IONS[: MOBILE_IONS.index(mobile_ion)]
    elements = df["formula"].map(lambda f: set(_SYMBOL.findall(str(f))))
    keep = elements.map(lambda s: mobile_ion in s and not s.intersection(higher))
    return df[keep].reset_index(drop=True)


def chemsys_groups(formulas: Sequence[str]) -> np.ndarray:
    """Chemical system of each formula (the split's group label)."""
    return np.array([Composition(f).chemical_system for f in formulas])


def _pipeline(seed: int, max_iter: int) -> Pipeline:
    return Pipeline([
        ("drop_constant", VarianceThreshold(0.0)),
        ("model", HistGradientBoostingRegressor(max_iter=max_iter, learning_rate=0.05,
                                                random_state=seed)),
    ])


@dataclass
class WindowSurrogate:
    """Fitted reduction/oxidation pipelines over the feature columns, with held-out metrics
    (``metrics[target] = {mae_V, r2, mean_predictor_mae_V, n_train, n_test}``)."""

    mobile_ion: str
    feature_columns: list[str]
    models: dict[str, Pipeline]
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    n_threads: int | None = 1
    train_formulas: list[str] = field(default_factory=list)
    test_formulas: list[str] = field(default_factory=list)

    def predict_window(self, formulas: Sequence[str]) -> pd.DataFrame:
        """Predicted ``reduction_V, oxidation_V, width_V`` (V vs the mobile-ion metal) per
        formula, ``source="ML surrogate"``; a formula that cannot be featurised gets NaN and its
        reason in ``error`` (the rest are predicted). ``width_V = max(ox - red, 0)``."""
        from superionic.features import featurize

        feats, rejected = featurize(list(formulas), mobile_ion=self.mobile_ion,
                                    source="predict_window")
        out = pd.DataFrame({"formula": list(formulas), "reduction_V": np.nan,
                            "oxidation_V": np.nan, "width_V": np.nan,
                            "source": SURROGATE_SOURCE, "error": ""})
        for r in rejected:
            out.loc[r.row - 1, "error"] = r.reason
        if len(feats):
            rows = feats.index.to_numpy() - 1
            x = feats[self.feature_columns].to_numpy(dtype=float)
            with threadpool_limits(self.n_threads, user_api="openmp"):
                for t in TARGETS:
                    out.loc[rows, t] = self.models[t].predict(x)
            out["width_V"] = (out["oxidation_V"] - out["reduction_V"]).clip(lower=0.0)
        return out


def _metrics(y_true: np.ndarray, y_pred: np.ndarray, y_train: np.ndarray) -> dict[str, float]:
    return {"mae_V": float(mean_absolute_error(y_true, y_pred)),
            "r2": float(r2_score(y_true, y_pred)),
            "mean_predictor_mae_V": float(np.mean(np.abs(y_true - y_train.mean()))),
            "n_train": int(len(y_train)), "n_test": int(len(y_true))}


def fit_window_surrogate(data: pd.DataFrame | None = None, mobile_ion: str = "Li",
                         test_size: float = 0.2, seed: int = 0, max_iter: int = 300,
                         data_dir: str | Path | None = None,
                         n_threads: int | None = 1) -> WindowSurrogate:
    """Fit the reduction and oxidation surrogates on ``data`` (columns ``formula, reduction_V,
    oxidation_V`` in V; default: the Wang 2024 rows of ``mobile_ion``). Held-out MAE and R2 are
    measured on a chemical-system group split of ``test_size``, then the models are refit on
    all rows. ``n_threads`` caps OpenMP threads of the boosting (None: library default); one
    thread is fastest for ~10^3 rows and immune to oversubscription on shared machines."""
    from superionic.features import featurize

    data = load_wang_esw(mobile_ion, data_dir) if data is None else data.reset_index(drop=True)
    feats, rejected = featurize(data["formula"].tolist(), mobile_ion=mobile_ion,
                                source="surrogate training data")
    columns = [c for c in feats.columns if c != "formula"]
    rows = feats.index.to_numpy() - 1
    x = feats[columns].to_numpy(dtype=float)
    formulas = data["formula"].to_numpy()[rows]
    groups = chemsys_groups(formulas)
    train, test = next(GroupShuffleSplit(1, test_size=test_size, random_state=seed)
                       .split(x, groups=groups))
    metrics: dict[str, dict[str, Any]] = {}
    models: dict[str, Pipeline] = {}
    with threadpool_limits(n_threads, user_api="openmp"):
        for t in TARGETS:
            y = data[t].to_numpy(dtype=float)[rows]
            held = _pipeline(seed, max_iter).fit(x[train], y[train])
            metrics[t] = _metrics(y[test], held.predict(x[test]), y[train])
            models[t] = _pipeline(seed, max_iter).fit(x, y)
    metrics["split"] = {"kind": "GroupShuffleSplit by chemical system", "test_size": test_size,
                        "seed": seed, "n_groups": int(len(set(groups)))}
    return WindowSurrogate(mobile_ion, columns, models, metrics, rejected, n_threads,
                           list(formulas[train]), list(formulas[test]))


@lru_cache(maxsize=3)
def default_surrogate(mobile_ion: str = "Li") -> WindowSurrogate:
    """The surrogate fitted on the Wang 2024 rows of ``mobile_ion`` (fitted once per process)."""
    return fit_window_surrogate(mobile_ion=mobile_ion)


def predict_window(formulas: Sequence[str], surrogate: WindowSurrogate | None = None,
                   mobile_ion: str = "Li") -> pd.DataFrame:
    """Surrogate window of each formula (see :meth:`WindowSurrogate.predict_window`)."""
    return (surrogate or default_surrogate(mobile_ion)).predict_window(formulas)


#: Window errors a surrogate may fill: the compound is fine, only the hull data are missing.
FILLABLE_KINDS = ("element with no entries", "chemical system with no entries")


def fill_missing_windows(results: Sequence[Any], surrogate: WindowSurrogate | None = None,
                         mobile_ion: str = "Li") -> list[Any]:
    """Replace each :class:`~superionic.stability.window.WindowError` whose compound merely lacks
    hull entries by a surrogate :class:`~superionic.stability.window.WindowResult`
    (``source="ML surrogate"``, no products, e_above_hull None); other errors stay."""
    from superionic.stability.window import WindowError, WindowResult

    todo = [i for i, r in enumerate(results)
            if isinstance(r, WindowError) and r.kind in FILLABLE_KINDS]
    out = list(results)
    if not todo:
        return out
    pred = predict_window([results[i].formula for i in todo], surrogate, mobile_ion)
    for i, (_, row) in zip(todo, pred.iterrows(), strict=True):
        if row["error"]:
            continue
        out[i] = WindowResult(
            formula=row["formula"], reduction_V=float(row["reduction_V"]),
            oxidation_V=float(row["oxidation_V"]), width_V=float(row["width_V"]),
            reduction_products=(), oxidation_products=(), e_above_hull_eV_per_atom=None,
            source=SURROGATE_SOURCE, chemsys=results[i].chemsys or "", mobile_ion=mobile_ion,
            note=f"no phase diagram ({results[i].error}); predicted by the surrogate trained on "
                 "Wang et al. 2024")
    return out
