"""The funnel on a hand-made pool: stage counts, reason codes, exact vs surrogate windows."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from superionic.config import Thresholds
from superionic.screen import ScreenOptions, csv_pool, run_screen
from superionic.screen.funnel import STAGES

from .util import HAND_POOL, LICL_E_FORM_EV, write_csv

#: Thresholds that let every compound with a window through the ESW stage.
OPEN_ESW = Thresholds(oxidation_min_V=-100.0, reduction_max_V=100.0)


@pytest.fixture()
def hand_pool(tmp_path):
    return csv_pool(write_csv(tmp_path / "pool.csv", HAND_POOL), fill_from_tables=False)


def _screen(pool, predictors, surrogate, licl_entries, thresholds=OPEN_ESW, **kw):
    kw = {"structures_top": 0, "bvse": False, **kw}  # structures and BVSE: test_screen_bvse.py
    return run_screen(pool, predictors, ScreenOptions(thresholds=thresholds, **kw),
                      surrogate=surrogate, entry_sources=licl_entries)


def test_stage_counts_and_reasons(hand_pool, predictors, surrogate, licl_entries):
    res = _screen(hand_pool, predictors, surrogate, licl_entries)
    t = res.table.set_index("reduced_formula")
    assert t.loc["Li2O2", "left_at"] == "e_hull" and t.loc["Li2O2", "reasons"] == "e_hull>0.03"
    assert t.loc["LiBr", "reasons"] == "missing e_hull"
    assert t.loc["LiCoO2", "left_at"] == "band_gap" and t.loc["LiCoO2", "reasons"] == "gap<1.5"
    assert t.loc["LiI", "reasons"] == "missing gap"
    survivors = {"LiCl", "Li3PS4", "Li2S", "Li7P3S11", "Li3InCl6"}
    assert set(t.index[t["left_at"] == "ranked"]) == survivors
    assert res.stages == {"pool": 9, "e_hull": 7, "band_gap": 5, "esw": 5, "predictions": 5,
                          "bvse": 5, "score": 5}
    assert list(res.stages) == list(STAGES)
    # every compound carries reasons: the failed test, or why it ranks where it does
    assert (t["reasons"] != "").all()
    assert all("passes the funnel" in r for r in t.loc[list(survivors), "reasons"])
    assert sorted(t.loc[list(survivors), "rank"]) == [1, 2, 3, 4, 5]
    assert res.reason_counts() == {"e_hull>0.03": 1, "missing e_hull": 1, "gap<1.5": 1,
                                   "missing gap": 1}
    # what the campaign persists: one JSON row per pool compound, with its reasons
    rows = json.loads(json.dumps(res.store_rows()))["screen"]
    assert len(rows) == 9 and {r["left_at"] for r in rows} == {"e_hull", "band_gap", "ranked"}


def test_exact_window_where_entries_cover_else_surrogate(hand_pool, predictors, surrogate,
                                                         licl_entries):
    t = _screen(hand_pool, predictors, surrogate, licl_entries).table.set_index("reduced_formula")
    licl = t.loc["LiCl"]
    assert licl["window_source"] == "exact"
    # LiCl -> Li + 1/2 Cl2 at -E_f / e; stable against Li metal
    assert licl["oxidation_V"] == pytest.approx(-LICL_E_FORM_EV, abs=1e-6)
    assert licl["reduction_V"] == pytest.approx(0.0, abs=1e-9)
    assert licl["oxidation_V_low"] == licl["oxidation_V_high"] == licl["oxidation_V"]
    for f in ("Li3PS4", "Li2S", "Li7P3S11", "Li3InCl6"):
        row = t.loc[f]
        assert row["window_source"] == "ML surrogate"
        half = row["oxidation_V_high"] - row["oxidation_V"]  # the same for every compound
        assert half == pytest.approx(t.loc["Li3PS4", "oxidation_V_high"]
                                     - t.loc["Li3PS4", "oxidation_V"]) and half > 0
        # symmetric, but no limit below the metal's own potential (0 V)
        assert row["oxidation_V_low"] == pytest.approx(max(row["oxidation_V"] - half, 0.0))
        assert row["reduction_V_low"] >= 0.0
        assert row["esw_width_V"] == pytest.approx(max(row["oxidation_V"] - row["reduction_V"], 0))
    # compounds that left before the ESW stage get no window
    assert math.isnan(t.loc["Li2O2", "reduction_V"])


def test_esw_thresholds_are_settings(hand_pool, predictors, surrogate, licl_entries):
    thr = Thresholds(oxidation_min_V=4.5, reduction_max_V=100.0)
    res = _screen(hand_pool, predictors, surrogate, licl_entries, thresholds=thr)
    t = res.table.set_index("reduced_formula")
    assert t.loc["LiCl", "left_at"] == "esw"
    assert t.loc["LiCl", "reasons"] == "oxidation<4.5"
    cut = (t["left_at"] == "esw").sum()
    assert res.stages["esw"] == res.stages["band_gap"] - cut
    # every compound cut at the ESW stage has oxidation below the threshold, the rest above
    reached = t[t["left_at"].isin(["esw", "ranked"])]
    assert ((reached["oxidation_V"] < 4.5) == (reached["left_at"] == "esw")).all()


def test_looser_hull_threshold_lets_more_through(hand_pool, predictors, surrogate, licl_entries):
    thr = Thresholds(e_above_hull_max_eV_per_atom=0.15, oxidation_min_V=-100,
                     reduction_max_V=100)
    res = _screen(hand_pool, predictors, surrogate, licl_entries, thresholds=thr)
    assert res.stages["e_hull"] == 8  # Li2O2 (0.1 eV/atom) now passes
    counts = list(res.stages.values())
    assert counts == sorted(counts, reverse=True)


def test_intervals_bracket_the_predictions(hand_pool, predictors, surrogate, licl_entries):
    ranked = _screen(hand_pool, predictors, surrogate, licl_entries, level=0.9).ranked
    for stem in ("log10_sigma", "Ea_eV"):
        mean = ranked[f"{stem}_mean" if stem == "log10_sigma" else stem]
        assert (ranked[f"{stem}_low"] <= mean).all() and (mean <= ranked[f"{stem}_high"]).all()
    np.testing.assert_allclose(ranked["sigma_S_cm"], 10 ** ranked["log10_sigma_mean"])
    # the sigma percentile over the pool is over every featurised compound (9 here)
    assert ranked["sigma_pool_percentile"].between(100 / 9 - 1e-9, 100).all()


def test_options_from_settings_toml(tmp_path):
    from superionic.config import load_settings
    from superionic.screen import Weights

    (tmp_path / "s.toml").write_text("[thresholds]\nband_gap_min_eV = 3.0\n"
                                     "[weights]\nsigma = 2.0\nsigma_e = 0.0\n")
    opts = ScreenOptions.from_settings(load_settings(tmp_path / "s.toml"), level=0.8)
    assert opts.thresholds.band_gap_min_eV == 3.0
    assert opts.thresholds.e_above_hull_max_eV_per_atom == 0.03  # default kept
    assert opts.weights == Weights(2.0, 1.0, 1.0, 0.0) and opts.level == 0.8
