"""Nernst-Einstein conductivity from a diffusion coefficient.

    sigma = n q^2 D / (k_B T)

n: number density of mobile ions (cm^-3) = n_ions / V; q = z e with z the ion charge (Li+, Na+,
K+: z = 1); D in cm^2/s; T in K. With e in C and k_B in J/K the result is in S/cm. Using the
tracer D gives the Nernst-Einstein estimate (Haven ratio taken as 1, as in most AIMD screening);
using the collective D_sigma includes ion-ion correlations.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy.constants import Boltzmann, elementary_charge

#: Angstrom^3 -> cm^3
A3_TO_CM3 = 1e-24


def number_density_per_cm3(n_ions: int, volume_A3: float) -> float:
    """Number density of ``n_ions`` mobile ions in a cell of ``volume_A3`` Angstrom^3, cm^-3."""
    if n_ions < 0 or not volume_A3 > 0:
        raise ValueError(f"need n_ions >= 0 and a positive volume (A^3), got {n_ions}, {volume_A3}")
    return n_ions / (volume_A3 * A3_TO_CM3)


def nernst_einstein_sigma(D_cm2_s: float, n_per_cm3: float, temperature_K: float,
                          charge: int = 1) -> float:
    """sigma = n (z e)^2 D / (k_B T) in S/cm (D cm^2/s, n cm^-3, T K, z the ion charge)."""
    if not temperature_K > 0:
        raise ValueError(f"temperature must be positive (K), got {temperature_K!r}")
    q = charge * elementary_charge
    return n_per_cm3 * q * q * D_cm2_s / (Boltzmann * temperature_K)


@dataclass(frozen=True)
class Conductivity:
    """Nernst-Einstein conductivity (S/cm) with its 1-sigma uncertainty propagated from D."""

    sigma_S_cm: float
    sigma_err_S_cm: float
    n_per_cm3: float
    charge: int
    temperature_K: float


def conductivity(D_cm2_s: float, D_err_cm2_s: float, n_ions: int, volume_A3: float,
                 temperature_K: float, charge: int = 1) -> Conductivity:
    """Nernst-Einstein sigma (S/cm) of ``n_ions`` ions of charge ``charge`` in ``volume_A3``."""
    n = number_density_per_cm3(n_ions, volume_A3)
    per_D = nernst_einstein_sigma(1.0, n, temperature_K, charge)
    return Conductivity(sigma_S_cm=per_D * D_cm2_s, sigma_err_S_cm=per_D * abs(D_err_cm2_s),
                        n_per_cm3=n, charge=charge, temperature_K=float(temperature_K))
