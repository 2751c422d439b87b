"""The MD oracle: label a candidate by molecular dynamics (sigma at 300 K and Ea).

Per candidate: order/supercell the structure (:func:`superionic.md.prepare.prepare_structure`),
run short NVT MD at a few temperatures (:func:`superionic.md.protocol.run_temperatures`), get the
tracer D (cm^2/s) and Nernst-Einstein sigma (S/cm) of the mobile ion per temperature
(:func:`superionic.md.analysis.analyze_run`, i.e. :mod:`superionic.transport`), then fit
Arrhenius laws (:func:`superionic.transport.fit_arrhenius`): Ea (eV) from ln D vs 1/T, and
sigma(300 K) from ln(sigma T) vs 1/T (the Nernst-Einstein form, sigma T = A exp(-Ea / k_B T)).
The label is log10(sigma(300 K) / S cm^-1); the Ea, the per-temperature numbers and the run
folders go to :attr:`MDOracle.details` and from there into the stored round.

Layering. The architecture's data flow is md -> transport -> active loop, so active/ may use md/
and transport/, never the reverse. Still, this module imports them only inside functions: importing
:mod:`superionic.active` (the acquisition functions, the loop, the file and retrospective oracles)
must stay cheap and must not need the MD stack (ASE integrators, torch for CHGNet). The CLI or the
campaign builds an :class:`MDOracle` when ``--oracle md`` is asked for; the loop only sees the
:class:`~superionic.active.oracles.Oracle` interface. ``runner`` and ``analyzer`` can be replaced
(e.g. by a queue that submits VASP jobs) without touching the loop.

MD runs are resumable: each candidate has its folder ``<workdir>/<id>/T<T>K`` and a rerun after a
crash continues every run from its checkpoint (``resume=True``), so a resumed campaign does not
redo finished MD.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

#: Temperatures (K) of the oracle's MD by default: two, hot enough for Li hops within ps.
DEFAULT_ORACLE_TEMPERATURES_K = (800.0, 1200.0)


@dataclass(frozen=True)
class MDOracleSettings:
    """The oracle's MD budget (times in ps/fs, temperatures in K, sizes in atoms).

    Short by default (an oracle is called many times); the paper-grade protocol is the MD
    stage's own default (five temperatures, 10 ps each, 60-160 atoms).
    """

    temperatures_K: tuple[float, ...] = DEFAULT_ORACLE_TEMPERATURES_K
    prod_ps: float = 2.0
    equil_ps: float = 0.5
    timestep_fs: float = 2.0
    save_every: int = 5
    checkpoint_every: int = 100
    atom_range: tuple[int, int] = (40, 100)
    n_vacancies: int = 0
    relax_steps: int = 100
    thermostat: str = "auto"
    friction_per_ps: float = 1.0
    seed: int = 0
    model: Any = "chgnet"  # a model name, an ASE calculator or a zero-argument factory
    n_threads: int | None = None
    target_T_K: float = 300.0
    min_D_significance: float = 2.0  # a temperature counts when D > this many errors of D

    def __post_init__(self) -> None:
        if len(set(self.temperatures_K)) < 2:
            raise ValueError("the MD oracle needs at least two distinct temperatures (K) for an "
                             f"Arrhenius fit, got {self.temperatures_K}")
        if any(t <= 0 for t in self.temperatures_K) or self.target_T_K <= 0:
            raise ValueError("temperatures must be positive (K)")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if not isinstance(self.model, str):
            d["model"] = getattr(self.model, "name", None) or type(self.model).__name__
        return d


@dataclass(frozen=True)
class MDLabel:
    """What the MD oracle returns for one candidate.

    ``log10_sigma_S_cm``: log10 of sigma(``target_T_K``) in S/cm from the sigma*T Arrhenius fit;
    ``sigma_interval_S_cm``: its 95 % confidence interval (NaN with two points and no errors);
    ``Ea_eV``/``Ea_err_eV``: activation energy (eV) of D(T) and its 1-sigma error;
    per-temperature ``temperatures_K``, ``D_cm2_s``, ``sigma_S_cm``.
    """

    log10_sigma_S_cm: float
    sigma_S_cm: float
    sigma_interval_S_cm: tuple[float, float]
    Ea_eV: float
    Ea_err_eV: float
    target_T_K: float
    temperatures_K: list[float]
    D_cm2_s: list[float]
    sigma_T_S_cm: list[float]
    runs: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def label_from_transport(temperatures_K: Sequence[float], D_cm2_s: Sequence[float],
                         sigma_S_cm: Sequence[float], D_err_cm2_s: Sequence[float] | None = None,
                         target_T_K: float = 300.0) -> MDLabel:
    """Arrhenius fits of per-temperature D (cm^2/s) and sigma (S/cm) -> :class:`MDLabel`.

    Needs two or more distinct temperatures with D > 0 and sigma > 0 (raises ``ValueError``).
    """
    from superionic.transport import fit_arrhenius

    errs = None
    if D_err_cm2_s is not None and all(e is not None and e > 0 for e in D_err_cm2_s):
        errs = list(D_err_cm2_s)
    fit_d = fit_arrhenius(temperatures_K, D_cm2_s, errs, form="D")
    fit_s = fit_arrhenius(temperatures_K, sigma_S_cm, None, form="sigmaT")
    sigma, low, high = (float(v) for v in fit_s.predict(target_T_K, 0.95))
    return MDLabel(log10_sigma_S_cm=math.log10(sigma), sigma_S_cm=sigma,
                   sigma_interval_S_cm=(low, high), Ea_eV=float(fit_d.Ea_eV),
                   Ea_err_eV=float(fit_d.Ea_err_eV), target_T_K=float(target_T_K),
                   temperatures_K=[float(t) for t in temperatures_K],
                   D_cm2_s=[float(d) for d in D_cm2_s], sigma_T_S_cm=[float(s) for s in sigma_S_cm])


def safe_name(cid: str) -> str:
    """A folder name for candidate id ``cid`` (letters, digits, ``-_.``)."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", cid).strip("._")
    return name or "candidate"


def run_md_temperatures(structure: Any, run_dir: Path, settings: MDOracleSettings,
                        mobile_ion: str, progress: bool = False) -> list[Any]:
    """Prepare ``structure`` and run the oracle's MD in ``run_dir/T<T>K``, one temperature after
    the other; an ``MDRunResult`` or the exception per temperature (imports :mod:`superionic.md`
    here, see the module doc). Torch threads are set only when ``settings.n_threads`` is."""
    from superionic.md.engine import make_calculator
    from superionic.md.prepare import prepare_structure
    from superionic.md.protocol import MDParams, RelaxParams, run_dir_name, run_md

    s = settings
    prepared = prepare_structure(structure, atom_range=s.atom_range, n_vacancies=s.n_vacancies,
                                 ion=mobile_ion, seed=s.seed)
    relax = RelaxParams(steps=s.relax_steps) if s.relax_steps > 0 else None
    calc = make_calculator(s.model, n_threads=s.n_threads)  # loaded once for all temperatures
    out: list[Any] = []
    for T in s.temperatures_K:
        params = MDParams(temperature_K=float(T), timestep_fs=s.timestep_fs, equil_ps=s.equil_ps,
                          prod_ps=s.prod_ps, save_every=s.save_every,
                          checkpoint_every=s.checkpoint_every, thermostat=s.thermostat,
                          friction_per_ps=s.friction_per_ps, seed=s.seed)
        try:
            out.append(run_md(prepared, params, Path(run_dir) / run_dir_name(float(T)), calc,
                              resume=True, relax_params=relax, progress=progress,
                              provenance={"oracle": "active.md_oracle",
                                          "mobile_ion": mobile_ion}))
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # noqa: BLE001 - one temperature failing is reported
            out.append(exc)
    return out


def analyze_md_runs(runs: Sequence[Any], mobile_ion: str) -> list[dict[str, Any]]:
    """Per-temperature transport summaries (D_cm2_s, D_err, sigma_S_cm ...) of finished runs."""
    from superionic.md.analysis import analyze_run

    out = []
    for run in sorted(runs, key=lambda r: r.temperature_K):
        try:
            out.append(analyze_run(run, mobile_ion))
        except (ValueError, OSError) as exc:
            out.append({"temperature_K": run.temperature_K, "error": str(exc)})
    return out


StructureSource = Mapping[str, Any] | Callable[[str], Any]


class MDOracle:
    """Labels candidates (ids) by MD; ``structures`` maps id -> pymatgen Structure (or path).

    ``overrides`` maps id -> fields of :class:`MDOracleSettings` that differ for that candidate
    (e.g. ``{"n_vacancies": 2}``). ``label(ids)`` returns ``(labels, failed)`` like every
    oracle: labels are
    log10(sigma(300 K) / S cm^-1); a candidate whose structure is missing, whose MD fails at a
    temperature or whose Arrhenius fit is impossible is reported in ``failed`` with the reason
    and the batch goes on. ``details[id]`` keeps the :class:`MDLabel` as a dict.
    """

    def __init__(self, structures: StructureSource, workdir: str | Path,
                 settings: MDOracleSettings | None = None, mobile_ion: str = "Li",
                 progress: bool = False,
                 runner: Callable[..., list[Any]] = run_md_temperatures,
                 analyzer: Callable[[Sequence[Any], str], list[dict[str, Any]]] = analyze_md_runs,
                 overrides: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.structures = structures
        self.workdir = Path(workdir)
        self.settings = settings or MDOracleSettings()
        self.mobile_ion = mobile_ion
        self.progress = progress
        self.runner = runner
        self.analyzer = analyzer
        self.overrides = {k: dict(v) for k, v in (overrides or {}).items()}
        self.details: dict[str, dict[str, Any]] = {}

    def settings_for(self, cid: str) -> MDOracleSettings:
        """The MD settings of candidate ``cid`` (the oracle's, with its overrides)."""
        return replace(self.settings, **self.overrides.get(cid, {}))

    def structure(self, cid: str) -> Any:
        """The Structure of candidate ``cid`` (a path is read with pymatgen)."""
        src = self.structures
        s = src(cid) if callable(src) else src.get(cid)
        if s is None:
            raise KeyError(f"no structure for candidate {cid!r}")
        if isinstance(s, str | Path):
            from pymatgen.core import Structure

            s = Structure.from_file(s)
        return s

    def label_one(self, cid: str) -> MDLabel:
        """Run the MD of one candidate and fit its Arrhenius laws (raises on failure)."""
        from superionic.md.analysis import is_diffusive

        structure = self.structure(cid)
        if hasattr(structure, "composition") and self.mobile_ion not in {
                el.symbol for el in structure.composition.elements}:
            raise ValueError(f"{structure.composition.reduced_formula} has no mobile "
                             f"{self.mobile_ion}")
        run_dir = self.workdir / safe_name(cid)
        settings = self.settings_for(cid)
        results = self.runner(structure, run_dir, settings, self.mobile_ion, self.progress)
        runs = [r for r in results if not isinstance(r, Exception)]
        skipped = {f"{T:g} K": f"{type(r).__name__}: {r}"
                   for T, r in zip(settings.temperatures_K, results, strict=True)
                   if isinstance(r, Exception)}
        per_T = self.analyzer(runs, self.mobile_ion)
        good = []
        for row in per_T:
            if "error" in row:
                skipped[f"{row['temperature_K']:g} K"] = row["error"]
            elif row.get("framework_molten"):
                skipped[f"{row['temperature_K']:g} K"] = (
                    f"framework flows (molten or amorphous): {', '.join(row['flowing_species'])}")
            elif not is_diffusive(row, settings.min_D_significance):
                skipped[f"{row['temperature_K']:g} K"] = (
                    f"no significant diffusion (D = {row.get('D_cm2_s'):.3g} +/- "
                    f"{row.get('D_err') or float('nan'):.2g} cm^2/s)")
            else:
                good.append(row)
        if len({r["temperature_K"] for r in good}) < 2:
            raise ValueError(f"fewer than two temperatures with diffusion for an Arrhenius fit "
                             f"({skipped or 'none analysable'})")
        label = label_from_transport([r["temperature_K"] for r in good],
                                     [r["D_cm2_s"] for r in good],
                                     [r["sigma_S_cm"] for r in good],
                                     [r.get("D_err") for r in good], settings.target_T_K)
        return MDLabel(**{**label.to_dict(), "runs": [str(r.run_dir) for r in runs],
                          "skipped": skipped})

    def label(self, ids: Sequence[str]) -> tuple[dict[str, float], dict[str, str]]:
        found: dict[str, float] = {}
        failed: dict[str, str] = {}
        for cid in ids:
            try:
                lab = self.label_one(cid)
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # noqa: BLE001 - one failed candidate must not end the round
                failed[cid] = f"{type(exc).__name__}: {exc}"
                continue
            found[cid] = lab.log10_sigma_S_cm
            self.details[cid] = lab.to_dict()
        return found, failed
