"""Figures of transport results: MSD with its fit window, Arrhenius with a confidence band
extrapolated to 300 K, and a van Hove map. Figures are built on matplotlib's Agg canvas (no GUI,
no pyplot state); each function returns the Figure and writes it when ``path`` is given.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from superionic.transport.arrhenius import ArrheniusFit
from superionic.transport.diffusion import DiffusionFit
from superionic.transport.msd import MSDResult
from superionic.transport.vanhove import VanHove


def _finish(fig: Figure, path: str | Path | None) -> Figure:
    fig.tight_layout()
    if path is not None:
        fig.savefig(Path(path), dpi=150)
    return fig


def _new_figure(size: tuple[float, float] = (5.5, 4.0)) -> Figure:
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig


def plot_msd(msd: MSDResult, fit: DiffusionFit | None = None,
             collective_fit: DiffusionFit | None = None, ion: str = "",
             path: str | Path | None = None) -> Figure:
    """Tracer (total, x, y, z) and collective MSD vs lag, with the fitted line(s) and window."""
    fig = _new_figure()
    ax = fig.add_subplot()
    t = msd.lag_ps
    ax.plot(t, msd.tracer_A2, color="k", lw=1.5, label=f"{ion} tracer".strip())
    for k, (axis, c) in enumerate(zip("xyz", ("tab:red", "tab:green", "tab:blue"), strict=True)):
        ax.plot(t, 3 * msd.tracer_xyz_A2[:, k], color=c, lw=0.8, alpha=0.7, label=f"3 x MSD_{axis}")
    ax.plot(t, msd.collective_A2, color="tab:purple", lw=1.0, alpha=0.8, label="collective")
    for f, c in ((fit, "tab:orange"), (collective_fit, "tab:purple")):
        if f is None:
            continue
        tw = np.array([f.fit_start_ps, f.fit_end_ps])
        ax.plot(tw, f.line(tw), "--", color=c, lw=2,
                label=f"{f.kind} D = {f.D_cm2_s:.2e} ± {f.D_err_cm2_s:.1e} cm²/s")
    if fit is not None:
        ax.axvspan(fit.fit_start_ps, fit.fit_end_ps, color="0.9", zorder=0, label="fit window")
    ax.set_xlabel("lag time (ps)")
    ax.set_ylabel("MSD (Å²)")
    ax.legend(fontsize=7, loc="upper left")
    return _finish(fig, path)


def plot_arrhenius(fit: ArrheniusFit, extrapolate_to_K: float = 300.0, level: float = 0.95,
                   path: str | Path | None = None) -> Figure:
    """Data, fitted Arrhenius line and its ``level`` confidence band down to ``extrapolate_to_K``."""
    fig = _new_figure()
    ax = fig.add_subplot()
    T = fit.T_K
    scale_T = fit.form == "sigmaT"
    y = fit.values * T if scale_T else fit.values
    yerr = None if fit.errors is None else (fit.errors * T if scale_T else fit.errors)
    ax.errorbar(1000.0 / T, y, yerr=yerr, fmt="o", color="k", label="data", zorder=3)
    grid = np.linspace(min(T.min(), extrapolate_to_K), T.max(), 200)
    val, lo, hi = fit.predict(grid, level)
    if scale_T:
        val, lo, hi = val * grid, lo * grid, hi * grid
    ax.plot(1000.0 / grid, val, color="tab:blue",
            label=f"Ea = {fit.Ea_eV:.3f} ± {fit.Ea_err_eV:.3f} eV")
    ax.fill_between(1000.0 / grid, lo, hi, color="tab:blue", alpha=0.2,
                    label=f"{100 * level:.0f}% confidence")
    v0, l0, h0 = (float(a) for a in fit.predict(extrapolate_to_K, level))
    f0 = extrapolate_to_K if scale_T else 1.0
    ax.errorbar([1000.0 / extrapolate_to_K], [v0 * f0], yerr=[[(v0 - l0) * f0], [(h0 - v0) * f0]],
                fmt="s", color="tab:red", label=f"{extrapolate_to_K:.0f} K: {v0:.2e}")
    ax.set_yscale("log")
    ax.set_xlabel("1000 / T (1/K)")
    ax.set_ylabel({"D": "D (cm²/s)", "sigma": "σ (S/cm)", "sigmaT": "σT (S K/cm)"}[fit.form])
    ax.legend(fontsize=7)
    return _finish(fig, path)


def plot_vanhove(vh: VanHove, part: str = "self", path: str | Path | None = None) -> Figure:
    """Map of 4 pi r^2 Gs(r, t) (``part="self"``) or gd(r, t) (``"distinct"``) over r and t."""
    if part == "self":
        z, label = vh.radial_self, "4πr² Gs(r,t) (1/Å)"
    elif part == "distinct":
        if vh.distinct is None:
            raise ValueError("this VanHove result has no distinct part")
        z, label = vh.distinct, "Gd(r,t) / ρ"
    else:
        raise ValueError(f"part must be 'self' or 'distinct', got {part!r}")
    fig = _new_figure()
    ax = fig.add_subplot()
    # the t = 0 row of the self part is a delta at r = 0, and the smallest shells of the distinct
    # part hold few pairs: scale colours to the 99.5th percentile of the t > 0 rows
    rows = z[vh.t_ps > 0] if np.any(vh.t_ps > 0) else z
    t_edges = np.append(vh.t_ps, vh.t_ps[-1] + (vh.t_ps[-1] - vh.t_ps[-2] if vh.t_ps.size > 1
                                                 else 1.0))
    mesh = ax.pcolormesh(vh.r_edges_A, t_edges, z, shading="flat", cmap="viridis",
                         vmin=0.0, vmax=float(np.percentile(rows, 99.5)) or None)
    fig.colorbar(mesh, ax=ax, label=label)
    ax.set_xlabel("r (Å)")
    ax.set_ylabel("t (ps)")
    return _finish(fig, path)
