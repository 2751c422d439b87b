"""Synthetic pellet spectra for the experiment tests: impedance's own circuit evaluation plus
seeded proportional noise, Z + noise |Z| (n1 + j n2) with n1, n2 standard normal."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from impedance.models.circuits import CustomCircuit

from superionic.transport.arrhenius import KB_EV_K

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "experiment"
BULK = "R0-p(R1,CPE1)-CPE2"
BULK_GB = "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3"
#: 7 MHz .. 0.1 Hz, 10 points per decade (a typical analyser sweep)
FREQ_HZ = np.logspace(np.log10(7e6), -1, 80)
#: bulk arc (R1 = 2e4 ohm, apex ~ 300 kHz) and a blocking-electrode spike
BULK_PARAMS = [5.0, 2.0e4, 1.0e-10, 0.9, 1.0e-6, 0.85]
#: bulk (R1 = 2e4 ohm, ~pF) and grain-boundary (R2 = 3e4 ohm, ~nF) arcs and the spike
GB_PARAMS = [5.0, 2.0e4, 1.0e-11, 0.92, 3.0e4, 1.0e-9, 0.85, 1.0e-6, 0.85]


def circuit_Z(circuit: str, params: Sequence[float], f: np.ndarray = FREQ_HZ) -> np.ndarray:
    """Noise-free impedance (ohm) from impedance's CustomCircuit.predict."""
    c = CustomCircuit(circuit, initial_guess=list(params))
    c.parameters_ = np.asarray(params, dtype=float)
    return np.asarray(c.predict(f))


def noisy(z: np.ndarray, noise: float = 0.01, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return z + noise * np.abs(z) * (rng.normal(size=z.size) + 1j * rng.normal(size=z.size))


def write_csv(path: Path, f: np.ndarray, z: np.ndarray,
              header: str = "freq_Hz,Z_real_ohm,Z_imag_ohm") -> Path:
    lines = [header] + [f"{float(fi)!r},{float(zi.real)!r},{float(zi.imag)!r}"
                        for fi, zi in zip(f, z, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


def q_for_capacitance(r_ohm: float, c_F: float, alpha: float) -> float:
    """Q of p(R, CPE) whose effective capacitance (R Q)^(1/alpha) / R is ``c_F``."""
    return (c_F * r_ohm) ** alpha / r_ohm


def sigma_arrhenius(T_K: np.ndarray | float, Ea_eV: float, sigma_ref: float,
                    T_ref_K: float) -> np.ndarray:
    """sigma = A/T exp(-Ea/kT) through sigma_ref at T_ref (S/cm)."""
    T = np.asarray(T_K, dtype=float)
    a = sigma_ref * T_ref_K * np.exp(Ea_eV / (KB_EV_K * T_ref_K))
    return a / T * np.exp(-Ea_eV / (KB_EV_K * T))


def write_series(directory: Path, T_K: Sequence[float], Ea_eV: float, sigma_ref: float,
                 T_ref_K: float, cell_per_cm: float, seed: int = 0) -> dict[float, float]:
    """Spectra of a pellet at ``T_K`` (files ``pellet_<T>K.csv``); returns T -> true R_bulk."""
    directory.mkdir(parents=True, exist_ok=True)
    truth = {}
    for k, t in enumerate(T_K):
        r1 = cell_per_cm / float(sigma_arrhenius(t, Ea_eV, sigma_ref, T_ref_K))
        params = [5.0, r1, q_for_capacitance(r1, 5e-11, 0.9), 0.9, 1e-6, 0.85]
        write_csv(directory / f"pellet_{t:g}K.csv", FREQ_HZ,
                  noisy(circuit_Z(BULK, params), 0.01, seed + k))
        truth[float(t)] = r1
    return truth
