"""``superionic md STRUCTURE ...`` (the MD workflow: an Arrhenius series with a verdict, see
:mod:`superionic.md.workflow`) and ``superionic md vasp-inputs STRUCTURE ...`` (AIMD input files):
thin wrappers over superionic.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from superionic.cli._common import JsonOption, emit_json, err_console, fail
from superionic.config import MD_POTENTIAL

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_MULTI_VALUE_OPTIONS = ("--temperatures",)


class _MDGroup(TyperGroup):
    """``md`` runs MD unless the first word names a subcommand; ``--temperatures 800 1000``
    takes several space-separated values (joined with commas before Click parses them)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        args = _join_multi_values(list(args))
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args.insert(0, "run")
        return super().parse_args(ctx, args)


def _join_multi_values(args: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(args):
        out.append(args[i])
        if args[i] in _MULTI_VALUE_OPTIONS:
            values = []
            while i + 1 < len(args) and _NUMBER.match(args[i + 1].rstrip(",")):
                values.append(args[i + 1].rstrip(","))
                i += 1
            if values:
                out.append(",".join(values))
        i += 1
    return out


def _parse_temperatures(text: str) -> list[float]:
    from superionic.cli._common import parse_temperatures_K

    return parse_temperatures_K(text, "--temperatures")


def _parse_range(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+))?\s*", text)
    if not m:
        raise ValueError(f"--atoms must look like 60-160 or 96, got {text!r}")
    lo = int(m.group(1))
    hi = int(m.group(2) or lo)
    if lo > hi or hi < 1:
        raise ValueError(f"--atoms range is empty: {text!r}")
    return lo, hi


md_app = typer.Typer(cls=_MDGroup, no_args_is_help=True, add_completion=False,
                     help="NVT MD with a universal potential (SevenNet-0 by default), or VASP AIMD inputs.")


@md_app.command("run")
def md_run(
    structure: str = typer.Argument(..., help="CIF/POSCAR/any pymatgen-readable file, an MP id "
                                    "(fixture, or the live API with MP_API_KEY) or a structure-"
                                    "library name (Li6PS5Cl, LGPS...)."),
    protocol: str | None = typer.Option(None, help="arrhenius (adaptive temperatures, D "
                                        "converged to --target-rel-err) or fixed (exactly "
                                        "--temperatures, --time-ps each). Default: fixed when "
                                        "--temperatures is given, else arrhenius."),
    temperatures: str | None = typer.Option(None, help="Fixed temperatures in K (space- or "
                                            "comma-separated)."),
    time_ps: float | None = typer.Option(None, "--time-ps", help="fixed: production per T (ps; "
                                         "default 10)."),
    max_ps: float = typer.Option(20.0, "--max-ps", help="arrhenius: cap of the production per "
                                 "temperature (ps)."),
    segment_ps: float = typer.Option(2.0, "--segment-ps", help="arrhenius: production added "
                                     "per segment until D converges (ps)."),
    target_rel_err: float = typer.Option(0.2, help="arrhenius: stop a temperature when "
                                         "err(D)/D is at most this."),
    t_start: float = typer.Option(1200.0, "--t-start", help="arrhenius: first (hottest) T (K)."),
    t_step: float = typer.Option(150.0, "--t-step", help="arrhenius: step down (K)."),
    t_min: float = typer.Option(450.0, "--t-min", help="arrhenius: coldest T (K)."),
    min_temperatures: int = typer.Option(4, help="Significant temperatures needed for an "
                                         "Arrhenius result."),
    budget_ps: float | None = typer.Option(None, "--budget-ps", help="Total MD budget over all "
                                           "temperatures (ps)."),
    equil_ps: float = typer.Option(1.0, "--equil-ps", help="Equilibration per T (ps)."),
    timestep_fs: float = typer.Option(2.0, "--timestep-fs", help="MD time step (fs)."),
    atoms: str = typer.Option("60-160", help="Target supercell size (atoms), e.g. 60-160."),
    li_vacancies: int = typer.Option(0, "--li-vacancies", "--vacancies",
                                     help="Mobile-ion vacancies to create."),
    compensate: str = typer.Option("auto", help="Charge compensation of the vacancies: auto, "
                                   "none, or an anion symbol."),
    mobile_ion: str | None = typer.Option(None, help="Li (default), Na or K."),
    out: Path | None = typer.Option(None, help="Run folder (default <workspace>/md/<name>/"
                                    "<model>-<protocol>)."),
    resume: bool = typer.Option(False, "--resume", help="Continue the runs in an existing "
                                "folder from their checkpoints."),
    seed: int = typer.Option(0, help="Seed of velocities, ordering and vacancy choice."),
    model: str = typer.Option(MD_POTENTIAL, help="sevennet (SevenNet-0, the default: it "
                                "matches measured Ea, docs/md.md), chgnet, chgnet:r2scan."),
    thermostat: str = typer.Option("auto", help="auto (Nose-Hoover chain), nhc or langevin."),
    save_every: int = typer.Option(5, help="MD steps between stored frames."),
    checkpoint_every: int = typer.Option(100, help="MD steps between checkpoints."),
    relax_steps: int = typer.Option(200, help="Max relaxation steps before MD (0 skips)."),
    fmax: float = typer.Option(0.1, help="Relaxation force threshold (eV/Angstrom)."),
    workers: int | None = typer.Option(None, help="Temperatures run at once (default: 2 when "
                                       "the machine has 2 cores or more)."),
    threads: int | None = typer.Option(None, help="Torch threads per run (default 1 when "
                                       "several run at once: N one-thread processes measured "
                                       "fastest, docs/benchmarks.md)."),
    as_json: bool = JsonOption,
) -> None:
    """MD of one structure through the MD workflow: a converged Arrhenius series with a verdict
    (``--protocol arrhenius``) or fixed temperatures."""
    from superionic.config import load_settings
    from superionic.md.workflow import (
        ArrheniusProtocol,
        CellOptions,
        Mode,
        resolve_structure,
    )
    from superionic.parallel import Executor

    try:
        settings = load_settings(mobile_ion=mobile_ion, seed=seed)
        n_workers = workers or max(1, min(2, settings.n_workers))
        if threads is None and n_workers > 1:
            threads = 1
        mode = Mode(protocol or ("fixed" if temperatures else "arrhenius"))
        kw: dict[str, Any] = dict(
            potential=model, ion=settings.mobile_ion, equil_ps=equil_ps, timestep_fs=timestep_fs,
            cell=CellOptions(atom_range=_parse_range(atoms), n_vacancies=li_vacancies,
                             compensate=None if compensate == "none" else compensate),
            target_rel_err=target_rel_err, min_temperatures=min_temperatures, seed=seed,
            threads=threads, max_total_ps=budget_ps, save_every=save_every,
            checkpoint_every=checkpoint_every, thermostat=thermostat, relax_steps=relax_steps,
            fmax_eV_A=fmax)
        if mode is Mode.FIXED:
            temps = _parse_temperatures(temperatures or "600,800,1000,1200,1500")
            proto = ArrheniusProtocol.fixed(temps, time_ps if time_ps is not None else 10.0, **kw)
        else:
            if temperatures:
                raise ValueError("--temperatures sets fixed temperatures; the arrhenius protocol "
                                 "chooses them (use --t-start/--t-step/--t-min)")
            proto = ArrheniusProtocol(segment_ps=min(segment_ps, max_ps),
                                      max_ps_per_temperature=max_ps, T_start_K=t_start,
                                      T_step_K=t_step, T_min_K=t_min, **kw)
        source, source_note = resolve_structure(structure, settings.data_dir)
        from superionic.errors import check_positive
        from superionic.sanity import check_structure

        if time_ps is not None:
            check_positive(time_ps, "--time-ps")
        check_structure(source, settings.mobile_ion, name=structure)  # before any MD
    except (ValueError, FileNotFoundError, KeyError) as exc:
        fail(str(exc), as_json=as_json)
    name = Path(structure).stem if Path(structure).exists() else structure
    name += f"_vac{li_vacancies}" if li_vacancies else ""
    out_dir = out or settings.workspace / "md" / name / f"{proto.potential_name}-{mode.value}"
    if (out_dir / "cell.json").exists() and not resume:
        fail(f"{out_dir}: holds runs already; pass --resume to continue them or choose --out",
             as_json=as_json)
    err_console.print(f"[bold]{source.composition.reduced_formula}[/bold] ({source_note}): "
                      f"{mode.value} protocol -> {out_dir}")
    executor = Executor(kind="serial" if n_workers <= 1 else "local", n_workers=n_workers,
                        progress=False)
    try:
        series = proto.run(source, out_dir, executor, progress=not as_json,
                           structure_source=source_note)
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc), as_json=as_json)
    payload = series.to_dict()
    payload["structure"] = structure
    payload["runs"] = _run_records(series)
    if as_json:
        emit_json(payload)
    else:
        _print_series(series)
    if not series.temperatures:
        raise typer.Exit(1)


def _run_records(series: Any) -> list[dict[str, Any]]:
    """``result.json`` of every temperature's run (frames, time step, mean T, folder)."""
    import json

    out = []
    for t in series.temperatures:
        path = series.run_dir(t.temperature_K) / "result.json"
        if path.exists():
            out.append(json.loads(path.read_text()))
    return out


def _print_series(series: Any) -> None:
    err_console.print(f"{series.formula}: {series.n_atoms} atoms, {series.potential}")
    for t in series.temperatures:
        if t.D_cm2_s is not None:
            what = (f"D = {t.D_cm2_s:.2e} +/- {t.D_err_cm2_s:.1e} cm^2/s, "
                    f"sigma = {t.sigma_S_cm:.2e} S/cm")
        elif t.D_upper_cm2_s is not None:
            what = f"D < {t.D_upper_cm2_s:.1e} cm^2/s (not significant)"
        else:
            what = f"framework flows ({', '.join(t.framework.flowing_species)})"
        err_console.print(f"{t.temperature_K:7.0f} K  {t.time_ps:6.2f} ps  {t.status.value:11s} "
                          f"{what}")
    for f in series.failures:
        err_console.print(f"[red]{f.temperature_K:g} K failed:[/red] {f.error}")
    err_console.print(f"verdict: [bold]{series.verdict.value.value}[/bold]")
    for r in series.verdict.reasons:
        err_console.print(f"  - {r}")
    a = series.arrhenius
    if a is not None:
        err_console.print(f"Ea = {a.Ea_eV:.3f} +/- {a.Ea_err_eV:.3f} eV; sigma(300 K) = "
                          f"{a.sigma300_S_cm:.2e} S/cm (95 %: {a.sigma300_low_S_cm:.1e} - "
                          f"{a.sigma300_high_S_cm:.1e})")
    elif series.sigma300_upper_S_cm is not None:
        err_console.print(f"sigma(300 K) < {series.sigma300_upper_S_cm:.1e} S/cm (bound, "
                          "thermally activated conduction)")


@md_app.command("vasp-inputs")
def vasp_inputs(
    structure: str = typer.Argument(..., help="Structure file or MP id."),
    temperature: float = typer.Option(..., "--temperature", help="Temperature (K)."),
    steps: int = typer.Option(..., "--steps", help="Number of MD steps (NSW)."),
    output: Path = typer.Option(..., "-o", "--out", help="Folder for INCAR/KPOINTS/POSCAR/POTCAR."),
    timestep_fs: float = typer.Option(2.0, "--timestep-fs", help="POTIM (fs)."),
    ensemble: str = typer.Option("nvt", help="nvt (MPMDSet) or npt (MVLNPTMDSet, needs POTCARs)."),
    atoms: str | None = typer.Option(None, help="Build a supercell in this atom range first."),
    seed: int = typer.Option(0, help="Seed of the ordering of partial occupancies."),
    as_json: bool = JsonOption,
) -> None:
    """Write VASP AIMD inputs (pymatgen MD input set) for an HPC run."""
    from superionic.config import load_settings
    from superionic.md.prepare import load_structure, prepare_structure
    from superionic.md.vasp import write_aimd_inputs

    try:
        settings = load_settings()
        s = load_structure(structure, settings.data_dir)
        if atoms is not None or not s.is_ordered:
            s = prepare_structure(s, atom_range=_parse_range(atoms) if atoms else (1, len(s)),
                                  seed=seed)
        info = write_aimd_inputs(s, temperature, steps, output, timestep_fs=timestep_fs,
                                 ensemble=ensemble)
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc), as_json=as_json)
    info["formula"] = s.composition.formula
    if as_json:
        emit_json(info)
    else:
        err_console.print(f"wrote {', '.join(info['files'])} to {info['dir']} "
                          f"({info['n_atoms']} atoms, {temperature:g} K, {steps} steps)")


def register(app: typer.Typer) -> None:
    app.add_typer(md_app, name="md")
