"""train_best picks the right model for a known problem and gives calibrated intervals."""

from __future__ import annotations

import numpy as np
import pytest

from superionic.models.train import train_best


def test_train_best_linear_problem_picks_ridge_and_covers(make_synthetic) -> None:
    data = make_synthetic(n=200, seed=0, noise=0.3)
    model = train_best("log10_sigma", data, models=("mean", "ridge", "dt"), budget=3, n_folds=5,
                       normalized=False)
    assert model.name == "ridge"
    cv = model.manifest["selection"]["cv_mae"]
    assert cv["ridge"] < cv["dt"] < cv["mean"]
    assert model.feature_names == ["x0", "x1", "x2", "x3", "x4"]
    fresh = make_synthetic(n=3000, seed=7, noise=0.3)
    mean, lo, hi = model.predict_interval(fresh.X, level=0.9)
    assert np.allclose(mean, model.predict(fresh.X))
    cover = np.mean((fresh.y >= lo) & (fresh.y <= hi))
    assert 0.85 <= cover <= 0.95, cover
    # columns are matched by name; a frame missing any feature is refused, never NaN-filled
    assert np.allclose(model.predict(fresh.X[fresh.X.columns[::-1]]), mean)
    with pytest.raises(ValueError, match="5 are missing here"):
        model.predict(fresh.X.rename(columns=lambda c: c + "_other"))
    with pytest.raises(ValueError, match=r"1 are missing here: \['x3'\]"):
        model.predict(fresh.X.drop(columns=["x3"]))
    assert model.manifest["features"]["kind"] == "composition"


def test_train_best_rejects_mismatched_target(make_synthetic) -> None:
    data = make_synthetic(n=40)
    with pytest.raises(ValueError, match="holds target"):
        train_best("Ea", data, models=("ridge",), budget=0)
