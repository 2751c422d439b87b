"""``superionic md STRUCTURE ...`` (NVT MD at several temperatures) and
``superionic md vasp-inputs STRUCTURE ...`` (AIMD input files): thin wrappers over superionic.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from superionic.cli._common import JsonOption, emit_json, err_console, fail

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
                     help="NVT MD with a universal potential (CHGNet), or VASP AIMD inputs.")


@md_app.command("run")
def md_run(
    structure: str = typer.Argument(..., help="CIF/POSCAR/any pymatgen-readable file, or an MP id "
                                    "from the MP entries fixture (mp-985585)."),
    temperatures: str = typer.Option("600,800,1000,1200,1500", help="Temperatures in K "
                                     "(space- or comma-separated)."),
    time_ps: float = typer.Option(10.0, "--time-ps", help="Production length per T (ps)."),
    equil_ps: float = typer.Option(1.0, "--equil-ps", help="Equilibration per T (ps)."),
    timestep_fs: float = typer.Option(2.0, "--timestep-fs", help="MD time step (fs)."),
    atoms: str = typer.Option("60-160", help="Target supercell size (atoms), e.g. 60-160."),
    li_vacancies: int = typer.Option(0, "--li-vacancies", "--vacancies",
                                     help="Mobile-ion vacancies to create."),
    compensate: str = typer.Option("auto", help="Charge compensation of the vacancies: auto "
                                   "(anion vacancies), none, or an anion symbol."),
    mobile_ion: str | None = typer.Option(None, help="Li (default), Na or K."),
    out: Path | None = typer.Option(None, help="Run folder (default <workspace>/md/<name>)."),
    resume: bool = typer.Option(False, "--resume", help="Continue runs from their checkpoints."),
    seed: int = typer.Option(0, help="Seed of velocities, ordering and vacancy choice."),
    model: str = typer.Option("chgnet", help="chgnet, chgnet:r2scan, sevennet (if installed)."),
    thermostat: str = typer.Option("auto", help="auto (Nose-Hoover chain), nhc or langevin."),
    save_every: int = typer.Option(5, help="MD steps between stored frames."),
    checkpoint_every: int = typer.Option(100, help="MD steps between checkpoints."),
    relax_steps: int = typer.Option(200, help="Max relaxation steps before MD (0 skips)."),
    fmax: float = typer.Option(0.1, help="Relaxation force threshold (eV/Angstrom)."),
    workers: int | None = typer.Option(None, help="Temperatures run at once (default: cores)."),
    threads: int | None = typer.Option(None, help="Torch threads per run (default: shared)."),
    analyze: bool = typer.Option(True, "--analyze/--no-analyze",
                                 help="Diffusion + Arrhenius analysis after MD (needs "
                                 "superionic.transport)."),
    as_json: bool = JsonOption,
) -> None:
    """Prepare a supercell, then equilibrate and produce NVT MD at each temperature."""
    from superionic.config import load_settings
    from superionic.md.prepare import load_structure, prepare_structure
    from superionic.md.protocol import MDParams, RelaxParams, run_temperatures
    from superionic.parallel import Executor, split_failures

    try:
        settings = load_settings(mobile_ion=mobile_ion, seed=seed)
        temps = _parse_temperatures(temperatures)
        atom_range = _parse_range(atoms)
        params = MDParams(temperature_K=temps[0], timestep_fs=timestep_fs, equil_ps=equil_ps,
                          prod_ps=time_ps, save_every=save_every,
                          checkpoint_every=checkpoint_every, thermostat=thermostat, seed=seed)
        source = load_structure(structure, settings.data_dir)
        from superionic.errors import check_positive
        from superionic.sanity import check_structure

        check_positive(time_ps, "--time-ps")
        check_structure(source, settings.mobile_ion, name=structure)  # before any MD
        prepared = prepare_structure(source, atom_range=atom_range, n_vacancies=li_vacancies,
                                     ion=settings.mobile_ion, seed=seed,
                                     compensate=None if compensate == "none" else compensate)
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc), as_json=as_json)
    name = Path(structure).stem if Path(structure).exists() else structure
    out_dir = out or settings.workspace / "md" / (name + (f"_vac{li_vacancies}" if li_vacancies else ""))
    out_dir.mkdir(parents=True, exist_ok=True)
    prepared.to(filename=str(out_dir / "prepared.cif"))
    err_console.print(f"[bold]{prepared.composition.reduced_formula}[/bold]: {len(prepared)} atoms,"
                      f" {len(temps)} temperatures -> {out_dir}")
    n_workers = workers or min(len(temps), settings.n_workers)
    executor = Executor(kind="serial" if n_workers <= 1 else "local", n_workers=n_workers,
                        progress=not as_json)
    results = run_temperatures(
        prepared, temps, out_dir, params, model=model, executor=executor, n_threads=threads,
        resume=resume, relax_params=RelaxParams(fmax_eV_A=fmax, steps=relax_steps),
        progress=True, provenance={"source": structure, "mobile_ion": settings.mobile_ion})
    ok, bad = split_failures(results)
    payload: dict[str, Any] = {
        "structure": structure, "formula": prepared.composition.formula,
        "n_atoms": len(prepared), "out_dir": str(out_dir), "model": model,
        "temperatures_K": temps, "runs": [r.to_dict() for _, r in ok],
        "failed": [{"temperature_K": temps[e.index], "error": e.error} for e in bad],
        "prepare": prepared.properties.get("prepare", {})}
    if analyze and ok:
        payload["analysis"] = _analyze([r for _, r in ok], settings.mobile_ion)
    for e in bad:
        err_console.print(f"[red]T = {temps[e.index]:g} K failed:[/red] {e.error}")
    if as_json:
        emit_json(payload)
    else:
        for _, r in ok:
            err_console.print(f"{r.temperature_K:7.0f} K  {r.n_frames} frames every "
                              f"{r.timestep_ps:g} ps  <T> = {r.mean_temperature_K or float('nan'):.0f} K"
                              f"  {r.run_dir}")
    if bad and not ok:
        raise typer.Exit(1)


def _analyze(runs: list[Any], ion: str) -> dict[str, Any]:
    """Per-temperature diffusion and an Arrhenius fit through superionic.transport, when the
    package provides it (else a note)."""
    try:
        from superionic.md.analysis import analyze_runs

        return analyze_runs(runs, ion)
    except ImportError as exc:
        return {"skipped": f"superionic.transport not available ({exc})"}


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
