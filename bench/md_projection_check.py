"""How good is the early-stop projection on real MD? The benchmark's own runs as the test set.

For every temperature run of ``bench/md_vs_experiment.py`` that became diffusive after >= 3 ps,
the run is cut at each earlier 1.5 ps segment end and judged as the workflow judges it; the
projection made there (``DiffusiveRegime.projected_run_ps``: the run length at which the MSD
would gain 12.5 A^2 across the fit window at its present slope) is compared with the segment
at which the run really became diffusive. Printed: one line per run, then the range of
(real need / projection) over all projections, which sets ``PROJECTION_SAFETY``.

    python bench/md_projection_check.py /work/md_bench_runs/v2 /work/md_bench_runs/v2_cap24
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from superionic.transport import analyze_trajectory, read_trajectory
from superionic.transport.significance import FrameworkCheck, classify


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_roots", nargs="+", type=Path)
    ap.add_argument("--segment-ps", type=float, default=1.5)
    ap.add_argument("--ion", default="Li")
    args = ap.parse_args()
    ratios = []
    for root in args.out_roots:
        for path in sorted(root.glob("*/*/T*K/frames.extxyz")):
            T = float(path.parent.name[1:-1])
            if not (path.parent / "result.json").exists():
                continue  # still running: its last frame may be half written
            interval = json.loads((path.parent / "params.json").read_text())["frames"]["interval_ps"]
            traj = read_trajectory(path, ion=args.ion, timestep_ps=interval, temperature_K=T)
            made, k, crossed = [], 1, None
            while k * args.segment_ps <= traj.duration_ps + 1e-9:
                r = classify(analyze_trajectory(traj.head(k * args.segment_ps), temperature_K=T),
                             FrameworkCheck())
                if r.regime.diffusive:
                    crossed = k * args.segment_ps
                    break
                need = r.regime.projected_run_ps(k * args.segment_ps)
                if need is not None:
                    made.append((k * args.segment_ps, need))
                k += 1
            if crossed is None or crossed < 3.0 or not made:
                continue
            ratios += [crossed / need for _, need in made]
            name = path.parent.relative_to(root.parent)
            print(f"{name}: diffusive at {crossed:g} ps; projected "
                  + ", ".join(f"{need:.3g} ps after {t:g}" for t, need in made), flush=True)
    if ratios:
        r = np.array(ratios)
        print(f"\n{len(r)} projections: real need / projection min {r.min():.2f}, median "
              f"{np.median(r):.2f}, max {r.max():.2f}; below 1 (projection too long): "
              f"{int((r < 1).sum())}")


if __name__ == "__main__":
    main()
