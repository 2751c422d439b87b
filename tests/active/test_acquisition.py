"""Acquisition functions: closed forms and batch diversity."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import norm

from superionic.active.acquisition import acquisition_values, select_batch


def test_ei_matches_numerical_expectation():
    mean, std, best = np.array([0.3]), np.array([0.7]), 0.5
    ei = acquisition_values(mean, std, "ei", best=best, xi=0.0)[0]
    numeric, _ = quad(lambda y: max(y - best, 0) * norm.pdf(y, 0.3, 0.7), -10, 10)
    assert ei == pytest.approx(numeric, rel=1e-6)


def test_ucb_and_greedy_and_uncertainty():
    mean, std = np.array([1.0, 0.0]), np.array([0.1, 1.0])
    assert np.argmax(acquisition_values(mean, std, "greedy")) == 0
    assert np.argmax(acquisition_values(mean, std, "uncertainty")) == 1
    np.testing.assert_allclose(acquisition_values(mean, std, "ucb", kappa=2.0), [1.2, 2.0])


def test_unknown_acquisition():
    with pytest.raises(ValueError, match="unknown acquisition"):
        acquisition_values(np.zeros(2), np.ones(2), "thompson")


def test_diverse_batch_spreads_over_clusters():
    rng = np.random.default_rng(0)
    # 3 tight clusters of 20 near-duplicates; cluster 0 has all the best values
    centres = np.array([[0, 0], [10, 0], [0, 10]])
    features = np.repeat(centres, 20, axis=0) + rng.normal(scale=0.01, size=(60, 2))
    values = np.concatenate([np.linspace(10, 9, 20), np.linspace(5, 4, 20), np.linspace(3, 2, 20)])
    top = select_batch(values, 3)
    assert set(top // 20) == {0}  # plain top-k: three polymorphs of one compound
    diverse = select_batch(values, 3, features, oversample=20, seed=0)
    assert set(diverse // 20) == {0, 1, 2}
    assert diverse[0] == 0  # the best candidate is always kept
