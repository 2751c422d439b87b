"""Explanations: SHAP values of tree models (TreeExplainer) and a Pearson feature heatmap.

SHAP (Lundberg & Lee, NeurIPS 2017; Lundberg et al., Nat. Mach. Intell. 2, 56 (2020)) splits a
prediction into per-feature contributions that add up exactly: ``prediction = base_value +
sum_j shap_j`` (local accuracy). The explainer sees the fitted Pipeline's final tree model and
the features after imputation; indicator columns added by the imputer are named
``missing:<feature>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from superionic._extras import optional_import
from superionic.models.zoo import final_estimator

TREE_MODELS = ("dt", "rf", "gb", "xgb", "lgbm", "catboost")


def transformed_features(model: Any, X: pd.DataFrame | np.ndarray,
                         feature_names: list[str] | None = None) -> pd.DataFrame:
    """X passed through every Pipeline step but the last, with column names."""
    names = list(X.columns) if isinstance(X, pd.DataFrame) else feature_names
    Xa = X.to_numpy(dtype=float) if isinstance(X, pd.DataFrame) else np.asarray(X, float)
    if isinstance(model, Pipeline):
        for _, step in model.steps[:-1]:
            Xa = step.transform(Xa)
        imputer = model.named_steps.get("impute")
        if names is not None and imputer is not None and getattr(imputer, "indicator_", None):
            names = list(names) + [f"missing:{names[j]}" for j in imputer.indicator_.features_]
    if names is None or len(names) != Xa.shape[1]:
        names = [f"f{j}" for j in range(Xa.shape[1])]
    return pd.DataFrame(Xa, columns=[str(n) for n in names])


def shap_values(model: Any, X: pd.DataFrame | np.ndarray,
                feature_names: list[str] | None = None) -> tuple[np.ndarray, float, pd.DataFrame]:
    """``(values (n, p), base_value, transformed X)`` from ``shap.TreeExplainer``.

    Local accuracy holds: ``model.predict(X) == base_value + values.sum(axis=1)`` to float
    precision. Raises ``TypeError`` for a non-tree final estimator.
    """
    shap = optional_import("shap", "SHAP explanations")

    est = final_estimator(model)
    kind = type(est).__name__
    if kind in ("DummyRegressor", "Ridge", "KNeighborsRegressor"):
        raise TypeError(f"TreeExplainer needs a tree model, got {kind}")
    Xt = transformed_features(model, X, feature_names)
    explainer = shap.TreeExplainer(est)
    values = np.asarray(explainer.shap_values(Xt.to_numpy(), check_additivity=False))
    base = np.asarray(explainer.expected_value, dtype=float).reshape(-1)[0]
    return values, float(base), Xt


def shap_summary_png(model: Any, X: pd.DataFrame | np.ndarray, path: str | Path,
                     max_display: int = 20, title: str | None = None) -> Path:
    """SHAP beeswarm summary (top ``max_display`` features by mean |SHAP|) written as a PNG."""
    # shap.summary_plot draws on pyplot's current figure; no backend is forced (a notebook keeps
    # its own) and only the figure made here is closed.
    import matplotlib.pyplot as plt

    shap = optional_import("shap", "SHAP explanations")
    values, _, Xt = shap_values(model, X)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = plt.figure()
    try:
        shap.summary_plot(values, Xt, max_display=max_display, show=False, plot_size=(7.5, 6.0))
        if title:
            fig.suptitle(title, fontsize=9)
        fig.tight_layout()
        _save(fig, path)
    finally:
        plt.close(fig)
    return path


def mean_abs_shap(model: Any, X: pd.DataFrame | np.ndarray) -> pd.Series:
    """Mean |SHAP| per (transformed) feature, largest first: a global importance ranking."""
    values, _, Xt = shap_values(model, X)
    return pd.Series(np.abs(values).mean(axis=0), index=Xt.columns).sort_values(ascending=False)


def top_features(X: pd.DataFrame, n: int = 25, importance: pd.Series | None = None) -> list[str]:
    """The ``n`` columns to show: by ``importance`` when given, else by variance of the
    standardised-by-range column (constant columns last)."""
    if importance is not None:
        cols = [c for c in importance.index if c in X.columns]
        return cols[:n]
    rng = (X.max() - X.min()).replace(0, np.nan)
    score = (X.std() / rng).fillna(0.0)
    return list(score.sort_values(ascending=False).index[:n])


def correlation_heatmap_png(X: pd.DataFrame, path: str | Path, top_n: int = 25,
                            importance: pd.Series | None = None,
                            title: str | None = None) -> tuple[Path, pd.DataFrame]:
    """Pearson correlation heatmap of ``top_n`` features (PNG) and the correlation matrix."""
    from matplotlib.figure import Figure

    cols = top_features(X, top_n, importance)
    corr = X[cols].astype(float).corr(method="pearson")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    size = 3.0 + 0.28 * len(cols)
    fig = Figure(figsize=(size + 1.5, size), dpi=120)
    ax = fig.subplots()
    im = ax.imshow(corr.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(cols)), [_short(c) for c in cols], rotation=90, fontsize=6)
    ax.set_yticks(range(len(cols)), [_short(c) for c in cols], fontsize=6)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="Pearson r")
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    _save(fig, path)
    return path, corr


def _short(name: str, width: int = 38) -> str:
    name = name.replace("MagpieData ", "")
    return name if len(name) <= width else name[: width - 1] + "~"


def _save(fig: Any, path: Path) -> None:
    """Write the figure next to ``path`` then rename: readers never see half a PNG."""
    from superionic.fileio import atomic_path

    with atomic_path(path) as tmp:
        fig.savefig(tmp, bbox_inches="tight", format=Path(path).suffix.lstrip(".") or "png")
