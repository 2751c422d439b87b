"""Equivalent circuits of solid-electrolyte pellets (impedance.py's ``CustomCircuit`` notation).

Circuits (impedance.py notation; R in ohm, CPE Z = 1 / (Q (j omega)^alpha), Q in ohm^-1 s^alpha):

- ``"bulk"``    R0-p(R1,CPE1)-CPE2: lead resistance, one bulk arc (R1 = R_bulk) and the
  blocking-electrode spike CPE2. With one arc, R1 holds whatever the pellet resists in that arc.
- ``"bulk_gb"`` R0-p(R1,CPE1)-p(R2,CPE2)-CPE3: bulk arc plus a grain-boundary arc. The arc with
  the higher relaxation frequency omega_k = (R_k Q_k)^(-1/alpha_k) (the smaller capacitance,
  ~pF for bulk) is labelled bulk (R1); the other is the grain boundary (R2).

Fitting: initial guesses come from the spectrum (high-frequency intercept -> R0, arc width or
apex height -> R1, apex frequency f_apex -> Q1 = 1 / (R1 (2 pi f_apex)^alpha1), the
low-frequency spike's slope and height -> CPE2); each start gets a short least-squares run and
the best is run to convergence. The objective is ``CustomCircuit.fit(weight_by_modulus=True)``'s,
the residuals (Z_model - Z) / |Z|, but the parameters are their logarithms. ``CustomCircuit.fit``
works on the raw values, which span ~15 decades (R ~1e4 ohm, Q ~1e-10): from the same first
guess it recovered R_bulk within 2% on 13 of 30 random 1%-noise pellet spectra (median chi2 98x
ours), this fit on 30 of 30 (bench/bench_eis_fit.py, docs/benchmarks.md).
Errors come from the covariance s^2 (J^T J)^-1 of the weighted residuals with s^2 = chi2 / dof
(as curve_fit with ``absolute_sigma=False``); they match the scatter of repeated noisy fits
(tests). :meth:`CircuitFit.to_custom_circuit` hands back a fitted ``CustomCircuit``.

Model selection (``select_circuit``): both circuits are fitted; bulk_gb is chosen when its BIC
(n ln(chi2/n) + k ln n, n = 2 x points) is lower by more than 10 AND both R1 and R2 are
resolved (relative error < 0.5); otherwise the simpler bulk circuit is kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import least_squares

BULK = "R0-p(R1,CPE1)-CPE2"
BULK_GB = "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3"
#: Named circuits; R1 is always the bulk resistance, R2 the grain boundary.
CIRCUITS = {"bulk": BULK, "bulk_gb": BULK_GB}

#: BIC margin and resolution needed to prefer the grain-boundary circuit.
DELTA_BIC_MIN = 10.0
MAX_REL_ERR_RESOLVED = 0.5
_ALPHA_BOUNDS = (0.3, 1.0)
_ALPHA0 = 0.9
_NFEV_START = 150
_NFEV_FINAL = 3000


def resolve_circuit(circuit: str) -> str:
    """Circuit string for a name (``"bulk"``, ``"bulk_gb"``) or one of the strings themselves."""
    c = circuit.replace(" ", "")
    if c in CIRCUITS:
        return CIRCUITS[c]
    if c in CIRCUITS.values():
        return c
    from superionic.errors import BadValue

    raise BadValue(f"unknown circuit {circuit!r}; use one of {', '.join(CIRCUITS)}, 'auto', "
                   f"or {', '.join(CIRCUITS.values())}", option="circuit", value=circuit)


def _param_names(circuit: str) -> tuple[list[str], list[str]]:
    from impedance.models.circuits import CustomCircuit

    n = {BULK: 6, BULK_GB: 9}[circuit]
    names, units = CustomCircuit(circuit, initial_guess=[1.0] * n).get_param_names()
    return list(names), list(units)


@dataclass(frozen=True, eq=False)
class CircuitFit:
    """A fitted circuit. ``parameters``/``errors`` follow ``names`` (units in ``units``);
    ``covariance`` is their full covariance; ``chi2`` the sum of squared relative residuals
    ((Z_model - Z) / |Z|, real and imaginary parts) over ``n_points`` frequencies."""

    circuit: str
    names: tuple[str, ...]
    units: tuple[str, ...]
    parameters: np.ndarray
    errors: np.ndarray
    covariance: np.ndarray
    chi2: float
    n_points: int

    @property
    def dof(self) -> int:
        return 2 * self.n_points - len(self.names)

    @property
    def reduced_chi2(self) -> float:
        return self.chi2 / self.dof if self.dof > 0 else math.nan

    @property
    def rms_relative_residual(self) -> float:
        """Root-mean-square of (Z_model - Z) / |Z| over real and imaginary parts."""
        return math.sqrt(self.chi2 / (2 * self.n_points))

    @property
    def bic(self) -> float:
        n = 2 * self.n_points
        return n * math.log(max(self.chi2, 1e-300) / n) + len(self.names) * math.log(n)

    def value(self, name: str) -> tuple[float, float]:
        """(value, 1-sigma error) of parameter ``name`` (e.g. ``"R1"``, ``"CPE1_1"``)."""
        k = self.names.index(name)
        return float(self.parameters[k]), float(self.errors[k])

    @property
    def R_bulk_ohm(self) -> tuple[float, float]:
        return self.value("R1")

    @property
    def R_gb_ohm(self) -> tuple[float, float] | None:
        return self.value("R2") if "R2" in self.names else None

    @property
    def R_total_ohm(self) -> tuple[float, float]:
        """R_bulk + R_gb with the error from the covariance (R_bulk alone for one arc)."""
        if "R2" not in self.names:
            return self.R_bulk_ohm
        i, j = self.names.index("R1"), self.names.index("R2")
        c = self.covariance
        var = c[i, i] + c[j, j] + 2 * c[i, j]
        return float(self.parameters[i] + self.parameters[j]), math.sqrt(max(var, 0.0))

    def capacitance_F(self, arc: int) -> float:
        """Effective capacitance of p(R_arc, CPE_arc), (R Q)^(1/alpha) / R in F (Hsu-Mansfeld /
        Brug); ~1e-12 F for bulk, ~1e-11..1e-8 F for grain boundaries."""
        r = self.value(f"R{arc}")[0]
        q, a = self.value(f"CPE{arc}_0")[0], self.value(f"CPE{arc}_1")[0]
        return (r * q) ** (1.0 / a) / r

    def relaxation_frequency_Hz(self, arc: int) -> float:
        """Apex frequency of arc ``arc``: (R Q)^(-1/alpha) / (2 pi)."""
        r = self.value(f"R{arc}")[0]
        q, a = self.value(f"CPE{arc}_0")[0], self.value(f"CPE{arc}_1")[0]
        return (r * q) ** (-1.0 / a) / (2 * math.pi)

    def to_custom_circuit(self) -> Any:
        """The fit as a fitted ``impedance.models.circuits.CustomCircuit`` (``parameters_`` and
        ``conf_`` set), for impedance's own plotting, saving and prediction."""
        from impedance.models.circuits import CustomCircuit

        c = CustomCircuit(self.circuit, initial_guess=[float(v) for v in self.parameters])
        c.parameters_ = np.asarray(self.parameters, dtype=float)
        c.conf_ = np.asarray(self.errors, dtype=float)
        return c

    def predict(self, frequency_Hz: Any) -> np.ndarray:
        """Complex impedance (ohm) of the fitted circuit at ``frequency_Hz`` (by impedance's
        ``CustomCircuit.predict``)."""
        return np.asarray(self.to_custom_circuit().predict(np.asarray(frequency_Hz, dtype=float)))

    def summary(self) -> dict[str, Any]:
        return {
            "circuit": self.circuit,
            "parameters": {n: {"value": float(v), "error": float(e), "unit": u}
                           for n, v, e, u in zip(self.names, self.parameters, self.errors,
                                                 self.units, strict=True)},
            "chi2": self.chi2,
            "reduced_chi2": self.reduced_chi2,
            "rms_relative_residual": self.rms_relative_residual,
            "dof": self.dof,
            "bic": self.bic,
        }


# ---------------------------------------------------------------- initial guesses from the data


@dataclass(frozen=True)
class ArcFeatures:
    """What the spectrum shows (sorted by decreasing frequency): high-frequency intercept R0,
    width of all arcs up to the electrode spike ``R_arc_ohm`` and of the first arc alone
    ``R_first_ohm`` (ohm), the first arc's apex (index, frequency in Hz), the index where the
    spike starts (None without one), the spike's CPE estimate (Q in ohm^-1 s^alpha, alpha) and
    the indices of all significant arc apices (``peaks``, high to low frequency)."""

    R0_ohm: float
    R_arc_ohm: float
    R_first_ohm: float
    f_apex_Hz: float
    apex: int
    valley: int | None
    Q_el: float
    alpha_el: float
    peaks: tuple[int, ...]


def _smooth(y: np.ndarray, k: int = 3) -> np.ndarray:
    if y.size < k:
        return y.copy()
    kernel = np.ones(k) / k
    num = np.convolve(y, kernel, mode="same")
    den = np.convolve(np.ones_like(y), kernel, mode="same")
    return num / den


def arc_features(frequency_Hz: np.ndarray, Z_ohm: np.ndarray) -> ArcFeatures:
    """Read R0, the arcs and the electrode spike off a spectrum sorted by decreasing frequency.

    Arc apices are the local maxima of -Z'' (3-point smoothed) whose prominence exceeds 3% of
    their height; the spike starts at the minimum of -Z'' after the last apex (when -Z'' rises
    again after it). Without an apex the arc is taken as the whole spectrum.
    """
    from scipy.signal import find_peaks

    f, x, y = frequency_Hz, Z_ohm.real, -Z_ohm.imag
    n = f.size
    ys = _smooth(y)
    idx, props = find_peaks(ys, prominence=0.0)
    peaks = tuple(int(i) for i, pr in zip(idx, props["prominences"], strict=True)
                  if ys[i] > 0 and pr > 0.03 * ys[i])
    valley = None
    if peaks:
        v = peaks[-1] + int(np.argmin(ys[peaks[-1]:]))
        valley = v if v < n - 1 else None
    apex = peaks[0] if peaks else int(np.argmax(ys))
    y_apex = max(float(y[apex]), 1e-12)
    zmax = float(np.abs(Z_ohm).max())
    r0 = min(float(x[0]), max(float(x[apex]) - y_apex, 0.0))
    r0 = max(r0, 1e-6 * zmax)
    end = valley if valley is not None else n - 1
    r_arc = max(float(x[end]) - r0, 2 * y_apex, 1e-6 * zmax)
    first_end = (peaks[0] + int(np.argmin(ys[peaks[0]:peaks[1] + 1]))) if len(peaks) > 1 else end
    r_first = max(float(x[first_end]) - r0, 2 * y_apex, 1e-6 * zmax)
    # electrode spike: CPE slope (alpha) from log(-Z'') vs log(omega), Q from its height
    omega_min = 2 * math.pi * float(f[-1])
    if valley is not None and n - valley >= 3:
        tail = slice(valley + 1, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.polyfit(np.log(f[tail]), np.log(np.maximum(y[tail], 1e-300)), 1)[0]
        alpha_el = float(np.clip(-slope, 0.5, 0.99)) if np.isfinite(slope) else 0.8
        q_el = math.sin(alpha_el * math.pi / 2) / (max(float(y[-1]), 1e-12) * omega_min**alpha_el)
    else:
        alpha_el = 0.8
        q_el = 1.0 / (0.01 * r_arc * omega_min**alpha_el)  # a spike too small to matter
    return ArcFeatures(r0, r_arc, r_first, float(f[apex]), apex, valley, q_el, alpha_el, peaks)


def _q_for(r_ohm: float, f_Hz: float, alpha: float) -> float:
    """Q of a p(R, CPE) whose apex lies at ``f_Hz``: 1 / (R (2 pi f)^alpha)."""
    return 1.0 / (r_ohm * (2 * math.pi * f_Hz) ** alpha)


def initial_guesses(frequency_Hz: np.ndarray, Z_ohm: np.ndarray, circuit: str) -> list[np.ndarray]:
    """Starting points for ``circuit`` read off the spectrum (first = the most likely)."""
    a = arc_features(frequency_Hz, Z_ohm)
    r0, ra, fa, a0 = a.R0_ohm, a.R_arc_ohm, a.f_apex_Hz, _ALPHA0
    # the apex height h of a depressed arc is (R/2) tan(alpha pi/4): a second estimate of R1
    r_h = 2 * float(-Z_ohm.imag[a.apex]) / math.tan(a0 * math.pi / 4)
    starts: list[list[float]] = []
    if circuit == BULK:
        for r1, al in ((ra, a0), (a.R_first_ohm, a0), (r_h, a0), (ra, 0.75)):
            starts.append([r0, r1, _q_for(r1, fa, al), al, a.Q_el, a.alpha_el])
    elif circuit == BULK_GB:
        splits: list[tuple[float, float, float]] = []
        if len(a.peaks) >= 2:
            p1, p2 = a.peaks[0], a.peaks[1]
            w1 = min(a.R_first_ohm, ra) / ra
            splits.append((w1, float(frequency_Hz[p1]), float(frequency_Hz[p2])))
        for frac in (0.3, 0.7):
            for sep in (3.0, 30.0):
                splits.append((frac, fa * sep, fa / sep))
                splits.append((frac, fa, fa / sep**2))  # the apex seen is the bulk one
        for frac, f1, f2 in splits:
            frac = float(np.clip(frac, 0.05, 0.95))
            r1, r2 = frac * ra, (1 - frac) * ra
            starts.append([r0, r1, _q_for(r1, f1, a0), a0, r2, _q_for(r2, f2, a0), a0,
                           a.Q_el, a.alpha_el])
    else:
        raise ValueError(f"no initial guesses for circuit {circuit!r}")
    return [np.asarray(s, dtype=float) for s in starts]


# ------------------------------------------------------------------------------------- fitting


def _cpe(q: float, alpha: float, jw: np.ndarray) -> np.ndarray:
    return 1.0 / (q * jw**alpha)


def circuit_impedance(circuit: str, frequency_Hz: Any, parameters: Any) -> np.ndarray:
    """Complex impedance (ohm) of ``circuit`` with ``parameters`` (in impedance.py's order).

    A vectorised evaluation of the two circuits, identical to ``CustomCircuit.predict`` (tested)
    and ~50x faster than its string-built evaluation, which matters inside the fit loop.
    """
    circuit = resolve_circuit(circuit)
    jw = 2j * np.pi * np.asarray(frequency_Hz, dtype=float)
    p = np.asarray(parameters, dtype=float)
    if circuit == BULK:
        r0, r1, q1, a1, q2, a2 = p
        return r0 + 1.0 / (1.0 / r1 + q1 * jw**a1) + _cpe(q2, a2, jw)
    r0, r1, q1, a1, r2, q2, a2, q3, a3 = p
    return (r0 + 1.0 / (1.0 / r1 + q1 * jw**a1) + 1.0 / (1.0 / r2 + q2 * jw**a2)
            + _cpe(q3, a3, jw))


def _log_bounds(names: list[str], zmax: float) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = [], []
    for n in names:
        if n.startswith("R"):
            lo.append(math.log(1e-9 * zmax))
            hi.append(math.log(1e4 * zmax))
        elif n.endswith("_1"):
            lo.append(math.log(_ALPHA_BOUNDS[0]))
            hi.append(math.log(_ALPHA_BOUNDS[1]))
        else:
            lo.append(math.log(1e-25))
            hi.append(math.log(1e6))
    return np.array(lo), np.array(hi)


def _residuals(circuit: str, f: np.ndarray, z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Modulus-weighted residuals (Z_model - Z) / |Z|, real parts then imaginary parts (the
    weighting of ``CustomCircuit.fit(weight_by_modulus=True)``)."""
    d = (circuit_impedance(circuit, f, p) - z) / np.abs(z)
    return np.concatenate([d.real, d.imag])


def _least_squares(circuit: str, f: np.ndarray, z: np.ndarray, p0: np.ndarray,
                   bounds: tuple[np.ndarray, np.ndarray], max_nfev: int) -> tuple[np.ndarray, float]:
    q0 = np.clip(np.log(p0), bounds[0] + 1e-9, bounds[1] - 1e-9)
    with np.errstate(all="ignore"):
        res = least_squares(lambda q: _residuals(circuit, f, z, np.exp(q)), q0, bounds=bounds,
                            method="trf", max_nfev=max_nfev, x_scale=1.0)
    p = np.exp(res.x)
    r = _residuals(circuit, f, z, p)
    cost = float(r @ r)
    return p, cost if math.isfinite(cost) else math.inf


def _order_arcs(circuit: str, names: list[str], p: np.ndarray) -> np.ndarray:
    """For two arcs, put the higher-frequency (bulk) arc first (the circuit is symmetric)."""
    if circuit != BULK_GB:
        return p
    ix = {n: i for i, n in enumerate(names)}

    def omega(k: int) -> float:
        return (p[ix[f"R{k}"]] * p[ix[f"CPE{k}_0"]]) ** (-1.0 / p[ix[f"CPE{k}_1"]])

    if omega(2) <= omega(1):
        return p
    q = p.copy()
    for a, b in (("R1", "R2"), ("CPE1_0", "CPE2_0"), ("CPE1_1", "CPE2_1")):
        q[ix[a]], q[ix[b]] = p[ix[b]], p[ix[a]]
    return q


def _covariance(circuit: str, f: np.ndarray, z: np.ndarray,
                p: np.ndarray) -> tuple[np.ndarray, float]:
    """s^2 (J^T J)^-1 from a central-difference Jacobian of the weighted residuals, and chi2."""
    r0 = _residuals(circuit, f, z, p)
    jac = np.empty((r0.size, p.size))
    for k in range(p.size):
        h = 1e-6 * abs(p[k])
        up, dn = p.copy(), p.copy()
        up[k] += h
        dn[k] -= h
        jac[:, k] = (_residuals(circuit, f, z, up) - _residuals(circuit, f, z, dn)) / (2 * h)
    chi2 = float(r0 @ r0)
    jtj = jac.T @ jac
    try:
        inv = np.linalg.inv(jtj)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(jtj)
    return inv * (chi2 / (r0.size - p.size)), chi2


def fit_circuit(frequency_Hz: Any, Z_ohm: Any, circuit: str = BULK) -> CircuitFit:
    """Fit ``circuit`` (a name or circuit string) to a spectrum; see the module docstring.

    Each start from :func:`initial_guesses` gets a short least-squares run on log-parameters;
    the best is run to convergence.
    """
    circuit = resolve_circuit(circuit)
    f = np.asarray(frequency_Hz, dtype=float).ravel()
    z = np.asarray(Z_ohm, dtype=complex).ravel()
    order = np.argsort(-f, kind="stable")
    f, z = f[order], z[order]
    names, units = _param_names(circuit)
    if 2 * f.size <= len(names) + 1:
        raise ValueError(f"{f.size} points are too few to fit the {len(names)} parameters of "
                         f"{circuit}")
    bounds = _log_bounds(names, float(np.abs(z).max()))
    trials = [_least_squares(circuit, f, z, p0, bounds, _NFEV_START)
              for p0 in initial_guesses(f, z, circuit)]
    p_start = min(trials, key=lambda t: t[1])[0]
    p, _ = _least_squares(circuit, f, z, p_start, bounds, _NFEV_FINAL)
    p = _order_arcs(circuit, names, p)
    cov, chi2 = _covariance(circuit, f, z, p)
    err = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    return CircuitFit(circuit, tuple(names), tuple(units), p, err, cov, chi2, int(f.size))


@dataclass(frozen=True)
class ModelSelection:
    """Outcome of :func:`select_circuit`: the circuit kept, each circuit's BIC and why."""

    chosen: str
    bic: dict[str, float]
    reason: str

    def summary(self) -> dict[str, Any]:
        return {"chosen": self.chosen, "bic": self.bic, "reason": self.reason}


def select_circuit(frequency_Hz: Any, Z_ohm: Any, delta_bic_min: float = DELTA_BIC_MIN,
                   max_rel_err: float = MAX_REL_ERR_RESOLVED) -> tuple[CircuitFit, ModelSelection]:
    """Fit both circuits; keep bulk_gb only when BIC improves by > ``delta_bic_min`` and both
    R1 and R2 have relative errors < ``max_rel_err``."""
    one = fit_circuit(frequency_Hz, Z_ohm, BULK)
    two = fit_circuit(frequency_Hz, Z_ohm, BULK_GB)
    bic = {"bulk": one.bic, "bulk_gb": two.bic}
    gain = one.bic - two.bic
    resolved = all(two.value(r)[1] < max_rel_err * two.value(r)[0] for r in ("R1", "R2"))
    if gain > delta_bic_min and resolved:
        return two, ModelSelection("bulk_gb", bic, f"BIC lower by {gain:.1f} (> {delta_bic_min})"
                                   " and both arcs resolved")
    why = (f"BIC gain {gain:.1f} <= {delta_bic_min}" if gain <= delta_bic_min
           else "second arc not resolved (relative error of R1 or R2 >= "
                f"{max_rel_err})")
    return one, ModelSelection("bulk", bic, why)
