"""One MD workflow from a structure to a typed Arrhenius series with a verdict.

:class:`ArrheniusProtocol` is a frozen recipe (atomate2-Maker style): cell preparation, the
potential, the temperatures, equilibration and the stopping rule. ``protocol.run(structure,
out_dir, executor)`` returns an :class:`ArrheniusSeries`: per temperature a
:class:`~superionic.transport.significance.TemperatureResult` (significant D with its error, an
upper bound, or molten), the Arrhenius fit through the significant temperatures and a
:class:`MDVerdict` with its reasons. ``superionic md``, discover's MD stage and the
active-learning MD oracle all call it.

Two modes (:class:`Mode`):

- ``ADAPTIVE`` (``--protocol arrhenius``): start at ``T_start_K``, step down by ``T_step_K``. A
  temperature where the framework flows (an anion's D > 1e-5 cm^2/s) is dropped and the ladder
  steps on down; the descent stops at the first solid temperature whose D is not significant
  (D <= ``n_sigma`` errors) within the cap, or at ``T_min_K``. With fewer than
  ``min_temperatures`` significant temperatures, midpoints between the tested ones are added
  (the one below the coldest significant first, then those between significant ones), in up to
  ``refinement_rounds`` rounds, so a cold midpoint that stays a bound is followed by the
  gaps between significant ones.
- ``FIXED`` (``--temperatures 900 1200 --time-ps 5``): exactly the given temperatures, each
  ``time_ps`` long, no adaptivity; the same analysis and verdict.

Each temperature runs in segments of ``segment_ps`` until the MSD is diffusive (it grew by at
least two hop lengths squared across the fit window,
:class:`~superionic.transport.significance.DiffusiveRegime`) and the relative error of D (the
correlated-MSD error of :mod:`superionic.transport.diffusion`, kinisi's model) is at most
``target_rel_err``, or ``max_ps_per_temperature`` is reached. A temperature stops early, as a
bound, when even the present MSD slope (which only falls as a caged MSD flattens) would need a
longer run than the cap to become diffusive. Segments extend one durable run
(:func:`superionic.md.protocol.run_md` with a longer ``prod_ps``), so a killed workflow resumes
with nothing lost and an extended run is the same trajectory as one long run.

Verdicts (:class:`Verdict`): ``"arrhenius"`` (>= ``min_temperatures`` significant, Ea > 0 by
more than ``n_sigma`` errors, residual chi-square p-value >= ``p_min``); ``"inconclusive"`` (fit
fails a test, or the ladder ran out of temperatures); ``"inconclusive (budget)"`` (too few
significant temperatures because the cap or ``max_total_ps`` stopped the descent: longer runs
would help); ``"no diffusion"`` (no solid temperature shows significant diffusion within the
cap, and the bound at the hottest is below :data:`NO_DIFFUSION_D_CM2_S`; a looser bound is
"inconclusive (budget)"); ``"molten"`` (every temperature tried melted).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from ase import Atoms
from pymatgen.core import Structure

from superionic.md.engine import DEFAULT_MODEL
from superionic.parallel import Executor, TaskError, map_tasks
from superionic.transport.significance import (
    MIN_D_SIGNIFICANCE,
    PROJECTION_SAFETY,
    ArrheniusResult,
    DiffusionStatus,
    TemperatureResult,
    classify,
    fit_usable_arrhenius,
    framework_check,
    sigma300_upper_bound,
    solid_results,
    superheated,
)

SERIES = "series.json"
#: "no diffusion" needs the hottest solid temperature's bound on D below this (cm^2/s): a
#: bound like 2e-4 from a 0.1 ps run rules nothing out ("inconclusive (budget)"), while
#: pristine Li3ClO at 1200 K over 6 ps (D < 2e-7) does not diffuse.
NO_DIFFUSION_D_CM2_S = 1e-6
PREPARED = "prepared.cif"
RELAXED = "relaxed.extxyz"
CELL_JSON = "cell.json"
#: the potential whose runs a series folder holds (its relaxed cell and every temperature)
POTENTIAL_JSON = "potential.json"


class Mode(StrEnum):
    ADAPTIVE = "arrhenius"
    FIXED = "fixed"


class Verdict(StrEnum):
    """The MD verdict strings of the discover contract."""

    ARRHENIUS = "arrhenius"
    INCONCLUSIVE = "inconclusive"
    BUDGET = "inconclusive (budget)"
    NO_DIFFUSION = "no diffusion"
    MOLTEN = "molten"


@dataclass(frozen=True)
class MDVerdict:
    value: Verdict
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.value.value, "verdict_reasons": list(self.reasons)}


@dataclass(frozen=True)
class CellOptions:
    """Cell preparation: supercell atom range, mobile-ion vacancies and their compensation
    (``"auto"``: anion vacancies; ``None``: none; or an anion symbol)."""

    atom_range: tuple[int, int] = (60, 160)
    n_vacancies: int = 0
    compensate: str | None = "auto"
    max_orderings: float = 2.0e4


@dataclass(frozen=True)
class TemperatureFailure:
    temperature_K: float
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"temperature_K": self.temperature_K, "error": self.error}


@dataclass(frozen=True)
class ArrheniusProtocol:
    """The MD recipe. Times in ps/fs, temperatures in K (see the module doc for the rules).

    ``potential``: ``"sevennet"`` (SevenNet-0, the default: docs/md.md "Which potential"),
    ``"chgnet"``, or an ASE calculator factory (tests).
    ``temperatures_K`` set means FIXED mode. ``max_total_ps``: budget over all temperatures
    (equilibration + production); ``None`` is unlimited. ``threads``: torch threads per run.
    """

    potential: str | Callable[[], Any] = DEFAULT_MODEL
    ion: str = "Li"
    cell: CellOptions = field(default_factory=CellOptions)
    timestep_fs: float = 2.0
    equil_ps: float = 1.0
    segment_ps: float = 2.0
    max_ps_per_temperature: float = 20.0
    #: a temperature that is not diffusive stops early when its present MSD slope projects past
    #: this many times ``max_ps_per_temperature`` (``DiffusiveRegime.futile``)
    projection_safety: float = PROJECTION_SAFETY
    target_rel_err: float = 0.20
    T_start_K: float = 1200.0
    T_step_K: float = 150.0
    T_min_K: float = 450.0
    min_temperatures: int = 4
    #: rounds of midpoints after the descent. The first midpoint lies below the coldest
    #: significant temperature, just above a bound, and is often a bound itself (colder is
    #: slower); a second round (or a side-by-side slot in the first) tries the gaps between the
    #: significant ones. The first benchmark runs had one round.
    refinement_rounds: int = 2
    n_sigma: float = MIN_D_SIGNIFICANCE
    p_min: float = 0.01
    seed: int = 0
    threads: int | None = None
    max_total_ps: float | None = None
    temperatures_K: tuple[float, ...] | None = None
    save_every: int = 5
    checkpoint_every: int = 100
    thermostat: str = "auto"
    friction_per_ps: float = 1.0
    relax_steps: int = 200
    fmax_eV_A: float = 0.1

    def __post_init__(self) -> None:
        if self.segment_ps <= 0 or self.max_ps_per_temperature < self.segment_ps - 1e-12:
            raise ValueError("need 0 < segment_ps <= max_ps_per_temperature")
        if self.temperatures_K is not None:
            temps = tuple(float(t) for t in self.temperatures_K)
            if not temps or any(not t > 0 for t in temps):
                raise ValueError(f"temperatures must be positive (K), got {self.temperatures_K!r}")
            object.__setattr__(self, "temperatures_K", temps)
        if not 0 < self.T_min_K <= self.T_start_K or self.T_step_K <= 0:
            raise ValueError("need 0 < T_min_K <= T_start_K and T_step_K > 0")
        if self.min_temperatures < 2:
            raise ValueError("min_temperatures must be >= 2")
        if self.refinement_rounds < 0:
            raise ValueError(f"refinement_rounds must be >= 0, got {self.refinement_rounds!r}")
        if not self.projection_safety >= 1.0:
            raise ValueError("projection_safety must be >= 1 (times the cap), got "
                             f"{self.projection_safety!r}")

    @classmethod
    def fixed(cls, temperatures_K: Sequence[float], time_ps: float, **kw: Any) -> ArrheniusProtocol:
        """FIXED mode: each of ``temperatures_K`` runs exactly ``time_ps`` of production."""
        return cls(temperatures_K=tuple(float(t) for t in temperatures_K), segment_ps=time_ps,
                   max_ps_per_temperature=time_ps, **kw)

    @property
    def mode(self) -> Mode:
        return Mode.FIXED if self.temperatures_K is not None else Mode.ADAPTIVE

    @property
    def potential_name(self) -> str:
        p = self.potential
        return p if isinstance(p, str) else getattr(p, "__name__", type(p).__name__)

    def ladder(self) -> tuple[float, ...]:
        """Temperatures in the order they are tried (hot to cold)."""
        if self.temperatures_K is not None:
            return tuple(sorted(self.temperatures_K, reverse=True))
        n = int(math.floor((self.T_start_K - self.T_min_K) / self.T_step_K + 1e-9)) + 1
        return tuple(round(self.T_start_K - i * self.T_step_K, 3) for i in range(n))

    def effective_save_every(self) -> int:
        """``save_every``, reduced for very short segments so that a segment stores >= 8 frame
        intervals (a 0.01 ps run still gets a fit window)."""
        steps = max(1, int(round(self.segment_ps * 1000.0 / self.timestep_fs)))
        if steps // self.save_every >= 8:
            return self.save_every
        return max(1, steps // 8)

    def md_params(self, temperature_K: float, prod_ps: float) -> Any:
        from superionic.md.protocol import MDParams

        return MDParams(temperature_K=temperature_K, timestep_fs=self.timestep_fs,
                        equil_ps=self.equil_ps, prod_ps=prod_ps,
                        save_every=self.effective_save_every(),
                        checkpoint_every=self.checkpoint_every, thermostat=self.thermostat,
                        friction_per_ps=self.friction_per_ps, seed=self.seed)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(replace(self, potential="")) if not isinstance(self.potential, str) else asdict(self)
        d["potential"] = self.potential_name
        d["mode"] = self.mode.value
        return d

    # --- the workflow ---------------------------------------------------------------------

    def prepare(self, structure: Structure, out_dir: str | Path) -> Structure:
        """Ordered supercell (cached as ``out_dir/prepared.cif``; a rerun with other cell
        options is refused)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        options = {**asdict(self.cell), "seed": self.seed, "ion": self.ion,
                   "source_formula": structure.composition.formula}
        options = json.loads(json.dumps(options))
        if (out / PREPARED).exists() and (out / CELL_JSON).exists():
            stored = json.loads((out / CELL_JSON).read_text())
            if stored.get("options") != options:
                raise ValueError(f"{out / CELL_JSON}: this folder holds runs of another cell "
                                 f"({stored.get('options')}); use another output folder")
            cell = Structure.from_file(out / PREPARED)
            cell.properties = {"prepare": stored.get("prepare", {})}
            return cell
        cell = prepare_cell(structure, self.cell, ion=self.ion, seed=self.seed)
        from superionic.md.protocol import write_json_atomic

        tmp = out / (PREPARED + ".tmp.cif")
        cell.to(filename=str(tmp))
        tmp.replace(out / PREPARED)
        write_json_atomic(out / CELL_JSON, {"options": options,
                                            "prepare": cell.properties.get("prepare", {})})
        return cell

    def _claim_potential(self, out: Path) -> None:
        """Stamp ``out`` with the potential's name, or refuse a folder made with another one:
        its relaxed cell and finished runs would otherwise be reused under the new name (a
        CHGNet folder resumed after the default became SevenNet-0). A folder from before the
        stamp is judged by its series.json."""
        from superionic.md.protocol import write_json_atomic

        stamp, name = out / POTENTIAL_JSON, self.potential_name
        had = None
        if stamp.exists():
            had = json.loads(stamp.read_text()).get("potential")
        elif (out / SERIES).exists():
            had = json.loads((out / SERIES).read_text()).get("potential")
        if had is not None and had != name:
            raise ValueError(f"{out}: this folder holds runs made with the {had} potential, not "
                             f"{name}; pass --model {had} to continue them, or use another "
                             "output folder")
        if not stamp.exists():
            write_json_atomic(stamp, {"potential": name})

    def relaxed(self, cell: Structure, out_dir: str | Path) -> Atoms:
        """Positions relaxed with the potential (cell fixed), cached as ``relaxed.extxyz``."""
        from ase.io import read, write

        from superionic.md.engine import set_threads
        from superionic.md.prepare import relax, to_atoms

        path = Path(out_dir) / RELAXED
        if path.exists():
            return read(path, format="extxyz")
        # concurrent tasks may both relax (deterministic: the same result); writes are atomic
        atoms = to_atoms(cell)
        if self.relax_steps > 0:
            set_threads(self.threads)
            atoms, _ = relax(atoms, _calculator(self.potential), fmax=self.fmax_eV_A,
                             steps=self.relax_steps)
        atoms.calc = None
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        write(tmp, atoms, format="extxyz")
        tmp.replace(path)
        return atoms

    def run(self, structure: Structure, out_dir: str | Path, executor: Executor | None = None,
            *, progress: bool = False, structure_source: str | None = None) -> ArrheniusSeries:
        """Prepare, relax, run the temperatures (see the module doc) and judge them.

        ``executor`` runs temperatures concurrently (``n_workers`` at a time); the default is
        serial. Rerunning with the same ``out_dir`` resumes every run from its checkpoint.
        """
        out = Path(out_dir)
        cell = self.prepare(structure, out)
        self._claim_potential(out)
        # the relaxation runs inside the temperature tasks (cached after the first): the parent
        # never initialises torch before a process pool forks its workers
        executor = executor or Executor(kind="serial", n_workers=1, progress=False)
        width = 1 if executor.kind == "serial" else max(1, executor.n_workers)
        done: dict[float, TemperatureResult] = {}
        failures: dict[float, str] = {}
        budget_hit = False
        spent = 0.0

        def run_batch(temps: Sequence[float]) -> None:
            nonlocal spent
            tasks = [_TemperatureTask(self, cell, float(T), str(out / _run_dir(T)), progress)
                     for T in temps]
            for T, res in zip(temps, map_tasks(_converge_temperature, tasks, executor,
                                               desc="MD temperatures"), strict=True):
                if isinstance(res, TaskError):
                    failures[float(T)] = res.error
                    spent += self.equil_ps + self.segment_ps
                else:
                    done[float(T)] = res
                    spent += self.equil_ps + res.time_ps

        def over_budget() -> bool:
            return self.max_total_ps is not None and spent >= self.max_total_ps - 1e-9

        ladder = list(self.ladder())
        i = 0
        stopped_by_bound = False
        while i < len(ladder):
            if over_budget():
                budget_hit = True
                break
            batch = ladder[i:i + width]
            run_batch(batch)
            i += len(batch)
            if self.mode is Mode.ADAPTIVE and any(
                    done.get(float(T)) is not None
                    and done[float(T)].status is DiffusionStatus.BOUND for T in batch):
                stopped_by_bound = True
                break
        if self.mode is Mode.ADAPTIVE:
            for _ in range(self.refinement_rounds):
                extra = self._refinement(done, width)
                if not extra:
                    break
                if over_budget():
                    budget_hit = True
                    break
                run_batch(extra)
        results = tuple(sorted(done.values(), key=lambda r: r.temperature_K))
        fails = tuple(TemperatureFailure(T, e) for T, e in sorted(failures.items()))
        arr, verdict = self.judge(results, fails, budget_hit=budget_hit,
                                  stopped_by_bound=stopped_by_bound)
        series = ArrheniusSeries(
            formula=cell.composition.reduced_formula, n_atoms=len(cell),
            potential=self.potential_name, structure_source=structure_source,
            protocol=self, temperatures=results, failures=fails, arrhenius=arr, verdict=verdict,
            sigma300_upper_S_cm=None if verdict.value is Verdict.ARRHENIUS
            else sigma300_upper_bound(results),
            out_dir=str(out), prepare=json.loads(json.dumps(cell.properties.get("prepare", {}),
                                                            default=str)))
        from superionic.md.protocol import write_json_atomic

        write_json_atomic(out / SERIES, series.to_dict())
        return series

    def _refinement(self, done: dict[float, TemperatureResult], width: int = 1) -> list[float]:
        """Midpoints to reach ``min_temperatures`` significant ones: between the coldest
        significant and the warmest bound below it first, then between significant ones
        (coldest gaps first). Only gaps wider than half a step (no endless halving below a
        bound), only temperatures not yet run; as many as are missing, or as many as run side by
        side (``width``), which costs no extra wall time: a cold midpoint that stays a bound
        then has a hotter one beside it."""
        sig = sorted(r.temperature_K for r in solid_results(list(done.values())) if r.usable)
        missing = self.min_temperatures - len(sig)
        if missing <= 0 or not sig:
            return []

        def wide(cold: float, hot: float) -> bool:
            return hot - cold > self.T_step_K / 2 + 1e-9

        cands: list[float] = []
        bounds = sorted(T for T, r in done.items() if r.status is DiffusionStatus.BOUND
                        and T < sig[0])
        if bounds and wide(bounds[-1], sig[0]):
            cands.append(round((sig[0] + bounds[-1]) / 2, 3))
        cands += [round((a + b) / 2, 3) for a, b in zip(sig, sig[1:], strict=False) if wide(a, b)]
        if len(sig) == 1:  # only one: one step down with half the step (colder than the first)
            cands.append(round(sig[0] - self.T_step_K / 2, 3))
        out = [T for T in cands if T not in done and T >= self.T_min_K / 2]
        return out[:max(missing, width)]

    def judge(self, results: Sequence[TemperatureResult],
              failures: Sequence[TemperatureFailure] = (), *, budget_hit: bool = False,
              stopped_by_bound: bool = False) -> tuple[ArrheniusResult | None, MDVerdict]:
        """The Arrhenius fit (only for verdict "arrhenius") and the verdict with its reasons."""
        reasons = [f"{f.temperature_K:g} K failed: {f.error}" for f in failures]
        molten = [r.temperature_K for r in results if r.status is DiffusionStatus.MOLTEN]
        hot = superheated(results)
        solid = solid_results(results)
        usable = [r for r in solid if r.usable]
        if molten:
            flows = sorted({sp for r in results for sp in r.framework.flowing_species})
            reasons.append(f"framework flows ({', '.join(flows)}) at "
                           f"{', '.join(f'{T:g}' for T in molten)} K: dropped from the fit")
        if hot:
            reasons.append(f"{', '.join(f'{T:g}' for T in hot)} K: above {min(molten):g} K, "
                           "where the framework flowed, so a superheated crystal (or a flow "
                           "under the detection limit): dropped from the fit")
        if budget_hit:
            reasons.append(f"MD budget of {self.max_total_ps:g} ps spent")
        for r in solid:
            if r.status is DiffusionStatus.BOUND and r.regime is not None and not r.diffusive:
                need = r.regime.projected_run_ps(r.time_ps)
                more = ("" if need is None else "; its MSD does not grow" if math.isinf(need)
                        else f"; its present slope projects ~{need:.2g} ps")
                reasons.append(f"{r.temperature_K:g} K after {r.time_ps:.3g} ps: "
                               f"{r.regime.reason()}{more}")
        if not results:
            return None, MDVerdict(Verdict.INCONCLUSIVE, tuple(reasons or ["no temperature ran"]))
        if not solid:
            return None, MDVerdict(Verdict.MOLTEN, tuple(reasons))
        if not usable:
            hot = max(solid, key=lambda r: r.temperature_K)
            reasons.append(f"D not significant ({self.n_sigma:g} sigma) at any solid temperature "
                           f"within {self.max_ps_per_temperature:g} ps (hottest solid "
                           f"{hot.temperature_K:g} K: D < {hot.D_upper_cm2_s:.2g} cm^2/s)")
            loose = (hot.D_upper_cm2_s or math.inf) >= NO_DIFFUSION_D_CM2_S
            if loose:
                reasons.append(f"that bound does not rule out diffusion (it is above "
                               f"{NO_DIFFUSION_D_CM2_S:g} cm^2/s): longer runs would decide")
            v = Verdict.BUDGET if (budget_hit or loose) else Verdict.NO_DIFFUSION
            return None, MDVerdict(v, tuple(reasons))
        if len(usable) < self.min_temperatures:
            reasons.append(f"{len(usable)} temperature(s) with significant diffusion, "
                           f"{self.min_temperatures} needed for an Arrhenius fit")
            capped = any(r.status is DiffusionStatus.BOUND for r in solid)
            if capped:
                cold = sorted((r.temperature_K for r in solid if not r.usable), reverse=True)
                reasons.append(f"at {', '.join(f'{t:g}' for t in cold)} K D is not significant "
                               f"within {self.max_ps_per_temperature:g} ps per temperature "
                               "(longer runs would resolve it)")
            v = Verdict.BUDGET if (budget_hit or (capped and self.mode is Mode.ADAPTIVE)) \
                else Verdict.INCONCLUSIVE
            return None, MDVerdict(v, tuple(reasons))
        try:
            fit = fit_usable_arrhenius(usable)
        except ValueError as exc:
            reasons.append(f"Arrhenius fit failed: {exc}")
            return None, MDVerdict(Verdict.INCONCLUSIVE, tuple(reasons))
        unconverged = [r.temperature_K for r in usable if not r.converged]
        if not (math.isfinite(fit.Ea_err_eV) and fit.Ea_eV > self.n_sigma * fit.Ea_err_eV):
            reasons.append("fitted activation energy is not positive beyond "
                           f"{self.n_sigma:g} errors: no Arrhenius result")
            return None, MDVerdict(Verdict.INCONCLUSIVE, tuple(reasons))
        if math.isfinite(fit.p_value) and fit.p_value < self.p_min:
            reasons.append(f"ln D is not a straight line in 1/T within the D errors "
                           f"(chi-square p = {fit.p_value:.2g} < {self.p_min:g})")
            return None, MDVerdict(Verdict.INCONCLUSIVE, tuple(reasons))
        reasons.append(f"{len(usable)} temperatures with significant diffusion, residual "
                       f"p = {fit.p_value:.2g}")
        if unconverged:
            reasons.append(f"relative error of D above {self.target_rel_err * 100:g} % at "
                           f"{', '.join(f'{T:g}' for T in unconverged)} K (time cap)")
        return fit, MDVerdict(Verdict.ARRHENIUS, tuple(reasons))


@dataclass(frozen=True)
class ArrheniusSeries:
    """Result of :meth:`ArrheniusProtocol.run` (JSON via :meth:`to_dict`, table via
    :meth:`to_rows`). ``arrhenius`` is set only when the verdict is "arrhenius";
    ``sigma300_upper_S_cm`` (a bound from the solid temperatures, no fit) only otherwise."""

    formula: str
    n_atoms: int
    potential: str
    structure_source: str | None
    protocol: ArrheniusProtocol
    temperatures: tuple[TemperatureResult, ...]
    failures: tuple[TemperatureFailure, ...]
    arrhenius: ArrheniusResult | None
    verdict: MDVerdict
    sigma300_upper_S_cm: float | None
    out_dir: str
    prepare: dict[str, Any] = field(default_factory=dict)

    def run_dir(self, temperature_K: float) -> Path:
        return Path(self.out_dir) / _run_dir(temperature_K)

    def to_dict(self) -> dict[str, Any]:
        a = self.arrhenius
        return {"formula": self.formula, "structure_source": self.structure_source,
                "potential": self.potential, "n_atoms": self.n_atoms, **self.verdict.to_dict(),
                "Ea_eV": a.Ea_eV if a else None, "Ea_err_eV": a.Ea_err_eV if a else None,
                "sigma300_S_cm": a.sigma300_S_cm if a else None,
                "sigma300_low_S_cm": a.sigma300_low_S_cm if a else None,
                "sigma300_high_S_cm": a.sigma300_high_S_cm if a else None,
                "sigma300_upper_S_cm": self.sigma300_upper_S_cm,
                "temperatures": [t.to_dict() for t in self.temperatures],
                "failed": [f.to_dict() for f in self.failures],
                "arrhenius_fit": a.to_dict() if a else None,
                "out_dir": self.out_dir, "prepare": self.prepare,
                "protocol": self.protocol.to_dict()}

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat row per temperature (the store's ``md_runs`` table)."""
        return [{"formula": self.formula, "potential": self.potential, "n_atoms": self.n_atoms,
                 "verdict": self.verdict.value.value, "run_dir": str(self.run_dir(t.temperature_K)),
                 **{k: v for k, v in t.to_dict().items() if k != "framework_D_cm2_s"}}
                for t in self.temperatures]


def prepare_cell(structure: Structure, options: CellOptions, *, ion: str = "Li",
                 seed: int = 0) -> Structure:
    """Ordered supercell with optional vacancies, made by :mod:`superionic.defects` (supercell
    search over the conventional and primitive cells, ordering of partial occupancies in the
    whole supercell, vacancies with compensation); ``properties["prepare"]`` records how."""
    try:
        from superionic.defects.cell import prepare_cell as _defects_prepare
    except ImportError:  # older tree: the md copy
        from superionic.md.prepare import prepare_structure

        return prepare_structure(structure, atom_range=tuple(options.atom_range),  # type: ignore[arg-type]
                                 n_vacancies=options.n_vacancies, ion=ion, seed=seed,
                                 compensate=options.compensate,
                                 max_orderings=options.max_orderings)
    cell = _defects_prepare(structure, atom_range=tuple(options.atom_range),  # type: ignore[arg-type]
                            n_vacancies=options.n_vacancies, ion=ion,
                            compensate=options.compensate, seed=seed,
                            max_enumerate=options.max_orderings)
    lo, hi = options.atom_range
    if cell.n_atoms > hi:
        raise ValueError(f"{structure.composition.reduced_formula}: the smallest MD cell has "
                         f"{cell.n_atoms} atoms, above the atom range {lo}-{hi}; widen it")
    out = cell.structure.copy()
    out.properties = {"prepare": cell.to_dict()}
    return out


def resolve_structure(spec: str | Path, data_dir: Path | None = None) -> tuple[Structure, str]:
    """(Structure, source) from a file, an MP id (the MP fixture, else the live API with
    ``MP_API_KEY``) or a structure-library name (``Li6PS5Cl``, aliases such as ``LGPS``).

    Raises ``FileNotFoundError``/``ValueError`` naming what was tried."""
    from superionic.defects import library
    from superionic.md.prepare import load_structure

    text = str(spec)
    if Path(text).exists():
        return load_structure(text, data_dir), f"user file {text}"
    if text.startswith(("mp-", "mvc-")):
        try:
            return load_structure(text, data_dir), f"MP fixture {text}"
        except (FileNotFoundError, ValueError) as exc:
            key = os.environ.get("MP_API_KEY")
            if not key:
                raise ValueError(f"{text}: not in the MP fixture ({exc}); set MP_API_KEY to "
                                 "fetch it from the Materials Project") from exc
            from mp_api.client import MPRester

            with MPRester(key) as mpr:
                return mpr.get_structure_by_material_id(text), f"MP API {text}"
    if library.has_structure(text):
        return library.get_structure(text), "structure library"
    raise FileNotFoundError(f"{text}: no such file, not an MP id (mp-NNNN) and not a structure-"
                            f"library name with coordinates ({', '.join(library.names())})")


def _run_dir(temperature_K: float) -> str:
    from superionic.md.protocol import run_dir_name

    return run_dir_name(float(temperature_K))


_CALCS: dict[Any, Any] = {}


def _calculator(potential: Any) -> Any:
    """One calculator per potential per process (CHGNet takes seconds to load)."""
    from superionic.md.engine import make_calculator

    key = potential if isinstance(potential, str) or callable(potential) else id(potential)
    if key not in _CALCS:
        _CALCS[key] = make_calculator(potential)
    return _CALCS[key]


@dataclass(frozen=True)
class _TemperatureTask:
    protocol: ArrheniusProtocol
    cell: Structure
    temperature_K: float
    run_dir: str
    progress: bool = False


def analyse_temperature(run: Any, protocol: ArrheniusProtocol) -> TemperatureResult:
    """The :class:`TemperatureResult` of one finished :class:`~superionic.md.protocol.MDRunResult`."""
    path = run.frames_path or Path(run.run_dir) / "frames.extxyz"
    return analyse_frames(path, run.temperature_K, run.timestep_ps, protocol)


def analyse_frames(path: str | Path, temperature_K: float, frame_interval_ps: float,
                   protocol: ArrheniusProtocol) -> TemperatureResult:
    """The :class:`TemperatureResult` of a frames file as it stands (a run still going reads as
    the run so far)."""
    from superionic.transport import analyze_trajectory, read_trajectory

    traj = read_trajectory(path, ion=protocol.ion, timestep_ps=frame_interval_ps,
                           temperature_K=temperature_K)
    result = analyze_trajectory(traj, temperature_K=temperature_K)
    return classify(result, framework_check(traj), n_sigma=protocol.n_sigma,
                    target_rel_err=protocol.target_rel_err)


def _converge_temperature(task: _TemperatureTask) -> TemperatureResult:
    """Run one temperature segment by segment until converged, molten or capped (resumes)."""
    from superionic.md.engine import set_threads
    from superionic.md.protocol import PARAMS, run_md

    p = task.protocol
    set_threads(p.threads)
    calc = _calculator(p.potential)
    run_dir = Path(task.run_dir)
    atoms = p.relaxed(task.cell, run_dir.parent)
    prod = p.segment_ps
    if (run_dir / PARAMS).exists():  # resume at the length the run had reached
        stored = json.loads((run_dir / PARAMS).read_text()).get("md", {})
        prod = max(prod, float(stored.get("prod_ps", prod)))
    while True:
        params = p.md_params(task.temperature_K, prod)
        run = run_md(atoms, params, run_dir, calc, resume=True, relax_params=None,
                     progress=task.progress,
                     provenance={"workflow": "ArrheniusProtocol", "mode": p.mode.value})
        res = analyse_temperature(run, p)
        if (res.status is DiffusionStatus.MOLTEN or res.converged
                or prod >= p.max_ps_per_temperature - 1e-9):
            return res
        if res.regime is not None and res.regime.futile(res.time_ps, p.max_ps_per_temperature,
                                                         p.projection_safety):
            return res  # futile: even safety x the cap would not be enough at the present slope
        prod = min(prod + p.segment_ps, p.max_ps_per_temperature)
