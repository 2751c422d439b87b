"""Metrics, censoring and nested CV on problems with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from superionic.models.evaluate import evaluate_model, metrics
from superionic.models.targets import bound_respected, fit_censored
from superionic.models.zoo import make_model


def test_metrics_known_values() -> None:
    y = np.array([-6.0, -4.0, -3.0, -2.0])
    m = metrics(y, y)
    assert m["r2"] == 1.0 and m["mae"] == 0.0 and m["mse"] == 0.0 and m["spearman"] == 1.0
    m = metrics(y, y + 0.5)  # constant offset: rank order intact
    assert m["mae"] == pytest.approx(0.5) and m["mse"] == pytest.approx(0.25)
    assert m["spearman"] == pytest.approx(1.0)
    m = metrics(y, y[::-1])
    assert m["spearman"] == pytest.approx(-1.0)
    assert metrics(y, np.full(4, y.mean()))["r2"] == pytest.approx(0.0)


def test_nested_cv_linear_target_ridge_is_near_perfect(linear_data) -> None:
    res = evaluate_model("ridge", linear_data, "group", budget=4, n_splits=4, n_inner=3)
    assert res.metrics["r2"] > 0.99
    assert res.n_folds == 4 and res.n_test == len(linear_data)
    assert len(res.params) == 4 and all("model__alpha" in p for p in res.params)
    base = evaluate_model("mean", linear_data, "group", budget=2, n_splits=4, n_inner=3)
    assert base.metrics["r2"] < 0.05  # the mean predictor explains nothing out of group
    rnd = evaluate_model("ridge", linear_data, "random", budget=0, n_splits=4)
    assert rnd.row()["split_label"].startswith("random (paper-style")


def test_censored_impute_ignores_loose_bounds_and_bound_strategy_does_not() -> None:
    x = np.linspace(0, 10, 60)[:, None]
    y = 2.0 * x[:, 0] - 8.0
    censored = np.zeros(60, bool)
    censored[::4] = True
    y_obs = y.copy()
    y_obs[censored] = y[censored] + 5.0  # loose upper bounds, far above the truth
    imp = fit_censored(make_model("ridge", alpha=1e-8), x, y_obs, censored, "impute")
    assert np.allclose(imp.predict(x), y, atol=1e-5)  # a loose bound carries no information
    naive = fit_censored(make_model("ridge", alpha=1e-8), x, y_obs, censored, "bound")
    assert abs(naive.predict(x) - y).mean() > 0.5  # treating bounds as values biases the fit
    tight = y.copy()
    tight[censored] = y[censored] - 3.0  # bounds below the trend: imputation pulls down
    imp2 = fit_censored(make_model("ridge", alpha=1e-8), x, tight, censored, "impute")
    assert np.mean(imp2.predict(x) < y) > 0.9
    with pytest.raises(ValueError, match="censor strategy"):
        fit_censored(make_model("ridge"), x, y, censored, "tobit")


def test_bound_respected_fraction() -> None:
    assert bound_respected(np.array([-11.0, -9.0, -10.0]), np.array([-10.0] * 3)) == pytest.approx(2 / 3)
    assert np.isnan(bound_respected(np.array([]), np.array([])))


def test_censored_rows_reported_in_evaluation(linear_data) -> None:
    data = linear_data
    data.censored[:10] = True
    data.y[:10] = data.y[:10] + 20.0  # loose bounds
    res = evaluate_model("ridge", data, "random", budget=0, n_splits=4)
    row = res.row()
    assert row["n_censored_test"] == 10
    assert row["censored_bound_respected"] == 1.0  # predictions sit far below loose bounds
    assert row["mae_uncensored"] < 0.2


def test_a_split_with_one_dominant_family_is_skipped_with_its_reason(make_synthetic) -> None:
    """Like the Na labels (98 % NASICON): holding out the big family leaves a handful of
    training rows. That split is reported and skipped; the comparison goes on with the others."""
    from dataclasses import replace

    from superionic.models.workflow import run_training

    data = make_synthetic(n=60)
    families = ["nasicon"] * 56 + ["a", "b", "c", "d"]
    formulas = [f"Na{i % 20 + 1}Zr2P3O12" for i in range(56)] + ["NaCl", "NaBr", "NaI", "NaF"]
    data = replace(data, families=families, formulas=formulas)
    report = run_training("log10_sigma", None, "Li", ["mean", "rf"], ["group", "random"],
                          budget=0, data=data)
    assert {f["split"] for f in report["failed"]} == {"group"}
    assert all("uncensored training rows" in f["reason"] for f in report["failed"])
    assert {r["split"] for r in report["rows"]} == {"random"}
    assert report["best"]["split"] == "random"
    # the random split still learns the linear target far better than the mean
    mae = {r["model"]: r["mae"] for r in report["rows"]}
    assert mae["rf"] < 0.7 * mae["mean"]
