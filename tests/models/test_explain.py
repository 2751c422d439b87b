"""SHAP values add up to the prediction; the PNGs are written."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from superionic.models.explain import (
    correlation_heatmap_png,
    mean_abs_shap,
    shap_summary_png,
    shap_values,
)
from superionic.models.zoo import make_model

SMALL = {"dt": {}, "rf": {"n_estimators": 30}, "gb": {"n_estimators": 40},
         "xgb": {"n_estimators": 40}, "lgbm": {"n_estimators": 40}, "catboost": {"iterations": 40}}


def _data(n: int = 150):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(n, 5)), columns=["x0", "x1", "x2", "x3", "x4"])
    X["x0_copy"] = 2.0 * X["x0"] + 1.0
    X.loc[::10, "x3"] = np.nan
    y = 3 * X["x0"] + X["x1"] ** 2
    return X, y.to_numpy()


@pytest.mark.parametrize("kind", list(SMALL))
def test_shap_additivity(kind: str) -> None:
    X, y = _data()
    model = make_model(kind, **SMALL[kind]).fit(X.to_numpy(), y)
    values, base, Xt = shap_values(model, X)
    pred = model.predict(X.to_numpy())
    tol = 1e-4 if kind == "xgb" else 1e-8  # XGBoost works in float32
    assert np.allclose(values.sum(axis=1) + base, pred, atol=tol)
    assert "missing:x3" in Xt.columns  # imputer indicator is named
    ranking = mean_abs_shap(model, X)
    assert ranking.index[0] in ("x0", "x0_copy")  # the dominant driver is found


def test_shap_refuses_non_tree_model() -> None:
    X, y = _data()
    with pytest.raises(TypeError, match="tree"):
        shap_values(make_model("ridge").fit(X.to_numpy(), y), X)


def test_pngs_written(tmp_path) -> None:
    X, y = _data()
    model = make_model("rf", n_estimators=30).fit(X.to_numpy(), y)
    p = shap_summary_png(model, X, tmp_path / "shap.png", max_display=5)
    assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000
    h, corr = correlation_heatmap_png(X, tmp_path / "corr.png", top_n=4,
                                      importance=mean_abs_shap(model, X))
    assert h.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert corr.shape == (4, 4) and np.allclose(np.diag(corr), 1.0)
    assert corr.loc["x0", "x0_copy"] == pytest.approx(1.0)  # an affine copy correlates fully
    assert not list(tmp_path.glob("*.tmp.png"))
