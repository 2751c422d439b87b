"""Electronic conductivity from the band gap: an ORDER-OF-MAGNITUDE intrinsic-carrier estimate.

For an intrinsic semiconductor sigma_e = n_i e (mu_n + mu_p) with n_i = sqrt(Nc Nv)
exp(-Eg / 2kT) and Nc = Nv = 2 (2 pi m kT / h^2)^(3/2) = 2.51e19 cm^-3 at 300 K (m* = m_e), so

    sigma_e(Eg, T) = sigma_0 (T / 300 K)^(3/2) exp(-Eg / (2 k_B T))

with sigma_0 = 2.51e19 cm^-3 x 1.602e-19 C x (mu_n + mu_p). Taking mu_n + mu_p = 10 cm^2/(V s)
(typical of polar, ionic insulators) gives sigma_0 = 40 S/cm (Sze & Ng, Physics of Semiconductor
Devices, 3rd ed., ch. 1). The reported range spans mu_n + mu_p = 1 ... 100 cm^2/(V s), i.e.
sigma_0 / 10 ... 10 sigma_0: a plausible band, not a statistical interval.

Caveats: PBE gaps underestimate true gaps (typically by 30-50 %), which makes this an
overestimate of the intrinsic conductivity; real electrolytes conduct electrons through defects
and impurities (typically 1e-10 ... 1e-8 S/cm), which this model ignores. Use it to rank by
"how insulating", not as a value. A user-supplied ``sigma_e_S_cm`` in the pool replaces it.
"""

from __future__ import annotations

import numpy as np

#: Boltzmann constant, eV/K.
K_B_EV_PER_K = 8.617333262e-5
#: Effective density of states Nc = Nv at 300 K for m* = m_e, cm^-3.
N_EFF_300K_CM3 = 2.51e19
#: Elementary charge, C.
E_CHARGE_C = 1.602176634e-19
#: Sum of electron and hole mobilities assumed, cm^2/(V s).
MOBILITY_CM2_PER_VS = 10.0
#: Prefactor sigma_0 at 300 K, S/cm (= 40.2 S/cm).
SIGMA0_S_CM = N_EFF_300K_CM3 * E_CHARGE_C * MOBILITY_CM2_PER_VS
#: Factor spanning mu_n + mu_p = 1 ... 100 cm^2/(V s) around the central value.
SIGMA0_SPREAD = 10.0


def intrinsic_sigma_e(gap_eV: np.ndarray | float, temperature_K: float = 300.0,
                      sigma0_S_cm: float = SIGMA0_S_CM) -> np.ndarray:
    """sigma_e (S/cm) = sigma_0 (T/300)^1.5 exp(-Eg / 2kT); NaN where the gap is NaN or < 0."""
    if temperature_K <= 0:
        raise ValueError(f"temperature must be positive, got {temperature_K} K")
    gap = np.asarray(gap_eV, dtype=float)
    pref = sigma0_S_cm * (temperature_K / 300.0) ** 1.5
    with np.errstate(invalid="ignore"):
        out = pref * np.exp(-gap / (2.0 * K_B_EV_PER_K * temperature_K))
    return np.where(gap >= 0, out, np.nan)


def sigma_e_estimate(gap_eV: np.ndarray, user_S_cm: np.ndarray | None = None,
                     temperature_K: float = 300.0, sigma0_S_cm: float = SIGMA0_S_CM
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(sigma_e, low, high, source)`` per compound in S/cm: the user's value where given
    (low = high = value), else the intrinsic estimate with the sigma_0 band."""
    gap = np.asarray(gap_eV, dtype=float)
    mean = intrinsic_sigma_e(gap, temperature_K, sigma0_S_cm)
    low, high = mean / SIGMA0_SPREAD, mean * SIGMA0_SPREAD
    source = np.where(np.isfinite(mean), "intrinsic estimate from band gap", "")
    if user_S_cm is not None:
        user = np.asarray(user_S_cm, dtype=float)
        given = np.isfinite(user)
        mean, low, high = (np.where(given, user, a) for a in (mean, low, high))
        source = np.where(given, "user", source)
    return mean, low, high, source
