"""A second run of the same pool reads features and windows back instead of recomputing."""

from __future__ import annotations

import pandas as pd

import superionic.screen.features as features_mod
import superionic.screen.windows as windows_mod
from superionic.screen import ScreenCache, ScreenOptions, csv_pool, run_screen

from .util import HAND_POOL, write_csv

#: Structures and BVSE have their own cache (tests/screen/test_screen_bvse.py).
NO_STRUCT = ScreenOptions(structures_top=0, bvse=False)


def test_second_run_reuses_caches(tmp_path, monkeypatch, predictors, surrogate, licl_entries):
    calls = {"features": 0, "exact": 0, "surrogate": 0}

    def counting(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(features_mod, "_composition_rows",
                        counting("features", features_mod._composition_rows))
    monkeypatch.setattr(windows_mod, "_exact_windows",
                        counting("exact", windows_mod._exact_windows))
    monkeypatch.setattr(windows_mod, "_surrogate_rows",
                        counting("surrogate", windows_mod._surrogate_rows))
    pool = csv_pool(write_csv(tmp_path / "pool.csv", HAND_POOL), fill_from_tables=False)

    first = run_screen(pool, predictors, NO_STRUCT, cache=ScreenCache(tmp_path / "c"), surrogate=surrogate,
                       entry_sources=licl_entries)
    assert calls == {"features": 1, "exact": 1, "surrogate": 1}
    assert first.cache_stats["features"] == {"hits": 0, "misses": 9}

    second = run_screen(pool, predictors, NO_STRUCT, cache=ScreenCache(tmp_path / "c"),
                        surrogate=surrogate, entry_sources=licl_entries)
    assert calls == {"features": 1, "exact": 1, "surrogate": 1}  # nothing recomputed
    assert second.cache_stats["features"] == {"hits": 9, "misses": 0}
    assert second.cache_stats["windows"]["misses"] == 0
    cols = ["reduced_formula", "score", "rank", "reduction_V", "oxidation_V", "oxidation_V_high",
            "log10_sigma_mean", "Ea_eV"]
    pd.testing.assert_frame_equal(first.table[cols], second.table[cols])

    # a pool with one new compound computes only that one
    more = csv_pool(write_csv(tmp_path / "more.csv", [*HAND_POOL, {
        "formula": "Li3YBr6", "e_above_hull_eV_per_atom": 0.0, "band_gap_eV": 4.1}]),
        fill_from_tables=False)
    third = run_screen(more, predictors, NO_STRUCT, cache=ScreenCache(tmp_path / "c"), surrogate=surrogate,
                       entry_sources=licl_entries)
    assert third.cache_stats["features"] == {"hits": 9, "misses": 1}
    assert third.cache_stats["windows"] == {"hits": 5, "misses": 1}
