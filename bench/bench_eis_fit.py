"""Equivalent-circuit fit of pellet spectra: superionic.experiment.fit_circuit vs impedance's
CustomCircuit.fit, same spectra, same initial guesses, same objective (modulus weighting).

Spectra: R0-p(R1,CPE1)-CPE2 with random R1 (1e2..1e7 ohm), bulk capacitance (1e-12..1e-10 F),
alpha1 (0.75..1), electrode CPE (Q 1e-7..1e-5, alpha 0.6..0.95), arc apex inside the
7 MHz..0.1 Hz sweep, 1% proportional noise (seeded). The peer starts from the first of our
spectrum-derived guesses (what a user would give it after reading the Nyquist plot); its
defaults are otherwise kept (ftol 1e-13, maxfev 1e5). Prints the speed RATIO, and for each
method how often R_bulk lands within 2% of the truth and the median chi2 relative to ours.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_eis_fit.py [--n 12] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np

from superionic.experiment.circuits import BULK, circuit_impedance, fit_circuit, initial_guesses

FREQ_HZ = np.logspace(np.log10(7e6), -1, 80)


def spectra(n: int, seed: int) -> list[tuple[list[float], np.ndarray]]:
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        r1, c = 10 ** rng.uniform(2, 7), 10 ** rng.uniform(-12, -10)
        if not 10 < 1 / (2 * math.pi * r1 * c) < 7e5:
            continue
        a1 = rng.uniform(0.75, 1.0)
        p = [10 ** rng.uniform(-1, 2), r1, (c * r1) ** a1 / r1, a1, 10 ** rng.uniform(-7, -5),
             rng.uniform(0.6, 0.95)]
        z = circuit_impedance(BULK, FREQ_HZ, p)
        z = z + 0.01 * np.abs(z) * (rng.normal(size=z.size) + 1j * rng.normal(size=z.size))
        out.append((p, z))
    return out


def chi2(p: np.ndarray, z: np.ndarray) -> float:
    d = (circuit_impedance(BULK, FREQ_HZ, p) - z) / np.abs(z)
    return float(np.sum(d.real**2 + d.imag**2))


def main() -> None:
    from impedance.models.circuits import CustomCircuit

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    data = spectra(args.n, args.seed)
    t_ours = t_peer = 0.0
    ok_ours = ok_peer = 0
    ratios = []
    for truth, z in data:
        t0 = time.perf_counter()
        ours = fit_circuit(FREQ_HZ, z, BULK)
        t_ours += time.perf_counter() - t0
        guess = initial_guesses(FREQ_HZ, z, BULK)[0]
        t0 = time.perf_counter()
        cc = CustomCircuit(BULK, initial_guess=[float(v) for v in guess])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                cc.fit(FREQ_HZ, z, weight_by_modulus=True)
                peer = np.asarray(cc.parameters_, float)
            except RuntimeError:
                peer = guess
        t_peer += time.perf_counter() - t0
        ok_ours += abs(ours.parameters[1] / truth[1] - 1) < 0.02
        ok_peer += abs(peer[1] / truth[1] - 1) < 0.02
        ratios.append(chi2(peer, z) / ours.chi2)
    print(f"{args.n} spectra; superionic fit_circuit {t_ours:.2f} s, impedance "
          f"CustomCircuit.fit {t_peer:.2f} s: speed ratio {t_peer / t_ours:.1f}x")
    print(f"R_bulk within 2% of the truth: superionic {ok_ours}/{args.n}, "
          f"CustomCircuit.fit {ok_peer}/{args.n}")
    print(f"chi2(CustomCircuit.fit) / chi2(superionic): min {np.min(ratios):.3g}, median "
          f"{np.median(ratios):.3g}, max {np.max(ratios):.3g} (1 = same minimum)")


if __name__ == "__main__":
    main()
