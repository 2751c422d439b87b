"""Figures of experimental results: Nyquist with the fitted circuit, Arrhenius of a series (the
transport stage's plot), a DC polarisation trace with its plateau, and an Ea parity plot.
Figures use matplotlib's Agg canvas (no GUI, no pyplot state); each function returns the Figure
and writes it when ``path`` is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from superionic.experiment.circuits import CircuitFit
from superionic.experiment.eis import Spectrum
from superionic.experiment.polarization import CurrentTrace, SteadyState
from superionic.experiment.series import SeriesResult


def _new_figure(size: tuple[float, float] = (5.5, 4.0)) -> Figure:
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig


def _finish(fig: Figure, path: str | Path | None) -> Figure:
    fig.tight_layout()
    if path is not None:
        fig.savefig(Path(path), dpi=150)
    return fig


def _nyquist_panel(ax: Any, spectrum: Spectrum, zf: np.ndarray | None, label: str,
                   limit_ohm: float | None) -> None:
    z, f = spectrum.Z_ohm, spectrum.frequency_Hz
    ax.plot(z.real, -z.imag, "o", ms=3.5, mfc="none", color="k", label="data")
    if zf is not None:
        ax.plot(zf.real, -zf.imag, "-", color="tab:red", label=label)
    for dec in range(int(np.floor(np.log10(f.min()))), int(np.ceil(np.log10(f.max()))) + 1):
        k = int(np.argmin(np.abs(np.log10(f) - dec)))
        if limit_ohm is None:  # whole spectrum: label only points clear of the crowd
            inside = abs(z[k]) > 0.05 * float(np.abs(z).max())
        else:
            inside = z.real[k] <= limit_ohm and -z.imag[k] <= limit_ohm / 2
        if abs(np.log10(f[k]) - dec) < 0.05 and inside:
            ax.annotate(f"1e{dec} Hz", (z.real[k], -z.imag[k]), fontsize=6,
                        textcoords="offset points", xytext=(4, 4), color="0.4")
    if limit_ohm is not None:
        ax.set_xlim(0, limit_ohm)
        ax.set_ylim(0, limit_ohm / 2)
        ax.set_aspect("equal")
    else:
        ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("Z' (Ω)")
    ax.set_ylabel("-Z'' (Ω)")


def plot_nyquist(spectrum: Spectrum, fit: CircuitFit | None = None,
                 path: str | Path | None = None) -> Figure:
    """-Z'' vs Z' (equal axes) of the data and, with ``fit``, the fitted circuit over the
    measured range: the arcs (left, up to 1.3 x (R0 + R_bulk + R_gb)) and the whole spectrum
    with the electrode spike (right); decade frequencies are marked."""
    fig = _new_figure((10.0, 4.2))
    zf, label, limit = None, "", None
    if fit is not None:
        f = spectrum.frequency_Hz
        zf = fit.predict(np.logspace(np.log10(f.max()), np.log10(f.min()), 400))
        r, e = fit.R_bulk_ohm
        label = f"{fit.circuit}\nR_bulk = {r:.4g} ± {e:.2g} Ω"
        gb = fit.R_gb_ohm
        if gb is not None:
            label += f"\nR_gb = {gb[0]:.4g} ± {gb[1]:.2g} Ω"
        limit = 1.3 * (fit.value("R0")[0] + fit.R_total_ohm[0])
    else:
        z = spectrum.Z_ohm
        limit = 1.1 * float(z.real[int(np.argmax(-z.imag[: max(3, z.size // 2)]))]) * 2
    _nyquist_panel(fig.add_subplot(1, 2, 1), spectrum, zf, label, limit)
    ax = fig.add_subplot(1, 2, 2)
    _nyquist_panel(ax, spectrum, zf, label, None)
    fig.axes[0].legend(fontsize=7, loc="upper left")
    fig.axes[0].set_title("arcs", fontsize=9)
    ax.set_title("whole spectrum", fontsize=9)
    return _finish(fig, path)


def plot_series_arrhenius(series: SeriesResult, extrapolate_to_K: float = 300.0,
                          path: str | Path | None = None) -> Figure:
    """sigma T vs 1000/T with the fit and its 95% band (``transport.plots.plot_arrhenius``)."""
    from superionic.transport.plots import plot_arrhenius

    return plot_arrhenius(series.fit, extrapolate_to_K=extrapolate_to_K, path=path)


def plot_polarization(trace: CurrentTrace, steady: SteadyState | None = None,
                      path: str | Path | None = None) -> Figure:
    """Current vs time (log current when all of one sign) with the averaging window shaded."""
    fig = _new_figure()
    ax = fig.add_subplot()
    i = trace.current_A
    ax.plot(trace.time_s, i, "-", color="k", lw=1)
    if np.all(i > 0):
        ax.set_yscale("log")
    if steady is not None:
        ax.axvspan(steady.window_start_s, trace.time_s[-1], color="tab:blue", alpha=0.15,
                   label=f"plateau: I_ss = {steady.I_ss_A:.3e} A"
                         f" ({'steady' if steady.steady else 'still drifting'})")
        ax.axhline(steady.I_ss_A, color="tab:blue", ls="--", lw=1)
        ax.legend(fontsize=7)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("current (A)")
    return _finish(fig, path)


def plot_ea_parity(fitted_eV: Sequence[float], reported_eV: Sequence[float],
                   fitted_err_eV: Sequence[float] | None = None,
                   reliable: Sequence[bool] | None = None,
                   limits_eV: tuple[float, float] | None = None, title: str = "",
                   xlabel: str = "reported Ea (eV)", ylabel: str = "fitted Ea (eV)",
                   path: str | Path | None = None) -> Figure:
    """Fitted vs reported activation energy with the y = x line. Points not ``reliable`` are
    drawn hollow; fitted values outside ``limits_eV`` are pinned to the edge as triangles."""
    fig = _new_figure((4.8, 4.5))
    ax = fig.add_subplot()
    x, y = np.asarray(reported_eV, float), np.asarray(fitted_eV, float)
    err = np.zeros_like(y) if fitted_err_eV is None else np.asarray(fitted_err_eV, float)
    good = np.ones(x.size, bool) if reliable is None else np.asarray(reliable, bool)
    if limits_eV is None:
        limits_eV = (float(min(x.min(), y.min(), 0.0)), float(max(x.max(), y.max())) * 1.05)
    lo, hi = limits_eV
    inside = (y >= lo) & (y <= hi)
    for sel, face, label in ((good, "tab:blue", "reliable series"),
                             (~good, "none", "flagged series")):
        s_in = sel & inside
        if s_in.any():
            ax.errorbar(x[s_in], y[s_in], yerr=err[s_in], fmt="o", ms=4.5, mfc=face,
                        mec="tab:blue", ecolor="0.6", elinewidth=0.8, label=label)
        for mask, edge, marker in ((sel & (y < lo), lo, "v"), (sel & (y > hi), hi, "^")):
            if mask.any():
                ax.plot(x[mask], np.full(mask.sum(), edge), marker, ms=6, mfc=face,
                        mec="tab:red", ls="none")
    ax.plot([lo, hi], [lo, hi], "--", color="0.5", lw=1)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if reliable is not None:
        ax.legend(fontsize=7, loc="lower right")
    if title:
        ax.set_title(title, fontsize=9)
    return _finish(fig, path)
