"""Composite score and Pareto ranks: invariants and hand-checked cases."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from superionic.screen.score import Weights, composite_score, pareto_objectives, pareto_ranks


def _pool():
    return pd.DataFrame({
        "formula": ["A", "B", "C", "D"],
        "sigma_S_cm": [1e-2, 1e-4, 1e-6, 1e-3],
        "esw_width_V": [1.0, 4.0, 2.0, np.nan],
        "Ea_eV": [0.2, 0.5, 0.8, 0.3],
        "sigma_e_S_cm": [1e-9, 1e-9, 1e-9, 1e-9],
    })


def test_minmax_terms_by_hand():
    out = composite_score(_pool(), Weights(1, 1, 1, 1))
    # log10 sigma = -2, -4, -6, -3 -> (x + 6) / 4
    np.testing.assert_allclose(out["term_sigma"], [1.0, 0.5, 0.0, 0.75])
    np.testing.assert_allclose(out["term_ea"], [0.0, 0.5, 1.0, 1 / 6])
    # D's missing ESW takes the median of the others' normalised values (0, 1, 1/3)
    assert out.loc[3, "term_esw"] == pytest.approx(1 / 3)
    assert out.loc[3, "imputed"] == "imputed:esw"
    # sigma_e is constant -> contributes 0
    np.testing.assert_allclose(out["term_sigma_e"], 0.0)
    expected = out["term_sigma"] + out["term_esw"] - out["term_ea"]
    np.testing.assert_allclose(out["score"], expected)


def test_zero_weights_leave_only_conductivity():
    out = composite_score(_pool(), Weights(1, 0, 0, 0))
    assert list(out.sort_values("score", ascending=False)["formula"]) == ["A", "D", "B", "C"]


def test_score_is_monotonic_in_sigma():
    pool = _pool()
    better = pool.copy()
    better.loc[1, "sigma_S_cm"] = 5e-3
    assert composite_score(better).loc[1, "score"] > composite_score(pool).loc[1, "score"]


@pytest.mark.parametrize("text", ["1,1,1", "a,1,1,1", "1,1,-1,1"])
def test_bad_weights(text):
    with pytest.raises(ValueError):
        Weights.parse(text)


def test_pareto_ranks_match_brute_force():
    rng = np.random.default_rng(0)
    obj = rng.normal(size=(300, 3))
    ranks = pareto_ranks(obj)
    front = [i for i in range(len(obj))
             if not any(np.all(obj[j] >= obj[i]) and np.any(obj[j] > obj[i]) for j in range(len(obj)))]
    assert sorted(np.flatnonzero(ranks == 1)) == front
    # no point of rank r is dominated by another point of rank >= r
    for i, j in itertools.product(range(0, 300, 7), range(300)):
        if np.all(obj[j] >= obj[i]) and np.any(obj[j] > obj[i]):
            assert ranks[j] < ranks[i]


def test_pareto_objectives_and_nan_rows():
    obj = pareto_objectives(_pool())
    ranks = pareto_ranks(obj)
    assert ranks[3] == 0  # missing ESW: not ranked
    assert ranks[0] == 1 and ranks[1] == 1  # A (best sigma, Ea) and B (best ESW) are on the front
