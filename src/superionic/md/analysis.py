"""From finished MD runs to transport numbers through :mod:`superionic.transport`.

md may use transport; transport never imports md. Per temperature: tracer D (cm^2/s) of the
mobile ion with its error, Nernst-Einstein sigma (S/cm), Haven ratio, fit window; across
temperatures: Arrhenius fits of D(T) (Ea, eV) and of sigma*T (sigma at 300 K with a 95 %
interval). A temperature whose analysis fails (too short a run for a fit window...) is reported
with its error and left out of the fit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from superionic.md.protocol import MDRunResult

#: A framework species counts as flowing (liquid-like) when its D exceeds this (cm^2/s) and two
#: errors. Molten salts and oxides: D ~ 1e-5 to 1e-4 (CHGNet K2LiYCl6 at 1000 K: Cl 6.5e-5). An
#: anion hopping through its own vacancies in a crystal stays ~1e-6 (Li23Cl7O8 at 1500 K: Cl
#: 1.7e-6), and a 1 ps run scatters a solid's D by a few 1e-6: neither is a melt.
FRAMEWORK_FLOW_D_CM2_S = 1e-5
#: Framework species this electronegative (Pauling) or more are the anion sublattice, whose flow
#: means the crystal melted or amorphised (a second mobile cation is reported, not disqualifying).
ANION_MIN_ELECTRONEGATIVITY = 2.5


def analyze_run(run: MDRunResult, ion: str = "Li") -> dict[str, Any]:
    """Transport summary (``superionic.transport`` keys: D_cm2_s, D_err, sigma_S_cm ...) of one
    run's production frames, at the run's thermostat temperature, with the framework check
    (:func:`framework_check`: ``framework_D_cm2_s``, ``flowing_species``, ``framework_molten``)."""
    from superionic.transport import analyze_trajectory, read_trajectory

    path = run.frames_path or run.run_dir / "frames.extxyz"
    traj = read_trajectory(path, ion=ion, timestep_ps=run.timestep_ps,
                           temperature_K=run.temperature_K)
    out = analyze_trajectory(traj, temperature_K=run.temperature_K).summary()
    out.update(framework_check(traj))
    return out


def framework_check(traj: Any) -> dict[str, Any]:
    """Tracer D (cm^2/s) of every species but the mobile ion of ``traj`` (a
    :class:`superionic.transport.Trajectory` holding all atoms), the species that flow
    (D > max(2 errors, :data:`FRAMEWORK_FLOW_D_CM2_S`)) and whether an anion flows
    (``framework_molten``): then the run measured a melt, not the crystal. Positions are the
    unwrapped ones with the drift of the non-mobile atoms removed (the frame of the ion's D)."""
    from pymatgen.core import Element

    from superionic.transport import Trajectory, analyze_trajectory

    ion, temperature_K = traj.ion, traj.temperature_K
    if traj.all_positions is None:
        return {}
    species = np.array(traj.species)
    D: dict[str, list[float]] = {}
    for sp in sorted(set(traj.species) - {ion}):
        sub = Trajectory(positions=traj.all_positions[:, species == sp], cell=traj.cell,
                         timestep_ps=traj.timestep_ps, ion=sp, temperature_K=temperature_K,
                         drift_corrected=traj.drift_corrected, source=traj.source)
        fit = analyze_trajectory(sub, temperature_K=temperature_K).tracer
        D[sp] = [fit.D_cm2_s, fit.D_err_cm2_s]
    flowing = [sp for sp, (d, err) in D.items()
               if d > FRAMEWORK_FLOW_D_CM2_S and (err is None or not math.isfinite(err)
                                                  or d > 2 * err)]
    molten = [sp for sp in flowing
              if (Element(sp).X or 0.0) >= ANION_MIN_ELECTRONEGATIVITY]
    return {"framework_D_cm2_s": D, "flowing_species": flowing, "framework_molten": bool(molten)}


MIN_D_SIGNIFICANCE = 2.0  # D must exceed this many standard errors to count as diffusion


def is_diffusive(row: Mapping[str, Any], n_sigma: float = MIN_D_SIGNIFICANCE) -> bool:
    """Whether a per-temperature summary shows diffusion: D > 0, sigma > 0 and D larger than
    ``n_sigma`` times its error. A crystal that only vibrates during a short run gives
    D ~ 0 +/- err; fitting an Arrhenius line through such points would invent an Ea."""
    D, err, sigma = row.get("D_cm2_s") or 0.0, row.get("D_err"), row.get("sigma_S_cm") or 0.0
    if not (D > 0 and sigma > 0):
        return False
    return err is None or not math.isfinite(err) or D > n_sigma * err


def usable_for_arrhenius(row: Mapping[str, Any],
                         n_sigma: float = MIN_D_SIGNIFICANCE) -> bool:
    """A temperature enters the Arrhenius fit when the ion diffuses (:func:`is_diffusive`) in a
    framework that stayed solid."""
    return is_diffusive(row, n_sigma) and not row.get("framework_molten", False)


def arrhenius_summary(T_K: Sequence[float], D_cm2_s: Sequence[float],
                      D_err: Sequence[float] | None, sigma_S_cm: Sequence[float],
                      level: float = 0.95) -> dict[str, Any]:
    """Ea (eV) +/- error from ln D vs 1/T, and sigma(300 K) (S/cm) with a ``level`` interval from
    ln(sigma T) vs 1/T."""
    from superionic.transport import fit_arrhenius

    fit_d = fit_arrhenius(T_K, D_cm2_s, D_err, form="D")
    fit_s = fit_arrhenius(T_K, sigma_S_cm, None, form="sigmaT")
    s300, lo, hi = (float(v) for v in fit_s.predict(300.0, level))
    return {"Ea_eV": fit_d.Ea_eV, "Ea_err": fit_d.Ea_err_eV, "n_temperatures": fit_d.n_points,
            "Ea_sigmaT_eV": fit_s.Ea_eV, "sigma300_S_cm": s300,
            "sigma300_interval_S_cm": [lo, hi], "level": level}


def analyze_runs(runs: Sequence[MDRunResult], ion: str = "Li",
                 min_D_significance: float = MIN_D_SIGNIFICANCE) -> dict[str, Any]:
    """Per-temperature summaries (each flagged ``diffusive``, :func:`is_diffusive`, checked for a
    molten framework, :func:`framework_check`, and flagged ``usable``,
    :func:`usable_for_arrhenius`) and, with two or more usable temperatures, the Arrhenius fit
    over those."""
    per_T: list[dict[str, Any]] = []
    for run in sorted(runs, key=lambda r: r.temperature_K):
        try:
            per_T.append(analyze_run(run, ion))
        except (ValueError, OSError) as exc:  # TrajectoryError/FitWindowError are ValueErrors
            per_T.append({"temperature_K": run.temperature_K, "error": str(exc)})
    for r in per_T:
        if "error" not in r:
            r["diffusive"] = is_diffusive(r, min_D_significance)
            r["usable"] = usable_for_arrhenius(r, min_D_significance)
    good = [r for r in per_T if r.get("usable")]
    out: dict[str, Any] = {"ion": ion, "temperatures": per_T, "arrhenius": None}
    if len({r["temperature_K"] for r in good}) >= 2:
        errs = [r.get("D_err") for r in good]
        try:
            out["arrhenius"] = arrhenius_summary(
                [r["temperature_K"] for r in good], [r["D_cm2_s"] for r in good],
                errs if all(e and e > 0 for e in errs) else None,
                [r["sigma_S_cm"] for r in good])
        except ValueError as exc:
            out["arrhenius"] = {"error": str(exc)}
    return out
