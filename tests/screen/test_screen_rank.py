"""Ranking follows the weights; Pareto ranks; the electronic estimate; conformal half-widths."""

from __future__ import annotations

import math

import numpy as np
import pytest

from superionic.config import Thresholds
from superionic.screen import (
    RankingMode,
    ScreenCache,
    ScreenOptions,
    Weights,
    csv_pool,
    run_screen,
)
from superionic.screen.electronic import SIGMA0_S_CM, intrinsic_sigma_e, sigma_e_estimate
from superionic.screen.windows import conformal_halfwidth

from .util import write_csv

FORMULAS = ["LiCl", "Li3PS4", "Li2S", "Li7P3S11", "Li3InCl6", "Li3YBr6", "Li6PS5I", "LiF",
            "Li7La3Zr2O12", "Li3N", "LiBH4", "Li2CO3"]


@pytest.fixture(scope="module")
def rank_pool(tmp_path_factory):
    rows = [{"formula": f, "e_above_hull_eV_per_atom": 0.0, "band_gap_eV": 2.0 + 0.4 * i}
            for i, f in enumerate(FORMULAS)]
    path = write_csv(tmp_path_factory.mktemp("rank") / "pool.csv", rows)
    return csv_pool(path, fill_from_tables=False)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return ScreenCache(tmp_path_factory.mktemp("cache"))


def _ranked(pool, predictors, surrogate, entries, cache, weights):
    opts = ScreenOptions(thresholds=Thresholds(oxidation_min_V=-100, reduction_max_V=100),
                         weights=weights, ranking=RankingMode.WEIGHTED, structures_top=0,
                         bvse=False)
    return run_screen(pool, predictors, opts, cache=cache, surrogate=surrogate,
                      entry_sources=entries).ranked


@pytest.mark.parametrize("weights, column, descending, bounds", [
    (Weights(1, 0, 0, 0), "log10_sigma_mean", True, (None, None)),
    (Weights(0, 1, 0, 0), "esw_width_V", True, (None, 5.0)),  # wider than 5 V counts as 5 V
    (Weights(0, 0, 1, 0), "Ea_eV", False, (None, None)),
    (Weights(0, 0, 0, 1), "sigma_e_S_cm", False, (1e-10, None)),  # below 1e-10 S/cm: all equal
])
def test_single_weight_ranks_by_that_property(rank_pool, predictors, surrogate, licl_entries,
                                              cache, weights, column, descending, bounds):
    ranked = _ranked(rank_pool, predictors, surrogate, licl_entries, cache, weights)
    assert len(ranked) == len(FORMULAS)
    values = np.clip(ranked[column].to_numpy(float), *bounds)
    steps = np.diff(values)
    assert (steps <= 1e-12 * np.abs(values[:-1]).max()).all() if descending else \
        (steps >= -1e-12 * np.abs(values[:-1]).max()).all()


def test_saturated_terms_tie(rank_pool, predictors, surrogate, licl_entries, cache) -> None:
    """Electronic conductivities below 1e-10 S/cm all get the best sigma_e term (no cell can
    tell them apart), and conductivities above the floor rank below them."""
    ranked = _ranked(rank_pool, predictors, surrogate, licl_entries, cache, Weights(0, 0, 0, 1))
    below = ranked["sigma_e_S_cm"] <= 1e-10
    assert below.any()
    assert np.allclose(ranked.loc[below, "term_sigma_e"], ranked["term_sigma_e"].min())
    if (~below).any():
        assert (ranked.loc[~below, "term_sigma_e"] > ranked["term_sigma_e"].min()).all()


def test_weights_move_the_ranking(rank_pool, predictors, surrogate, licl_entries, cache):
    only_sigma = _ranked(rank_pool, predictors, surrogate, licl_entries, cache, Weights(1, 0, 0, 0))
    mixed = _ranked(rank_pool, predictors, surrogate, licl_entries, cache, Weights(1, 1, 1, 1))
    # the score is the weighted sum of the normalised terms
    expected = (mixed["term_sigma"] + mixed["term_esw"] - mixed["term_ea"]
                - mixed["term_sigma_e"])
    np.testing.assert_allclose(mixed["score"], expected)
    np.testing.assert_allclose(only_sigma["score"], only_sigma["term_sigma"])
    assert only_sigma["score"].max() == pytest.approx(1.0)  # min-max over the pool


def test_pareto_front_is_not_dominated(rank_pool, predictors, surrogate, licl_entries, cache):
    ranked = _ranked(rank_pool, predictors, surrogate, licl_entries, cache, Weights())
    obj = np.column_stack([ranked["log10_sigma_mean"], ranked["esw_width_V"], -ranked["Ea_eV"]])
    front = np.flatnonzero(ranked["pareto_rank"].to_numpy() == 1)
    assert len(front) >= 1
    for i in front:
        assert not any(np.all(obj[j] >= obj[i]) and np.any(obj[j] > obj[i])
                       for j in range(len(obj)))


def test_intrinsic_sigma_e_physics():
    kT = 8.617333262e-5 * 300.0
    assert intrinsic_sigma_e(0.0) == pytest.approx(SIGMA0_S_CM)
    assert SIGMA0_S_CM == pytest.approx(2.51e19 * 1.602176634e-19 * 10.0)
    ratio = intrinsic_sigma_e(2.0) / intrinsic_sigma_e(3.0)
    assert ratio == pytest.approx(math.exp(1.0 / (2 * kT)))
    assert intrinsic_sigma_e(3.0, 600.0) > intrinsic_sigma_e(3.0, 300.0)
    mean, low, high, src = sigma_e_estimate(np.array([3.0, np.nan, 4.0]),
                                            np.array([np.nan, np.nan, 1e-9]))
    assert low[0] == pytest.approx(mean[0] / 10) and high[0] == pytest.approx(mean[0] * 10)
    assert np.isnan(mean[1]) and src[1] == ""
    assert mean[2] == low[2] == high[2] == 1e-9 and src[2] == "user"


def test_conformal_halfwidth_order_statistic():
    errors = np.arange(1.0, 20.0)  # n = 19: ceil(0.9 * 20) = 18th smallest
    assert conformal_halfwidth(errors, 0.9) == 18.0
    assert conformal_halfwidth(errors[:5], 0.9) == math.inf  # too few rows for 90 %
