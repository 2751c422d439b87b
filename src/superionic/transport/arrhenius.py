"""Arrhenius fits of D(T), sigma(T) or sigma*T(T), with Ea and confidence intervals.

Forms (k_B in eV/K):
- ``"D"``:      D(T)     = A exp(-Ea / k_B T)          fits ln D       vs 1/T, A in cm^2/s
- ``"sigma"``:  sigma(T) = A exp(-Ea / k_B T)          fits ln sigma   vs 1/T, A in S/cm
- ``"sigmaT"``: sigma(T) = (A / T) exp(-Ea / k_B T)    fits ln(sigma T) vs 1/T, A in S K/cm

The fit is a linear least-squares fit y = a + b x with y the log above, x = 1/T and Ea = -b k_B.
With ``errors`` (1-sigma, same units as ``values``) each point is weighted by 1 / (err/value)^2
(the error of the log). The parameter covariance is scaled by the reduced chi-square (the
residual scatter, as in ``scipy.optimize.curve_fit`` with ``absolute_sigma=False``), and
intervals use Student's t with n - 2 degrees of freedom. With exactly two points and errors the
unscaled covariance and a normal quantile are used; with two points and no errors the
uncertainties are undefined (NaN). ``predict`` gives a confidence interval of the fitted curve
(not a prediction interval for a new measurement). Values are clamped nowhere: every value must
be positive.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats
from scipy.constants import Boltzmann, elementary_charge

#: Boltzmann constant, eV/K
KB_EV_K = Boltzmann / elementary_charge

Form = Literal["D", "sigma", "sigmaT"]


@dataclass(frozen=True, eq=False)
class ArrheniusFit:
    """Result of :func:`fit_arrhenius`.

    Ea_eV, Ea_err_eV: activation energy and its 1-sigma standard error, eV.
    prefactor: A (cm^2/s for D, S/cm for sigma, S K/cm for sigmaT); prefactor_err its 1-sigma.
    covariance: 2x2 covariance of (ln A, b) where ln(value [*T]) = ln A + b / T (b in K).
    form, T_K, values, errors: the inputs. dof: n - 2. r_squared: of the (weighted) linear fit.
    """

    Ea_eV: float
    Ea_err_eV: float
    prefactor: float
    prefactor_err: float
    covariance: np.ndarray
    form: str
    T_K: np.ndarray
    values: np.ndarray
    errors: np.ndarray | None
    dof: int
    r_squared: float

    @property
    def n_points(self) -> int:
        return int(self.T_K.size)

    def _quantile(self, level: float) -> float:
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level}")
        q = 0.5 + level / 2
        return float(stats.t.ppf(q, self.dof)) if self.dof > 0 else float(stats.norm.ppf(q))

    def predict(self, T_K: float | Sequence[float] | np.ndarray,
                level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(value, low, high) at temperature(s) ``T_K`` with a ``level`` confidence interval.

        The value is D (cm^2/s) for form "D" and sigma (S/cm) for "sigma" and "sigmaT".
        Scalars in, 0-d arrays out (``float()`` them).
        """
        T = np.asarray(T_K, dtype=float)
        if np.any(~(T > 0)):
            raise ValueError(f"temperatures must be positive (K), got {T_K!r}")
        x = 1.0 / T
        ln_a, b = math.log(self.prefactor), -self.Ea_eV / KB_EV_K
        y = ln_a + b * x
        c = self.covariance
        var = c[0, 0] + 2 * x * c[0, 1] + x * x * c[1, 1]
        half = self._quantile(level) * np.sqrt(np.maximum(var, 0.0))
        shift = -np.log(T) if self.form == "sigmaT" else 0.0
        return np.exp(y + shift), np.exp(y - half + shift), np.exp(y + half + shift)


def fit_arrhenius(T_K: Sequence[float] | np.ndarray, values: Sequence[float] | np.ndarray,
                  errors: Sequence[float] | np.ndarray | None = None,
                  form: Form = "D") -> ArrheniusFit:
    """Weighted linear fit of ln(value) (or ln(value*T) for ``form="sigmaT"``) against 1/T.

    ``T_K`` in K; ``values`` D in cm^2/s or sigma in S/cm; ``errors`` their 1-sigma errors.
    """
    if form not in ("D", "sigma", "sigmaT"):
        raise ValueError(f"form must be 'D', 'sigma' or 'sigmaT', got {form!r}")
    T = np.asarray(T_K, dtype=float).ravel()
    v = np.asarray(values, dtype=float).ravel()
    if T.size != v.size:
        raise ValueError(f"{T.size} temperatures but {v.size} values")
    if T.size < 2:
        raise ValueError(f"an Arrhenius fit needs at least 2 temperatures, got {T.size}")
    if np.any(~np.isfinite(T)) or np.any(T <= 0):
        raise ValueError(f"temperatures must be positive finite numbers in K, got {T.tolist()}")
    if np.any(~np.isfinite(v)) or np.any(v <= 0):
        raise ValueError(f"values must be positive finite numbers (log fit), got {v.tolist()}")
    if np.unique(T).size < 2:
        raise ValueError("an Arrhenius fit needs at least 2 distinct temperatures")
    err = None
    if errors is not None:
        err = np.asarray(errors, dtype=float).ravel()
        if err.size != v.size or np.any(~np.isfinite(err)) or np.any(err <= 0):
            raise ValueError("errors must be one positive finite number per value")
    y = np.log(v * T) if form == "sigmaT" else np.log(v)
    x = 1.0 / T
    w = np.ones_like(x) if err is None else (v / err) ** 2
    X = np.column_stack([np.ones_like(x), x])
    xtwx = X.T @ (X * w[:, None])
    unscaled = np.linalg.inv(xtwx)
    beta = unscaled @ (X.T @ (w * y))
    resid = y - X @ beta
    dof = T.size - 2
    chi2 = float(np.sum(w * resid**2))
    if dof > 0:
        cov = unscaled * (chi2 / dof)
    elif err is not None:
        cov = unscaled
    else:
        cov = np.full((2, 2), np.nan)
    ybar = np.sum(w * y) / np.sum(w)
    ss_tot = float(np.sum(w * (y - ybar) ** 2))
    r2 = 1.0 - chi2 / ss_tot if ss_tot > 0 else math.nan
    ln_a, b = float(beta[0]), float(beta[1])
    a = math.exp(ln_a)
    return ArrheniusFit(Ea_eV=-b * KB_EV_K, Ea_err_eV=math.sqrt(cov[1, 1]) * KB_EV_K
                        if np.isfinite(cov[1, 1]) else math.nan,
                        prefactor=a, prefactor_err=a * math.sqrt(cov[0, 0])
                        if np.isfinite(cov[0, 0]) else math.nan,
                        covariance=cov, form=form, T_K=T, values=v, errors=err, dof=dof,
                        r_squared=r2)
