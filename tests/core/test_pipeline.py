"""Pieces of the main job that need no trained model: structure picks and the replay curve."""

from __future__ import annotations

import numpy as np

from superionic.pipeline import Budget, candidate_structures, retrospective_curve


def test_candidate_structures_prefer_the_mp_ground_state_then_the_library(data_dir) -> None:
    picks = candidate_structures(["NoSuchLi9X", "Li3ClO", "Li10GeP2S12", "LiCl"], data_dir, 2)
    assert [p[0] for p in picks] == ["Li3ClO", "Li10GeP2S12"]
    assert picks[0][2] == "MP fixture mp-985585"  # the MP fixture's Li3ClO
    assert picks[1][2] == "structure library"  # no Ge in the fixture (CONTRACTS.md wording)
    assert picks[0][1].composition.reduced_formula == "Li3ClO"


def test_replay_curve_finds_conductors_faster_when_the_features_predict_them() -> None:
    """A pool where log10 sigma is a smooth function of one feature: UCB must find the
    conductors (>= 1 mS/cm) much faster than random picking, and the curve is monotone."""
    rng = np.random.default_rng(0)
    n = 400
    x = rng.uniform(0, 1, n)
    X = np.column_stack([x, rng.normal(size=n)])  # one informative, one noise feature
    labels = {f"c{i}": float(-8 + 6 * x[i]) for i in range(n)}  # >= -3 when x >= 5/6
    ids = list(labels)
    rows = retrospective_curve(X, ids, labels, Budget(al_curve_rounds=4, al_curve_batch=10), 0)
    found = {s: [r["found_fraction"] for r in rows if r["strategy"] == s]
             for s in ("ucb", "random")}
    assert [r["n_queried"] for r in rows if r["strategy"] == "ucb"] == [10, 20, 30, 40]
    assert all(np.diff(found["ucb"]) >= 0) and all(np.diff(found["random"]) >= 0)
    n_good = sum(v >= -3 for v in labels.values())  # ~1/6 of the pool
    # 40 random picks hit ~40/6 conductors; UCB's picks are mostly conductors
    assert found["random"][-1] * n_good < 15
    assert found["ucb"][-1] * n_good >= 25 and found["ucb"][-1] >= 2.5 * found["random"][-1]


def test_md_candidates_skip_a_structure_without_an_md_cell_and_go_on() -> None:
    """Cubic LLZO (192 atoms, fractional Li) has no integral ordering in a 40-110 atom cell: it is
    reported and skipped, and the next candidate takes its place (the campaign never dies on one
    compound)."""
    from superionic.defects.library import get_structure
    from superionic.pipeline import prepare_candidates

    picks = [("Li7La3Zr2O12", get_structure("LLZO"), "library"),
             ("Li3ClO", get_structure("Li3ClO"), "library"),
             ("Li2S", get_structure("Li2S"), "library")]
    cells, skipped = prepare_candidates(picks, Budget(md_candidates=1), seed=0)
    assert [c[0] for c in cells] == ["Li3ClO"]
    assert len(cells[0][1]) == 40  # 2x2x2 of the 5-atom cubic cell
    assert [s["formula"] for s in skipped] == ["Li7La3Zr2O12"]
    assert "not integral" in skipped[0]["reason"]


def test_report_figures_put_the_best_model_first() -> None:
    from superionic.pipeline import report_figures

    paths = [f"/m/parity_{sp}_{m}.png" for sp in ("obelix", "group", "random")
             for m in ("mean", "rf", "knn")] + ["/m/shap_log10_sigma_rf.png",
                                                  "/m/pearson_log10_sigma.png"]
    figs = report_figures(paths, "rf")
    assert list(figs)[:5] == ["parity_obelix_rf", "parity_group_rf", "parity_random_rf",
                              "shap_log10_sigma_rf", "pearson_log10_sigma"]
    assert list(figs)[5:] == ["parity_obelix_mean", "parity_obelix_knn"]
    assert figs["parity_group_rf"] == "/m/parity_group_rf.png"
