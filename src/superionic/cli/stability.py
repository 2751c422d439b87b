"""``superionic window``: electrochemical stability windows (thin wrapper over
superionic.stability.window)."""

from __future__ import annotations

from pathlib import Path

import typer

from superionic.cli._common import JsonOption, emit_json, err_console, fail

_KEYS = ("formula", "reduction_V", "oxidation_V", "width_V", "reduction_products",
         "oxidation_products", "source", "e_above_hull_eV_per_atom", "phase_equilibrium",
         "material_id", "chemsys", "mobile_ion", "note")


def _row(result) -> dict:  # noqa: ANN001 - WindowResult
    d = result.to_dict()
    return {k: d[k] for k in _KEYS}


def register(app: typer.Typer) -> None:
    @app.command("window")
    def window_cmd(
        formulas: list[str] = typer.Argument(..., help="One or more formulas, e.g. LiCl Li2O."),
        entries: Path | None = typer.Option(None, "--entries", help="Monty JSON(.gz) list of "
                                            "pymatgen ComputedEntry objects to build hulls from."),
        mobile_ion: str | None = typer.Option(None, "--mobile-ion", help="Li (default), Na, K."),
        approximate: bool = typer.Option(False, "--approximate", help="Use the composition-"
                                         "level formation-energy table (labelled approximation)."),
        data_dir: Path | None = typer.Option(None, help="Data folder (default SUPERIONIC_DATA)."),
        cache_dir: Path | None = typer.Option(None, help="On-disk phase-diagram cache folder."),
        workers: int = typer.Option(1, help="Processes for many chemical systems."),
        surrogate: bool = typer.Option(False, "--surrogate", help="Fill compounds with no hull "
                                       "entries from the ML surrogate (source 'ML surrogate')."),
        as_json: bool = JsonOption,
    ) -> None:
        """Reduction and oxidation potentials (V vs the mobile-ion metal) from the open-system
        phase diagram, with the decomposition products at each limit."""
        from superionic.config import load_settings
        from superionic.parallel import Executor
        from superionic.stability.window import WindowError, compute_windows_default

        try:
            settings = load_settings(data_dir=data_dir, mobile_ion=mobile_ion)
        except ValueError as exc:
            fail(str(exc), as_json=as_json)
        if entries is not None and not entries.is_file():
            fail(f"{entries}: entries file not found", as_json=as_json)
        executor = Executor(kind="local" if workers > 1 else "serial", n_workers=workers,
                            progress=len(formulas) > 1)
        try:
            results = compute_windows_default(
                formulas, settings.mobile_ion, settings.data_dir, approximate, entries,
                executor, cache_dir)
            if surrogate:
                from superionic.stability.surrogate import fill_missing_windows

                err_console.print("[dim]fitting the window surrogate (Wang 2024) ...[/dim]")
                results = fill_missing_windows(results, mobile_ion=settings.mobile_ion)
        except (ValueError, OSError) as exc:
            fail(str(exc), as_json=as_json)
        ok = [r for r in results if not isinstance(r, WindowError)]
        bad = [r for r in results if isinstance(r, WindowError)]
        if len(formulas) == 1 and bad:
            fail(bad[0].message, as_json=as_json)
        for e in bad:
            err_console.print(f"[red]error:[/red] {e.formula}: {e.message}")
        if as_json:
            if len(formulas) == 1:
                emit_json(_row(ok[0]))
            else:
                emit_json({"results": [_row(r) for r in ok],
                           "errors": [e.to_dict() for e in bad],
                           "mobile_ion": settings.mobile_ion})
            if not ok:  # every formula of the batch failed: not a success
                raise typer.Exit(1)
            return
        for r in ok:
            err_console.print(
                f"{r.formula:>12}  {r.reduction_V:6.2f} - {r.oxidation_V:6.2f} V vs "
                f"{r.mobile_ion}/{r.mobile_ion}+  red -> {' + '.join(r.reduction_products) or '-'}"
                f"  ox -> {' + '.join(r.oxidation_products) or '-'}  [{r.source}]"
                + (f"  ({r.note})" if r.note else ""))
        if not ok:
            fail(f"none of the {len(formulas)} formulas gave a window", code=1, kind="no result")

    @app.command("window-surrogate")
    def window_surrogate_cmd(
        mobile_ion: str | None = typer.Option(None, "--mobile-ion", help="Li (default), Na, K."),
        seed: int = typer.Option(0, help="Seed of the group split and the models."),
        test_size: float = typer.Option(0.2, help="Held-out fraction (chemical-system groups)."),
        data_dir: Path | None = typer.Option(None, help="Data folder (default SUPERIONIC_DATA)."),
        as_json: bool = JsonOption,
    ) -> None:
        """Fit the ML window surrogates on Wang et al. 2024 and report held-out MAE / R2 (V)."""
        from superionic.config import load_settings
        from superionic.stability.surrogate import TARGETS, fit_window_surrogate

        try:
            settings = load_settings(data_dir=data_dir, mobile_ion=mobile_ion)
            s = fit_window_surrogate(mobile_ion=settings.mobile_ion, test_size=test_size,
                                     seed=seed, data_dir=settings.data_dir)
        except (ValueError, OSError) as exc:
            fail(str(exc), as_json=as_json)
        if as_json:
            emit_json({"mobile_ion": s.mobile_ion, "metrics": s.metrics,
                       "rejections": [str(r) for r in s.rejections]})
            return
        for t in TARGETS:
            m = s.metrics[t]
            err_console.print(f"{t:>12}: held-out MAE {m['mae_V']:.3f} V (mean predictor "
                              f"{m['mean_predictor_mae_V']:.3f} V), R2 {m['r2']:.3f}, "
                              f"n_test {m['n_test']}")
