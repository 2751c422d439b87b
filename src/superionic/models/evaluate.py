"""Honest evaluation: nested CV with a fixed tuning budget, three splits side by side, metrics.

Splits (``SPLITS``):

* ``obelix``: the OBELiX official train/test split (Therrien et al., arXiv:2502.14234), built by
  its authors so that no composition is on both sides. Rows from other sources (no split label)
  may join training only, and only when neither their composition nor their source DOI appears
  in the test set.
* ``group``: K-fold over leakage groups (:mod:`superionic.models.groups`): no reduced
  composition and no chemical family is on both sides of any fold.
* ``random``: K-fold over shuffled rows, as the seed paper does. Labelled
  "random (paper-style, optimistic)": the same compound's repeats and its doped neighbours sit on
  both sides, so it measures interpolation, not discovery.

Every outer training set is tuned separately (``RandomizedSearchCV`` with ``n_iter=budget``,
inner ``GroupKFold`` on leakage groups, or ``KFold`` for the random split), so the test rows never
influence the hyper-parameters. Metrics: R2, MAE, MSE and Spearman rank correlation.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import GroupKFold, KFold, RandomizedSearchCV, cross_val_score

from superionic.models.groups import calibration_groups, dois, leakage_groups
from superionic.models.targets import TargetData, bound_respected, fit_censored
from superionic.models.zoo import make_model, search_space

SPLITS: dict[str, str] = {
    "obelix": "OBELiX official",
    "group": "group K-fold (composition + family)",
    "random": "random (paper-style, optimistic)",
}


def metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """R2, MAE, MSE (target units) and Spearman rank correlation of ``y_pred`` vs ``y_true``."""
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    if y_true.size == 0:
        return {"r2": float("nan"), "mae": float("nan"), "mse": float("nan"),
                "spearman": float("nan")}
    ranked = y_true.size > 2 and np.ptp(y_true) > 0 and np.ptp(y_pred) > 0
    # a constant prediction (the mean baseline) has no rank correlation: NaN, without a warning
    rho = spearmanr(y_true, y_pred).statistic if ranked else float("nan")
    return {"r2": float(r2_score(y_true, y_pred)) if y_true.size > 1 else float("nan"),
            "mae": float(mean_absolute_error(y_true, y_pred)),
            "mse": float(mean_squared_error(y_true, y_pred)),
            "spearman": float(rho) if np.isfinite(rho) else float("nan")}


# ----------------------------------------------------------------------------------- splits --


def obelix_split_indices(data: TargetData) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) positions of the OBELiX official split, with leak-free extra training rows.

    Rows labelled ``"train"`` train, ``"test"`` test; unlabelled rows (other sources) train only
    if neither their reduced composition nor any of their source DOIs occurs among test rows.
    """
    if data.obelix_split is None:
        raise ValueError(f"target {data.target!r} has no OBELiX split labels")
    lab = np.asarray(data.obelix_split, dtype=object)
    test = np.flatnonzero(lab == "test")
    if test.size == 0:
        raise ValueError("no OBELiX test rows in the data")
    test_comps = {data.formulas[i] for i in test}
    test_dois = set()
    if data.sources is not None:
        for i in test:
            test_dois.update(dois(data.sources[i]))
    train = []
    for i, split in enumerate(lab):
        if split == "train":
            train.append(i)
        elif split not in ("train", "test"):
            if data.formulas[i] in test_comps:
                continue
            if data.sources is not None and dois(data.sources[i]) & test_dois:
                continue
            train.append(i)
    return np.asarray(train, dtype=int), test


def outer_splits(data: TargetData, split: str, n_splits: int = 5,
                 seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Outer (train, test) position pairs for split ``"obelix"``, ``"group"`` or ``"random"``
    (``group``/``random`` fold over every row of ``data``)."""
    if split == "obelix":
        return [obelix_split_indices(data)]
    idx = np.arange(len(data))
    if split == "group":
        groups = leakage_groups(data.formulas, data.families, data.mobile_ion)
        k = min(n_splits, len(np.unique(groups)))
        if k < 2:
            raise ValueError("fewer than two leakage groups: group K-fold is impossible")
        return [(tr, te) for tr, te in GroupKFold(n_splits=k).split(idx, groups=groups)]
    if split == "random":
        kf = KFold(n_splits=n_splits, shuffle=True, random_state=seed)
        return [(tr, te) for tr, te in kf.split(idx)]
    raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")


#: Inner-CV grouping per outer split: the tuning folds mimic the novelty of the outer test set.
INNER_GROUPING = {"obelix": "source", "group": "family", "random": "none"}


def inner_cv(data: TargetData, train_idx: np.ndarray, split: str, n_inner: int = 3,
             seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Inner folds over positions *within* ``train_idx``, grouped like the outer ``split``:
    by composition or source paper for ``obelix`` (the rule behind the official split), by
    composition + family for ``group``, shuffled rows for ``random``."""
    local = np.arange(len(train_idx))
    groups = calibration_groups(
        [data.formulas[i] for i in train_idx], [data.families[i] for i in train_idx],
        INNER_GROUPING.get(split, "family"), data.mobile_ion,
        None if data.sources is None else [data.sources[i] for i in train_idx])
    if groups is None or len(np.unique(groups)) < n_inner:
        return list(KFold(n_splits=n_inner, shuffle=True, random_state=seed).split(local))
    return list(GroupKFold(n_splits=n_inner).split(local, groups=groups))


# ---------------------------------------------------------------------------------- tuning --


def tune(model_name: str, X: np.ndarray, y: np.ndarray, cv: list[tuple[np.ndarray, np.ndarray]],
         budget: int = 10, seed: int = 0, n_jobs: int = 1) -> dict[str, Any]:
    """Best hyper-parameters of ``model_name`` by random search (``budget`` draws, MAE scoring).

    ``budget=0`` returns ``{}`` (zoo defaults). The search never sees rows outside ``X``.
    """
    return search(model_name, X, y, cv, budget, seed, n_jobs)[0]


def search(model_name: str, X: np.ndarray, y: np.ndarray, cv: list[tuple[np.ndarray, np.ndarray]],
           budget: int = 10, seed: int = 0, n_jobs: int = 1) -> tuple[dict[str, Any], float]:
    """``(best params, their mean CV MAE)``; with ``budget=0`` the zoo defaults are scored."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        if budget <= 0:
            scores = cross_val_score(make_model(model_name, seed=seed, n_jobs=n_jobs), X, y,
                                     cv=cv, scoring="neg_mean_absolute_error")
            return {}, float(-np.mean(scores))
        space = search_space(model_name)
        size = _space_size(space)
        rs = RandomizedSearchCV(
            make_model(model_name, seed=seed, n_jobs=n_jobs), space,
            n_iter=min(budget, size) if size else budget, cv=cv,
            scoring="neg_mean_absolute_error", random_state=seed, n_jobs=1, refit=False,
            error_score="raise")
        rs.fit(X, y)
    params = {k: _plain(v) for k, v in rs.best_params_.items()}
    return params, float(-rs.best_score_)


def _space_size(space: dict[str, Any]) -> int | None:
    """Number of grid points when every entry is a list, else None (continuous)."""
    size = 1
    for v in space.values():
        if not isinstance(v, list | tuple):
            return None
        size *= len(v)
    return size


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


# ------------------------------------------------------------------------------ evaluation --


@dataclass
class EvalResult:
    """Metrics of one model on one split, plus its held-out predictions."""

    model: str
    split: str
    metrics: dict[str, float]
    n_train: int
    n_test: int
    n_folds: int
    params: list[dict[str, Any]]
    seconds: float
    predictions: pd.DataFrame = field(repr=False)
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        """Flat JSON-ready row: model, split, r2, mae, mse, spearman, n_train, n_test, ..."""
        out = {"model": self.model, "split": self.split, "split_label": SPLITS[self.split]}
        out.update(self.metrics)
        out.update({"n_train": self.n_train, "n_test": self.n_test, "n_folds": self.n_folds,
                    "seconds": round(self.seconds, 2), "params": self.params})
        out.update(self.extra)
        return out


#: Fewest uncensored training rows an outer fold may have (KNN needs 5 neighbours; fewer rows
#: than that say nothing about a model).
MIN_TRAIN_ROWS = 10


#: Calibration grouping of the CV+ folds per split: match the split's novelty.
CALIBRATION_FOR_SPLIT = {"obelix": "source", "group": "family", "random": "none"}


def evaluate_model(model_name: str, data: TargetData, split: str, budget: int = 10,
                   n_splits: int = 5, n_inner: int = 3, seed: int = 0,
                   censor_strategy: str = "impute", n_jobs: int = 1,
                   level: float | None = 0.9, n_conformal: int = 5,
                   normalized: bool = False) -> EvalResult:
    """Nested-CV evaluation of one zoo model on one split of ``data``.

    Test metrics use every held-out row, a censored row at the value its rule gives it
    (``data.meta["censored_as"]``: its bound, or 1E-15 S/cm under the OBELiX authors' rule);
    ``mae_uncensored`` leaves censored rows out and ``censored_bound_respected`` is the fraction
    of held-out censored rows predicted at or below their label.

    With ``level`` (default 0.9) every outer training set is wrapped in CV+
    (:class:`~superionic.models.uncertainty.ConformalRegressor`, ``n_conformal`` calibration
    folds grouped by :data:`CALIBRATION_FOR_SPLIT`): the point prediction is the same model
    refitted on the whole training side, and ``coverage_90`` / ``interval_width_90`` (named
    after ``level``) are the empirical coverage and mean width on the uncensored held-out rows.
    ``level=None`` skips the intervals (``n_conformal`` fewer fits per fold).
    """
    from superionic.models.uncertainty import ConformalRegressor

    t0 = time.perf_counter()
    X = data.X.to_numpy(dtype=float)
    pieces, params, n_train = [], [], []
    for k, (tr, te) in enumerate(outer_splits(data, split, n_splits, seed)):
        unc = tr[~data.censored[tr]]
        if len(unc) < MIN_TRAIN_ROWS:
            raise ValueError(f"{split} split, fold {k + 1}: only {len(unc)} uncensored training "
                             f"rows (need {MIN_TRAIN_ROWS}); one group holds most of the data")
        # budget 0 means the zoo defaults: no inner CV to run
        best = {} if budget <= 0 else tune(model_name, X[unc], data.y[unc],
                                           inner_cv(data, unc, split, n_inner, seed + k),
                                           budget, seed, n_jobs)
        model = make_model(model_name, seed=seed, n_jobs=n_jobs, **best)
        low = high = np.full(len(te), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)
            if level is None:
                fit_censored(model, X[tr], data.y[tr], data.censored[tr], censor_strategy)
                pred = model.predict(X[te])
            else:
                groups = calibration_groups(
                    [data.formulas[i] for i in tr], [data.families[i] for i in tr],
                    CALIBRATION_FOR_SPLIT.get(split, "source"), data.mobile_ion,
                    None if data.sources is None else [data.sources[i] for i in tr])
                conf = ConformalRegressor(model, n_folds=n_conformal, normalized=normalized,
                                          seed=seed, censor_strategy=censor_strategy)
                conf.fit(X[tr], data.y[tr], groups=groups, censored=data.censored[tr])
                pred, low, high = conf.predict_interval(X[te], level)
        params.append(best)
        n_train.append(len(tr))
        pieces.append(pd.DataFrame({"row": te, "fold": k, "y_true": data.y[te], "y_pred": pred,
                                    "low": low, "high": high, "censored": data.censored[te],
                                    "formula": [data.formulas[i] for i in te]}))
    preds = pd.concat(pieces, ignore_index=True)
    extra = _censor_summary(preds) | {"censor_strategy": censor_strategy,
                                      "censored_as": data.meta.get("censored_as", "bound")}
    if level is not None:
        extra |= _interval_summary(preds, level)
    return EvalResult(model=model_name, split=split, metrics=_summary(preds),
                      n_train=int(np.mean(n_train)), n_test=len(preds), n_folds=len(pieces),
                      params=params, seconds=time.perf_counter() - t0, predictions=preds,
                      extra=extra)


def _interval_summary(preds: pd.DataFrame, level: float) -> dict[str, Any]:
    """``coverage_<pct>`` and ``interval_width_<pct>`` (log10 units) on uncensored rows."""
    unc = preds[~preds["censored"]]
    pct = f"{round(100 * level):d}"
    inside = (unc["y_true"] >= unc["low"]) & (unc["y_true"] <= unc["high"])
    return {"interval_level": level,
            f"coverage_{pct}": float(inside.mean()) if len(unc) else float("nan"),
            f"interval_width_{pct}": float((unc["high"] - unc["low"]).mean())
            if len(unc) else float("nan")}


def _summary(preds: pd.DataFrame) -> dict[str, float]:
    m = metrics(preds["y_true"].to_numpy(), preds["y_pred"].to_numpy())
    unc = preds[~preds["censored"]]
    m["mae_uncensored"] = metrics(unc["y_true"].to_numpy(), unc["y_pred"].to_numpy())["mae"]
    if preds["fold"].nunique() > 1:
        per_fold = preds.groupby("fold").apply(
            lambda d: mean_absolute_error(d["y_true"], d["y_pred"]), include_groups=False)
        m["mae_fold_std"] = float(per_fold.std(ddof=1))
    return m


def _censor_summary(preds: pd.DataFrame) -> dict[str, Any]:
    cen = preds[preds["censored"]]
    return {"n_censored_test": len(cen),
            "censored_bound_respected": bound_respected(cen["y_pred"], cen["y_true"])}


def evaluate_all(model_names: list[str], data: TargetData, splits: list[str], budget: int = 10,
                 n_splits: int = 5, n_inner: int = 3, seed: int = 0,
                 censor_strategy: str = "impute", n_jobs: int = 1) -> Iterator[EvalResult]:
    """Evaluate every model on every split (a generator: progress can be shown per result)."""
    for split in splits:
        for name in model_names:
            yield evaluate_model(name, data, split, budget, n_splits, n_inner, seed,
                                 censor_strategy, n_jobs)


def best_result(results: list[EvalResult], split: str | None = None) -> EvalResult:
    """The result with the lowest MAE (on ``split`` when given)."""
    pool = [r for r in results if split is None or r.split == split]
    if not pool:
        raise ValueError(f"no results for split {split!r}")
    return min(pool, key=lambda r: r.metrics["mae"])


# ----------------------------------------------------------------------------------- plots --


def parity_plot(result: EvalResult, path: str | Path, unit: str = "log10(S/cm)") -> Path:
    """Parity plot (PNG) of held-out predictions: censored rows as open triangles at the bound."""
    from matplotlib.figure import Figure

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    p = result.predictions
    fig = Figure(figsize=(4.6, 4.4), dpi=130)
    ax = fig.subplots()
    unc, cen = p[~p["censored"]], p[p["censored"]]
    ax.scatter(unc["y_true"], unc["y_pred"], s=14, alpha=0.7, label="measured")
    if len(cen):
        ax.scatter(cen["y_true"], cen["y_pred"], s=22, marker="<", facecolors="none",
                   edgecolors="C3", label="upper bound")
    lo = float(min(p["y_true"].min(), p["y_pred"].min())) - 0.5
    hi = float(max(p["y_true"].max(), p["y_pred"].max())) + 0.5
    ax.plot([lo, hi], [lo, hi], "k--", lw=0.8)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel(f"measured [{unit}]")
    ax.set_ylabel(f"predicted [{unit}]")
    m = result.metrics
    ax.set_title(f"{result.model} | {SPLITS[result.split]}\nMAE {m['mae']:.2f}  R2 {m['r2']:.2f}  "
                 f"Spearman {m['spearman']:.2f}", fontsize=8)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    from superionic.fileio import atomic_path

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=Path(path).suffix.lstrip(".") or "png")
    return path


# ------------------------------------------------------------------------------- intervals --


def holdout_coverage(data: TargetData, model_name: str, split: str,
                     levels: tuple[float, ...] = (0.8, 0.9, 0.95), params: dict | None = None,
                     n_splits: int = 5, n_folds: int = 5, seed: int = 0,
                     censor_strategy: str = "impute", normalized: bool = False,
                     calibration: str = "source",
                     n_jobs: int = 1) -> list[dict[str, Any]]:
    """Empirical coverage of CV+ intervals on held-out rows, next to the nominal level.

    For every outer fold of ``split`` a :class:`ConformalRegressor` (calibration folds grouped by
    ``calibration``, see :func:`~superionic.models.groups.calibration_groups`) is fitted on the
    training side only; coverage and mean width are pooled over the uncensored
    test rows.
    """
    from superionic.models.uncertainty import ConformalRegressor

    X = data.X.to_numpy(dtype=float)
    hits = {lv: [] for lv in levels}
    widths = {lv: [] for lv in levels}
    for tr, te in outer_splits(data, split, n_splits, seed):
        groups = calibration_groups([data.formulas[i] for i in tr],
                                    [data.families[i] for i in tr], calibration, data.mobile_ion,
                                    None if data.sources is None
                                    else [data.sources[i] for i in tr])
        conf = ConformalRegressor(make_model(model_name, seed=seed, n_jobs=n_jobs,
                                             **(params or {})),
                                  n_folds=n_folds, normalized=normalized, seed=seed,
                                  censor_strategy=censor_strategy)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)
            conf.fit(X[tr], data.y[tr], groups=groups, censored=data.censored[tr])
        te = te[~data.censored[te]]
        for lv in levels:
            _, lo, hi = conf.predict_interval(X[te], lv)
            hits[lv].append((data.y[te] >= lo) & (data.y[te] <= hi))
            widths[lv].append(hi - lo)
    return [{"split": split, "model": model_name, "level": lv,
             "coverage": float(np.mean(np.concatenate(hits[lv]))),
             "mean_width": float(np.mean(np.concatenate(widths[lv]))),
             "n": int(sum(len(h) for h in hits[lv])), "normalized": normalized,
             "calibration": calibration}
            for lv in levels]
