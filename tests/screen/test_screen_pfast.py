"""Conductivity-first ranking: p_fast from the predictive distribution, ties, modes, reasons."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtri

from superionic.config import ScoreWeights, Thresholds
from superionic.screen.rank import IntervalProbability, Margins, margin_notes, p_fast_order
from superionic.screen.sanity import famous_ranks, famous_summary
from superionic.screen.score import composite_score

Z90 = float(ndtri(0.95))  # 1.645: half-width of a 90 % normal interval in units of sd


def _table(mean, low, high, **cols):
    return pd.DataFrame({"log10_sigma_mean": mean, "log10_sigma_low": low,
                         "log10_sigma_high": high, **cols})


def test_p_fast_is_the_normal_tail_of_the_interval():
    # sd = 1 log unit: interval mean +- 1.645 at 90 %
    t = _table([-4.0, -4.0 + Z90, -4.0 - Z90, -2.0], [-4 - Z90, -4.0, -4 - 2 * Z90, -2.5],
               [-4 + Z90, -4 + 2 * Z90, -4.0, -2.0 + 3 * Z90])
    p = IntervalProbability(0.9)(t, 1e-4)
    assert p[0] == pytest.approx(0.5)                  # mean on the threshold
    assert p[1] == pytest.approx(0.95, abs=1e-9)       # threshold 1 sd below the mean
    assert p[2] == pytest.approx(0.05, abs=1e-9)       # threshold 1 sd above
    # asymmetric interval: the side facing the threshold sets the spread (low side, 0.5/1.645)
    assert p[3] == pytest.approx(1 - 0.5 * math.erfc(2.0 / (0.5 / Z90) / math.sqrt(2)))


def test_p_fast_first_wide_windows_earn_nothing():
    """A wide-gap insulator with a 6 V window tops the seed's weighted sum; p_fast puts the
    conductor four orders of magnitude faster first."""
    t = _table([-2.5, -6.5], [-5.5, -9.5], [0.5, -3.5], esw_width_V=[2.0, 6.0],
               Ea_eV=[0.30, 0.25], sigma_e_S_cm=[1e-6, 1e-40], sigma_S_cm=[10 ** -2.5, 10 ** -6.5])
    weighted = composite_score(t, ScoreWeights(1, 1, 1, 1))["score"].to_numpy()
    p = IntervalProbability(0.9)(t, 1e-4)
    assert p[0] > 0.7 > 0.1 > p[1]
    order = p_fast_order(t, p, [[], []])
    assert list(order) == [0, 1]
    assert weighted[1] > weighted[0]  # the seed sum prefers the insulator


def test_ties_in_p_fast_go_to_margin_then_bvse_then_ea():
    t = _table([-3.0] * 4, [-6.0] * 4, [0.0] * 4, bvse_barrier_eV=[np.nan, 0.5, 0.3, 0.3],
               Ea_eV=[0.2, 0.2, 0.4, 0.3], e_above_hull_eV_per_atom=[0, 0, 0, 0.025],
               band_gap_eV=[4.0] * 4, esw_width_V=[3.0] * 4)
    p = IntervalProbability(0.9)(t, 1e-4)
    near = margin_notes(t, Thresholds(), Margins())
    assert near[3] and "e_hull" in near[3][0] and not any(near[:3])
    order = p_fast_order(t, p, near)
    # all four share p_fast; row 3 is near the e_hull limit -> last; then BVSE 0.3 < 0.5 < none
    assert list(order) == [2, 1, 0, 3]


def test_higher_p_fast_beats_every_tie_breaker():
    t = _table([-3.0, -2.0], [-6.0, -5.0], [0.0, 1.0], bvse_barrier_eV=[0.1, 0.9],
               Ea_eV=[0.1, 0.9])
    p = IntervalProbability(0.9)(t, 1e-4)
    assert list(p_fast_order(t, p, [[], []])) == [1, 0]


def test_famous_ranks_percentiles():
    from pymatgen.core import Composition

    red = [Composition(f).reduced_formula for f in ("Li10GeP2S12", "Li3InCl6", "LiCl",
                                                      "Li6PS5Cl")]
    assert red[0] == "Li10Ge(PS6)2"  # pymatgen's reduced formula; matched by composition
    t = pd.DataFrame({"reduced_formula": red,
                      "rank": [1, 3, 2, 0], "left_at": ["ranked", "ranked", "ranked", "e_hull"],
                      "p_fast": [0.9, 0.6, 0.7, np.nan],
                      "log10_sigma_mean": [-2.0, -3.0, -2.5, -3.5]})
    ranks = {r["formula"]: r for r in famous_ranks(t)}
    assert set(ranks) == {"Li10GeP2S12", "Li3InCl6", "Li6PS5Cl"}
    assert ranks["Li10GeP2S12"]["rank_pct"] == pytest.approx(100 / 3, abs=0.01)
    assert ranks["Li6PS5Cl"]["rank_pct"] is None and ranks["Li6PS5Cl"]["left_at"] == "e_hull"
    s = famous_summary(t, top=2)
    assert s["median_rank_pct"] == 100.0  # 33.3, 100 (3 of 3), 100 (unranked)
    assert s["top2_median_log10_sigma"] == pytest.approx(-2.25)


def test_reasons_read_as_separate_sentences():
    from superionic.screen.funnel import REASON_SEP, _with_reason_lists
    from superionic.screen.rank import RankingMode, explain

    row = pd.Series({"log10_sigma_mean": -3.0, "log10_sigma_low": -6.0,
                     "log10_sigma_high": 0.0, "p_fast": 0.74, "bvse_barrier_eV": 0.31,
                     "bvse_dim": 3, "Ea_eV": 0.29, "imputed": "imputed:ea;imputed:esw"})
    reasons = explain(row, RankingMode.P_FAST, 1e-4, Thresholds(), ["near limit: gap 1.70 eV"])
    assert reasons[0] == "P(sigma300 >= 0.0001 S/cm) = 0.74"
    assert "predicted sigma300 1.0e-03 S/cm, above the fast threshold" in reasons[1]
    assert "BVSE barrier 0.31 eV (3D network)" in reasons and "near limit: gap 1.70 eV" in reasons
    rows = _with_reason_lists([{"reasons": REASON_SEP.join(reasons)}])
    assert rows[0]["reasons"] == reasons  # the table's joined string splits back exactly


def test_pareto_mode_orders_fronts_then_weighted_score():
    from superionic.screen.funnel import ScreenOptions, _order

    t = pd.DataFrame({"weighted_score": [0.9, 0.1, 0.5, 0.7], "pareto_rank": [2, 1, 1, 0]})
    order = _order(t, np.arange(4), ScreenOptions(ranking="pareto"), [])
    assert list(order) == [2, 1, 0, 3]  # front 1 by score, front 2, unranked (0) last
    weighted = _order(t, np.arange(4), ScreenOptions(ranking="weighted"), [])
    assert list(weighted) == [0, 3, 2, 1]
