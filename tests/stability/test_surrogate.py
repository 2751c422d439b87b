"""ML surrogate of the window limits on the Wang 2024 ESW set (group split by chemical system)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pymatgen.core import Composition

from superionic.stability.surrogate import (
    SURROGATE_SOURCE,
    TARGETS,
    WindowSurrogate,
    fill_missing_windows,
    fit_window_surrogate,
    load_wang_esw,
)
from superionic.stability.window import WindowError, WindowResult


@pytest.fixture(scope="module")
def surrogate(data_dir) -> WindowSurrogate:
    return fit_window_surrogate(mobile_ion="Li", data_dir=data_dir, seed=0)


def test_rows_per_mobile_ion_match_the_data_set_description(data_dir) -> None:
    # esw_wang2024/SOURCE.md: 712 rows contain Li; the others Na (386), K (86), ...
    counts = {ion: len(load_wang_esw(ion, data_dir)) for ion in ("Li", "Na", "K")}
    assert counts == {"Li": 712, "Na": 386, "K": 86}


def test_split_keeps_chemical_systems_apart(surrogate) -> None:
    systems = lambda fs: {Composition(f).chemical_system for f in fs}  # noqa: E731
    reduced = lambda fs: {Composition(f).reduced_formula for f in fs}  # noqa: E731
    assert not systems(surrogate.train_formulas) & systems(surrogate.test_formulas)
    assert not reduced(surrogate.train_formulas) & reduced(surrogate.test_formulas)
    assert len(surrogate.train_formulas) + len(surrogate.test_formulas) == 712


@pytest.mark.parametrize("target", TARGETS)
def test_held_out_error_beats_the_mean_predictor(surrogate, target) -> None:
    m = surrogate.metrics[target]
    assert m["n_test"] > 100
    assert m["mae_V"] < 0.8 * m["mean_predictor_mae_V"]
    assert m["r2"] > 0.3


def test_predictions_table_and_bad_rows(surrogate) -> None:
    out = surrogate.predict_window(["Li2O", "Li(", "LiHe", "Li7La3Zr2O12"])
    assert list(out.columns) == ["formula", "reduction_V", "oxidation_V", "width_V", "source",
                                 "error"]
    assert (out["source"] == SURROGATE_SOURCE).all()
    assert out.loc[1, "error"] and out.loc[2, "error"]            # malformed, no oxidation state
    assert out.loc[[1, 2], "reduction_V"].isna().all()
    good = out.loc[[0, 3]]
    assert np.isfinite(good[["reduction_V", "oxidation_V"]].to_numpy()).all()
    assert (good["width_V"] == (good["oxidation_V"] - good["reduction_V"]).clip(lower=0)).all()


def test_surrogate_fills_only_compounds_without_hull_data(surrogate, mp_source) -> None:
    from superionic.stability.window import compute_windows

    res = compute_windows(["LiCl", "Li3InCl6", "Li("], mp_source)
    filled = fill_missing_windows(res, surrogate)
    assert filled[0] == res[0]                                    # exact result untouched
    assert isinstance(filled[1], WindowResult) and filled[1].source == SURROGATE_SOURCE
    assert isinstance(filled[2], WindowError)                     # malformed stays an error


def test_custom_training_table(data_dir) -> None:
    data = load_wang_esw("Na", data_dir)
    s = fit_window_surrogate(pd.DataFrame(data), mobile_ion="Na", max_iter=100)
    m = s.metrics["reduction_V"]
    assert m["n_train"] + m["n_test"] == len(data)
    assert m["mae_V"] < m["mean_predictor_mae_V"]
