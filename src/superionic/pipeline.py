"""The main job's stages: data -> models -> screen -> MD -> one active-learning round.

Each stage is a plain function of the campaign :class:`~superionic.campaign.Context` returning a
:class:`~superionic.campaign.StageOutput` (rows for the store, a JSON summary, artefact files);
:class:`~superionic.campaign.Campaign` persists them and resumes. :class:`Budget` holds the knobs
that decide the run time of the default campaign (about 20 minutes on 2 cores).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from superionic.campaign import Context, Stage, StageOutput


@dataclass(frozen=True)
class Budget:
    """How much work each stage of ``discover`` does (defaults: a short laptop campaign)."""

    models: tuple[str, ...] = ("mean", "linear", "knn", "dt", "rf", "lgbm")
    splits: tuple[str, ...] = ("obelix", "group", "random")
    search_budget: int = 0  # random-search draws per model (0: zoo defaults, no tuning)
    top: int = 50  # shortlist kept in the summary
    screen_structures_top: int = 10  # best-ranked candidates given a structure (and BVSE)
    md_candidates: int = 2
    md_temperatures_K: tuple[float, ...] = (1000.0, 1300.0)
    md_equil_ps: float = 0.2
    md_prod_ps: float = 1.0
    md_atoms: tuple[int, int] = (40, 110)
    al_batch: int = 5
    al_curve_rounds: int = 10  # retrospective UCB-vs-random curve on the known labels
    al_curve_batch: int = 20


def _say(stage: str) -> Any:
    """A progress callback printing ``stage: message`` lines to stderr (stdout stays JSON)."""
    import sys

    def say(message: str) -> None:
        print(f"  {stage}: {message}", file=sys.stderr, flush=True)

    return say


def _workspace(ctx: Context, name: str) -> Path:
    path = ctx.settings.workspace / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_root(ctx: Context) -> Path:
    """The campaign's model folder; one saved model per target and mobile ion below it."""
    return _workspace(ctx, "models")


def model_dir(ctx: Context, target: str = "log10_sigma") -> Path:
    """Where the campaign's saved ``target`` model lives (the layout ``superionic train`` uses)."""
    from superionic.models.paths import model_path

    return model_path(models_root(ctx), target, ctx.settings.mobile_ion)


def stage_data(ctx: Context) -> StageOutput:
    """Count every data set and build the merged conductivity label table."""
    from superionic.data.merge import merged_conductivity_labels
    from superionic.data.registry import DATASETS, summary

    s = ctx.settings
    sets = [summary(name, s.data_dir, s.cache_dir) for name in DATASETS]
    labels = merged_conductivity_labels(s.data_dir, s.mobile_ion)
    rows = labels.rename(columns={"reduced_formula": "formula"}).to_dict("records")
    return StageOutput(
        rows={"labels": rows},
        summary={"n_label_compositions": len(labels),
                 "n_censored": int(labels["censor"].notna().sum()),
                 "n_with_Ea": int(labels["Ea_eV"].notna().sum()),
                 "data_sets": [{k: d[k] for k in ("name", "rows", "parsed", "rejected", "licence")}
                               for d in sets]})


def stage_models(ctx: Context, budget: Budget) -> StageOutput:
    """Compare the model zoo on the honest and the paper-style splits; save the best model."""
    from superionic.models.workflow import run_training

    s = ctx.settings
    out = _workspace(ctx, "models")
    report = run_training("log10_sigma", s.data_dir, s.mobile_ion, list(budget.models),
                          list(budget.splits), budget=budget.search_budget, seed=s.seed, out=out,
                          model_dir=model_dir(ctx), n_jobs=s.n_workers,
                          progress=_say("models"))
    figures = report_figures(report.get("figures", []), report["best"].get("model"))
    return StageOutput(
        rows={"predictions": [dict(r, formula=None) for r in report["rows"]]},
        summary={"target": report["target"], "unit": report["unit"], "n_rows": report["n_rows"],
                 "best_model": report["best"].get("model"), "best": report["best"],
                 "metrics": report["rows"], "interval_coverage": report["intervals"]},
        artefacts=figures)


def report_figures(paths: list[str], best: str | None) -> dict[str, str]:
    """The model figures for the report, in reading order: the best model's parity plot on each
    split (most honest split first), SHAP, the correlation heatmap, then every other model on
    the first split. Keys are file stems."""
    stems = {Path(f).stem: f for f in paths}
    parity = [k for k in stems if k.startswith("parity_")]
    splits = list(dict.fromkeys(k.split("_")[1] for k in parity))
    order = [f"parity_{sp}_{best}" for sp in splits]
    order += [k for k in stems if k.startswith(("shap", "pearson", "heatmap", "correlation"))]
    order += [k for k in parity if splits and k.startswith(f"parity_{splits[0]}_")]
    return {k: stems[k] for k in dict.fromkeys(order) if k in stems}


def stage_screen(ctx: Context, budget: Budget) -> StageOutput:
    """Rank the offline MP pool with the saved model: the same :class:`~superionic.screen.ScreenJob`
    as ``superionic screen`` (conductivity-first ranking, structures, BVSE)."""
    from superionic.screen import ScreenJob, ScreenOptions
    from superionic.screen.sanity import famous_ranks

    s = ctx.settings
    job = ScreenJob.from_settings(s, pool="offline", model_dir=models_root(ctx),
                                  options=ScreenOptions.from_settings(
                                      s, top=budget.top,
                                      structures_top=budget.screen_structures_top),
                                  out=_workspace(ctx, "screen"),
                                  train_budget=budget.search_budget)
    result = job.run(progress=_say("screen"), progress_bars=True)
    doc = result.summary(budget.top)
    pngs = {Path(p).stem: str(p) for p in _paths(result.outputs) if str(p).endswith(".png")}
    keep = ("rank", "formula", "score", "p_fast", "pareto_rank", "log10_sigma_mean",
            "log10_sigma_low", "log10_sigma_high", "Ea_eV", "esw_low_V", "esw_high_V",
            "esw_width_V", "window_source", "sigma_e_S_cm", "e_hull_eV_atom", "band_gap_eV",
            "structure_source", "material_id", "bvse_barrier_eV", "bvse_dim", "source_id",
            "reasons")
    return StageOutput(
        rows=result.to_rows(),
        summary={"pool_size": doc["pool_size"], "stages": doc["stages"], "reasons": doc["reasons"],
                 "ranking": doc["options"]["ranking"],
                 "candidates": [{k: c.get(k) for k in keep} for c in doc["candidates"]],
                 "famous": famous_ranks(result) if s.mobile_ion == "Li" else [],
                 "n_rejected_rows": len(doc["rejected"])},
        artefacts=pngs)


def _paths(obj: Any) -> list[Any]:
    if isinstance(obj, dict):
        return [p for v in obj.values() for p in _paths(v)]
    if isinstance(obj, list | tuple):
        return [p for v in obj for p in _paths(v)]
    return [obj]


def candidate_structures(formulas: list[str], data_dir: Path, n: int) -> list[tuple[str, Any, str]]:
    """Up to ``n`` (formula, Structure, source) for the best-ranked formulas that have one.

    Sources (:class:`superionic.screen.structures.StructureResolver`, offline, no prototype
    substitution here): the MP entries fixture (lowest-energy polymorph), then the structure
    library.
    """
    from superionic.screen.structures import StructureResolver

    resolver = StructureResolver(data_dir, api_key="", prototypes=False)
    out: list[tuple[str, Any, str]] = []
    for f in formulas:
        if len(out) >= n:
            break
        r = resolver.resolve(f, allow_prototype=False)
        if r is not None:
            out.append((f, r.structure, r.source))
    return out


#: Anti-perovskite controls per mobile ion, MD'd when no ranked candidate has a structure.
MD_CONTROLS = {"Li": "Li3ClO", "Na": "Na3ClO"}


def ranked_formulas(ctx: Context) -> list[str]:
    """Every ranked formula of the screen stage, best first (the store holds all of them; the
    summary only the shortlist)."""
    rows = [r.payload for r in ctx.store.get("screen", stage="screen")] if ctx.store else []
    ranked = sorted((p for p in rows if (p.get("rank") or 0) > 0), key=lambda p: p["rank"])
    if ranked:
        return list(dict.fromkeys(p["formula"] for p in ranked))
    return [c["formula"] for c in ctx.summaries.get("screen", {}).get("candidates", [])]


def prepare_candidates(picks: list[tuple[str, Any, str]], budget: Budget, seed: int,
                       ) -> tuple[list[tuple[str, Any, str]], list[dict[str, str]]]:
    """MD cells (ordered supercells in ``budget.md_atoms``) for the first ``md_candidates`` picks
    that allow one; the others are reported with the reason (e.g. cubic LLZO: 192 atoms with
    partial occupancies, no integral ordering in a 40-110 atom cell) and skipped."""
    from superionic.md.prepare import prepare_structure

    cells: list[tuple[str, Any, str]] = []
    skipped: list[dict[str, str]] = []
    for formula, structure, source in picks:
        if len(cells) >= budget.md_candidates:
            break
        try:
            cells.append((formula, prepare_structure(structure, atom_range=budget.md_atoms,
                                                     seed=seed), source))
        except (ValueError, RuntimeError) as exc:
            skipped.append({"formula": formula, "structure_source": source,
                            "reason": f"{type(exc).__name__}: {exc}"})
    return cells, skipped


def stage_md(ctx: Context, budget: Budget) -> StageOutput:
    """Short CHGNet MD of the best-ranked candidates that have a structure; Arrhenius to 300 K."""
    from superionic.md.analysis import analyze_runs
    from superionic.md.protocol import MDParams, run_temperatures
    from superionic.parallel import TaskError

    s = ctx.settings
    ranked = ranked_formulas(ctx)
    cells, skipped = prepare_candidates(candidate_structures(ranked, s.data_dir, len(ranked)),
                                        budget, s.seed)
    note = None
    control = MD_CONTROLS.get(s.mobile_ion)
    if not cells and control:  # no ranked candidate has an MD-ready structure: a known control
        cells, more = prepare_candidates(candidate_structures([control], s.data_dir, 1), budget,
                                         s.seed)
        skipped += more
        note = (f"no ranked candidate has an MD-ready structure offline; ran the {control} "
                "control instead")
    rows, table, artefacts = [], [], {}
    for formula, cell, source in cells:
        params = MDParams(temperature_K=budget.md_temperatures_K[0], equil_ps=budget.md_equil_ps,
                          prod_ps=budget.md_prod_ps, seed=s.seed)
        runs = run_temperatures(cell, budget.md_temperatures_K, _workspace(ctx, f"md/{formula}"),
                                params, progress=True,
                                provenance={"formula": formula, "structure_source": source})
        ok = [r for r in runs if not isinstance(r, TaskError)]
        analysis = analyze_runs(ok, ion=s.mobile_ion)
        arr = analysis.get("arrhenius") or {}
        entry = {"formula": formula, "structure_source": source, "n_atoms": len(cell),
                 "failed_temperatures": [r.error for r in runs if isinstance(r, TaskError)],
                 "Ea_eV": arr.get("Ea_eV"), "Ea_err": arr.get("Ea_err"),
                 "sigma300_S_cm": arr.get("sigma300_S_cm")}
        for t in analysis["temperatures"]:
            entry[f"D_cm2_s@{t['temperature_K']:g}K"] = t.get("D_cm2_s")
        temps = analysis["temperatures"]
        entry["diffusive_temperatures_K"] = [t["temperature_K"] for t in temps
                                             if t.get("diffusive")]
        molten = [f"{t['temperature_K']:g} K ({', '.join(t['flowing_species'])})" for t in temps
                  if t.get("framework_molten")]
        if molten:
            entry["molten"] = molten
        if len([t for t in temps if t.get("usable")]) < 2:
            entry["verdict"] = (
                "no Arrhenius extrapolation: fewer than two temperatures with significant "
                "diffusion (D > 2 errors) in a solid framework"
                + (f"; the framework flowed at {'; '.join(molten)}" if molten else ""))
        table.append(entry)
        rows.append({"formula": formula, "analysis": analysis, "runs": [r.to_dict() for r in ok],
                     "params": asdict(params)})
        try:
            artefacts.update(_md_plots(ctx, formula, ok, analysis))
        except (ValueError, OSError) as exc:  # a plot never costs the stage its numbers
            entry["plot_error"] = f"{type(exc).__name__}: {exc}"
    return StageOutput(rows={"md_runs": rows},
                       summary={"md": table, "note": note, "skipped": skipped,
                                "budget": {"temperatures_K": list(budget.md_temperatures_K),
                                           "equil_ps": budget.md_equil_ps,
                                           "prod_ps": budget.md_prod_ps}},
                       artefacts=artefacts)


def _md_plots(ctx: Context, formula: str, runs: list[Any], analysis: dict[str, Any]) -> dict[str, str]:
    """MSD of the hottest run and the van Hove map; an Arrhenius plot when there is a fit."""
    from superionic.transport import (
        analyze_trajectory,
        fit_arrhenius,
        plots,
        read_trajectory,
        van_hove,
    )

    if not runs:
        return {}
    out = _workspace(ctx, f"md/{formula}")
    hot = max(runs, key=lambda r: r.temperature_K)
    ion = ctx.settings.mobile_ion
    traj = read_trajectory(hot.frames_path or hot.run_dir / "frames.extxyz", ion=ion,
                           timestep_ps=hot.timestep_ps, temperature_K=hot.temperature_K)
    result = analyze_trajectory(traj, temperature_K=hot.temperature_K)
    files = {f"{formula}-msd": out / "msd.png", f"{formula}-vanhove": out / "vanhove.png"}
    plots.plot_msd(result.msd, result.tracer, result.collective, ion=ion, path=files[f"{formula}-msd"])
    plots.plot_vanhove(van_hove(traj), path=files[f"{formula}-vanhove"])
    good = [t for t in analysis["temperatures"] if t.get("usable")]  # as analyze_runs decided
    if len(good) >= 2:
        fit = fit_arrhenius([t["temperature_K"] for t in good], [t["D_cm2_s"] for t in good],
                            form="D")
        files[f"{formula}-arrhenius"] = out / "arrhenius.png"
        plots.plot_arrhenius(fit, path=files[f"{formula}-arrhenius"])
    return {k: str(v) for k, v in files.items()}


def stage_active(ctx: Context, budget: Budget) -> StageOutput:
    """One active-learning round: retrain on the labels (+ MD results), pick the next batch.

    The batch's labels come from the user's measurements (file oracle: ``<workspace>/labels.csv``
    with ``formula,sigma_S_cm``); until they arrive the round records the batch as pending.
    """
    import numpy as np

    from superionic.active.loop import run_rounds
    from superionic.active.oracles import FileOracle
    from superionic.features import featurize

    s = ctx.settings
    labels = {r.payload["formula"]: r.payload["log10_sigma_S_cm"]
              for r in ctx.store.get("labels", stage="data")
              if r.payload.get("censor") is None and r.payload.get("log10_sigma_S_cm") is not None}
    for m in ctx.summaries.get("md", {}).get("md", []):
        if m.get("sigma300_S_cm") and m["sigma300_S_cm"] > 0:
            labels[m["formula"]] = math.log10(m["sigma300_S_cm"])
    pool = [r.payload["formula"] for r in ctx.store.get("screen", stage="screen")
            if r.payload.get("rank", 0) and r.payload["rank"] > 0]
    formulas = sorted(set(labels) | set(pool))
    X, rejected = featurize(formulas, mobile_ion=s.mobile_ion, guessed_oxidation=False)
    kept = [formulas[int(i) - 1] for i in X.index]
    cols = [c for c in X.columns if c not in ("formula",)]
    matrix = np.nan_to_num(X[cols].to_numpy(dtype=float))
    known = {f: labels[f] for f in kept if f in labels}
    label_file = s.workspace / "labels.csv"
    if not label_file.exists():
        label_file.write_text("formula,sigma_S_cm\n")
    rnd = next(run_rounds(matrix, kept, FileOracle(label_file), known, rounds=1,
                          batch_size=budget.al_batch, acquisition="ucb", seed=s.seed))
    doc = rnd.to_dict()
    batch = [{"formula": f, "ucb": a, "status": "labelled" if f in rnd.labels else "pending"}
             for f, a in zip(rnd.batch_ids, rnd.acquisition, strict=True)]
    lab = [i for i, f in enumerate(kept) if f in known]
    curve = retrospective_curve(matrix[lab], [kept[i] for i in lab], known, budget, s.seed)
    figure = plot_retrospective_curve(curve, _workspace(ctx, "active") / "al_curve.png")
    return StageOutput(rows={"al_rounds": [dict(doc, formula=None, n_pool=len(kept))]},
                       summary={"round": rnd.round, "n_labelled": rnd.n_labelled,
                                "acquisition": "ucb", "batch": batch,
                                "label_file": str(label_file),
                                "n_not_featurised": len(rejected),
                                "retrospective_curve": curve},
                       artefacts={"al_curve": str(figure)})


CONDUCTOR_S_CM = 1e-3  # "a good conductor" of the retrospective curve: sigma >= 1 mS/cm


def retrospective_curve(X: Any, ids: list[str], labels: dict[str, float], budget: Budget,
                        seed: int) -> list[dict[str, Any]]:
    """How fast UCB and random picking find the known conductors (>= 1 mS/cm), replayed on the
    labelled compounds: 5 % seed (none of them conductors), ``al_curve_batch`` queries per round
    for ``al_curve_rounds`` rounds. Rows: strategy, round, n_queried, found_fraction (of the
    conductors outside the seed), pool_mae (log10 S/cm, model error on the unqueried rest).
    One seed only: bench/al_retrospective.py gives the spread over seeds."""
    from superionic.active.loop import run_rounds
    from superionic.active.oracles import RetrospectiveOracle
    from superionic.active.pool import seed_split

    threshold = math.log10(CONDUCTOR_S_CM)
    truth = {i: labels[i] for i in ids}
    good = [i for i, v in truth.items() if v >= threshold]
    start, _ = seed_split(truth, 0.05, seed, avoid=good)
    rows: list[dict[str, Any]] = []
    for strategy in ("ucb", "random"):
        for r in run_rounds(X, ids, RetrospectiveOracle(truth), start,
                            rounds=budget.al_curve_rounds, batch_size=budget.al_curve_batch,
                            acquisition=strategy, seed=seed, truth=truth,
                            top_threshold=threshold):
            rows.append({"strategy": strategy, "round": r.round,
                         "n_queried": r.n_labelled - len(start),
                         "found_fraction": (r.n_top_found or 0) / max(len(good), 1),
                         "pool_mae": r.pool_mae})
    return rows


def plot_retrospective_curve(rows: list[dict[str, Any]], path: Path) -> Path:
    """Found fraction of the known conductors vs queries, UCB vs random (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 4.0))
    for strategy, style in (("ucb", "C3o-"), ("random", "C0s--")):
        pts = [(r["n_queried"], r["found_fraction"]) for r in rows if r["strategy"] == strategy]
        if pts:
            ax.plot(*zip(*pts, strict=True), style, label=strategy)
    ax.set(xlabel="labels bought after the seed", ylim=(0, 1),
           ylabel=f"fraction of conductors >= {CONDUCTOR_S_CM * 1e3:g} mS/cm found",
           title="retrospective replay on the known labels (1 seed)")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


@dataclass
class DiscoverPlan:
    budget: Budget = field(default_factory=Budget)

    def stages(self) -> list[Stage]:
        b = self.budget
        return [
            Stage("data", stage_data, "data sets and merged labels"),
            Stage("models", lambda c: stage_models(c, b), "model comparison",
                  params={"models": b.models, "splits": b.splits, "budget": b.search_budget}),
            Stage("screen", lambda c: stage_screen(c, b), "funnel and ranking",
                  params={"top": b.top, "structures_top": b.screen_structures_top}),
            Stage("md", lambda c: stage_md(c, b), "MD validation",
                  params={"n": b.md_candidates, "T": b.md_temperatures_K,
                          "ps": [b.md_equil_ps, b.md_prod_ps], "atoms": b.md_atoms}),
            Stage("active", lambda c: stage_active(c, b), "one active-learning round",
                  params={"batch": b.al_batch, "curve": [b.al_curve_rounds, b.al_curve_batch]}),
        ]
