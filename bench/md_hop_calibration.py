"""How many hops before a D from the MSD is unbiased? Caged lattice hoppers of known D.

Ions rattle in harmonic cages (plateau 6 u2 = 2.25 A^2 at 900 K, relaxation 0.15 ps) while their
cage centres hop +-2.5 A on a lattice at a Poisson rate (``superionic.transport.synthetic``).
For each hop count, ``--seeds`` independent 3 ps runs (24 ions, frames every 10 fs) are analysed
with the default transport analysis (GLS, 10-70 % window). Printed per level: the MSD gain
across the fit window in units of the hop length squared (what ``DiffusiveRegime`` tests), the
mean and spread of D_estimated / D_true, the median stated relative error and the spread of
the z-scores (D_est - D_true) / err (1 = calibrated).

    python bench/md_hop_calibration.py --seeds 150
"""

from __future__ import annotations

import argparse

import numpy as np

from superionic.transport import analyze_trajectory
from superionic.transport.synthetic import caged_hopper

A = 2.5  # hop length, Angstrom


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=150)
    ap.add_argument("--ions", type=int, default=24)
    ap.add_argument("--hops-per-ion", type=float, nargs="+", default=[1.5, 3.0, 6.0, 12.0, 24.0],
                    help="mean hops per ion over the whole 3 ps run")
    args = ap.parse_args()
    dur, dt = 3.0, 0.01
    n_frames = int(round(dur / dt)) + 1
    print("| hops per ion (run) | MSD gain in window / a^2 | D_est / D_true: mean | spread (sd) "
          "| stated rel. error (median) | z-score sd |")
    print("|---|---|---|---|---|---|")
    for h in args.hops_per_ion:
        D = h / dur * A**2 / 6.0  # A^2/ps
        ratio, rel, z = [], [], []
        for seed in range(args.seeds):
            fit = analyze_trajectory(caged_hopper(args.ions, n_frames, dt, temperature_K=900.0,
                                                  D_A2_ps=D, a_A=A, seed=1000 + seed)).tracer
            est, err = fit.D_cm2_s * 1e4, fit.D_err_cm2_s * 1e4  # A^2/ps
            ratio.append(est / D)
            rel.append(err / est if est > 0 else np.nan)
            z.append((est - D) / err)
        gain = 6 * D * 0.6 * dur / A**2
        print(f"| {h:g} | {gain:.2g} | {np.mean(ratio):.2f} | {np.std(ratio):.2f} | "
              f"{np.nanmedian(rel):.2f} | {np.std(z):.2f} |")


if __name__ == "__main__":
    main()
