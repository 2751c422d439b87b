"""How many hops before a D from the MSD is unbiased? Caged lattice hoppers of known D.

Ions rattle in harmonic cages (plateau 6 u2 = 2.25 A^2 at 900 K, relaxation 0.15 ps) while their
cage centres hop +-2.5 A on a lattice at a Poisson rate (``superionic.transport.synthetic``).
For each hop count, ``--seeds`` independent 3 ps runs (24 ions, frames every 10 fs) are analysed
with the default transport analysis (GLS, 10-70 % window). Printed per level: the MSD gain
across the fit window in units of the hop length squared (what ``DiffusiveRegime`` tests), the
mean and spread of D_estimated / D_true, the median stated relative error and the spread of
the z-scores (D_est - D_true) / err (1 = calibrated).

    python bench/md_hop_calibration.py --seeds 150

``--stopping-rule`` calibrates the protocol's sequential stop instead: each seed is one 12 ps
caged-hopper run cut into 1.5 ps segments, judged after each segment by the workflow's own
``classify`` (diffusive, significant, err(D)/D <= 20 %) and stopped at the first segment that
passes, as ``ArrheniusProtocol`` does. Printed per D: D_est / D_true at the stop (mean, sd),
the z-scores there (mean, sd), the median stated error, and the same D_est / D_true one
segment after the stop and over the whole 12 ps (no stop):

    python bench/md_hop_calibration.py --stopping-rule --seeds 100 --D 1.2 0.8 0.55 0.4
"""

from __future__ import annotations

import argparse

import numpy as np

from superionic.transport import analyze_trajectory
from superionic.transport.synthetic import caged_hopper

A = 2.5  # hop length, Angstrom


def stopping_rule(seeds: int, ions: int, Ds: list[float], segment_ps: float = 1.5,
                  cap_ps: float = 12.0, dt: float = 0.01) -> None:
    from superionic.transport.significance import DiffusionStatus, FrameworkCheck, classify

    def judge(full, t_ps: float):
        return classify(analyze_trajectory(full.head(t_ps)), FrameworkCheck())

    print("| D_true (A^2/ps) | gain 12.5 A^2 expected at (ps) | stop (ps, median) | D_est/D_true "
          "at stop: mean | sd | z: mean | z: sd | stated rel. error (median) | one segment "
          "later: mean | sd | whole 12 ps: mean | sd |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    n_seg = int(round(cap_ps / segment_ps))
    for D in Ds:
        at_stop, z, rel, later, whole, t_stop = [], [], [], [], [], []
        for seed in range(seeds):
            full = caged_hopper(ions, int(round(cap_ps / dt)) + 1, dt, temperature_K=900.0,
                                D_A2_ps=D, a_A=A, seed=5000 + seed)
            for k in range(1, n_seg + 1):
                r = judge(full, k * segment_ps)
                if r.status is DiffusionStatus.SIGNIFICANT and r.converged:
                    est, err = r.D_cm2_s * 1e4, r.D_err_cm2_s * 1e4
                    at_stop.append(est / D)
                    z.append((est - D) / err)
                    rel.append(err / est)
                    t_stop.append(k * segment_ps)
                    if k < n_seg:
                        later.append(judge(full, (k + 1) * segment_ps).D_cm2_s * 1e4 / D)
                    break
            last = judge(full, cap_ps).D_cm2_s
            whole.append(last * 1e4 / D if last else np.nan)
        print(f"| {D:g} | {12.5 / (3.6 * D):.2g} | {np.median(t_stop):.3g} | "
              f"{np.mean(at_stop):.2f} | {np.std(at_stop):.2f} | {np.mean(z):.2f} | "
              f"{np.std(z):.2f} | {np.median(rel):.2f} | {np.mean(later):.2f} | "
              f"{np.std(later):.2f} | {np.nanmean(whole):.2f} | {np.nanstd(whole):.2f} |",
              flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=150)
    ap.add_argument("--ions", type=int, default=24)
    ap.add_argument("--hops-per-ion", type=float, nargs="+", default=[1.5, 3.0, 6.0, 12.0, 24.0],
                    help="mean hops per ion over the whole 3 ps run")
    ap.add_argument("--stopping-rule", action="store_true",
                    help="calibrate the protocol's segment-wise stop instead (see the doc)")
    ap.add_argument("--D", type=float, nargs="+", default=[1.2, 0.8, 0.55, 0.4],
                    help="with --stopping-rule: true D values, Angstrom^2/ps")
    args = ap.parse_args()
    if args.stopping_rule:
        stopping_rule(args.seeds, args.ions, args.D)
        return
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
