"""Pieces of the main job that need no trained model: structure picks and the replay curve."""

from __future__ import annotations

import json

import numpy as np

from superionic.active.replay import plot_retrospective_curve, retrospective_curve
from superionic.pipeline import Budget, candidate_structures


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
    rows = retrospective_curve(X, ids, labels, rounds=4, batch_size=10, seed=0)
    found = {s: [r["found_fraction"] for r in rows if r["strategy"] == s]
             for s in ("ucb", "random")}
    assert [r["n_queried"] for r in rows if r["strategy"] == "ucb"] == [10, 20, 30, 40]
    assert all(np.diff(found["ucb"]) >= 0) and all(np.diff(found["random"]) >= 0)
    n_good = sum(v >= -3 for v in labels.values())  # ~1/6 of the pool
    # 40 random picks hit ~40/6 conductors; UCB's picks are mostly conductors
    assert found["random"][-1] * n_good < 15
    assert found["ucb"][-1] * n_good >= 25 and found["ucb"][-1] >= 2.5 * found["random"][-1]
    fig = plot_retrospective_curve(rows)  # Figure API: the plotted points are the curve's
    (ax,) = fig.axes
    assert [ln.get_label() for ln in ax.lines] == ["ucb", "random"]
    assert list(ax.lines[0].get_ydata()) == found["ucb"]


def test_md_candidates_skip_a_structure_without_an_md_cell_and_go_on(tmp_path) -> None:
    """Cubic LLZO's smallest ordered cell (the 96-atom primitive cell) does not fit the
    campaign's 40-80 atom MD cells: it is reported and skipped, and the next candidate takes its
    place (the campaign never dies on one compound)."""
    from superionic.defects.library import get_structure
    from superionic.pipeline import prepare_candidates

    picks = [("Li7La3Zr2O12", get_structure("LLZO"), "library"),
             ("Li3ClO", get_structure("Li3ClO"), "library"),
             ("Li2S", get_structure("Li2S"), "library")]
    cells, skipped = prepare_candidates(picks, Budget(md_candidates=1), 0, tmp_path)
    assert [c[0] for c in cells] == ["Li3ClO"]
    # cached where the stage's runs of the default potential look for it (prepared once)
    prepared = (tmp_path / "sevennet" / "Li3ClO" / "prepared.cif").read_text()
    assert "Li24" in prepared.replace(" ", "") or "Li3ClO" in prepared  # 2x2x2 of 5 atoms
    assert [s["formula"] for s in skipped] == ["Li7La3Zr2O12"]
    assert "96 atoms, above the atom range 40-80" in skipped[0]["reason"]


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


def test_stage_active_runs_the_active_loop_job_and_leaves_the_batch_pending(tmp_path,
                                                                             data_dir) -> None:
    """discover's active stage calls superionic.active.job.ActiveLoop: one UCB round over the
    labelled + screened compounds; with no measurements yet the batch is pending, it holds only
    unlabelled compounds, and the round's training set is exactly the known labels."""
    import math

    import pandas as pd

    from superionic.campaign import Context
    from superionic.config import Settings
    from superionic.pipeline import stage_active
    from superionic.store import Store

    df = pd.read_csv(data_dir / "obelix" / "all.csv")
    df["sigma"] = pd.to_numeric(df["Ionic conductivity (S cm-1)"], errors="coerce")
    df = df.dropna(subset=["sigma"]).drop_duplicates("Reduced Composition").head(60)
    formulas = df["Reduced Composition"].tolist()
    known, screened = formulas[:40], formulas[40:]
    store = Store(f"sqlite:///{tmp_path / 'c.db'}", campaign="t")
    store.put("labels", [{"formula": f, "log10_sigma_S_cm": math.log10(v), "censor": None}
                         for f, v in zip(known, df["sigma"][:40], strict=True)], {}, stage="data")
    store.put("screen", [{"formula": f, "rank": i + 1} for i, f in enumerate(screened)], {},
              stage="screen")
    (tmp_path / "ws").mkdir()
    ctx = Context(settings=Settings(data_dir=data_dir, workspace=tmp_path / "ws"), store=store)
    out = stage_active(ctx, Budget(al_batch=3, al_curve_rounds=2, al_curve_batch=4))
    batch = out.summary["batch"]
    assert len(batch) == 3 and all(b["status"] == "pending" for b in batch)
    assert not {b["formula"] for b in batch} & set(known)
    (row,) = out.rows["al_rounds"]
    assert {i for i, _ in row["train"]} <= set(known) and len(row["train"]) >= 35
    assert [r["n_queried"] for r in out.summary["retrospective_curve"]] == [4, 8, 4, 8]
    assert (tmp_path / "ws" / "active" / "al_curve.png").read_bytes()[:4] == b"\x89PNG"
    store.close()


def _tethered() -> object:
    """Li free (Brownian under Langevin), every other atom on a spring to its start: a solid
    framework with a liquid-like Li sublattice, cheap enough for a stage test."""
    import numpy as np
    from ase.calculators.calculator import Calculator, all_changes

    class Tethered(Calculator):
        implemented_properties = ["energy", "forces"]
        sites = None

        def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
            super().calculate(atoms, properties, system_changes)
            pos = self.atoms.get_positions()
            if self.sites is None:
                self.sites = pos.copy()
            tied = np.array([s != "Li" for s in self.atoms.get_chemical_symbols()])
            d = (pos - self.sites) * tied[:, None]
            self.results = {"energy": 2.5 * float(np.sum(d * d)), "forces": -5.0 * d}

    return Tethered()


def test_md_stage_reports_the_contract_keys_and_a_budget_verdict(tmp_path, data_dir) -> None:
    """discover's MD stage is one call of the MD workflow per candidate: the summary carries the
    contract keys, the budget ends the ladder early and the verdict says so, with a bound."""
    from superionic.campaign import Context
    from superionic.config import load_settings
    from superionic.pipeline import discover_md_protocol, stage_md

    settings = load_settings(workspace=tmp_path, data_dir=data_dir)
    ctx = Context(settings=settings, summaries={"screen": {"candidates": [{"formula": "Li3ClO"}]}})
    proto = discover_md_protocol(potential=_tethered, timestep_fs=5.0, equil_ps=0.05,
                                 segment_ps=0.3, max_ps_per_temperature=0.3, max_total_ps=0.7,
                                 thermostat="langevin", friction_per_ps=50.0, relax_steps=0)
    out = stage_md(ctx, Budget(md_candidates=1, md_protocol=proto))
    (entry,) = out.summary["md"]
    assert set(out.summary) >= {"md", "note", "skipped", "protocol"}
    for key in ("formula", "structure_source", "potential", "n_atoms", "verdict",
                "verdict_reasons", "Ea_eV", "Ea_err_eV", "sigma300_S_cm", "sigma300_low_S_cm",
                "sigma300_high_S_cm", "sigma300_upper_S_cm", "temperatures", "plots"):
        assert key in entry, key
    assert entry["formula"] == "Li3ClO" and entry["n_atoms"] == 40
    # 0.7 ps of budget buys two temperatures (0.35 ps each) of the 1300..700 K ladder
    assert [t["temperature_K"] for t in entry["temperatures"]] == [1100.0, 1300.0]
    assert entry["verdict"] == "inconclusive (budget)" and entry["Ea_eV"] is None
    assert entry["sigma300_S_cm"] is None and entry["sigma300_upper_S_cm"] > 0
    for t in entry["temperatures"]:
        assert t["status"] in ("significant", "bound", "molten")
        assert (t["D_cm2_s"] is None) == (t["status"] != "significant")
    assert entry["plots"]["msd"] and entry["plots"]["arrhenius"] is None
    assert set(out.artefacts) == {"Li3ClO-msd", "Li3ClO-vanhove"}
    # one folder per potential, holding the cell, the runs and the plots, stamped with the name
    folder = tmp_path / "md" / "_tethered" / "Li3ClO"
    assert json.loads((folder / "potential.json").read_text()) == {"potential": "_tethered"}
    assert {p.name for p in folder.iterdir()} >= {"prepared.cif", "T1300K", "T1100K", "msd.png"}
    assert not (tmp_path / "md" / "Li3ClO").exists()
