"""CV+ conformal intervals reach their nominal coverage on fresh data."""

from __future__ import annotations

import numpy as np
import pytest

from superionic.models.uncertainty import ConformalRegressor, coverage, interval_report
from superionic.models.zoo import make_model


def _draw(n: int, rng: np.random.Generator):
    X = rng.normal(size=(n, 3))
    return X, 1.5 * X[:, 0] - X[:, 1] + rng.normal(size=n)  # unit Gaussian noise


@pytest.mark.parametrize("normalized", [False, True])
def test_cvplus_coverage_near_nominal(normalized: bool) -> None:
    rng = np.random.default_rng(1)
    Xtr, ytr = _draw(400, rng)
    Xte, yte = _draw(4000, rng)
    conf = ConformalRegressor(make_model("ridge", alpha=1.0), n_folds=5,
                              normalized=normalized).fit(Xtr, ytr)
    mean, lo, hi = conf.predict_interval(Xte, level=0.9)
    assert np.all(lo <= mean) and np.all(mean <= hi)
    cov = coverage(yte, lo, hi)
    assert 0.86 <= cov <= 0.94, cov
    if not normalized:  # Gaussian noise: width -> 2 * 1.645 sigma
        assert np.mean(hi - lo) == pytest.approx(2 * 1.645, rel=0.12)
    rows = interval_report(conf, Xte, yte, levels=(0.5, 0.9))
    assert rows[0]["mean_width"] < rows[1]["mean_width"]
    assert abs(rows[0]["coverage"] - 0.5) < 0.05


def test_grouped_calibration_and_censored_rows() -> None:
    rng = np.random.default_rng(2)
    X, y = _draw(200, rng)
    groups = np.repeat(np.arange(20), 10)
    censored = np.zeros(200, bool)
    censored[:15] = True
    conf = ConformalRegressor(make_model("ridge"), n_folds=4).fit(X, y, groups=groups,
                                                                     censored=censored)
    assert conf.residuals_.size == 185  # censored rows give no residual
    for k in range(4):  # grouped calibration: a group sits in one fold only
        fold_groups = set(groups[~censored][conf.fold_of_ == k])
        other = set(groups[~censored][conf.fold_of_ != k])
        assert not fold_groups & other
    with pytest.raises(ValueError, match="level"):
        conf.predict_interval(X, level=1.5)


def test_p_fast_matches_the_true_exceedance_probability() -> None:
    """y = 2 x + N(0, 1): P(y >= t | x) = Phi(2 x - t). The CV+ predictive probability must
    track it (calibration) and rank held-out rows (ROC AUC of the event)."""
    from scipy.stats import norm
    from sklearn.metrics import roc_auc_score

    from superionic.models.uncertainty import p_fast

    rng = np.random.default_rng(1)
    x = rng.uniform(-3, 3, size=(700, 1))
    y = 2.0 * x[:, 0] + rng.normal(size=700)
    conf = ConformalRegressor(make_model("ridge"), n_folds=5).fit(x[:500], y[:500])
    p = p_fast(conf, x[500:], threshold_log10_S_cm=1.0)
    truth = norm.cdf(2.0 * x[500:, 0] - 1.0)
    assert np.all((p > 0) & (p < 1))
    assert np.mean(np.abs(p - truth)) < 0.05
    assert roc_auc_score(y[500:] >= 1.0, p) > 0.9
    # a model loaded without signed residuals falls back to symmetric errors: same answer here
    del conf.signed_residuals_
    assert np.mean(np.abs(p_fast(conf, x[500:], 1.0) - truth)) < 0.05


def test_p_fast_of_a_fitted_model_reads_columns_by_name_and_refuses_missing_ones() -> None:
    import pandas as pd

    from superionic.models.fitted import FeatureMismatchError, FittedModel
    from superionic.models.uncertainty import p_fast

    rng = np.random.default_rng(2)
    X = pd.DataFrame(rng.normal(size=(200, 2)), columns=["MagpieData mean Number", "x2"])
    y = 2.0 * X["MagpieData mean Number"].to_numpy() + rng.normal(size=200)
    conf = ConformalRegressor(make_model("ridge"), n_folds=5).fit(X, y)
    fm = FittedModel("ridge", "log10_sigma", list(X.columns), conf)
    p = p_fast(fm, X[["x2", "MagpieData mean Number"]].iloc[:20])  # column order by name
    assert np.allclose(p, conf.prob_above(X.iloc[:20].to_numpy(), -4.0))
    with pytest.raises(FeatureMismatchError):
        p_fast(fm, X[["x2"]])
