"""One call from a trajectory to D, sigma and the Haven ratio at one temperature.

MSD (FFT, all origins) -> tracer, collective and x/y/z fits over the same window -> Nernst-Einstein
conductivity from the tracer D (and from the collective D_sigma) -> Haven ratio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from superionic.transport.conductivity import Conductivity, conductivity
from superionic.transport.diffusion import DiffusionFit, Method, fit_msd
from superionic.transport.haven import HavenRatio, haven_ratio
from superionic.transport.msd import MSDResult, mean_squared_displacement
from superionic.transport.trajectory import Trajectory, TrajectoryError


@dataclass(frozen=True, eq=False)
class TransportResult:
    """Transport of the mobile ion in one trajectory (units in the field names)."""

    ion: str
    temperature_K: float
    n_ions: int
    n_frames: int
    timestep_ps: float
    volume_A3: float
    msd: MSDResult
    tracer: DiffusionFit
    collective: DiffusionFit
    components: tuple[DiffusionFit, DiffusionFit, DiffusionFit]
    sigma: Conductivity
    sigma_collective: Conductivity
    haven: HavenRatio
    drift_corrected: bool

    def summary(self) -> dict[str, Any]:
        """Flat JSON-ready numbers (the keys printed by ``superionic analyze --json``)."""
        return {
            "ion": self.ion, "temperature_K": self.temperature_K,
            "D_cm2_s": self.tracer.D_cm2_s, "D_err": self.tracer.D_err_cm2_s,
            "D_xyz_cm2_s": [c.D_cm2_s for c in self.components],
            "D_sigma_cm2_s": self.collective.D_cm2_s, "D_sigma_err": self.collective.D_err_cm2_s,
            "sigma_S_cm": self.sigma.sigma_S_cm, "sigma_err": self.sigma.sigma_err_S_cm,
            "sigma_collective_S_cm": self.sigma_collective.sigma_S_cm,
            "sigma_collective_err": self.sigma_collective.sigma_err_S_cm,
            "haven_ratio": self.haven.value, "haven_ratio_err": self.haven.err,
            "n_ions": self.n_ions, "n_frames": self.n_frames, "timestep_ps": self.timestep_ps,
            "duration_ps": (self.n_frames - 1) * self.timestep_ps,
            "fit_start_ps": self.tracer.fit_start_ps, "fit_end_ps": self.tracer.fit_end_ps,
            "fit_points": self.tracer.n_points, "fit_method": self.tracer.method,
            "volume_A3": self.volume_A3, "n_per_cm3": self.sigma.n_per_cm3,
            "charge": self.sigma.charge, "drift_corrected": self.drift_corrected,
        }

    def reported(self, n_sigma: float | None = None) -> dict[str, Any]:
        """:meth:`summary` as a user may read it: a D (tracer, x/y/z, collective) that is not
        significant (:func:`superionic.transport.significance.is_significant`: > ``n_sigma``
        errors and enough estimated hops) or whose MSD is not yet diffusive (it must grow by
        :data:`~superionic.transport.significance.MIN_MSD_GAIN_A2` across the fit window, a third
        of it per Cartesian component) is ``None`` with an upper bound beside it (``*_upper``);
        so are the conductivities computed from it and a Haven ratio that needs it. ``status``
        is ``"significant"`` or ``"bound"`` (the tracer's), as in
        :func:`~superionic.transport.significance.classify`. Never a negative D."""
        from superionic.transport import significance as sg

        k = sg.MIN_D_SIGNIFICANCE if n_sigma is None else n_sigma
        t_ps = (self.n_frames - 1) * self.timestep_ps

        def sig(fit: DiffusionFit, n: int) -> bool:
            return sg.is_significant(fit.D_cm2_s, fit.D_err_cm2_s, k, n_ions=n, time_ps=t_ps)

        def bound(fit: DiffusionFit) -> float | None:
            try:
                return sg.upper_bound(fit.D_cm2_s, fit.D_err_cm2_s, k)
            except ValueError:
                return None

        out = self.summary()
        regime = sg.diffusive_regime(self.tracer)
        out.update(regime.to_dict())
        ok_t = sig(self.tracer, self.n_ions) and regime.diffusive
        # the collective MSD has one "particle" (the sum over ions): no per-ion hop count; it
        # is read only where the tracer MSD is diffusive
        ok_c = sig(self.collective, 1) and regime.diffusive
        out["status"] = "significant" if ok_t else "bound"
        if not ok_t:
            up = bound(self.tracer)
            out.update(D_cm2_s=None, D_upper_cm2_s=up, sigma_S_cm=None, sigma_err=None,
                       sigma_upper_S_cm=None if up is None else conductivity(
                           up, 0.0, self.n_ions, self.volume_A3, self.temperature_K,
                           self.sigma.charge).sigma_S_cm)
        comps = [sig(c, self.n_ions) and sg.diffusive_regime(c, regime.min_gain_A2 / 3).diffusive
                 for c in self.components]
        if not all(comps):
            out["D_xyz_cm2_s"] = [c.D_cm2_s if ok else None
                                  for c, ok in zip(self.components, comps, strict=True)]
            out["D_xyz_upper_cm2_s"] = [None if ok else bound(c)
                                        for c, ok in zip(self.components, comps, strict=True)]
        if not ok_c:
            up = bound(self.collective)
            out.update(D_sigma_cm2_s=None, D_sigma_upper_cm2_s=up, sigma_collective_S_cm=None,
                       sigma_collective_err=None)
        if not (ok_t and ok_c) or not math.isfinite(out.get("haven_ratio") or math.nan):
            out.update(haven_ratio=None, haven_ratio_err=None)
        return out


def analyze_trajectory(traj: Trajectory, start_ps: float | None = None,
                       end_ps: float | None = None, charge: int = 1,
                       temperature_K: float | None = None, method: Method = "gls",
                       max_points: int = 200) -> TransportResult:
    """D (cm^2/s), Nernst-Einstein sigma (S/cm) and Haven ratio of ``traj``'s mobile ion.

    ``temperature_K`` overrides the trajectory's; ``charge`` is the ion charge (Li+ = 1); the fit
    window defaults to 10-70 % of the run (see :mod:`superionic.transport.diffusion`).
    """
    T = temperature_K if temperature_K is not None else traj.temperature_K
    if T is None or not T > 0 or math.isnan(T):
        raise TrajectoryError("the temperature (K) is unknown: pass temperature_K (the thermostat "
                              "temperature of the run)")
    msd = mean_squared_displacement(traj)
    kw = {"start_ps": start_ps, "end_ps": end_ps, "method": method, "max_points": max_points}
    tracer = fit_msd(msd, kind="tracer", **kw)
    collective = fit_msd(msd, kind="collective", **kw)
    comps = tuple(fit_msd(msd, kind=k, **kw) for k in ("x", "y", "z"))
    vol = traj.volume_A3
    sig = conductivity(tracer.D_cm2_s, tracer.D_err_cm2_s, traj.n_ions, vol, T, charge)
    sig_c = conductivity(collective.D_cm2_s, collective.D_err_cm2_s, traj.n_ions, vol, T, charge)
    return TransportResult(ion=traj.ion, temperature_K=float(T), n_ions=traj.n_ions,
                           n_frames=traj.n_frames, timestep_ps=traj.timestep_ps, volume_A3=vol,
                           msd=msd, tracer=tracer, collective=collective,
                           components=comps,  # type: ignore[arg-type]
                           sigma=sig, sigma_collective=sig_c,
                           haven=haven_ratio(tracer, collective),
                           drift_corrected=traj.drift_corrected)
