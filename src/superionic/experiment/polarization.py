"""DC polarisation with ion-blocking electrodes (Hebb-Wagner): steady-state current ->
electronic conductivity sigma_e = I_ss L / (V A) (A, cm, V, cm^2 -> S/cm).

Input: a CSV of current vs time with unit-bearing headers (time: ``time``/``t``/``elapsed`` in
s, ms, min or h; current: ``current``/``I``/``<I>`` in A, mA, uA, nA, pA), e.g.
``time_s,current_A`` or ``time/s,<I>/mA``.

Steady state (documented criterion): the plateau is the final ``window_fraction`` (default 10%)
of the time span, with at least :data:`MIN_WINDOW_POINTS` points. I_ss is the mean current in
that window and its error the standard error of that mean. The run counts as steady when a
straight line fitted to the window changes by less than ``max_drift`` (default 2%) of I_ss
across the window; otherwise the current is still decaying and I_ss only bounds sigma_e from
above (``steady_state=False``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from superionic.experiment.columns import (
    check_samples,
    column_values,
    find_columns,
    header_error,
    read_table,
)
from superionic.experiment.errors import DataFileError
from superionic.experiment.pellet import Pellet

MIN_POINTS = 10
MIN_WINDOW_POINTS = 5
WINDOW_FRACTION = 0.1
MAX_DRIFT = 0.02

_F = frozenset
_TIME = (_F({"time", "t", "elapsed", "elapsed_time", "time_elapsed"}), _F({"s"}))
_CURRENT = (_F({"current", "i", "i_dc", "current_dc"}), _F({"A"}))


@dataclass(frozen=True, eq=False)
class CurrentTrace:
    """Current (A) vs time (s), sorted by time; ``source`` is the file."""

    time_s: np.ndarray
    current_A: np.ndarray
    source: str = ""


def make_trace(time_s: Any, current_A: Any, source: str = "") -> CurrentTrace:
    """Validate and sort a current trace; raises :class:`DataFileError`."""
    t = np.asarray(time_s, dtype=float).ravel()
    i = np.asarray(current_A, dtype=float).ravel()
    where = source or "<trace>"
    check_samples(where, t, i, ("time", "current"), ("times", "currents"), MIN_POINTS,
                  "truncated file")
    order = np.argsort(t, kind="stable")
    t, i = t[order], i[order]
    if t[-1] <= t[0]:
        raise DataFileError(where, "all time stamps are equal")
    return CurrentTrace(t, i, source)


def read_polarization(path: str | Path) -> CurrentTrace:
    """Read a current-vs-time CSV with unit-bearing headers (see the module docstring)."""
    table = read_table(path)
    cols = find_columns(table.header, {"time": _TIME, "current": _CURRENT})
    if len(cols) < 2:
        raise header_error(table, "no recognisable unit-bearing time and current columns",
                           "time_s,current_A")
    return make_trace(column_values(table, cols["time"]), column_values(table, cols["current"]),
                      table.path)


@dataclass(frozen=True)
class SteadyState:
    """Plateau of a current trace: mean current I_ss (A) and its standard error over the final
    window starting at ``window_start_s``; ``drift_fraction`` the fitted change across the window
    relative to I_ss; ``steady`` whether that is below the criterion."""

    I_ss_A: float
    I_ss_err_A: float
    window_start_s: float
    n_window: int
    drift_fraction: float
    steady: bool


def steady_state_current(trace: CurrentTrace, window_fraction: float = WINDOW_FRACTION,
                         max_drift: float = MAX_DRIFT) -> SteadyState:
    """Mean current of the final plateau and the steady-state check (module docstring)."""
    if not 0 < window_fraction <= 0.5:
        raise ValueError(f"window_fraction must be in (0, 0.5], got {window_fraction}")
    t, i = trace.time_s, trace.current_A
    start = t[-1] - window_fraction * (t[-1] - t[0])
    mask = t >= start
    if mask.sum() < MIN_WINDOW_POINTS:
        mask = np.zeros_like(mask)
        mask[-MIN_WINDOW_POINTS:] = True
    tw, iw = t[mask], i[mask]
    mean = float(iw.mean())
    sem = float(iw.std(ddof=1) / math.sqrt(iw.size))
    slope = float(np.polyfit(tw - tw[0], iw, 1)[0]) if np.ptp(tw) > 0 else 0.0
    drift = abs(slope * (tw[-1] - tw[0]) / mean) if mean != 0 else math.inf
    return SteadyState(mean, sem, float(tw[0]), int(iw.size), drift, bool(drift < max_drift))


@dataclass(frozen=True)
class PolarizationResult:
    """Electronic conductivity from a DC polarisation run (S/cm, 1-sigma error)."""

    source: str
    voltage_V: float
    pellet: Pellet
    steady_state: SteadyState
    sigma_e_S_cm: float
    sigma_e_err_S_cm: float

    def summary(self) -> dict[str, Any]:
        ss = self.steady_state
        return {
            "file": self.source,
            "voltage_V": self.voltage_V,
            "thickness_mm": self.pellet.thickness_mm,
            "area_cm2": self.pellet.area_cm2,
            "I_ss_A": ss.I_ss_A,
            "I_ss_err_A": ss.I_ss_err_A,
            "window_start_s": ss.window_start_s,
            "n_window": ss.n_window,
            "drift_fraction": ss.drift_fraction,
            "steady_state": ss.steady,
            "sigma_e_S_cm": self.sigma_e_S_cm,
            "sigma_e_err_S_cm": self.sigma_e_err_S_cm,
        }


def electronic_conductivity(trace: CurrentTrace, voltage_V: float, pellet: Pellet,
                            window_fraction: float = WINDOW_FRACTION,
                            max_drift: float = MAX_DRIFT) -> PolarizationResult:
    """sigma_e = |I_ss| L / (|V| A) with the error from I_ss and the pellet geometry."""
    if not (math.isfinite(voltage_V) and voltage_V != 0):
        raise ValueError(f"applied voltage must be a non-zero number (V), got {voltage_V}")
    ss = steady_state_current(trace, window_fraction, max_drift)
    i_abs = abs(ss.I_ss_A)
    sigma = i_abs * pellet.cell_constant_per_cm / abs(voltage_V)
    rel = math.hypot(ss.I_ss_err_A / i_abs if i_abs > 0 else math.inf, pellet.relative_error)
    return PolarizationResult(trace.source, voltage_V, pellet, ss, sigma, sigma * rel)
