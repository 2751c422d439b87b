"""NVT molecular dynamics with durable, resumable runs: equilibration, then production.

Thermostat: the Nose-Hoover chain of ``ase.md.nose_hoover_chain.NoseHooverChainNVT``
(Martyna, Klein & Tuckerman, J. Chem. Phys. 97, 2635 (1992)) when the installed ASE has it
(ASE >= 3.25), else Langevin. The chain samples the canonical ensemble, is deterministic (a run
resumed from a checkpoint reproduces the uninterrupted one bit for bit) and perturbs the
dynamics only through a global friction, so it does not damp diffusion the way a per-atom
stochastic friction does; that matters when D is the observable. Langevin (``thermostat=
"langevin"``, friction ``friction_per_ps``) is kept for robust equilibration of hot or badly
started cells; its random-number state is checkpointed so it also resumes exactly.

A run directory holds::

    input.cif        structure as given (after ordering/supercell/vacancies)
    start.extxyz     relaxed starting positions
    params.json      MD parameters, seed, model name and version, provenance
    frames.extxyz    production frames, appended and flushed as they are made
    log.csv          step, phase, time_ps, T_K, Epot_eV, Ekin_eV, Econs_eV at every stored step
    checkpoint.npz   positions, momenta, thermostat state, RNG state, step, file sizes
    result.json      written when the run completes

Frames hold *unwrapped* Cartesian positions (ASE integrators never wrap), so the MSD can be
computed without unwrapping. Checkpoints are written atomically (temporary file, fsync,
``os.replace``) after the frame and log files are flushed and fsync'ed, and record their sizes;
a resumed run truncates both files to those sizes, so a ``kill -9`` at any moment loses no frame
and duplicates none. SIGINT/SIGTERM finish the current step, checkpoint, then raise
``KeyboardInterrupt``.
"""

from __future__ import annotations

import csv
import json
import math
import os
import platform
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms, units
from ase.calculators.calculator import Calculator
from ase.io import write
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary
from pymatgen.core import Structure
from tqdm.auto import tqdm

from superionic.md.engine import (
    DEFAULT_MODEL,
    CalculatorLike,
    make_calculator,
    model_info,
    parse_model,
)
from superionic.md.prepare import relax, to_atoms
from superionic.parallel import Executor, TaskError, map_tasks

CHECKPOINT = "checkpoint.npz"
FRAMES = "frames.extxyz"
LOG = "log.csv"
PARAMS = "params.json"
RESULT = "result.json"
LOG_FIELDS = ("step", "phase", "time_ps", "T_K", "Epot_eV", "Ekin_eV", "Econs_eV")

#: Default MD temperatures (K), spanning the paper's AIMD range.
DEFAULT_TEMPERATURES_K = (600.0, 800.0, 1000.0, 1200.0, 1500.0)


def nose_hoover_available() -> bool:
    """Whether the installed ASE provides ``NoseHooverChainNVT``."""
    try:
        from ase.md.nose_hoover_chain import NoseHooverChainNVT  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class MDParams:
    """One NVT run. Times in fs/ps, temperature in K; step counts are derived.

    ``save_every``: MD steps between stored frames (and log lines); ``checkpoint_every``: steps
    between checkpoints. ``tdamp_fs`` (Nose-Hoover) defaults to 100 time steps, the ASE advice.
    """

    temperature_K: float
    timestep_fs: float = 2.0
    equil_ps: float = 1.0
    prod_ps: float = 10.0
    save_every: int = 5
    checkpoint_every: int = 100
    thermostat: str = "auto"
    tdamp_fs: float | None = None
    tchain: int = 3
    friction_per_ps: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.temperature_K <= 0 or self.timestep_fs <= 0:
            raise ValueError("temperature_K and timestep_fs must be positive")
        if self.equil_ps < 0 or self.prod_ps < 0:
            raise ValueError("equil_ps and prod_ps must be >= 0")
        if self.save_every < 1 or self.checkpoint_every < 1:
            raise ValueError("save_every and checkpoint_every must be >= 1")
        if self.thermostat not in ("auto", "nhc", "langevin"):
            raise ValueError(f"thermostat must be auto, nhc or langevin, got {self.thermostat!r}")

    def resolved(self) -> MDParams:
        """Copy with ``thermostat`` and ``tdamp_fs`` made explicit."""
        thermo = self.thermostat
        if thermo == "auto":
            thermo = "nhc" if nose_hoover_available() else "langevin"
        return replace(self, thermostat=thermo,
                       tdamp_fs=self.tdamp_fs if self.tdamp_fs else 100.0 * self.timestep_fs)

    @property
    def n_equil(self) -> int:
        return int(round(self.equil_ps * 1000.0 / self.timestep_fs))

    @property
    def n_prod(self) -> int:
        """Production steps, rounded up to a whole number of frame intervals."""
        steps = int(round(self.prod_ps * 1000.0 / self.timestep_fs))
        return int(math.ceil(steps / self.save_every) * self.save_every)

    @property
    def n_total(self) -> int:
        return self.n_equil + self.n_prod

    @property
    def frame_interval_ps(self) -> float:
        return self.save_every * self.timestep_fs / 1000.0

    @property
    def n_frames(self) -> int:
        """Frames of a complete run: production start, then one every ``save_every`` steps."""
        return self.n_prod // self.save_every + 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RelaxParams:
    """Short relaxation before MD (see :func:`superionic.md.prepare.relax`); ``steps=0`` skips."""

    fmax_eV_A: float = 0.1
    steps: int = 200
    optimizer: str = "FIRE"
    relax_cell: bool = False


@dataclass(frozen=True)
class MDRunResult:
    """Outcome of one run. ``timestep_ps`` is the time between stored frames."""

    run_dir: Path
    temperature_K: float
    n_frames: int
    timestep_ps: float
    model: str
    seed: int
    completed: bool = True
    n_atoms: int = 0
    formula: str = ""
    mean_temperature_K: float | None = None
    frames_path: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["run_dir"] = str(self.run_dir)
        d["frames_path"] = str(self.frames_path) if self.frames_path else None
        return d


# --- small durable-file helpers -------------------------------------------------------------

def write_json_atomic(path: Path, payload: dict[str, Any]) -> None:
    """Write JSON to ``path`` atomically (:func:`superionic.fileio.atomic_write_json`)."""
    from superionic.fileio import atomic_write_json
    from superionic.records import jsonable

    atomic_write_json(path, jsonable(payload), indent=2, default=str)


def _save_checkpoint(path: Path, arrays: dict[str, Any]) -> None:
    from superionic.fileio import atomic_path

    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, **arrays)  # a file handle: numpy adds no ".npz" to the name
        fh.flush()


def load_checkpoint(run_dir: Path) -> dict[str, Any] | None:
    """The checkpoint of ``run_dir`` as a dict of arrays/scalars, or ``None`` if there is none."""
    path = Path(run_dir) / CHECKPOINT
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


# --- thermostats ----------------------------------------------------------------------------

def _make_dynamics(atoms: Atoms, p: MDParams) -> Any:
    dt = p.timestep_fs * units.fs
    if p.thermostat == "nhc":
        from ase.md.nose_hoover_chain import NoseHooverChainNVT

        return NoseHooverChainNVT(atoms, timestep=dt, temperature_K=p.temperature_K,
                                  tdamp=(p.tdamp_fs or 100 * p.timestep_fs) * units.fs,
                                  tchain=p.tchain)
    from ase.constraints import FixCom
    from ase.md.langevin import Langevin

    atoms.set_constraint(FixCom())
    rng = np.random.default_rng([p.seed, 1, int(round(p.temperature_K))])
    return Langevin(atoms, dt, temperature_K=p.temperature_K, fixcm=False, rng=rng,
                    friction=p.friction_per_ps / (1000.0 * units.fs))


def _thermostat_state(dyn: Any) -> dict[str, Any]:
    thermo = getattr(dyn, "_thermostat", None)
    if thermo is not None:
        return {"nhc_eta": np.array(thermo._eta), "nhc_p_eta": np.array(thermo._p_eta),
                "nhc_energy_eV": np.float64(thermo.get_thermostat_energy())}
    if hasattr(dyn, "rng") and hasattr(dyn.rng, "bit_generator"):
        return {"rng_state": np.array(json.dumps(dyn.rng.bit_generator.state))}
    return {}


def _restore_thermostat(dyn: Any, ckpt: dict[str, Any]) -> None:
    thermo = getattr(dyn, "_thermostat", None)
    if thermo is not None:
        thermo._eta[:] = ckpt["nhc_eta"]
        thermo._p_eta[:] = ckpt["nhc_p_eta"]
    elif "rng_state" in ckpt:
        dyn.rng.bit_generator.state = json.loads(str(ckpt["rng_state"]))


def _conserved_energy(dyn: Any, epot: float, ekin: float) -> float:
    thermo = getattr(dyn, "_thermostat", None)
    return epot + ekin + (thermo.get_thermostat_energy() if thermo is not None else 0.0)


# --- interrupts -----------------------------------------------------------------------------

class _StopRequest:
    """Turns SIGINT/SIGTERM into a flag checked between MD steps (main thread only); a second
    signal interrupts at once."""

    def __init__(self) -> None:
        self.requested = False
        self._old: dict[int, Any] = {}

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> _StopRequest:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


# --- the run --------------------------------------------------------------------------------

class _Run:
    """State of one run directory while it runs (files open, dynamics built)."""

    def __init__(self, run_dir: Path, params: MDParams, atoms: Atoms, calc: Calculator,
                 ckpt: dict[str, Any] | None) -> None:
        self.dir, self.p = run_dir, params
        atoms = atoms.copy()
        if ckpt is None:
            # twice the target: a cell started at its (relaxed) energy minimum shares the kinetic
            # energy equally with the potential energy within ~50 fs (equipartition), so it lands
            # near the target at once instead of half-way below it for several thermostat times
            _thermalize(atoms, 2.0 * params.temperature_K,
                        np.random.default_rng([params.seed, 0, int(round(params.temperature_K))]))
            self.step, self.n_frames = 0, 0
            for name in (FRAMES, LOG):
                (run_dir / name).unlink(missing_ok=True)
        else:
            atoms.set_cell(ckpt["cell"])
            atoms.set_positions(ckpt["positions"])
            atoms.set_momenta(ckpt["momenta"], apply_constraint=False)
            self.step, self.n_frames = int(ckpt["step"]), int(ckpt["n_frames"])
            for name, key in ((FRAMES, "frames_bytes"), (LOG, "log_bytes")):
                _truncate(run_dir / name, int(ckpt[key]))
        atoms.calc = calc
        self.atoms = atoms
        self.dyn = _make_dynamics(atoms, params)
        if ckpt is not None:
            _restore_thermostat(self.dyn, ckpt)
        self.frames = open(run_dir / FRAMES, "a")
        new_log = not (run_dir / LOG).exists() or (run_dir / LOG).stat().st_size == 0
        self.log = open(run_dir / LOG, "a", newline="")
        self.writer = csv.writer(self.log)
        if new_log:
            self.writer.writerow(LOG_FIELDS)
        if ckpt is None:
            atoms.get_forces(md=True)  # one energy+forces call, reused by the first MD step
            self.record()
            self.checkpoint()

    def close(self) -> None:
        self.frames.close()
        self.log.close()

    def record(self) -> None:
        """Log line every ``save_every`` steps; a frame too once production has started."""
        p, s = self.p, self.step
        prod = s - p.n_equil
        if prod % p.save_every:
            return
        a = self.atoms
        epot, ekin = float(a.get_potential_energy()), float(a.get_kinetic_energy())
        temp = float(a.get_temperature())
        phase = "prod" if prod >= 0 else "equil"
        self.writer.writerow([s, phase, f"{s * p.timestep_fs / 1000.0:.6f}", f"{temp:.3f}",
                              f"{epot:.8f}", f"{ekin:.8f}",
                              f"{_conserved_energy(self.dyn, epot, ekin):.8f}"])
        self.log.flush()
        if prod >= 0:
            frame = Atoms(a.numbers, positions=a.positions, cell=a.cell, pbc=a.pbc)
            frame.info = {"step": s, "time_ps": round(prod * p.timestep_fs / 1000.0, 9),
                          "energy": epot, "temperature_K": round(temp, 4)}
            write(self.frames, frame, format="extxyz")
            self.frames.flush()
            self.n_frames += 1

    def checkpoint(self) -> None:
        for fh in (self.frames, self.log):
            fh.flush()
            os.fsync(fh.fileno())
        a = self.atoms
        _save_checkpoint(self.dir / CHECKPOINT, {
            "step": np.int64(self.step), "n_frames": np.int64(self.n_frames),
            "positions": a.get_positions(), "momenta": a.get_momenta(), "cell": np.array(a.cell),
            "numbers": a.numbers, "frames_bytes": np.int64(self.frames.tell()),
            "log_bytes": np.int64(self.log.tell()), "time": np.float64(time.time()),
            **_thermostat_state(self.dyn)})

    def advance(self, stop: _StopRequest, progress: bool) -> bool:
        """Run to the end or until a stop request; True when the run is complete."""
        p = self.p
        bar = tqdm(total=p.n_total, initial=self.step, desc=f"MD {p.temperature_K:.0f} K",
                   unit="step", file=sys.stderr, disable=not progress, mininterval=1.0)
        try:
            while self.step < p.n_total:
                self.dyn.step()
                self.step += 1
                self.record()
                if self.step % p.checkpoint_every == 0 or self.step == p.n_total or stop.requested:
                    self.checkpoint()
                bar.update(1)
                if stop.requested:
                    return False
        finally:
            bar.close()
        return True


def _thermalize(atoms: Atoms, temperature_K: float, rng: np.random.Generator) -> None:
    """Maxwell-Boltzmann momenta at exactly ``temperature_K``, zero total momentum (a new run
    starts at twice its target, see :class:`_Run`)."""
    try:
        from ase.md.velocitydistribution import thermalize_momenta  # ASE >= 3.29
    except ImportError:
        MaxwellBoltzmannDistribution(atoms, temperature_K=temperature_K, force_temp=True, rng=rng)
    else:
        thermalize_momenta(atoms, temperature_K, exact_temperature=True, rng=rng)
    Stationary(atoms)


def _truncate(path: Path, size: int) -> None:
    if path.exists() and path.stat().st_size > size:
        with open(path, "r+b") as fh:
            fh.truncate(size)


def _provenance(extra: dict[str, Any] | None) -> dict[str, Any]:
    from importlib.metadata import version

    pkgs = {}
    for name in ("superionic", "ase", "pymatgen", "numpy", "torch"):
        try:
            pkgs[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing package is just not recorded
            pass
    return {"created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "host": platform.node(), "python": platform.python_version(), "packages": pkgs,
            **(extra or {})}


def _extends(stored: dict[str, Any], params: MDParams) -> bool:
    """Whether ``params`` asks for a longer production of the stored run, all else equal."""
    have = dict(stored.get("md", {}))
    want = json.loads(json.dumps(params.to_dict()))
    longer = float(want.get("prod_ps", 0.0)) > float(have.get("prod_ps", 0.0))
    have.pop("prod_ps", None)
    want.pop("prod_ps", None)
    return longer and have == want


def _extend(run_dir: Path, stored: dict[str, Any], params: MDParams) -> dict[str, Any]:
    """Record a longer production in ``params.json`` (atomically) and drop ``result.json``: the
    run then continues from its checkpoint to the new length, exactly as one long run would."""
    stored = {**stored, "md": params.to_dict(),
              "steps": {"equil": params.n_equil, "prod": params.n_prod}}
    stored["extended"] = [*stored.get("extended", []), {"prod_ps": params.prod_ps, "utc": time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime())}]
    write_json_atomic(run_dir / PARAMS, stored)
    (run_dir / RESULT).unlink(missing_ok=True)
    from superionic.fileio import fsync_dir

    fsync_dir(run_dir)
    return stored


def _check_same(run_dir: Path, stored: dict[str, Any], params: MDParams, model: str) -> None:
    want = json.loads(json.dumps(params.to_dict()))
    have = stored.get("md", {})
    diff = sorted(k for k in set(want) | set(have) if want.get(k) != have.get(k))
    had = stored.get("model", {}).get("name")
    if diff or had != model:
        what = [f"{k}: {have.get(k)!r} -> {want.get(k)!r}" for k in diff]
        if had != model:  # e.g. a CHGNet run resumed after the default became SevenNet-0
            what.append(f"model: {had!r} -> {model!r}; pass --model {had} to continue it")
        raise ValueError(f"{run_dir / PARAMS}: cannot resume with different parameters "
                         f"({', '.join(what)})")


def run_md(structure: Structure | Atoms, params: MDParams, run_dir: str | Path,
           calculator: CalculatorLike = DEFAULT_MODEL, *, resume: bool = False,
           relax_params: RelaxParams | None = RelaxParams(), progress: bool = True,
           provenance: dict[str, Any] | None = None) -> MDRunResult:
    """Relax, equilibrate and produce one NVT trajectory in ``run_dir`` (see module doc).

    With ``resume=True`` an existing run continues from its checkpoint (a finished run returns
    at once; one asked for a longer ``prod_ps``, all other parameters equal, is extended from its
    checkpoint: the frames are those of one uninterrupted longer run); without it an existing run
    is an error. Raises ``KeyboardInterrupt`` after
    checkpointing when interrupted.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    params = params.resolved()
    stored = json.loads((run_dir / PARAMS).read_text()) if (run_dir / PARAMS).exists() else None
    if stored is not None and not resume:
        raise FileExistsError(f"{run_dir}: holds a run already; resume it or choose another directory")
    ckpt = load_checkpoint(run_dir) if stored is not None else None
    if ckpt is not None and _extends(stored, params):
        stored = _extend(run_dir, stored, params)
    if ckpt is not None and (run_dir / RESULT).exists():
        # a finished run needs no calculator; a model given by name is still checked
        asked = (parse_model(calculator)[0] if isinstance(calculator, str)
                 else stored["model"]["name"])
        _check_same(run_dir, stored, params, asked)
        return _result_from_file(run_dir)
    calc = make_calculator(calculator)
    info = model_info(calc)
    if stored is not None:
        _check_same(run_dir, stored, params, info.name)
    if ckpt is None:
        atoms, stored = _start(structure, params, run_dir, calc, relax_params, provenance, info)
    else:
        atoms = _read_start(run_dir)
    run = _Run(run_dir, params, atoms, calc, ckpt)
    try:
        with _StopRequest() as stop:
            done = run.advance(stop, progress)
    finally:
        run.close()
    result = _result(run_dir, params, info.name, run.n_frames, done, atoms)
    if not done:
        raise KeyboardInterrupt(f"{run_dir}: interrupted at step {run.step}; checkpoint written")
    write_json_atomic(run_dir / RESULT, result.to_dict())
    return result


def _start(structure: Structure | Atoms, params: MDParams, run_dir: Path, calc: Calculator,
           relax_params: RelaxParams | None, provenance: dict[str, Any] | None,
           info: Any) -> tuple[Atoms, dict[str, Any]]:
    prepare_note = {}
    if isinstance(structure, Structure):
        prepare_note = dict(structure.properties.get("prepare", {}))
        structure.to(filename=str(run_dir / "input.cif"))
        atoms = to_atoms(structure)
    else:
        atoms = structure.copy()
        write(run_dir / "input.cif", atoms)
    relax_note = None
    if relax_params is not None and relax_params.steps > 0:
        atoms, relax_note = relax(atoms, calc, fmax=relax_params.fmax_eV_A, steps=relax_params.steps,
                                  optimizer=relax_params.optimizer,
                                  relax_cell=relax_params.relax_cell)
    atoms.calc = None
    write(run_dir / "start.extxyz", atoms, format="extxyz")
    stored = {"md": params.to_dict(), "model": info.to_dict(),
              "n_atoms": len(atoms), "formula": atoms.get_chemical_formula(),
              "steps": {"equil": params.n_equil, "prod": params.n_prod},
              "frames": {"file": FRAMES, "interval_ps": params.frame_interval_ps,
                         "positions": "unwrapped Cartesian, Angstrom"},
              "relax": relax_note, "prepare": prepare_note, "provenance": _provenance(provenance)}
    write_json_atomic(run_dir / PARAMS, stored)
    return atoms, stored


def _read_start(run_dir: Path) -> Atoms:
    from ase.io import read

    return read(run_dir / "start.extxyz", format="extxyz")


def _mean_production_T(run_dir: Path) -> float | None:
    try:
        with open(run_dir / LOG, newline="") as fh:
            temps = [float(r["T_K"]) for r in csv.DictReader(fh) if r["phase"] == "prod"]
    except (OSError, KeyError, ValueError):
        return None
    return float(np.mean(temps)) if temps else None


def _result(run_dir: Path, params: MDParams, model: str, n_frames: int, done: bool,
            atoms: Atoms) -> MDRunResult:
    return MDRunResult(run_dir=run_dir, temperature_K=params.temperature_K, n_frames=n_frames,
                       timestep_ps=params.frame_interval_ps, model=model, seed=params.seed,
                       completed=done, n_atoms=len(atoms), formula=atoms.get_chemical_formula(),
                       mean_temperature_K=_mean_production_T(run_dir),
                       frames_path=run_dir / FRAMES)


def _result_from_file(run_dir: Path) -> MDRunResult:
    """The stored result of a finished run, its paths those of the folder where it lies now: a run
    folder that was moved or copied (to another disk, into a benchmark's new output root) still
    resolves its own frames, never the stale absolute path written when it finished."""
    d = json.loads((run_dir / RESULT).read_text())
    d["run_dir"] = run_dir
    d["frames_path"] = run_dir / FRAMES
    return MDRunResult(**d)


# --- several temperatures in parallel -------------------------------------------------------

@dataclass(frozen=True)
class MDTask:
    """One temperature of a batch, picklable for the process pool / Dask."""

    structure: Any  # pymatgen Structure or ASE Atoms
    params: MDParams
    run_dir: str
    model: Any = DEFAULT_MODEL  # name, picklable calculator or module-level factory
    n_threads: int | None = None
    resume: bool = False
    relax_params: RelaxParams | None = field(default_factory=RelaxParams)
    progress: bool = True
    provenance: dict[str, Any] | None = None


def run_task(task: MDTask) -> MDRunResult:
    """Run one :class:`MDTask` (module level so that executors can pickle it)."""
    from superionic.md.engine import set_threads

    set_threads(task.n_threads)
    return run_md(task.structure, task.params, task.run_dir, task.model, resume=task.resume,
                  relax_params=task.relax_params, progress=task.progress,
                  provenance=task.provenance)


def run_dir_name(temperature_K: float) -> str:
    """Directory name of the run at ``temperature_K`` (``T1200K``)."""
    return f"T{temperature_K:g}K"


def run_temperatures(structure: Structure | Atoms, temperatures_K: Sequence[float],
                     out_dir: str | Path, params: MDParams | None = None, *,
                     model: CalculatorLike = DEFAULT_MODEL, executor: Executor | None = None,
                     n_threads: int | None = None, resume: bool = False,
                     relax_params: RelaxParams | None = RelaxParams(), progress: bool = True,
                     provenance: dict[str, Any] | None = None) -> list[MDRunResult | TaskError]:
    """One run per temperature under ``out_dir/T<T>K``, in parallel on ``executor``.

    ``params`` is the template (its temperature is replaced). ``n_threads`` per run defaults to
    the machine's cores shared among the concurrent runs. A failed temperature is a
    :class:`TaskError` in its slot; the others still finish.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    template = params or MDParams(temperature_K=float(temperatures_K[0]))
    executor = executor or Executor(n_workers=min(len(temperatures_K), os.cpu_count() or 1),
                                    progress=progress)
    concurrent = 1 if executor.kind == "serial" else max(1, min(executor.n_workers, len(temperatures_K)))
    threads = n_threads or max(1, (os.cpu_count() or 1) // concurrent)
    prov = {**(provenance or {}), "temperatures_K": [float(t) for t in temperatures_K]}
    tasks = [MDTask(structure, replace(template, temperature_K=float(t)),
                    str(out / run_dir_name(float(t))), model, threads, resume, relax_params,
                    progress, prov)
             for t in temperatures_K]
    return map_tasks(run_task, tasks, executor, desc="MD temperatures")
