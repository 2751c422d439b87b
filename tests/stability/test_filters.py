"""Hull / band-gap filters: inclusive thresholds, reason codes, missing values, vector form."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from superionic.config import Thresholds
from superionic.records import Material
from superionic.stability.filters import filter_frame, filter_materials, stability_reasons


def _m(name: str, e_hull: float | None, gap: float | None) -> Material:
    return Material(name, name, e_above_hull_eV_per_atom=e_hull, band_gap_eV=gap)


def test_reasons_follow_the_default_thresholds() -> None:
    mats = [
        _m("LiCl", 0.0, 6.4),        # stable insulator: kept
        _m("Li3ClO", 0.028, 5.0),    # metastable within 0.03 eV/atom: kept
        _m("edge", 0.03, 1.5),       # both on the bound: kept (bounds are inclusive)
        _m("unstable", 0.031, 3.0),
        _m("metal", 0.0, 0.2),
        _m("both", 0.5, 1.0),
        _m("nohull", None, 3.0),
        _m("nangap", 0.0, math.nan),
    ]
    res = filter_materials(mats)
    assert [m.formula for m in res.kept] == ["LiCl", "Li3ClO", "edge"]
    reasons = {m.formula: r for m, r in res.dropped}
    assert reasons == {
        "unstable": ("e_hull>0.03",),
        "metal": ("gap<1.5",),
        "both": ("e_hull>0.03", "gap<1.5"),
        "nohull": ("missing e_hull",),
        "nangap": ("missing gap",),
    }
    assert res.reason_counts["gap<1.5"] == 2


def test_custom_thresholds_change_decision_and_code() -> None:
    thr = Thresholds(e_above_hull_max_eV_per_atom=0.1, band_gap_min_eV=3.0)
    assert stability_reasons(_m("x", 0.05, 2.0), thr) == ("gap<3",)
    assert stability_reasons(_m("x", 0.05, 2.0), thr, check_gap=False) == ()


def test_frame_filter_agrees_with_record_filter() -> None:
    rng = np.random.default_rng(0)
    e = rng.uniform(0, 0.06, 300)
    g = rng.uniform(0, 3, 300)
    e[::17] = np.nan
    g[::23] = np.nan
    df = pd.DataFrame({"e_above_hull_eV_per_atom": e, "band_gap_eV": g})
    vec = filter_frame(df)
    mats = [_m(str(i), None if np.isnan(a) else float(a), None if np.isnan(b) else float(b))
            for i, (a, b) in enumerate(zip(e, g, strict=True))]
    one = ["; ".join(stability_reasons(m)) for m in mats]
    assert vec.tolist() == one
    assert (vec == "").sum() == len(filter_materials(mats).kept)
