"""Is there diffusion, and is the framework still a crystal? Typed per-temperature verdicts.

A trajectory at one temperature ends in one of three states (:class:`DiffusionStatus`):

- ``SIGNIFICANT``: the mobile ion's tracer D exceeds ``n_sigma`` standard errors (the
  correlated-MSD error of :func:`superionic.transport.diffusion.fit_msd`), implies at least
  :data:`MIN_HOPS` ion hops over the run, **and the MSD is in its diffusive regime**: across the
  fit window it grows by at least :data:`MIN_MSD_GAIN_A2` (two site-to-site distances squared,
  2 :data:`HOP_LENGTH_A` ** 2) per ion (:class:`DiffusiveRegime`); D and sigma are numbers with
  errors;
- ``BOUND``: D is not distinguishable from zero, or the MSD has not left the vibrational cage;
  only an upper bound ``D_upper = max(D, 0) + n_sigma * err`` is reported (never D itself,
  never a negative D);
- ``MOLTEN``: an anion of the framework flows (:func:`framework_check`): the run measured a
  melt or an amorphised solid, not the crystal; nothing of it enters an Arrhenius fit.

:func:`fit_usable_arrhenius` fits ln D against 1/T through the SIGNIFICANT temperatures only and
tests the residuals against a straight line (chi-square with the D errors; p-value).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
from scipy import stats

from superionic.transport.analysis import TransportResult, analyze_trajectory
from superionic.transport.arrhenius import KB_EV_K, fit_arrhenius
from superionic.transport.conductivity import conductivity
from superionic.transport.diffusion import DiffusionFit
from superionic.transport.trajectory import Trajectory

#: D must exceed this many standard errors to count as diffusion.
MIN_D_SIGNIFICANCE = 2.0
#: ... and the run must hold at least this many ion hops, estimated as n_ions 6 D t / a^2 with
#: a = :data:`HOP_LENGTH_A`: the GLS error of D assumes a random walk, which a 10 fs run (pure
#: ballistic motion) or a run with one or two hops is not; a D from them is not a measurement.
MIN_HOPS = 5.0
#: Typical site-to-site distance of a mobile ion (Angstrom) for the hop estimate.
HOP_LENGTH_A = 2.5
#: The tracer MSD must grow by at least this much (Angstrom^2) across the fit window before its
#: slope is read as long-range diffusion: two site-to-site distances squared per ion (~3 hops
#: per ion in the window). Far below it the slope is the rise of the vibrational (cage) MSD toward
#: its plateau, whose amplitude grows ~linearly with T: an Arrhenius fit through such slopes
#: returns Ea ~ k_B T (0.06-0.13 eV at 600-1200 K) whatever the true barrier, with a GLS error of
#: D of only 10-15 % (the error model assumes a random walk). The 0.75 ps runs of the first MD
#: benchmark did exactly this (docs/md.md). Why two and not one: caged ions hopping +-2.5 A on a
#: lattice (24 ions, 150 seeds, bench/md_hop_calibration.py) give D 1.20-1.30x too high with a
#: 22 % scatter at ~1 hop length squared of MSD gain, 1.12x and 17 % at ~2, 1.07x at ~4: two is
#: where the bias falls below the 20 % error target of the stopping rule. (The stated GLS error
#: is ~20 % too small for such hoppers: z-score spread 1.2.)
MIN_MSD_GAIN_A2 = 2.0 * HOP_LENGTH_A**2
#: Li velocities decorrelate within ~0.1 ps (a few collisions with the cage); before that the MSD
#: is ballistic (~t^2) and its slope still rises, so no projection is made from such a window.
BALLISTIC_PS = 0.1
#: A run that is not yet diffusive stops early only when its projected need
#: (:meth:`DiffusiveRegime.projected_run_ps`) exceeds this many times the cap. Measured on the
#: MD benchmark's own runs (CHGNet and SevenNet-0, every run that became diffusive after >= 3 ps, every
#: projection made at an earlier segment): the time a run really needed was 0.54-1.97 times the
#: projection; CHGNet Li3YCl6 at 825 K projected 16 ps after 1.5 ps and was diffusive at 9 ps.
#: With a factor 1 it had been stopped as a bound, and the material called "inconclusive (budget)".
PROJECTION_SAFETY = 2.0
#: A framework species counts as flowing (liquid-like) when its D exceeds this (cm^2/s) and two
#: errors. Molten salts and oxides: D ~ 1e-5 to 1e-4 (CHGNet K2LiYCl6 at 1000 K: Cl 6.5e-5). An
#: anion hopping through its own vacancies in a crystal stays ~1e-6 (Li23Cl7O8 at 1500 K: Cl
#: 1.7e-6), and a 1 ps run scatters a solid's D by a few 1e-6: neither is a melt.
FRAMEWORK_FLOW_D_CM2_S = 1e-5
#: Framework species this electronegative (Pauling) or more are the anion sublattice, whose flow
#: means the crystal melted or amorphised (a second mobile cation is reported, not disqualifying).
ANION_MIN_ELECTRONEGATIVITY = 2.5


class DiffusionStatus(StrEnum):
    """What one temperature's run supports (values are the JSON strings)."""

    SIGNIFICANT = "significant"
    BOUND = "bound"
    MOLTEN = "molten"


@dataclass(frozen=True)
class SpeciesDiffusion:
    """Tracer D (cm^2/s) of one framework species with its 1-sigma error."""

    species: str
    D_cm2_s: float
    D_err_cm2_s: float
    n_atoms: int = 0
    time_ps: float = 0.0

    @property
    def flows(self) -> bool:
        """D above :data:`FRAMEWORK_FLOW_D_CM2_S`, above 2 errors, and (when the run is known)
        at least :data:`MIN_HOPS` estimated hops: vibration in a 0.1 ps run is not a flow."""
        err = self.D_err_cm2_s
        ok = self.D_cm2_s > FRAMEWORK_FLOW_D_CM2_S and (
            not math.isfinite(err) or self.D_cm2_s > 2 * err)
        if ok and self.n_atoms and self.time_ps:
            ok = estimated_hops(self.D_cm2_s, self.n_atoms, self.time_ps) >= MIN_HOPS
        return ok


@dataclass(frozen=True)
class FrameworkCheck:
    """Diffusion of every species but the mobile ion, and whether an anion flows (``molten``)."""

    species: tuple[SpeciesDiffusion, ...] = ()
    flowing_species: tuple[str, ...] = ()
    molten: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"framework_D_cm2_s": {s.species: [s.D_cm2_s, s.D_err_cm2_s] for s in self.species},
                "flowing_species": list(self.flowing_species), "framework_molten": self.molten}


#: Framework D is fitted over this part of the run (fractions of its length): late lags, after
#: the slow approach of a hot solid's vibrational MSD to its plateau (0.3 ps for P in LGPS at
#: 900 K), which a 10-70 % window of a 0.75 ps run reads as flow.
FRAMEWORK_WINDOW = (0.3, 0.8)
#: Framework cations with fewer atoms than this in the cell (dopants) are not used to decide a
#: melt: their D is too noisy.
MIN_CATION_ATOMS = 4


def framework_check(traj: Trajectory) -> FrameworkCheck:
    """Tracer D of every species but ``traj.ion`` (``traj`` must hold all atoms), the species that
    flow (D > max(2 errors, :data:`FRAMEWORK_FLOW_D_CM2_S`) and >= :data:`MIN_HOPS` estimated
    hops, fitted over :data:`FRAMEWORK_WINDOW` of the run) and whether the framework melted.

    Molten: an anion (Pauling electronegativity >= :data:`ANION_MIN_ELECTRONEGATIVITY`) flows
    **and** so does a framework cation (>= :data:`MIN_CATION_ATOMS` atoms), or the framework has
    no such cation (Li3ClO: Cl and O only). A flowing anion around cations that stay on their
    sites is a rotating polyanion (PS4 in LGPS, Li6PS5Cl: S moves up to ~2.5 A while P stays
    within 1 A) or an anion sublattice conducting, not a melt; it is reported in
    ``flowing_species``. Positions are the unwrapped ones with the drift of the non-mobile atoms
    removed (the frame of the ion's D)."""
    from pymatgen.core import Element

    if traj.all_positions is None:
        return FrameworkCheck()
    species = np.array(traj.species)
    duration = (traj.n_frames - 1) * traj.timestep_ps
    start, end = (f * duration for f in FRAMEWORK_WINDOW)
    out = []
    for sp in sorted(set(traj.species) - {traj.ion}):
        sub = Trajectory(positions=traj.all_positions[:, species == sp], cell=traj.cell,
                         timestep_ps=traj.timestep_ps, ion=sp, temperature_K=traj.temperature_K,
                         drift_corrected=traj.drift_corrected, source=traj.source)
        try:
            fit = analyze_trajectory(sub, start_ps=start, end_ps=end,
                                     temperature_K=traj.temperature_K).tracer
        except ValueError:  # too few frames for the late window: the default one
            fit = analyze_trajectory(sub, temperature_K=traj.temperature_K).tracer
        out.append(SpeciesDiffusion(sp, float(fit.D_cm2_s), float(fit.D_err_cm2_s),
                                    int(np.sum(species == sp)), duration))
    flowing = tuple(s.species for s in out if s.flows)

    def is_anion(sp: str) -> bool:
        return (Element(sp).X or 0.0) >= ANION_MIN_ELECTRONEGATIVITY

    cations = [s.species for s in out if not is_anion(s.species) and s.n_atoms >= MIN_CATION_ATOMS]
    molten = any(is_anion(sp) for sp in flowing) and (
        not cations or any(sp in flowing for sp in cations))
    return FrameworkCheck(tuple(out), flowing, molten)


@dataclass(frozen=True)
class DiffusiveRegime:
    """Has the mobile ion's MSD left its vibrational cage over the fit window?

    ``msd_gain_A2``: growth of the fitted tracer MSD across the window (slope x window length,
    Angstrom^2 per ion); ``diffusive``: ``msd_gain_A2 >= min_gain_A2``. It bounds the time a run
    needs: a D of 1e-5 cm^2/s (0.1 Angstrom^2/ps) needs ~35 ps in a 10-70 % window.
    """

    msd_gain_A2: float
    fit_window_ps: tuple[float, float]
    min_gain_A2: float = MIN_MSD_GAIN_A2

    @property
    def diffusive(self) -> bool:
        return math.isfinite(self.msd_gain_A2) and self.msd_gain_A2 >= self.min_gain_A2

    def projected_run_ps(self, run_ps: float) -> float | None:
        """Run length (ps) at which the window's gain would reach ``min_gain_A2`` if the MSD kept
        its present slope (the window scales with the run); ``inf`` without growth; ``None``
        while the window starts inside the ballistic regime (before :data:`BALLISTIC_PS`), where
        the slope still rises. An estimate, not a bound: the cage's rise makes an early slope
        too steep, but a short run holds few hops, and the hops' count can make it too shallow
        (see :data:`PROJECTION_SAFETY`)."""
        if self.fit_window_ps[0] < BALLISTIC_PS:
            return None
        if not (math.isfinite(self.msd_gain_A2) and self.msd_gain_A2 > 0):
            return math.inf
        return run_ps * max(self.min_gain_A2 / self.msd_gain_A2, 1.0)

    def futile(self, run_ps: float, cap_ps: float, safety: float = PROJECTION_SAFETY) -> bool:
        """Not diffusive, and even ``safety`` (:data:`PROJECTION_SAFETY`) times the cap would not
        be enough at the present slope: extending the run to the cap is not worth its cost."""
        need = self.projected_run_ps(run_ps)
        return not self.diffusive and need is not None and need > safety * cap_ps

    def reason(self) -> str:
        a, b = self.fit_window_ps
        return (f"not yet diffusive: the Li MSD grew {self.msd_gain_A2:.2g} A^2 over the fit "
                f"window {a:.3g}-{b:.3g} ps, under two hop lengths squared "
                f"({self.min_gain_A2:.3g} A^2)")

    def to_dict(self) -> dict[str, Any]:
        return {"msd_gain_A2": _finite_or_none(self.msd_gain_A2),
                "fit_window_ps": list(self.fit_window_ps), "diffusive": self.diffusive}


def diffusive_regime(fit: DiffusionFit,
                     min_gain_A2: float = MIN_MSD_GAIN_A2) -> DiffusiveRegime:
    """The :class:`DiffusiveRegime` of an MSD fit (the tracer's; a Cartesian component's with a
    third of the gain)."""
    window = (float(fit.fit_start_ps), float(fit.fit_end_ps))
    gain = float(fit.slope_A2_ps) * (window[1] - window[0])
    return DiffusiveRegime(gain, window, min_gain_A2)


def estimated_hops(D_cm2_s: float, n_ions: int, time_ps: float,
                   hop_length_A: float = HOP_LENGTH_A) -> float:
    """Ion hops a D implies over a run: n_ions * 6 D t / a^2 (D in cm^2/s, t in ps)."""
    return n_ions * 6.0 * max(D_cm2_s, 0.0) * 1e4 * time_ps / hop_length_A**2


def is_significant(D_cm2_s: float, D_err_cm2_s: float, n_sigma: float = MIN_D_SIGNIFICANCE,
                   *, n_ions: int | None = None, time_ps: float | None = None,
                   min_hops: float = MIN_HOPS) -> bool:
    """D > 0, D > ``n_sigma`` standard errors (a non-finite error is never significant) and,
    when ``n_ions`` and ``time_ps`` are given, at least ``min_hops`` estimated hops
    (:func:`estimated_hops`)."""
    ok = (math.isfinite(D_cm2_s) and math.isfinite(D_err_cm2_s) and D_cm2_s > 0
          and D_cm2_s > n_sigma * D_err_cm2_s)
    if ok and n_ions is not None and time_ps is not None:
        ok = estimated_hops(D_cm2_s, n_ions, time_ps) >= min_hops
    return ok


def upper_bound(D_cm2_s: float, D_err_cm2_s: float, n_sigma: float = MIN_D_SIGNIFICANCE) -> float:
    """Upper bound on D (cm^2/s): ``max(D, 0) + n_sigma * err``; positive by construction."""
    if not (math.isfinite(D_cm2_s) and math.isfinite(D_err_cm2_s)):
        raise ValueError(f"cannot bound D = {D_cm2_s!r} +/- {D_err_cm2_s!r}")
    return max(D_cm2_s, 0.0) + n_sigma * abs(D_err_cm2_s)


@dataclass(frozen=True)
class TemperatureResult:
    """What a run at one temperature supports (units in the names; JSON via :meth:`to_dict`).

    ``D_cm2_s``/``sigma_S_cm`` are numbers only when ``status`` is SIGNIFICANT; a BOUND carries
    ``D_upper_cm2_s``/``sigma_upper_S_cm``; a MOLTEN run carries neither (its framework check
    says which species flowed). ``converged``: the relative error of D reached the target.
    """

    temperature_K: float
    time_ps: float
    status: DiffusionStatus
    D_cm2_s: float | None
    D_err_cm2_s: float | None
    D_upper_cm2_s: float | None
    sigma_S_cm: float | None
    sigma_err_S_cm: float | None
    sigma_upper_S_cm: float | None
    framework: FrameworkCheck = field(default_factory=FrameworkCheck)
    converged: bool = False
    n_ions: int = 0
    n_frames: int = 0
    haven_ratio: float | None = None
    regime: DiffusiveRegime | None = None

    @property
    def diffusive(self) -> bool:
        """The MSD left the cage (True when unknown: results built before the check)."""
        return self.regime is None or self.regime.diffusive

    @property
    def usable(self) -> bool:
        """Enters an Arrhenius fit: significant diffusion in a solid framework."""
        return self.status is DiffusionStatus.SIGNIFICANT

    @property
    def rel_err(self) -> float:
        if self.D_cm2_s is None or self.D_err_cm2_s is None or not self.D_cm2_s > 0:
            return math.inf
        return self.D_err_cm2_s / self.D_cm2_s

    def to_dict(self) -> dict[str, Any]:
        return {"temperature_K": self.temperature_K, "time_ps": round(self.time_ps, 6),
                "status": self.status.value, "D_cm2_s": self.D_cm2_s,
                "D_err_cm2_s": self.D_err_cm2_s, "D_upper_cm2_s": self.D_upper_cm2_s,
                "sigma_S_cm": self.sigma_S_cm, "sigma_err_S_cm": self.sigma_err_S_cm,
                "sigma_upper_S_cm": self.sigma_upper_S_cm, "converged": self.converged,
                "n_ions": self.n_ions, "n_frames": self.n_frames,
                "haven_ratio": self.haven_ratio,
                **(self.regime.to_dict() if self.regime is not None else {}),
                **self.framework.to_dict()}


def classify(result: TransportResult, framework: FrameworkCheck, *,
             n_sigma: float = MIN_D_SIGNIFICANCE, target_rel_err: float = 0.2,
             charge: int = 1) -> TemperatureResult:
    """The :class:`TemperatureResult` of one analysed trajectory (see the module doc)."""
    fit = result.tracer
    T = result.temperature_K
    duration = (result.n_frames - 1) * result.timestep_ps
    regime = diffusive_regime(result.tracer)
    base = {"temperature_K": T, "time_ps": duration, "framework": framework,
            "n_ions": result.n_ions, "n_frames": result.n_frames, "regime": regime}
    if framework.molten:
        return TemperatureResult(status=DiffusionStatus.MOLTEN, D_cm2_s=None, D_err_cm2_s=None,
                                 D_upper_cm2_s=None, sigma_S_cm=None, sigma_err_S_cm=None,
                                 sigma_upper_S_cm=None, **base)
    D, err = float(fit.D_cm2_s), float(fit.D_err_cm2_s)
    if is_significant(D, err, n_sigma, n_ions=result.n_ions, time_ps=duration) \
            and regime.diffusive:
        sig = result.sigma
        haven = result.haven.value if result.haven.value is not None else None
        return TemperatureResult(status=DiffusionStatus.SIGNIFICANT, D_cm2_s=D, D_err_cm2_s=err,
                                 D_upper_cm2_s=None, sigma_S_cm=float(sig.sigma_S_cm),
                                 sigma_err_S_cm=float(sig.sigma_err_S_cm), sigma_upper_S_cm=None,
                                 converged=err / D <= target_rel_err,
                                 haven_ratio=_finite_or_none(haven), **base)
    # a run with fewer than MIN_HOPS hops bounds D only by the D that MIN_HOPS hops would imply;
    # a caged MSD's slope overestimates the long-time one, so D + n_sigma err bounds it
    hop_D = MIN_HOPS * HOP_LENGTH_A**2 / (max(result.n_ions, 1) * 6.0 * max(duration, 1e-12)) * 1e-4
    bound = max(upper_bound(D, err, n_sigma), hop_D) if is_significant(D, err, n_sigma) \
        else upper_bound(D, err, n_sigma)
    s_up = conductivity(bound, 0.0, result.n_ions, result.volume_A3, T, charge).sigma_S_cm
    return TemperatureResult(status=DiffusionStatus.BOUND, D_cm2_s=None, D_err_cm2_s=err,
                             D_upper_cm2_s=bound, sigma_S_cm=None, sigma_err_S_cm=None,
                             sigma_upper_S_cm=float(s_up), **base)


def _finite_or_none(x: Any) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class ArrheniusResult:
    """Arrhenius fit through the usable temperatures.

    Ea_eV, Ea_err_eV: from ln D vs 1/T weighted by the D errors (1-sigma; the covariance from
    the stated errors, widened by the reduced chi-square when it exceeds 1, never shrunk).
    sigma300_S_cm and its ``level`` interval: from ln(sigma T) vs 1/T. ``chi2``/``p_value``:
    residuals against the stated D errors; p is the probability of residuals at least this large
    if ln D were a straight line in 1/T.
    """

    temperatures_K: tuple[float, ...]
    Ea_eV: float
    Ea_err_eV: float
    prefactor_cm2_s: float
    sigma300_S_cm: float
    sigma300_low_S_cm: float
    sigma300_high_S_cm: float
    chi2: float
    dof: int
    p_value: float
    level: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        return {"temperatures_K": list(self.temperatures_K), "Ea_eV": self.Ea_eV,
                "Ea_err_eV": self.Ea_err_eV, "prefactor_cm2_s": self.prefactor_cm2_s,
                "sigma300_S_cm": self.sigma300_S_cm, "sigma300_low_S_cm": self.sigma300_low_S_cm,
                "sigma300_high_S_cm": self.sigma300_high_S_cm, "chi2": self.chi2,
                "dof": self.dof, "p_value": self.p_value, "level": self.level}


def fit_usable_arrhenius(results: Sequence[TemperatureResult],
                         level: float = 0.95) -> ArrheniusResult:
    """Arrhenius fit through the SIGNIFICANT results only (a bound or a melt never enters).

    Raises ``ValueError`` with fewer than 2 distinct usable temperatures.
    """
    good = sorted((r for r in results if r.usable), key=lambda r: r.temperature_K)
    if len({r.temperature_K for r in good}) < 2:
        raise ValueError("an Arrhenius fit needs 2 distinct usable temperatures, got "
                         f"{len({r.temperature_K for r in good})}")
    T = [r.temperature_K for r in good]
    D = np.array([r.D_cm2_s for r in good], dtype=float)
    err = np.array([r.D_err_cm2_s for r in good], dtype=float)
    fit_d, chi2 = _floored(fit_arrhenius(T, D, err, form="D"), T, D, err)
    dof = len(T) - 2
    p = float(stats.chi2.sf(chi2, dof)) if dof > 0 else math.nan
    sig = np.array([r.sigma_S_cm for r in good], dtype=float)
    sig_err = np.array([r.sigma_err_S_cm for r in good], dtype=float)
    if np.all(sig_err > 0):
        fit_s, _ = _floored(fit_arrhenius(T, sig, sig_err, form="sigmaT"), T, sig, sig_err)
    else:
        fit_s = fit_arrhenius(T, sig, None, form="sigmaT")
    s300, lo, hi = (float(v) for v in fit_s.predict(300.0, level))
    return ArrheniusResult(temperatures_K=tuple(T), Ea_eV=float(fit_d.Ea_eV),
                           Ea_err_eV=float(fit_d.Ea_err_eV), prefactor_cm2_s=float(fit_d.prefactor),
                           sigma300_S_cm=s300, sigma300_low_S_cm=lo, sigma300_high_S_cm=hi,
                           chi2=chi2, dof=dof, p_value=p, level=level)


def _floored(fit: Any, T: Sequence[float], values: np.ndarray,
             errors: np.ndarray) -> tuple[Any, float]:
    """(fit with its covariance = the stated-error covariance times max(1, chi2/dof), chi2).

    ``fit_arrhenius`` scales the covariance by chi2/dof, which shrinks the error below what the
    stated errors of the points allow when they happen to lie on a line (p ~ 1); here the
    scatter can only widen it."""
    from dataclasses import replace

    x = 1.0 / np.asarray(T, dtype=float)
    y = np.log(values * np.asarray(T)) if fit.form == "sigmaT" else np.log(values)
    w = (values / errors) ** 2
    X = np.column_stack([np.ones_like(x), x])
    unscaled = np.linalg.inv(X.T @ (X * w[:, None]))
    resid = y - X @ np.array([math.log(fit.prefactor), -fit.Ea_eV / KB_EV_K])
    chi2 = float(np.sum(w * resid**2))
    dof = len(x) - 2
    cov = unscaled * max(1.0, chi2 / dof) if dof > 0 else unscaled
    a = fit.prefactor
    return replace(fit, covariance=cov, Ea_err_eV=math.sqrt(cov[1, 1]) * KB_EV_K,
                   prefactor_err=a * math.sqrt(cov[0, 0])), chi2


def superheated(results: Sequence[TemperatureResult]) -> tuple[float, ...]:
    """Temperatures (K) of runs that look solid but lie above the coldest molten one.

    Melting is monotonic in temperature: a framework that flowed at T_m is liquid at every hotter
    temperature in equilibrium. A run hotter than T_m whose framework did not flow is a superheated
    crystal (a short run of a defect-free periodic cell has no nucleus to melt from) or one that
    flowed just under :data:`FRAMEWORK_FLOW_D_CM2_S` (CHGNet Li3N: N at 1.2e-5 cm^2/s at 1050 K,
    molten, and 9.4e-6 at 1200 K). Its D is not the solid's, so it enters no fit and no bound.
    """
    molten = [r.temperature_K for r in results if r.status is DiffusionStatus.MOLTEN]
    if not molten:
        return ()
    t_m = min(molten)
    return tuple(sorted(r.temperature_K for r in results
                        if r.status is not DiffusionStatus.MOLTEN and r.temperature_K > t_m))


def solid_results(results: Sequence[TemperatureResult]) -> list[TemperatureResult]:
    """The results that describe the solid: neither molten nor :func:`superheated`."""
    hot = set(superheated(results))
    return [r for r in results
            if r.status is not DiffusionStatus.MOLTEN and r.temperature_K not in hot]


def sigma300_upper_bound(results: Sequence[TemperatureResult]) -> float | None:
    """Upper bound on sigma(300 K) (S/cm) that needs no Arrhenius fit: for thermally activated
    conduction (sigma T = A exp(-Ea / kT) with Ea >= 0), sigma(300) <= sigma(T) T / 300 for every
    T > 300 K, so the tightest bound over the solid temperatures (upper values: sigma + 2 err or
    the bound) is returned; ``None`` without a solid temperature (:func:`solid_results`)."""
    best = None
    for r in solid_results(results):
        if r.temperature_K <= 300:
            continue
        if r.status is DiffusionStatus.SIGNIFICANT:
            up = float(r.sigma_S_cm) + MIN_D_SIGNIFICANCE * float(r.sigma_err_S_cm or 0.0)
        else:
            up = float(r.sigma_upper_S_cm)
        val = up * r.temperature_K / 300.0
        best = val if best is None else min(best, val)
    return best
