"""A small campaign store written the way the campaign layer writes one (stage rows + stage_runs
marks with the keys of /work CONTRACTS: screen candidates, MD verdicts and bounds, model metrics),
for the report tests and bench/report_screenshots.py. The numbers are test inputs, not results:
the report must show what the store says, nothing more."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from superionic.store import Store
from superionic.transport import fit_arrhenius, plots

SETTINGS = {"mobile_ion": "Li", "seed": 0,
            "thresholds": {"e_above_hull_max_eV_per_atom": 0.03, "band_gap_min_eV": 1.5,
                           "esw_width_min_V": 0.0, "oxidation_min_V": 0.0,
                           "reduction_max_V": 5.0},
            "weights": {"sigma": 1.0, "esw": 1.0, "ea": 1.0, "sigma_e": 1.0},
            "data_dir": "/data"}

# (formula, material_id, log10 sigma mean, p_fast, Ea_eV, esw low/high V, window source,
#  bvse barrier eV, bvse dim)
RANKED = [
    ("Li3YCl6", "mp-1211019", -3.3, 0.71, 0.38, 0.62, 4.21, "exact", 0.31, 3),
    ("Li10GeP2S12", "mp-696138", -2.1, 0.93, 0.24, 1.71, 2.14, "exact", 0.22, 3),
    ("Li3InCl6", "mp-676109", -3.0, 0.78, 0.35, 2.38, 4.26, "exact", 0.33, 3),
    ("Li2ZrCl6", "mp-1018153", -3.6, 0.55, 0.41, 0.88, 4.04, "surrogate", None, None),
    ("Li6PS5Cl", "mp-985592", -2.8, 0.86, 0.29, 1.71, 2.01, "exact", 0.25, 3),
    ("Li3ScCl6", "mp-1222391", -3.9, 0.44, 0.43, 0.91, 4.25, "exact", 0.39, 3),
    ("LiAlCl4", "mp-22983", -5.6, 0.08, 0.52, 1.68, 4.36, "exact", 0.61, 2),
    ("Li2MgCl4", "mp-29008", -6.4, 0.02, 0.61, 0.35, 4.28, "surrogate", 0.72, 3),
    ("Li3PS4", "mp-985583", -4.2, 0.32, 0.40, 1.71, 2.31, "exact", 0.35, 3),
    ("LiTaCl6", None, -4.6, 0.22, 0.47, 2.10, 4.30, "surrogate", None, None),
    ("Li5La3Ta2O12", "mp-17997", -5.9, 0.05, 0.55, 0.05, 3.90, "exact", 0.66, 3),
    ("Li2SO4", "mp-4556", -8.9, 0.0, 0.95, 0.70, 4.50, "exact", 1.10, 2),
]
REMOVED = [
    ("Li3N", "mp-2251", "band_gap", ["band gap 1.1 eV < 1.5 eV: electronic conductor risk"]),
    ("Li7P3S11", "mp-641703", "e_hull", ["0.05 eV/atom above the hull (> 0.03)"]),
    ("LiCoO2", "mp-22526", "band_gap", ["band gap 0.9 eV < 1.5 eV"]),
]
LABELS = [  # (formula, log10 sigma / S cm^-1, censor)
    ("Li10GeP2S12", -1.92, None), ("Li3YCl6", -3.29, None), ("Li3InCl6", -2.82, None),
    ("Li6PS5Cl", -2.72, None), ("Li3PS4", -3.80, None), ("Li7La3Zr2O12", -3.52, None),
    ("Li3N", -3.22, None), ("Li3YBr6", -2.77, None), ("Li2ZrCl6", -3.09, None),
    ("Li2SO4", -8.0, "upper"), ("Li3ErCl6", -3.48, None), ("LiI", -6.9, None),
]


def _line_plot(path: Path, xlabel: str, ylabel: str, curve: np.ndarray) -> str:
    fig = Figure(figsize=(4.2, 3.2), dpi=90)
    ax = fig.subplots()
    ax.plot(np.arange(len(curve)), curve, "o-", ms=3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    fig.savefig(path)
    return str(path)


def _map_plot(path: Path) -> str:
    fig = Figure(figsize=(4.2, 3.2), dpi=90)
    ax = fig.subplots()
    r, t = np.meshgrid(np.linspace(0, 6, 60), np.linspace(0.05, 2, 40))
    ax.pcolormesh(r, t, np.exp(-(r - 2.5 * np.sqrt(t)) ** 2), shading="auto")
    ax.set_xlabel("r (Å)")
    ax.set_ylabel("t (ps)")
    fig.tight_layout()
    fig.savefig(path)
    return str(path)


def _put(store: Store, stage: str, summary: dict, artefacts: dict, rows: dict | None = None,
         params: dict | None = None) -> None:
    prov = {"stage": stage, "input_hash": f"{stage}-hash-0123456789abcdef",
            "params": params or {}, "settings": SETTINGS}
    for table, payloads in (rows or {}).items():
        store.put(table, payloads, prov, stage=stage)
    store.put("stage_runs", [{"stage": stage, "input_hash": prov["input_hash"], "status": "done",
                              "summary": summary, "artefacts": artefacts, "seconds": 12.3}],
              prov, stage=stage, formula_key="none")


def build_store(root: Path, campaign: str = "fixture") -> Store:
    """A store under ``root`` with every stage of a campaign (data, models, screen, md, active);
    plots are real PNG files under ``root/plots``."""
    root.mkdir(parents=True, exist_ok=True)
    plots_dir = root / "plots"
    plots_dir.mkdir(exist_ok=True)
    store = Store(f"sqlite:///{root / 'campaign.db'}", campaign=campaign)

    labels = [{"formula": f, "log10_sigma_S_cm": y, "censor": c, "datasets": ["obelix"],
               "n_sources": 1} for f, y, c in LABELS]
    _put(store, "data", {
        "n_label_compositions": len(labels), "n_censored": 1, "n_with_Ea": 4,
        "data_sets": [{"name": "obelix", "rows": 599, "parsed": 598, "rejected": 1,
                       "licence": "CC BY 4.0"},
                      {"name": "liverpool_ionics", "rows": 820, "parsed": 815, "rejected": 5,
                       "licence": "CC BY 4.0"}]}, {}, {"labels": labels})

    rng = np.random.default_rng(0)
    metrics, figs = [], {}
    for split, label in (("obelix", "OBELiX official"), ("group", "group K-fold (composition + "
                                                                   "family)"),
                         ("random", "random (paper-style, optimistic)")):
        for model, mae in (("rf", 1.05), ("lgbm", 1.12), ("mean", 1.71)):
            mae = mae * (0.8 if split == "random" else 1.0)
            metrics.append({"model": model, "split": split, "split_label": label, "mae": mae,
                            "mae_uncensored": mae * 1.02, "r2": 1 - mae / 1.8,
                            "spearman": 0.8 - mae / 4, "coverage_90": 0.88, "n_train": 480,
                            "interval_width_90": 3.4 * mae, "censored_as": "upper bound",
                            "censored_bound_respected": 0.93, "n_test": 120, "seconds": 4.2,
                            "params": [{}] if model == "mean" else [{"n_estimators": 300}]})
        figs[f"parity_{split}_rf"] = _line_plot(plots_dir / f"parity_{split}_rf.png",
                                                "measured log10 σ", "predicted log10 σ",
                                                rng.normal(size=20).cumsum())
    figs["shap_rf"] = _line_plot(plots_dir / "shap_rf.png", "feature", "mean |SHAP|",
                                 np.sort(rng.random(12))[::-1])
    figs["heatmap"] = _map_plot(plots_dir / "heatmap.png")
    _put(store, "models", {"target": "log10_sigma", "unit": "log10(S/cm)", "n_rows": 601,
                           "best_model": "rf",
                           "best": {"model": "rf", "split": "obelix",
                                    "split_label": "OBELiX official",
                                    "params": [{"n_estimators": 300}]},
                           "metrics": metrics, "interval_coverage": []}, figs,
         {"predictions": [dict(m, formula=None) for m in metrics]},
         params={"models": ["rf", "lgbm", "mean"], "splits": ["obelix", "group", "random"]})

    rows = []
    for rank, (f, mid, ls, pf, ea, lo, hi, ws, bv, dim) in enumerate(RANKED, start=1):
        rows.append({"formula": f, "reduced_formula": f, "rank": rank, "score": 2.0 - 0.15 * rank,
                     "log10_sigma_mean": ls, "log10_sigma_low": ls - 1.6,
                     "log10_sigma_high": ls + 1.6, "p_fast": pf, "Ea_eV": ea,
                     "esw_low_V": lo, "esw_high_V": hi, "esw_width_V": hi - lo,
                     "window_source": ws, "bvse_barrier_eV": bv, "bvse_dim": dim,
                     "material_id": mid, "source_id": mid or "substitution-42",
                     "structure_source": f"MP fixture {mid}" if mid else
                     "prototype substitution from Li3YCl6",
                     "e_hull_eV_atom": 0.004 * rank, "band_gap_eV": 4.0 + 0.1 * rank,
                     "sigma_e_S_cm": 1.457e-35, "left_at": "ranked",
                     "reasons": [f"predicted σ in the top {rank * 3} % of the pool",
                                 "wide window" if hi - lo > 2 else "narrow window"]})
    for f, mid, stage, why in REMOVED:
        rows.append({"formula": f, "reduced_formula": f, "rank": 0, "score": None,
                     "material_id": mid, "left_at": stage, "reasons": why,
                     "log10_sigma_mean": -3.0, "sigma_e_S_cm": 1e-40})
    _put(store, "screen", {"pool_size": 1240,
                           "stages": {"pool": 1240, "e_hull": 402, "band_gap": 233, "esw": 151,
                                      "predictions": 151, "score": 151},
                           "reasons": {"e_hull>0.03": 838, "band_gap<1.5": 169,
                                       "oxidation<0": 82},
                           "candidates": rows[:10], "n_rejected_rows": 0},
         {"pareto": _line_plot(plots_dir / "pareto.png", "ESW (V)", "log10 σ",
                               rng.random(15))},
         {"screen": rows}, params={"top": 50})

    md_dir = plots_dir / "md"
    md_dir.mkdir(exist_ok=True)
    T = np.array([800.0, 1000.0, 1300.0])
    D = 1e-3 * np.exp(-0.30 / (8.617e-5 * T))
    fit = fit_arrhenius(T, D, errors=0.1 * D, form="D")
    arr = md_dir / "Li3YCl6-arrhenius.png"
    plots.plot_arrhenius(fit, path=arr)
    md = [
        {"formula": "Li3YCl6", "structure_source": "MP fixture mp-1211019", "potential": "CHGNet",
         "n_atoms": 80, "verdict": "arrhenius", "verdict_reasons": [],
         "Ea_eV": fit.Ea_eV, "Ea_err_eV": fit.Ea_err_eV, "sigma300_S_cm": 3.1e-4,
         "sigma300_low_S_cm": 4e-5, "sigma300_high_S_cm": 2.2e-3,
         "temperatures": [{"temperature_K": float(t), "time_ps": 20.0, "status": "significant",
                           "D_cm2_s": float(d), "D_err_cm2_s": float(0.1 * d),
                           "sigma_S_cm": float(d) * 4e2} for t, d in zip(T, D, strict=True)],
         "plots": {"arrhenius": str(arr),
                   "msd": _line_plot(md_dir / "Li3YCl6-msd.png", "t (ps)", "MSD (Å²)",
                                     np.linspace(0, 30, 30)),
                   "vanhove": _map_plot(md_dir / "Li3YCl6-vanhove.png")}},
        {"formula": "Li3InCl6", "structure_source": "MP fixture mp-676109", "potential": "CHGNet",
         "n_atoms": 80, "verdict": "no diffusion",
         "verdict_reasons": ["no temperature with D > 2 errors in 10 ps"],
         "Ea_eV": None, "sigma300_S_cm": None, "sigma300_upper_S_cm": 2e-6,
         "temperatures": [{"temperature_K": 1000.0, "time_ps": 10.0, "status": "bound",
                           "D_cm2_s": None, "D_upper_cm2_s": 3e-7, "sigma_S_cm": None},
                          {"temperature_K": 1300.0, "time_ps": 10.0, "status": "bound",
                           "D_cm2_s": None, "D_upper_cm2_s": 8e-7, "sigma_S_cm": None}],
         "plots": {"arrhenius": None,
                   "msd": _line_plot(md_dir / "Li3InCl6-msd.png", "t (ps)", "MSD (Å²)",
                                     np.linspace(0, 1, 30)),
                   "vanhove": _map_plot(md_dir / "Li3InCl6-vanhove.png")}},
        {"formula": "Li10GeP2S12", "structure_source": "MP fixture mp-696138",
         "potential": "CHGNet", "n_atoms": 100, "verdict": "molten",
         "verdict_reasons": ["S and P flow at 1300 K: the framework melted"],
         "temperatures": [{"temperature_K": 1300.0, "time_ps": 10.0, "status": "molten",
                           "D_cm2_s": None}],
         "plots": {"arrhenius": None, "msd": None, "vanhove": None}},
    ]
    _put(store, "md", {"md": md, "note": None, "skipped": [
        {"formula": "Li2ZrCl6", "structure_source": "MP fixture mp-1018153",
         "reason": "no ordered supercell of 40-110 atoms"}],
        "protocol": {"temperatures_K": [800.0, 1000.0, 1300.0], "equil_ps": 2.0,
                     "prod_ps": 20.0, "timestep_fs": 2.0, "potential": "CHGNet"}}, {},
        {"md_runs": [{"formula": e["formula"]} for e in md]})

    label_file = root / "labels.csv"
    _put(store, "active", {"round": 1, "n_labelled": 612, "acquisition": "ucb",
                           "batch": [{"formula": f, "ucb": 1.2 - 0.1 * i, "status": "pending"}
                                     for i, f in enumerate(["Li3ScCl6", "LiTaCl6", "Li2MgCl4",
                                                            "LiAlCl4", "Li5La3Ta2O12"])],
                           "label_file": str(label_file)},
         {"al_curve": _line_plot(plots_dir / "al_curve.png", "round", "found conductors",
                                 np.arange(10.0))})
    return store
