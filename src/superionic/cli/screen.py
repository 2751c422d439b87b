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
        cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Feature/window cache "
                                              "(default <cache>/screen)."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Recompute everything."),
        data_dir: Path | None = typer.Option(None, "--data-dir", help="Data folder."),
        config: Path | None = typer.Option(None, "--config", help="Settings TOML file."),
        as_json: bool = JsonOption,
    ) -> None:
        """Rank the pool: e_hull -> band gap -> ESW -> predicted sigma/Ea -> composite score."""
        from dataclasses import replace

        from superionic.config import load_settings
        from superionic.screen import (
            ScreenCache,
            ScreenOptions,
            Weights,
            default_entry_sources,
            load_pool,
            load_predictors,
            run_screen,
            write_outputs,
        )
        from superionic.screen.cache import NullCache

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
            options = ScreenOptions.from_settings(
                settings, thresholds=replace(thr, **changes),
                weights=Weights.parse(weights) if weights else None, level=level,
                normalisation=normalise, top=top)
        except (ValueError, OSError) as exc:
            fail(str(exc), as_json=as_json)
        ion = settings.mobile_ion
        cache = NullCache() if no_cache else ScreenCache(cache_dir or settings.cache_dir / "screen")
        t_start = time.perf_counter()
        try:
            candidates = load_pool(pool, ion, settings.data_dir, settings.mp_api_key,
                                   settings.mp_endpoint, cache=cache)
        except (ValueError, OSError, ImportError) as exc:
            fail(f"--pool {pool}: {exc}", as_json=as_json)
        t_pool = time.perf_counter()
        err_console.print(f"[dim]pool {pool}: {len(candidates)} {ion} compounds, "
                          f"{len(candidates.rejected)} rows rejected[/dim]")
        if len(candidates) == 0:
            if as_json:
                emit_json({"error": f"--pool {pool}: no usable compound",
                           "pool_size": 0, "rejected": [
                               {"file": r.file, "row": r.row, "reason": r.reason}
                               for r in candidates.rejected]})
            err_console.print(f"[red]error:[/red] --pool {pool}: no usable compound")
            raise typer.Exit(1)
        try:
            predictors = load_predictors(model_dir, settings.data_dir, ion, settings.seed,
                                         progress=lambda m: err_console.print(f"[dim]{m}[/dim]"),
                                         budget=budget)
        except Exception as exc:  # noqa: BLE001 - training/loading problems: clear message, exit 2
            fail(f"models: {type(exc).__name__}: {exc}", as_json=as_json)
        t_models = time.perf_counter()
        sources = default_entry_sources(settings.data_dir, use_api=pool == "mp",
                                        api_key=settings.mp_api_key,
                                        endpoint=settings.mp_endpoint)
        try:
            result = run_screen(candidates, predictors, options, cache=cache,
                                entry_sources=sources, data_dir=settings.data_dir,
                                hull_cache=None if no_cache else cache.root / "hulls",
                                progress=True)
        except ValueError as exc:  # a model or surrogate of another mobile ion
            fail(f"screen: {exc}", as_json=as_json)
        t_screen = time.perf_counter()
        folder = out or settings.workspace / "screen"
        outputs = write_outputs(result, folder, top)
        doc = result.summary(top)
        doc["outputs"] = outputs
        doc["timings_s"].update({
            "imports_settings": round(t_start - start, 2), "pool": round(t_pool - t_start, 2),
            "models": round(t_models - t_pool, 2), "screen": round(t_screen - t_models, 2),
            "outputs": round(time.perf_counter() - t_screen, 2)})
        doc["seconds"] = round(time.perf_counter() - start, 2)
        if as_json:
            emit_json(doc)
            return
        err_console.print(f"mobile ion {ion}; potentials V vs {ion}/{ion}+; stages: "
                          f"{result.stages}")
        for target, reason in result.unavailable.items():
            err_console.print(f"[yellow]{target} unavailable:[/yellow] {reason}")
        for c in doc["candidates"][:20]:
            ea = "n/a" if c["Ea_eV"] is None else f"{c['Ea_eV']:.2f} eV"
            err_console.print(f"{c['rank']:>4} {c['formula']:<24} score {c['score']:.3f}  "
                              f"log10 sigma {c['log10_sigma_mean']:.2f}  Ea {ea}  "
                              f"ESW {c['esw_width_V']:.2f} V")
        err_console.print(f"outputs in {folder}")
