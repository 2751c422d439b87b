"""``superionic analyze TRAJ`` (D, sigma, Haven ratio of one MD run) and
``superionic arrhenius FILE.csv`` (Ea and sigma(300 K)): thin wrappers over superionic.transport.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import typer

from superionic.cli._common import JsonOption, check_output_path, emit_json, err_console, fail
from superionic.config import MOBILE_IONS

_VALUE_COLUMNS = {"sigma_S_cm": ("sigma_err_S_cm", "sigmaT"), "D_cm2_s": ("D_err_cm2_s", "D")}


def _analyze(traj_path: Path, ion: str, temperature: float | None, timestep_fs: float | None,
             start_ps: float | None, end_ps: float | None, charge: int, method: str,
             plot: Path | None) -> dict[str, Any]:
    from superionic.transport import analyze_trajectory, read_trajectory

    timestep_ps = None if timestep_fs is None else timestep_fs / 1000.0
    err_console.print(f"[dim]reading {traj_path} ...[/dim]")
    traj = read_trajectory(traj_path, ion=ion, timestep_ps=timestep_ps, temperature_K=temperature)
    err_console.print(f"[dim]{traj.n_frames} frames, {traj.n_ions} {ion}, "
                      f"{traj.timestep_ps * 1000:g} fs between frames; fitting ...[/dim]")
    result = analyze_trajectory(traj, start_ps=start_ps, end_ps=end_ps, charge=charge,
                                method=method)  # type: ignore[arg-type]
    out = {"file": str(traj_path), **result.reported()}  # insignificant D -> bounds
    from superionic.transport.significance import classify, framework_check

    judged = classify(result, framework_check(traj))  # significant / bound / molten
    out.update({"status": "molten" if judged.framework.molten else out["status"],
                "framework_molten": judged.framework.molten,
                "flowing_species": list(judged.framework.flowing_species)})
    if plot is not None:
        from superionic.transport.plots import plot_msd

        plot_msd(result.msd, result.tracer, result.collective, ion=ion, path=plot)
        out["plot"] = str(plot)
    return out


def _read_sigma_csv(path: Path) -> tuple[str, list[float], list[float], list[float] | None,
                                         list[dict[str, Any]]]:
    """(value column, T, values, errors or None, skipped rows) from an Arrhenius CSV."""
    if not path.is_file():
        raise ValueError(f"{path}: file not found")
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in (reader.fieldnames or [])]
        rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
    if "T_K" not in header:
        raise ValueError(f"{path}: no T_K column (columns: {', '.join(header) or 'none'})")
    column = next((c for c in _VALUE_COLUMNS if c in header), None)
    if column is None:
        raise ValueError(f"{path}: needs a sigma_S_cm or D_cm2_s column beside T_K "
                         f"(columns: {', '.join(header)})")
    err_col = _VALUE_COLUMNS[column][0]
    has_err = err_col in header
    T, vals, errs, skipped = [], [], [], []
    for line_no, row in enumerate(rows, start=2):  # line 1 is the header
        try:
            t, v = float(row["T_K"]), float(row[column])
            e = float(row[err_col]) if has_err else 1.0
            if not (t > 0 and v > 0 and e > 0 and math.isfinite(t + v + e)):
                raise ValueError("T_K, value and error must be positive numbers")
        except (ValueError, TypeError) as exc:
            skipped.append({"line": line_no, "problem": str(exc)})
            err_console.print(f"[yellow]warning:[/yellow] {path} line {line_no} skipped: {exc}")
            continue
        T.append(t)
        vals.append(v)
        errs.append(e)
    return column, T, vals, (errs if has_err else None), skipped


def _arrhenius(path: Path, form: str | None, plot: Path | None, level: float,
               temperature: float) -> dict[str, Any]:
    from superionic.transport.arrhenius import fit_arrhenius

    column, T, vals, errs, skipped = _read_sigma_csv(path)
    if len(T) < 2:
        raise ValueError(f"{path}: {len(T)} usable rows; an Arrhenius fit needs at least 2")
    form = form or _VALUE_COLUMNS[column][1]
    if (form == "D") != (column == "D_cm2_s"):
        raise ValueError(f"{path}: form {form!r} does not match the {column} column")
    fit = fit_arrhenius(T, vals, errs, form=form)  # type: ignore[arg-type]
    value, low, high = (float(x) for x in fit.predict(temperature, level))
    key = "D" if form == "D" else "sigma"
    unit = "cm2_s" if form == "D" else "S_cm"
    tag = f"{temperature:g}".replace(".", "p")
    out: dict[str, Any] = {
        "file": str(path), "form": form, "Ea_eV": fit.Ea_eV, "Ea_err": fit.Ea_err_eV,
        "prefactor": fit.prefactor, "n_points": fit.n_points, "r_squared": fit.r_squared,
        f"{key}{tag}_{unit}": value, f"{key}{tag}_low": low, f"{key}{tag}_high": high,
        "level": level, "skipped": skipped,
    }
    if plot is not None:
        from superionic.transport.plots import plot_arrhenius

        plot_arrhenius(fit, extrapolate_to_K=temperature, level=level, path=plot)
        out["plot"] = str(plot)
    return out


def register(app: typer.Typer) -> None:
    @app.command("analyze")
    def analyze_cmd(
        traj: Path = typer.Argument(..., help="Trajectory: extxyz/.traj (any ASE format), "
                                    "vasprun.xml or XDATCAR."),
        ion: str = typer.Option("Li", "--ion", help=f"Mobile ion ({', '.join(MOBILE_IONS)})."),
        temperature: float | None = typer.Option(None, "--temperature", help="Thermostat "
                                                 "temperature (K); VASP files give TEBEG."),
        timestep_fs: float | None = typer.Option(None, "--timestep-fs", help="Time between "
                                                 "STORED frames (fs); read from the frames' "
                                                 "time_ps or VASP POTIM(xNBLOCK) when absent."),
        start_ps: float | None = typer.Option(None, "--start-ps", help="Fit window start (ps); "
                                              "default 10% of the run."),
        end_ps: float | None = typer.Option(None, "--end-ps", help="Fit window end (ps); "
                                            "default 70% of the run."),
        charge: int = typer.Option(1, "--charge", help="Ion charge for Nernst-Einstein (Li+ = 1)."),
        method: str = typer.Option("gls", "--method", help="MSD fit: gls (default), ols, wls."),
        plot: Path | None = typer.Option(None, "--plot", help="Write the MSD figure (png/pdf)."),
        as_json: bool = JsonOption,
    ) -> None:
        """D (cm^2/s), Nernst-Einstein sigma (S/cm) and Haven ratio of the mobile ion."""
        if timestep_fs is not None and not timestep_fs > 0:
            fail(f"--timestep-fs must be positive (fs), got {timestep_fs}", as_json=as_json)
        if charge == 0:
            fail("--charge must be a nonzero ion charge (Li+ = 1); with 0 the Nernst-Einstein "
                 "conductivity would be 0", kind="bad value", option="--charge", value=charge)
        if temperature is not None and not (math.isfinite(temperature) and temperature > 0):
            fail(f"--temperature must be a positive number of K, got {temperature}",
                 kind="bad value", option="--temperature", value=temperature)
        if plot is not None:
            check_output_path(plot, "--plot")
        if not traj.is_file():
            fail(f"{traj}: trajectory file not found", as_json=as_json)
        try:
            out = _analyze(traj, ion, temperature, timestep_fs, start_ps, end_ps, charge, method,
                           plot)
        except ValueError as exc:  # TrajectoryError, FitWindowError, bad options
            hint = " (command line: --timestep-fs)" if "timestep_ps" in str(exc) else ""
            fail(f"{traj}: {exc}{hint}", as_json=as_json)
            return
        if as_json:
            emit_json(out)
            return
        window = (f"fit {out['fit_start_ps']:.2f}-{out['fit_end_ps']:.2f} ps, "
                  f"{out['n_frames']} frames")
        haven = f"H = {out['haven_ratio']:.2f}, " if out.get("haven_ratio") is not None else ""
        if out["status"] == "significant":
            err_console.print(
                f"{ion}: D = {out['D_cm2_s']:.3e} ± {out['D_err']:.1e} cm^2/s, "
                f"sigma = {out['sigma_S_cm']:.3e} ± {out['sigma_err']:.1e} S/cm, "
                f"{haven}{window}")
        elif out["status"] == "bound":  # never an insignificant or negative D as a number
            from superionic.transport.significance import MIN_MSD_GAIN_A2

            why = ("D <= 2 errors or < 5 hops" if out.get("diffusive", True) else
                   f"not yet diffusive: MSD grew {out['msd_gain_A2']:.2g} A^2 across the fit "
                   f"window, under {MIN_MSD_GAIN_A2:g} A^2")
            err_console.print(f"{ion}: no significant diffusion ({why}): "
                              f"D < {out['D_upper_cm2_s']:.1e} cm^2/s, {window}")
        else:
            err_console.print(f"{ion}: the framework flows ({', '.join(out['flowing_species'])})"
                              f": a melt, no D of the crystal; {window}")

    @app.command("arrhenius")
    def arrhenius_cmd(
        csv_file: Path = typer.Argument(..., help="CSV with T_K and sigma_S_cm or D_cm2_s "
                                        "(optional sigma_err_S_cm / D_err_cm2_s)."),
        form: str | None = typer.Option(None, "--form", help="D, sigma or sigmaT (sigma = A/T "
                                        "exp(-Ea/kT)); default sigmaT for sigma, D for D."),
        temperature: float = typer.Option(300.0, "--at", help="Extrapolate to this T (K)."),
        level: float = typer.Option(0.95, "--level", help="Confidence level of the interval."),
        plot: Path | None = typer.Option(None, "--plot", help="Write the Arrhenius figure."),
        as_json: bool = JsonOption,
    ) -> None:
        """Arrhenius fit: Ea (eV) with its error and sigma (or D) at 300 K with an interval."""
        if form is not None and form not in ("D", "sigma", "sigmaT"):
            fail(f"--form must be D, sigma or sigmaT, got {form!r}", as_json=as_json)
        if not (math.isfinite(temperature) and temperature > 0):
            fail(f"--at must be a positive temperature in K, got {temperature}",
                 kind="bad value", option="--at", value=temperature)
        if not 0 < level < 1:
            fail(f"--level must be a confidence level between 0 and 1, got {level}",
                 kind="bad value", option="--level", value=level)
        if plot is not None:
            check_output_path(plot, "--plot")
        try:
            out = _arrhenius(csv_file, form, plot, level, temperature)
        except ValueError as exc:
            fail(str(exc), as_json=as_json)
            return
        if as_json:
            emit_json(out)
            return
        err_console.print(f"Ea = {out['Ea_eV']:.3f} ± {out['Ea_err']:.3f} eV "
                          f"({out['n_points']} points, form {out['form']})")
