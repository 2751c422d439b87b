"""Per-prediction intervals by cross-conformal prediction (CV+) around any zoo pipeline.

CV+ (Barber, Candes, Ramdas & Tibshirani, Ann. Statist. 49, 486 (2021)): fit K models, each
without one fold; the out-of-fold residual ``R_i = |y_i - mu_{-k(i)}(x_i)|`` of every training
row is paired with the model that did not see it. For a new x the interval at level ``1 - a`` is

    [ q_lo{ mu_{-k(i)}(x) - R_i },  q_hi{ mu_{-k(i)}(x) + R_i } ]

with the finite-sample quantiles ``q_lo`` = the floor(a (n+1))-th smallest and ``q_hi`` = the
ceil((1-a)(n+1))-th smallest of the n values. With ``normalized=True`` the residuals are scaled by
the spread of the K fold models at each point (a locally adaptive variant: wide where the fold
models disagree), so intervals differ per compound even for the same model.

The folds can be grouped (pass ``groups``): residuals then come from predicting unseen
compositions / families, which is what a screening model meets, and the intervals widen to
match. The point prediction is a model refitted on all rows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.model_selection import GroupKFold, KFold

from superionic.models.targets import fit_censored


class ConformalRegressor(RegressorMixin, BaseEstimator):
    """CV+ conformal intervals around ``estimator`` (scikit-learn API).

    Parameters: ``estimator`` (unfitted regressor or Pipeline), ``n_folds`` (K), ``normalized``
    (scale residuals by the fold models' spread), ``seed``, ``censor_strategy`` (how upper-bound
    rows are fitted, see :func:`superionic.models.targets.fit_censored`).
    ``fit(X, y, groups=None, censored=None)``; ``predict_interval(X, level)`` ->
    ``(mean, low, high)``. Censored rows are fitted but excluded from the residuals.
    """

    def __init__(self, estimator: Any = None, n_folds: int = 5, normalized: bool = False,
                 seed: int = 0, censor_strategy: str = "impute") -> None:
        self.estimator = estimator
        self.n_folds = n_folds
        self.normalized = normalized
        self.seed = seed
        self.censor_strategy = censor_strategy

    def _folds(self, n: int, groups: np.ndarray | None) -> list[tuple[np.ndarray, np.ndarray]]:
        idx = np.arange(n)
        if groups is not None and len(np.unique(groups)) >= self.n_folds:
            return list(GroupKFold(n_splits=self.n_folds).split(idx, groups=groups))
        return list(KFold(self.n_folds, shuffle=True, random_state=self.seed).split(idx))

    def fit(self, X: Any, y: Any, groups: Any = None, censored: Any = None) -> ConformalRegressor:
        if self.estimator is None:
            raise ValueError("ConformalRegressor needs an estimator")
        X = _as_array(X)
        y = np.asarray(y, dtype=float)
        censored = np.zeros(len(y), bool) if censored is None else np.asarray(censored, bool)
        folds = self._folds(len(y), None if groups is None else np.asarray(groups))
        fold_of = np.empty(len(y), dtype=int)
        self.fold_models_ = []
        oof = np.empty(len(y))
        for k, (tr, te) in enumerate(folds):
            model = fit_censored(clone(self.estimator), X[tr], y[tr], censored[tr],
                                 self.censor_strategy)
            self.fold_models_.append(model)
            oof[te] = model.predict(X[te])
            fold_of[te] = k
        self.model_ = fit_censored(clone(self.estimator), X, y, censored, self.censor_strategy)
        keep = ~censored
        self.fold_of_ = fold_of[keep]
        self.signed_residuals_ = y[keep] - oof[keep]
        self.residuals_ = np.abs(self.signed_residuals_)
        self.spread_floor_ = 1e-6
        if self.normalized:  # fold-model spread at the training rows, floored at 5 % of median
            sd = np.stack([m.predict(X[keep]) for m in self.fold_models_]).std(axis=0)
            self.spread_floor_ = max(1e-6, 0.05 * float(np.median(sd)))
            self.residuals_ = self.residuals_ / np.maximum(sd, self.spread_floor_)
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Point prediction of the model refitted on all rows."""
        return self.model_.predict(_as_array(X))

    def predict_interval(self, X: Any, level: float = 0.9,
                         chunk: int = 2048) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(mean, low, high)`` at coverage ``level`` (0 < level < 1) for every row of X."""
        if not 0.0 < level < 1.0:
            raise ValueError(f"level must be in (0, 1), got {level}")
        X = _as_array(X)
        mean = self.predict(X)
        n = self.residuals_.size
        alpha = 1.0 - level
        k_hi = math.ceil((1.0 - alpha) * (n + 1))
        k_lo = math.floor(alpha * (n + 1))
        if k_hi > n or k_lo < 1:  # too few calibration rows for this level: infinite interval
            return mean, np.full_like(mean, -np.inf), np.full_like(mean, np.inf)
        low = np.empty(len(X))
        high = np.empty(len(X))
        for s in range(0, len(X), chunk):
            part = X[s:s + chunk]
            fold_pred = np.stack([m.predict(part) for m in self.fold_models_])  # (K, m)
            mu = fold_pred[self.fold_of_]                                       # (n, m)
            r = self.residuals_[:, None]
            if self.normalized:
                r = r * np.maximum(fold_pred.std(axis=0), self.spread_floor_)[None, :]
            low[s:s + chunk] = np.partition(mu - r, k_lo - 1, axis=0)[k_lo - 1]
            high[s:s + chunk] = np.partition(mu + r, k_hi - 1, axis=0)[k_hi - 1]
        return mean, np.minimum(low, mean), np.maximum(high, mean)


    def prob_above(self, X: Any, threshold: float, chunk: int = 2048) -> np.ndarray:
        """P(y >= ``threshold``) per row of X from the CV+ predictive distribution.

        The conformal predictive system of Vovk et al. (Machine Learning 108, 445 (2019)),
        cross-conformal form: the n values ``mu_{-k(i)}(x) + e_i`` (``e_i`` the signed
        out-of-fold residual of calibration row i, scaled by the fold spread when
        ``normalized``) are draws from the predictive distribution of y at x; the probability
        is the fraction at or above the threshold, with the finite-sample smoothing
        ``(count + 1/2) / (n + 1)`` so it never reaches exactly 0 or 1. A model loaded without
        signed residuals uses ``+-|e_i|`` with weight 1/2 each (symmetric errors).
        Calibrated in the same sense as the intervals: when the calibration folds copy the
        novelty of the rows asked about.
        """
        X = _as_array(X)
        signed = getattr(self, "signed_residuals_", None)
        if signed is None:
            e = np.concatenate([self.residuals_, -self.residuals_])
            fold_of = np.concatenate([self.fold_of_, self.fold_of_])
            weight = 0.5
        else:
            e, fold_of, weight = np.asarray(signed, float), self.fold_of_, 1.0
            if self.normalized:
                e = np.sign(e) * self.residuals_
        n = self.residuals_.size
        out = np.empty(len(X))
        for s in range(0, len(X), chunk):
            fold_pred = np.stack([m.predict(X[s:s + chunk]) for m in self.fold_models_])
            r = e[:, None]
            if self.normalized:
                r = r * np.maximum(fold_pred.std(axis=0), self.spread_floor_)[None, :]
            draws = fold_pred[fold_of] + r
            count = weight * (draws >= threshold).sum(axis=0)
            out[s:s + chunk] = (count + 0.5) / (n + 1)
        return out


def p_fast(model: Any, X: Any, threshold_log10_S_cm: float = -4.0) -> np.ndarray:
    """Calibrated P(log10 sigma >= ``threshold_log10_S_cm``) (default: sigma >= 1E-4 S/cm, a
    "fast" conductor) per row of X, from a fitted :class:`ConformalRegressor` or a model that
    holds one (``.conformal``, e.g. a :class:`~superionic.models.fitted.FittedModel` of the
    ``log10_sigma`` target, whose feature checks apply: a missing feature or a row without
    structure for a structure model raises its ``FeatureMismatchError``). See
    :meth:`ConformalRegressor.prob_above`."""
    conf = model if isinstance(model, ConformalRegressor) else getattr(model, "conformal", None)
    if not isinstance(conf, ConformalRegressor):
        raise TypeError(f"p_fast needs a ConformalRegressor or a model holding one, got "
                        f"{type(model).__name__}")
    if conf is not model and hasattr(model, "_matrix"):  # a FittedModel: same checks as predict
        X = model._matrix(X)
    elif isinstance(X, pd.DataFrame) and hasattr(model, "feature_names"):
        X = X[list(model.feature_names)]
    return conf.prob_above(X, threshold_log10_S_cm)


def _as_array(X: Any) -> np.ndarray:
    if isinstance(X, pd.DataFrame):
        return X.to_numpy(dtype=float)
    return np.asarray(X, dtype=float)


def coverage(y: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    """Empirical coverage: fraction of ``y`` inside ``[low, high]``."""
    y = np.asarray(y, float)
    return float(np.mean((y >= low) & (y <= high)))


def interval_report(model: ConformalRegressor, X: Any, y: np.ndarray,
                    levels: tuple[float, ...] = (0.8, 0.9, 0.95),
                    censored: np.ndarray | None = None) -> list[dict[str, float]]:
    """Nominal vs empirical coverage and mean width on held-out ``X, y`` (uncensored rows)."""
    keep = np.ones(len(y), bool) if censored is None else ~np.asarray(censored, bool)
    Xa = _as_array(X)[keep]
    ya = np.asarray(y, float)[keep]
    rows = []
    for level in levels:
        _, lo, hi = model.predict_interval(Xa, level)
        rows.append({"level": level, "coverage": coverage(ya, lo, hi),
                     "mean_width": float(np.mean(hi - lo)), "n": int(ya.size)})
    return rows
