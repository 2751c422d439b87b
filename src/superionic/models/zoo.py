"""The model zoo: the seed paper's regressors plus baselines, each in a scikit-learn Pipeline.

Every model is ``Pipeline([("impute", SimpleImputer(median, add_indicator)), ("scale", ...),
("model", estimator)])``; the scaler is present only where distances or coefficients need it
(KNN, ridge). Seeds are fixed and thread counts bounded so results are reproducible on a shared
machine. The seed paper (../shared/reference/seed_paper.txt) trains RF, DT, GB, XGBoost, CatBoost
and KNN; LightGBM, ridge and the mean predictor are added as a stronger learner and two
baselines.

Hyper-parameters are keyed ``model__<name>`` everywhere (Pipeline convention) so a search space
applies to the pipeline directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import loguniform, randint, uniform
from sklearn.base import RegressorMixin
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from superionic._extras import optional_import

#: Model names accepted by :func:`make_model`, cheapest first.
MODEL_NAMES: tuple[str, ...] = ("mean", "median", "ridge", "knn", "dt", "rf", "rf_median", "gb",
                              "xgb", "lgbm", "catboost")

@dataclass(frozen=True)
class TrainingConfig:
    """The configuration ``superionic train`` and the campaign's models stage should use for
    log10 sigma, chosen on the OBELiX official split and checked on the group split
    (docs/benchmarks.md, "Models scored as the field scores them").

    ``candidates``: zoo models compared by grouped CV; ``extra``: add the leak-filtered
    Liverpool / Laskowski / Kang / IonNet labels (OBELiX test MAE 1.36 -> 1.20 for LightGBM with
    structure features, 1.32 -> 1.21 with composition only, bound rule); ``censored_as``: value
    of a censored label (``bound``; ``paper`` only to compare with the OBELiX authors);
    ``censor_strategy``: how censored rows are fitted (:func:`~superionic.models.targets.
    fit_censored`). ``rf_median`` wins only under the OBELiX authors' rule and is not a
    default candidate (its saved form needs ``superionic.models.zoo.MedianForestRegressor`` in
    :data:`superionic.models.persist.TRUSTED_TYPES`).
    """

    candidates: tuple[str, ...] = ("lgbm", "catboost", "xgb", "rf")
    extra: bool = True
    censored_as: str = "bound"
    censor_strategy: str = "impute"


#: What train and the campaign default to (read this; do not copy its values).
DEFAULT_CONFIG = TrainingConfig()

#: Human-readable labels for tables and plots.
MODEL_LABELS: dict[str, str] = {
    "mean": "Mean (DummyRegressor)",
    "median": "Median (DummyRegressor), the OBELiX authors' baseline",
    "ridge": "Ridge",
    "knn": "KNN",
    "dt": "Decision tree",
    "rf": "Random forest",
    "rf_median": "Random forest, median of the trees (MAE-optimal point prediction)",
    "gb": "Gradient boosting (sklearn)",
    "xgb": "XGBoost",
    "lgbm": "LightGBM",
    "catboost": "CatBoost",
}

#: Names also accepted on the command line.
ALIASES: dict[str, str] = {
    "dummy": "mean", "linear": "ridge", "random_forest": "rf", "decision_tree": "dt",
    "median_forest": "rf_median", "qrf": "rf_median", "xgboost": "xgb", "lightgbm": "lgbm", "cat": "catboost", "gbr": "gb",
}

_NEEDS_SCALING = frozenset({"knn", "ridge"})


def canonical_name(name: str) -> str:
    """``"XGBoost"`` -> ``"xgb"``; raises ``ValueError`` naming the valid choices."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in MODEL_NAMES:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}")
    return key


class MedianForestRegressor(RandomForestRegressor):
    """A random forest whose point prediction is the **median** of its trees' predictions.

    The mean of the trees minimises squared error; the median minimises absolute error, the
    metric of the OBELiX benchmark. With a heavy tail of labels (censored conductivities stored
    at 1E-15 S/cm under the OBELiX authors' rule, 5-10 decades below their neighbours) a few
    trees that land on such a row drag the mean by decades, the median only when most trees
    agree. Trees with ``min_samples_leaf=1`` each predict (close to) one training label, so the
    median over trees is a median over the forest's nearest neighbours of the row, the
    point estimate of a quantile regression forest (Meinshausen, JMLR 7, 983 (2006)) up to leaf
    weighting. :meth:`tree_predictions` gives the per-tree values (e.g. for P(y >= t)).
    """

    def tree_predictions(self, X: Any) -> np.ndarray:
        """Array (n_trees, n_rows) of every tree's prediction."""
        X = self._validate_X_predict(X)
        return np.stack([tree.predict(X, check_input=False) for tree in self.estimators_])

    def predict(self, X: Any) -> np.ndarray:
        return np.median(self.tree_predictions(X), axis=0)


def _estimator(name: str, seed: int, n_jobs: int) -> RegressorMixin:
    """The bare estimator with sensible defaults for ~10^2-10^3 rows and ~10^2 features."""
    if name == "mean":
        return DummyRegressor(strategy="mean")
    if name == "median":
        return DummyRegressor(strategy="median")
    if name == "ridge":
        return Ridge(alpha=10.0)
    if name == "knn":
        return KNeighborsRegressor(n_neighbors=5, weights="distance", n_jobs=n_jobs)
    if name == "dt":
        return DecisionTreeRegressor(max_depth=8, min_samples_leaf=3, random_state=seed)
    if name == "rf":
        return RandomForestRegressor(n_estimators=300, max_features=0.33, min_samples_leaf=1,
                                     n_jobs=n_jobs, random_state=seed)
    if name == "rf_median":
        return MedianForestRegressor(n_estimators=300, max_features=0.33, min_samples_leaf=1,
                                     n_jobs=n_jobs, random_state=seed)
    if name == "gb":
        return GradientBoostingRegressor(n_estimators=300, learning_rate=0.05, max_depth=4,
                                         subsample=0.8, loss="huber", random_state=seed)
    if name == "xgb":
        XGBRegressor = optional_import("xgboost", "model 'xgb'").XGBRegressor
        return XGBRegressor(n_estimators=400, learning_rate=0.05, max_depth=5, subsample=0.8,
                            colsample_bytree=0.5, min_child_weight=2, tree_method="hist",
                            n_jobs=n_jobs, random_state=seed, verbosity=0)
    if name == "lgbm":
        LGBMRegressor = optional_import("lightgbm", "model 'lgbm'").LGBMRegressor
        return LGBMRegressor(n_estimators=400, learning_rate=0.05, num_leaves=15,
                             min_child_samples=5, subsample=0.8, subsample_freq=1,
                             colsample_bytree=0.5, n_jobs=n_jobs, random_state=seed, verbose=-1)
    if name == "catboost":
        CatBoostRegressor = optional_import("catboost", "model 'catboost'").CatBoostRegressor
        # border_count 64 (default 254) makes fits ~3x faster at no loss on ~10^3 rows
        return CatBoostRegressor(iterations=500, learning_rate=0.06, depth=6, l2_leaf_reg=3.0,
                                 border_count=64, loss_function="RMSE", random_seed=seed,
                                 thread_count=n_jobs, verbose=0, allow_writing_files=False)
    raise ValueError(f"unknown model {name!r}")  # pragma: no cover - canonical_name guards


def make_model(name: str, seed: int = 0, n_jobs: int = 1, **params: Any) -> Pipeline:
    """A fresh, unfitted Pipeline for model ``name`` (see :data:`MODEL_NAMES`).

    Keep ``n_jobs`` at 1 on a shared machine: LightGBM's OpenMP threads spin-wait, and with more
    threads than free cores a fit was measured ~100x slower (118 s instead of 1 s).

    ``params`` set hyper-parameters of the final estimator, either bare (``max_depth=4``) or in
    Pipeline form (``model__max_depth=4``). Missing feature values are imputed by the training
    median and flagged by indicator columns (a structure-free row then looks different from a
    row with structure descriptors; not for KNN); KNN and ridge also standardise features.
    """
    key = canonical_name(name)
    # Missing-value indicators help trees and linear models; in KNN distances they would add
    # large standardised jumps for rare missing values, so KNN imputes without them.
    steps: list[tuple[str, Any]] = [
        ("impute", SimpleImputer(strategy="median", add_indicator=key != "knn",
                                 keep_empty_features=True)),
    ]
    if key in _NEEDS_SCALING:
        steps.append(("scale", StandardScaler()))
    steps.append(("model", _estimator(key, seed, n_jobs)))
    pipe = Pipeline(steps)
    if params:
        pipe.set_params(**{k if "__" in k else f"model__{k}": v for k, v in params.items()})
    return pipe


def search_space(name: str) -> dict[str, Any]:
    """A small random-search space for model ``name`` (Pipeline keys; lists or scipy dists)."""
    key = canonical_name(name)
    spaces: dict[str, dict[str, Any]] = {
        "mean": {"model__strategy": ["mean"]},
        "median": {"model__strategy": ["median"]},
        "ridge": {"model__alpha": loguniform(1e-3, 1e3)},
        "knn": {"model__n_neighbors": randint(2, 20), "model__weights": ["uniform", "distance"],
                "model__p": [1, 2]},
        "dt": {"model__max_depth": [3, 4, 6, 8, 12, None], "model__min_samples_leaf": randint(1, 10),
               "model__max_features": [None, 0.5, "sqrt"]},
        "rf": {"model__n_estimators": [200, 300, 500], "model__max_features": [0.2, 0.33, 0.5, 1.0],
               "model__min_samples_leaf": randint(1, 5), "model__max_depth": [None, 12, 24]},
        "rf_median": {"model__n_estimators": [200, 300, 500],
                      "model__max_features": [0.2, 0.33, 0.5, 1.0],
                      "model__min_samples_leaf": randint(1, 5)},
        "gb": {"model__n_estimators": [200, 300, 500], "model__learning_rate": loguniform(0.02, 0.2),
               "model__max_depth": randint(2, 6), "model__subsample": uniform(0.6, 0.4),
               "model__loss": ["squared_error", "huber", "absolute_error"]},
        "xgb": {"model__n_estimators": [200, 400, 600], "model__learning_rate": loguniform(0.02, 0.2),
                "model__max_depth": randint(2, 8), "model__subsample": uniform(0.6, 0.4),
                "model__colsample_bytree": uniform(0.3, 0.6),
                "model__min_child_weight": loguniform(0.5, 10),
                "model__reg_lambda": loguniform(0.1, 10)},
        "lgbm": {"model__n_estimators": [200, 400, 600], "model__learning_rate": loguniform(0.02, 0.2),
                 "model__num_leaves": randint(4, 32), "model__min_child_samples": randint(3, 20),
                 "model__colsample_bytree": uniform(0.3, 0.6),
                 "model__reg_lambda": loguniform(1e-2, 10)},
        "catboost": {"model__iterations": [300, 500, 800],
                     "model__learning_rate": loguniform(0.02, 0.15),
                     "model__depth": randint(4, 8), "model__l2_leaf_reg": loguniform(1, 10)},
    }
    return spaces[key]


def final_estimator(model: Any) -> Any:
    """The last step of a Pipeline (the estimator itself for a bare estimator)."""
    return model.steps[-1][1] if isinstance(model, Pipeline) else model


def model_kind(model: Any) -> str:
    """Canonical zoo name of a (possibly fitted) pipeline, from its final estimator's class."""
    est = final_estimator(model)
    cls = type(est).__name__
    if cls == "DummyRegressor" and getattr(est, "strategy", "mean") == "median":
        return "median"
    table = {"DummyRegressor": "mean", "Ridge": "ridge", "KNeighborsRegressor": "knn",
             "DecisionTreeRegressor": "dt", "RandomForestRegressor": "rf",
             "MedianForestRegressor": "rf_median",
             "GradientBoostingRegressor": "gb", "XGBRegressor": "xgb", "LGBMRegressor": "lgbm",
             "CatBoostRegressor": "catboost"}
    if cls not in table:
        raise ValueError(f"{cls} is not a zoo model")
    return table[cls]


def parse_model_list(text: str) -> list[str]:
    """``"all"`` or ``"rf,xgb"`` -> canonical names, in :data:`MODEL_NAMES` order when ``all``."""
    if text.strip().lower() == "all":
        return list(MODEL_NAMES)
    names = [canonical_name(p) for p in text.split(",") if p.strip()]
    if not names:
        raise ValueError("empty model list")
    return list(dict.fromkeys(names))
