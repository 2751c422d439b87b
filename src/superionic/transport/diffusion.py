"""Diffusion coefficients from the MSD: fit window, straight-line fit, uncertainty.

Einstein relation: MSD(t) = 2 d D t + c for d dimensions (d = 3 for the tracer and collective
MSD, d = 1 for one Cartesian component), so D = slope / (2 d). Units: slope in Angstrom^2/ps,
1 Angstrom^2/ps = 1e-4 cm^2/s.

Fit window. The default skips the ballistic/caging start and the noisy tail: lags from 10 % to
70 % of the trajectory length (``DEFAULT_START_FRACTION``, ``DEFAULT_END_FRACTION``); a window
in ps can be given instead. At most ``max_points`` lags (evenly strided) enter the fit.

Uncertainty: a kinisi-style analytic estimate (McCluskey, Coles & Morgan, J. Chem. Theory Comput.
2024, doi:10.1021/acs.jctc.4c00574), not block averaging and not MCMC sampling. The MSD at lag
t_i is modelled as the mean of N_i independent squared displacements of a Gaussian random walk,
so Var[MSD_i] = 2 m_i^2 / (d N_i), with m_i = k t_i the random-walk model MSD (k from a
least-squares line through the origin over the window, always positive) and
N_i = n_particles (n_frames - 1) / lag_i the number of non-overlapping observations (n_particles
= 1 for the collective MSD). MSDs at two lags t_i <= t_j share observations:
Cov[MSD_i, MSD_j] = Var[MSD_i] N_i / N_j. With this covariance Sigma:

- ``method="gls"`` (default): generalised least squares, beta = (X' S^-1 X)^-1 X' S^-1 y,
  Cov[beta] = (X' S^-1 X)^-1 - the maximum-likelihood estimate kinisi samples around;
- ``method="ols"``: ordinary least squares, Cov[beta] = L S L' with L = (X'X)^-1 X';
- ``method="wls"``: weights 1/t as in pymatgen-analysis-diffusion's ``smoothed="max"``
  (for like-for-like comparison), Cov[beta] = L S L'.

The error bars assume uncorrelated ions (they under-estimate it when ions move in concert) and a
Gaussian displacement distribution (hop-dominated diffusion at short lags is not Gaussian).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve

from superionic.transport.msd import MSDResult

#: Default fit window, as fractions of the trajectory length (documented in docs/transport.md).
DEFAULT_START_FRACTION = 0.1
DEFAULT_END_FRACTION = 0.7
#: Angstrom^2/ps -> cm^2/s
A2_PER_PS_TO_CM2_PER_S = 1e-4

Kind = Literal["tracer", "collective", "x", "y", "z"]
Method = Literal["gls", "ols", "wls"]


class FitWindowError(ValueError):
    """The requested fit window does not hold enough stored frames."""


@dataclass(frozen=True, eq=False)
class DiffusionFit:
    """Straight-line fit MSD(t) = slope t + intercept over a window, and D = slope / (2 d).

    D_cm2_s, D_err_cm2_s: diffusion coefficient and its 1-sigma uncertainty, cm^2/s.
    slope_A2_ps, intercept_A2: fitted line (Angstrom^2/ps, Angstrom^2).
    covariance: 2x2 covariance of (slope, intercept) in (Angstrom^2/ps, Angstrom^2) units.
    fit_start_ps, fit_end_ps: window actually used (first and last lag in the fit), ps.
    n_points: lags in the fit. dim: d. kind: tracer/collective/x/y/z. method: gls/ols/wls.
    """

    D_cm2_s: float
    D_err_cm2_s: float
    slope_A2_ps: float
    intercept_A2: float
    covariance: np.ndarray
    fit_start_ps: float
    fit_end_ps: float
    n_points: int
    dim: int
    kind: str
    method: str

    def line(self, t_ps: np.ndarray | float) -> np.ndarray:
        """Fitted MSD (Angstrom^2) at lag(s) ``t_ps``."""
        return self.slope_A2_ps * np.asarray(t_ps, dtype=float) + self.intercept_A2


def fit_window(duration_ps: float, start_ps: float | None = None, end_ps: float | None = None,
               start_fraction: float = DEFAULT_START_FRACTION,
               end_fraction: float = DEFAULT_END_FRACTION) -> tuple[float, float]:
    """Fit window (start, end) in ps: the user's values where given, else the default fractions
    of ``duration_ps``."""
    start = duration_ps * start_fraction if start_ps is None else float(start_ps)
    end = duration_ps * end_fraction if end_ps is None else float(end_ps)
    if not (0.0 <= start < end):
        raise FitWindowError(f"fit window must satisfy 0 <= start < end, got {start:g}-{end:g} ps")
    if start >= duration_ps:
        raise FitWindowError(f"fit window starts at {start:g} ps, after the end of the "
                             f"trajectory ({duration_ps:g} ps)")
    return start, min(end, duration_ps)


def _series(msd: MSDResult, kind: Kind) -> tuple[np.ndarray, int, int]:
    """(MSD values, dimensionality d, independent particles) for ``kind``."""
    if kind == "tracer":
        return msd.tracer_A2, 3, msd.n_ions
    if kind == "collective":
        return msd.collective_A2, 3, 1
    axes = {"x": 0, "y": 1, "z": 2}
    if kind in axes:
        return msd.tracer_xyz_A2[:, axes[kind]], 1, msd.n_ions
    raise ValueError(f"kind must be tracer, collective, x, y or z, got {kind!r}")


def msd_covariance(model_A2: np.ndarray, n_obs: np.ndarray, dim: int) -> np.ndarray:
    """Random-walk covariance of MSD values at increasing lags (Angstrom^4).

    Var_i = 2 m_i^2 / (d N_i); Cov_ij = Var_min(i,j) N_min / N_max = 2 m_min^2 / (d N_max),
    with N the independent observations per lag (decreasing with lag). A matrix of this form
    u(min) v(max) is a valid covariance only if u / v = m^2 N increases with lag, which holds for
    the random-walk model m proportional to lag used by :func:`fit_msd`.
    """
    m2 = np.asarray(model_A2, dtype=float) ** 2
    n = np.asarray(n_obs, dtype=float)
    if np.any(np.diff(m2) < 0) or np.any(np.diff(n) > 0):
        raise ValueError("model MSD must rise and observation counts fall with lag")
    # with m rising and N falling, m_min = min(m_i, m_j) and N_max-lag = min(N_i, N_j)
    return (2.0 / dim) * np.minimum.outer(m2, m2) / np.minimum.outer(n, n)


def _solve_linear(t: np.ndarray, y: np.ndarray, sigma: np.ndarray,
                  method: Method) -> tuple[np.ndarray, np.ndarray]:
    """(beta = [slope, intercept], Cov[beta]) for the straight-line fit of ``y`` on ``t``."""
    scale = t.max()
    X = np.column_stack([t / scale, np.ones_like(t)])
    S = np.diag([1.0 / scale, 1.0])  # maps scaled coefficients back to (slope, intercept)
    if method == "gls":
        try:
            cf = cho_factor(sigma, lower=True)
            sx, sy = cho_solve(cf, X), cho_solve(cf, y)
        except LinAlgError:
            pinv = np.linalg.pinv(sigma, hermitian=True)
            sx, sy = pinv @ X, pinv @ y
        cov = np.linalg.inv(X.T @ sx)
        beta = cov @ (X.T @ sy)
    else:
        w = 1.0 / t if method == "wls" else np.ones_like(t)
        L = np.linalg.solve((X * w[:, None]).T @ X, (X * w[:, None]).T)
        beta = L @ y
        cov = L @ sigma @ L.T
    return S @ beta, S @ cov @ S


def fit_msd(msd: MSDResult, start_ps: float | None = None, end_ps: float | None = None,
            kind: Kind = "tracer", method: Method = "gls", max_points: int = 200) -> DiffusionFit:
    """Fit MSD(t) = 2 d D t + c over a window and return D (cm^2/s) with its uncertainty.

    ``start_ps``/``end_ps`` default to 10 % / 70 % of the trajectory; see the module docstring for
    the methods and the error model.
    """
    if method not in ("gls", "ols", "wls"):
        raise ValueError(f"method must be gls, ols or wls, got {method!r}")
    values, dim, n_particles = _series(msd, kind)
    duration = (msd.n_frames - 1) * msd.timestep_ps
    start, end = fit_window(duration, start_ps, end_ps)
    lags = msd.lag_frames
    t = msd.lag_ps
    sel = np.flatnonzero((t >= start - 1e-9 * msd.timestep_ps) & (t <= end + 1e-9 * msd.timestep_ps)
                         & (lags > 0))
    if sel.size < 3:
        raise FitWindowError(f"fit window {start:g}-{end:g} ps holds {sel.size} stored frames "
                             f"(time between frames {msd.timestep_ps:g} ps); at least 3 are needed")
    if sel.size > max_points:
        sel = sel[:: int(np.ceil(sel.size / max_points))]
    t_fit, y = t[sel], values[sel]
    n_obs = n_particles * msd.n_independent[sel]
    # random-walk model MSD for the covariance: the least-squares line through the origin,
    # m = k t with k > 0 (keeps the covariance positive definite even for a flat, noisy MSD)
    k = max(float(np.dot(y, t_fit) / np.dot(t_fit, t_fit)), 1e-12)
    model = k * t_fit
    sigma = msd_covariance(model, n_obs, dim)
    beta, cov = _solve_linear(t_fit, y, sigma, method)
    slope, intercept = float(beta[0]), float(beta[1])
    factor = A2_PER_PS_TO_CM2_PER_S / (2 * dim)
    return DiffusionFit(D_cm2_s=slope * factor, D_err_cm2_s=float(np.sqrt(max(cov[0, 0], 0.0)))
                        * factor, slope_A2_ps=slope, intercept_A2=intercept, covariance=cov,
                        fit_start_ps=float(t_fit[0]), fit_end_ps=float(t_fit[-1]),
                        n_points=int(sel.size), dim=dim, kind=kind, method=method)
