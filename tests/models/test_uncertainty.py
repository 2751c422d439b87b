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
