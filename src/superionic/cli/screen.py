"""``superionic screen``: the funnel and ranking over a candidate pool (thin wrapper over
superionic.screen)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from superionic.cli._common import JsonOption, emit_json, err_console, fail


def register(app: typer.Typer) -> None:
    @app.command("screen")
    def screen_cmd(
        pool: str = typer.Option("offline", "--pool", help="offline | mp | a CSV file (formula "
                                 "column, optional e_above_hull_eV_per_atom, band_gap_eV, "
                                 "material_id, cif, sigma_e_S_cm) | a folder of CIFs."),
        weights: str | None = typer.Option(None, "--weights", help="w_sigma,w_esw,w_Ea,w_sigma_e "
                                           "(default from the settings, 1,1,1,1)."),
        top: int = typer.Option(150, "--top", help="Candidates in the JSON and the plots."),
        mobile_ion: str | None = typer.Option(None, "--mobile-ion", help="Li (default), Na, K."),
        out: Path | None = typer.Option(None, "--out", help="Output folder (default "
                                        "<workspace>/screen)."),
        level: float = typer.Option(0.9, "--level", help="Coverage of the intervals (0-1)."),
        ranking: str = typer.Option("p_fast", "--ranking", help="p_fast (default: "
                                    "P(sigma300 >= --fast-threshold) first) | weighted (the "
                                    "seed's composite score) | pareto."),
        fast_threshold: float = typer.Option(1e-4, "--fast-threshold", help="S/cm at 300 K a "
                                             "fast conductor reaches (p_fast)."),
        max_bvse_barrier: float | None = typer.Option(None, "--max-bvse-barrier", help="eV: "
                                                      "drop candidates with a structure whose "
                                                      "BVSE barrier is higher."),
        no_bvse: bool = typer.Option(False, "--no-bvse", help="Skip the BVSE barriers."),
        structures_top: int = typer.Option(20, "--structures-top", min=0, help="Best-ranked "
                                           "candidates that get a structure looked up (MP API "
                                           "with MP_API_KEY, fixture, library, prototype "
                                           "substitution)."),
        relax: bool = typer.Option(False, "--relax", help="Relax prototype-substituted "
                                   "structures with CHGNet (slow)."),
        normalise: str = typer.Option("minmax", "--normalise", help="Score terms: minmax | "
                                      "zscore over the scored compounds."),
        e_hull_max: float | None = typer.Option(None, "--e-hull-max", help="eV/atom (setting "
                                                "thresholds.e_above_hull_max_eV_per_atom)."),
        gap_min: float | None = typer.Option(None, "--gap-min", help="eV (setting "
                                             "thresholds.band_gap_min_eV)."),
        esw_min: float | None = typer.Option(None, "--esw-min", help="V (setting "
                                             "thresholds.esw_width_min_V)."),
        model_dir: Path | None = typer.Option(None, "--model-dir", help="Saved models (default "
                                              "$SUPERIONIC_MODEL_DIR or <cache>/models; "
                                              "<target>_Na ... for other ions)."),
        budget: int = typer.Option(4, "--budget", min=0, help="Random-search draws per model "
                                   "when a missing model is trained first (0: zoo defaults)."),
        train: bool = typer.Option(False, "--train", help="Train and save the models that are "
                                   "missing from --model-dir first (otherwise a missing model "
                                   "is an error)."),
        cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Feature/window cache "
                                              "(default <cache>/screen)."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Recompute everything."),
        data_dir: Path | None = typer.Option(None, "--data-dir", help="Data folder."),
        config: Path | None = typer.Option(None, "--config", help="Settings TOML file."),
        as_json: bool = JsonOption,
    ) -> None:
        """Rank the pool: e_hull -> band gap -> ESW -> predicted sigma/Ea -> BVSE -> ranking
        (default: probability of sigma(300 K) >= 1e-4 S/cm)."""
        from dataclasses import replace

        from superionic.config import ScoreWeights, load_settings
        from superionic.screen import RankingMode, ScreenJob, ScreenJobError, ScreenOptions

        if out is not None:  # before any work (it used to fail here after the screen)
            from superionic.cli._common import check_output_dir

            check_output_dir(out, "--out")
        start = time.perf_counter()
        try:
            settings = load_settings(config, data_dir=data_dir, mobile_ion=mobile_ion)
            thr = settings.thresholds
            changes = {k: v for k, v in (("e_above_hull_max_eV_per_atom", e_hull_max),
                                         ("band_gap_min_eV", gap_min),
                                         ("esw_width_min_V", esw_min)) if v is not None}
            try:
                mode = RankingMode(ranking)
            except ValueError:
                raise ValueError(f"--ranking {ranking!r}: one of "
                                 f"{', '.join(m.value for m in RankingMode)}") from None
            options = ScreenOptions.from_settings(
                settings, thresholds=replace(thr, **changes),
                weights=ScoreWeights.parse(weights) if weights else None, level=level,
                normalisation=normalise, top=top, ranking=mode,
                fast_threshold_S_cm=fast_threshold, max_bvse_barrier_eV=max_bvse_barrier,
                bvse=not no_bvse, structures_top=structures_top, relax_prototypes=relax)
        except (ValueError, OSError) as exc:
            fail(str(exc), as_json=as_json)
        folder = out or settings.workspace / "screen"
        job = ScreenJob.from_settings(
            settings, pool=pool, options=options, model_dir=model_dir, out=folder,
            train_budget=budget, train_if_missing=train, cache_dir=None if no_cache else (
                cache_dir or settings.cache_dir / "screen"))
        if no_cache:
            job = replace(job, cache_dir=None)
        try:
            result = job.run(progress=lambda m: err_console.print(f"[dim]{m}[/dim]"),
                             progress_bars=True)
        except ScreenJobError as exc:
            if exc.phase == "pool" and exc.rejected and as_json:
                emit_json({"error": str(exc), "pool_size": 0, "rejected": [
                    {"file": r.file, "row": r.row, "reason": r.reason} for r in exc.rejected]})
                raise typer.Exit(1) from None
            fail(str(exc), as_json=as_json)
        doc = result.summary(top)
        doc["seconds"] = round(time.perf_counter() - start, 2)
        if as_json:
            emit_json(doc)
            return
        ion = result.mobile_ion
        err_console.print(f"mobile ion {ion}; potentials V vs {ion}/{ion}+; ranking "
                          f"{options.ranking.value}; stages: {result.stages}")
        for target, reason in result.unavailable.items():
            err_console.print(f"[yellow]{target} unavailable:[/yellow] {reason}")
        for c in doc["candidates"][:20]:
            ea = "n/a" if c["Ea_eV"] is None else f"{c['Ea_eV']:.2f} eV"
            bv = "n/a" if c["bvse_barrier_eV"] is None else f"{c['bvse_barrier_eV']:.2f} eV"
            p = "n/a" if c["p_fast"] is None else f"{c['p_fast']:.2f}"
            err_console.print(f"{c['rank']:>4} {c['formula']:<24} p_fast {p}  "
                              f"log10 sigma {c['log10_sigma_mean']:.2f}  Ea {ea}  BVSE {bv}  "
                              f"ESW {c['esw_width_V']:.2f} V")
        err_console.print(f"outputs in {folder}")
