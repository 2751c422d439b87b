"""Every zoo model is a well-behaved scikit-learn estimator with fixed seeds."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import r2_score

from superionic.models.zoo import (
    MODEL_NAMES,
    canonical_name,
    make_model,
    model_kind,
    parse_model_list,
    search_space,
)

FAST = {"rf": {"n_estimators": 40}, "gb": {"n_estimators": 60}, "xgb": {"n_estimators": 60},
        "lgbm": {"n_estimators": 60}, "catboost": {"iterations": 60}}


def _problem(n: int = 160, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 4))
    y = 3.0 * X[:, 0] + np.where(X[:, 1] > 0, 1.0, -1.0)
    X[rng.random(size=X.shape) < 0.05] = np.nan  # imputation must cope
    return X[:120], y[:120], X[120:], y[120:]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_model_clones_fits_and_learns(name: str) -> None:
    Xtr, ytr, Xte, yte = _problem()
    model = make_model(name, **FAST.get(name, {}))
    twin = clone(model)
    assert twin.get_params().keys() == model.get_params().keys()
    assert repr(twin.get_params()["model"]) == repr(model.get_params()["model"])
    pred = twin.fit(Xtr, ytr).predict(Xte)
    assert pred.shape == yte.shape and np.all(np.isfinite(pred))
    if name == "mean":
        assert np.allclose(pred, ytr.mean())  # the baseline predicts the training mean
    elif name == "median":
        assert np.allclose(pred, np.median(ytr))  # the OBELiX authors' baseline
        assert model_kind(twin) == "median"
    else:
        assert r2_score(yte, pred) > 0.5, name
    for key in search_space(name):  # every search key is a real parameter of the pipeline
        assert key in model.get_params()


@pytest.mark.parametrize("name", ["rf", "xgb", "lgbm", "catboost", "gb", "dt"])
def test_fixed_seed_reproducible(name: str) -> None:
    Xtr, ytr, Xte, _ = _problem()
    a = make_model(name, seed=3, **FAST.get(name, {})).fit(Xtr, ytr).predict(Xte)
    b = make_model(name, seed=3, **FAST.get(name, {})).fit(Xtr, ytr).predict(Xte)
    assert np.array_equal(a, b)


def test_scaling_only_where_needed() -> None:
    assert "scale" in make_model("knn").named_steps and "scale" in make_model("ridge").named_steps
    assert "scale" not in make_model("rf").named_steps
    assert make_model("rf", max_depth=4).named_steps["model"].max_depth == 4
    assert make_model("rf", model__max_depth=5).named_steps["model"].max_depth == 5


def test_names_and_threads() -> None:
    assert canonical_name("XGBoost") == "xgb" and canonical_name("CatBoost") == "catboost"
    assert parse_model_list("rf, xgb,rf") == ["rf", "xgb"]
    assert parse_model_list("all") == list(MODEL_NAMES)
    with pytest.raises(ValueError, match="unknown model"):
        make_model("svm")
    assert make_model("catboost").named_steps["model"].get_params()["thread_count"] == 1
    assert make_model("xgb", n_jobs=2).named_steps["model"].n_jobs == 2
