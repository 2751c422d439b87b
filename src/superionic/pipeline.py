"""The main job's stages: data -> models -> screen -> MD -> one active-learning round.

Each stage is a plain function of the campaign :class:`~superionic.campaign.Context` returning a
:class:`~superionic.campaign.StageOutput` (rows for the store, a JSON summary, artefact files);
:class:`~superionic.campaign.Campaign` persists them and resumes. :class:`Budget` holds the knobs
that decide the run time of the default campaign (about 20 minutes on 2 cores).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from superionic.campaign import Context, Stage, StageOutput


@dataclass(frozen=True)
class Budget:
    """How much work each stage of ``discover`` does (defaults: a short laptop campaign)."""

    #: the mean baseline and the default candidates of ``superionic train``
    #: (:data:`superionic.models.zoo.DEFAULT_CONFIG`) but CatBoost, the slowest on 2 cores and
    #: never the best on the OBELiX split (docs/benchmarks.md)
    models: tuple[str, ...] = ("mean", "rf", "xgb", "lgbm")
    splits: tuple[str, ...] = ("obelix", "group", "random")
    search_budget: int = 0  # random-search draws per model (0: zoo defaults, no tuning)
    #: CV+ coverage of every compared model (6x the fits); off, only the best model's held-out
    #: coverage is computed, which keeps the models stage inside the laptop campaign
    model_intervals: bool = False
    top: int = 50  # shortlist kept in the summary
    screen_structures_top: int = 10  # best-ranked candidates given a structure (and BVSE)
    md_candidates: int = 2
    md_protocol: Any = field(default_factory=lambda: discover_md_protocol())
    al_batch: int = 5
    al_curve_rounds: int = 10  # retrospective UCB-vs-random curve on the known labels
    al_curve_batch: int = 20


def discover_md_protocol(**kw: Any) -> Any:
    """The MD stage's :class:`~superionic.md.workflow.ArrheniusProtocol`: the full rules
    (adaptive temperatures from 1300 K down, significance, melt check, verdict) on a budget that
    fits the ~20 min campaign: 40-80 atom cells, 0.1 ps equilibration, 0.5 ps per temperature,
    1.2 ps in all per candidate, two temperatures at a time on one thread each. It will mostly end
    "inconclusive (budget)" with bounds: that is what 1 ps of MD supports."""
    from superionic.md.workflow import ArrheniusProtocol, CellOptions

    base: dict[str, Any] = dict(cell=CellOptions(atom_range=(40, 80)), equil_ps=0.1,
                                segment_ps=0.5, max_ps_per_temperature=0.5, T_start_K=1300.0,
                                T_step_K=200.0, T_min_K=700.0, max_total_ps=1.2, threads=1,
                                relax_steps=100)
    return ArrheniusProtocol(**{**base, **kw})


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
    """Compare the model zoo on the honest and the paper-style splits; save the best model.

    The saved model is a composition model: the screen serves it formula-only pool rows, so it
    is trained and evaluated on exactly the features a formula gives (no structure column)."""
    from superionic.models.fitted import FeatureKind
    from superionic.models.workflow import run_training
    from superionic.models.zoo import DEFAULT_CONFIG

    s = ctx.settings
    out = _workspace(ctx, "models")
    report = run_training("log10_sigma", s.data_dir, s.mobile_ion, list(budget.models),
                          list(budget.splits), budget=budget.search_budget, seed=s.seed, out=out,
                          model_dir=model_dir(ctx), n_jobs=s.n_workers,
                          extra=DEFAULT_CONFIG.extra, censor_strategy=DEFAULT_CONFIG.censor_strategy,
                          intervals_per_model=budget.model_intervals,
                          feature_kind=FeatureKind.COMPOSITION, progress=_say("models"))
    figures = report_figures(report.get("figures", []), report["best"].get("model"))
    return StageOutput(
        rows={"predictions": [dict(r, formula=None) for r in report["rows"]]},
        summary={"target": report["target"], "unit": report["unit"], "n_rows": report["n_rows"],
                 "feature_kind": report["feature_kind"], "n_features": report["n_features"],
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
                                  train_budget=budget.search_budget, train_if_missing=True)
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
                       workdir: Path, ion: str = "Li",
                       ) -> tuple[list[tuple[str, Any, str]], list[dict[str, str]]]:
    """The first ``md_candidates`` picks whose MD cell the protocol can prepare (ordered
    supercell in its atom range, cached in ``workdir/<potential>/<formula>``, where the stage's
    runs then find it); the others are reported with the reason and skipped."""
    cells: list[tuple[str, Any, str]] = []
    skipped: list[dict[str, str]] = []
    proto = replace(budget.md_protocol, seed=seed, ion=ion)
    for formula, structure, source in picks:
        if len(cells) >= budget.md_candidates:
            break
        try:
            proto.prepare(structure, md_folder(Path(workdir), proto, formula))
            cells.append((formula, structure, source))
        except (ValueError, RuntimeError, KeyError) as exc:
            skipped.append({"formula": formula, "structure_source": source,
                            "reason": f"{type(exc).__name__}: {exc}"})
    return cells, skipped


def stage_md(ctx: Context, budget: Budget) -> StageOutput:
    """The MD workflow (:class:`~superionic.md.workflow.ArrheniusProtocol`, ``budget.md_protocol``)
    on the best-ranked candidates that have a structure: per candidate a verdict, the Arrhenius
    result only when the verdict is "arrhenius", else bounds."""
    from superionic.parallel import Executor

    s = ctx.settings
    proto = replace(budget.md_protocol, seed=s.seed, ion=s.mobile_ion)
    ranked = ranked_formulas(ctx)
    md_dir = _workspace(ctx, "md")
    cells, skipped = prepare_candidates(candidate_structures(ranked, s.data_dir, len(ranked)),
                                        budget, s.seed, md_dir, s.mobile_ion)
    note = None
    control = MD_CONTROLS.get(s.mobile_ion)
    if not cells and control:  # no ranked candidate has an MD-ready structure: a known control
        cells, more = prepare_candidates(candidate_structures([control], s.data_dir, 1), budget,
                                         s.seed, md_dir, s.mobile_ion)
        skipped += more
        note = (f"no ranked candidate has an MD-ready structure offline; ran the {control} "
                "control instead")
    workers = max(1, min(2, s.n_workers))
    executor = Executor(kind="serial" if workers == 1 else "local", n_workers=workers,
                        progress=False)
    rows, table, artefacts = [], [], {}
    for formula, structure, source in cells:
        series = proto.run(structure, _md_dir(ctx, proto, formula), executor,
                           structure_source=source)
        entry = series.to_dict()
        entry.pop("protocol", None)
        entry["formula"] = formula
        plots: dict[str, str | None] = {"arrhenius": None, "msd": None, "vanhove": None}
        try:
            files = _md_plots(ctx, formula, series)
            for key in plots:
                plots[key] = files.get(f"{formula}-{key}")
            artefacts.update(files)
        except (ValueError, OSError) as exc:  # a plot never costs the stage its numbers
            entry["plot_error"] = f"{type(exc).__name__}: {exc}"
        entry["plots"] = plots
        table.append(entry)
        rows.append(entry)
    return StageOutput(rows={"md_runs": rows},
                       summary={"md": table, "note": note, "skipped": skipped,
                                "protocol": proto.to_dict()},
                       artefacts=artefacts)


def md_folder(md_root: Path, proto: Any, formula: str) -> Path:
    """``<md_root>/<potential>/<formula>``: one folder per potential, so that a campaign rerun
    with another potential (the default changed from CHGNet to SevenNet-0) starts its own runs."""
    return md_root / proto.potential_name / formula


def _md_dir(ctx: Context, proto: Any, formula: str) -> Path:
    return _workspace(ctx, str(md_folder(Path("md"), proto, formula)))


def _md_plots(ctx: Context, formula: str, series: Any) -> dict[str, str]:
    """MSD and van Hove map of the hottest solid temperature (else the hottest); the Arrhenius
    plot only when the verdict is "arrhenius" (through the significant temperatures)."""
    from superionic.transport import (
        analyze_trajectory,
        fit_arrhenius,
        plots,
        read_trajectory,
        van_hove,
    )

    temps = list(series.temperatures)
    if not temps:
        return {}
    solid = [t for t in temps if t.status.value != "molten"] or temps
    hot = max(solid, key=lambda t: t.temperature_K)
    run_dir = series.run_dir(hot.temperature_K)
    params = json.loads((run_dir / "params.json").read_text())
    out = _md_dir(ctx, series.protocol, formula)
    ion = ctx.settings.mobile_ion
    traj = read_trajectory(run_dir / "frames.extxyz", ion=ion,
                           timestep_ps=params["frames"]["interval_ps"],
                           temperature_K=hot.temperature_K)
    result = analyze_trajectory(traj, temperature_K=hot.temperature_K)
    files = {f"{formula}-msd": out / "msd.png", f"{formula}-vanhove": out / "vanhove.png"}
    plots.plot_msd(result.msd, result.tracer, result.collective, ion=ion,
                   path=files[f"{formula}-msd"])
    plots.plot_vanhove(van_hove(traj), path=files[f"{formula}-vanhove"])
    if series.arrhenius is not None:
        good = [t for t in temps if t.usable]
        fit = fit_arrhenius([t.temperature_K for t in good], [t.D_cm2_s for t in good],
                            [t.D_err_cm2_s for t in good], form="D")
        files[f"{formula}-arrhenius"] = out / "arrhenius.png"
        plots.plot_arrhenius(fit, path=files[f"{formula}-arrhenius"])
    return {k: str(v) for k, v in files.items()}


def stage_active(ctx: Context, budget: Budget) -> StageOutput:
    """One active-learning round: retrain on the labels (+ MD results), pick the next batch.

    The batch's labels come from the user's measurements (file oracle: ``<workspace>/labels.csv``
    with ``formula,sigma_S_cm``); until they arrive the round records the batch as pending.
    """
    import numpy as np

    from superionic.active.job import ActiveLoop, OracleKind
    from superionic.active.oracles import FileOracle
    from superionic.active.replay import plot_retrospective_curve, retrospective_curve
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
    job = ActiveLoop(oracle=OracleKind.FILE, acquisition="ucb", batch_size=budget.al_batch,
                     seed=s.seed, mobile_ion=s.mobile_ion)
    result = job.run(matrix, kept, FileOracle(label_file), known, rounds=1)
    (rnd,) = result.results
    batch = [{"formula": f, "ucb": a, "status": "labelled" if f in rnd.labels else "pending"}
             for f, a in zip(rnd.batch_ids, rnd.acquisition, strict=True)]
    lab = [i for i, f in enumerate(kept) if f in known]
    curve = retrospective_curve(matrix[lab], [kept[i] for i in lab], known,
                                rounds=budget.al_curve_rounds, batch_size=budget.al_curve_batch,
                                seed=s.seed)
    figure = _workspace(ctx, "active") / "al_curve.png"
    plot_retrospective_curve(curve, figure)
    return StageOutput(rows={"al_rounds": result.to_rows()},
                       summary={"round": rnd.round, "n_labelled": rnd.n_labelled,
                                "acquisition": "ucb", "batch": batch,
                                "label_file": str(label_file),
                                "n_not_featurised": len(rejected),
                                "retrospective_curve": curve},
                       artefacts={"al_curve": str(figure)})


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
                  params={"n": b.md_candidates, "protocol": b.md_protocol.to_dict()}),
            Stage("active", lambda c: stage_active(c, b), "one active-learning round",
                  params={"batch": b.al_batch, "curve": [b.al_curve_rounds, b.al_curve_batch]}),
        ]
