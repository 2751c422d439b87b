"""Transport analysis vs pymatgen-analysis-diffusion's DiffusionAnalyzer on one real trajectory.

The trajectory is a CHGNet NVT run of Li3ClO 2x2x2 with one Li vacancy at 1500 K, 20 fs between
stored frames, made by bench/make_md_fixture.py. Both codes are timed in the same run (fastest of
``--repeats``), on two kinds of input:

- "from Structures": the same in-memory list of pymatgen Structures for both
  (``DiffusionAnalyzer.from_structures`` vs ``Trajectory.from_structures`` + analysis); both pay
  pymatgen's per-site coordinate access, which bounds the ratio;
- "analysis core": DiffusionAnalyzer's own constructor on precomputed unwrapped displacements
  vs ``analyze_trajectory`` on a Trajectory built from the position array (our time includes
  unwrapping and drift removal, DiffusionAnalyzer's does not).

Definitions. DiffusionAnalyzer(smoothed="max") averages the MSD over all time origins, removes
the framework drift, and fits the lags from 1 ps to n_Li * n_frames / 30 frames (at most ~200 of
them) by least squares weighted with 1/t. superionic's ``fit_msd(method="wls")`` over the same
lags is the same definition (the comparison asserted below). Our default, ``method="gls"``
(kinisi-style generalised least squares) over the default 10-70 % window, is printed beside it;
it differs by the estimator and window, not by the MSD.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_transport.py \
        [--traj workspace/bench/li3clo_vac_1500K_long.extxyz] [--repeats 15]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from ase.io import read
from pymatgen.analysis.diffusion.analyzer import DiffusionAnalyzer
from pymatgen.io.ase import AseAtomsAdaptor

from superionic.transport import (
    Trajectory,
    analyze_trajectory,
    fit_msd,
    mean_squared_displacement,
)

REPO = Path(__file__).resolve().parents[1]
LONG = REPO / "workspace" / "bench" / "li3clo_vac_1500K_long.extxyz"
FIXTURE = REPO / "tests" / "fixtures" / "transport" / "li3clo_vac_1500K.extxyz"
T_K, POTIM_FS, STEP_SKIP = 1500.0, 2.0, 10


def best_time(fn, repeats: int) -> tuple[float, object]:  # noqa: ANN001
    """Fastest of ``repeats`` calls (s) and the last result."""
    best, out = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--traj", type=Path, default=LONG if LONG.is_file() else FIXTURE)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--plot", type=Path, default=None, help="write our MSD figure here")
    a = ap.parse_args()

    frames = read(a.traj, index=":")
    structures = [AseAtomsAdaptor.get_structure(f) for f in frames]
    dt_ps = POTIM_FS * STEP_SKIP / 1000.0
    print(f"trajectory: {a.traj} ({len(structures)} frames, {len(structures[0])} atoms, "
          f"{(len(structures) - 1) * dt_ps:.2f} ps)")

    def peer() -> DiffusionAnalyzer:
        return DiffusionAnalyzer.from_structures(structures, "Li", temperature=T_K,
                                                 time_step=POTIM_FS, step_skip=STEP_SKIP,
                                                 smoothed="max")

    def ours_same_definition():  # noqa: ANN202
        traj = Trajectory.from_structures(structures, "Li", dt_ps, T_K)
        msd = mean_squared_displacement(traj)
        return msd, fit_msd(msd, start_ps=window[0], end_ps=window[1], method="wls")

    def ours_full():  # noqa: ANN202
        return analyze_trajectory(Trajectory.from_structures(structures, "Li", dt_ps, T_K))

    t_peer, da = best_time(peer, a.repeats)
    window = (da.dt[0] / 1000.0, da.dt[-1] / 1000.0)  # fs -> ps
    t_same, (msd, same) = best_time(ours_same_definition, a.repeats)
    t_full, full = best_time(ours_full, a.repeats)

    # analysis core: both from arrays
    pos = np.stack([s.cart_coords for s in structures])
    cell = structures[0].lattice.matrix
    species = [site.specie.symbol for site in structures[0]]
    disp = np.transpose(Trajectory.from_frames(pos, cell, species, "Li", dt_ps,
                                               drift_correction=False).all_positions
                        - pos[0], (1, 0, 2))

    def peer_core() -> DiffusionAnalyzer:
        return DiffusionAnalyzer(structures[0], disp, "Li", T_K, POTIM_FS, STEP_SKIP,
                                 smoothed="max")

    def ours_core():  # noqa: ANN202
        return analyze_trajectory(Trajectory.from_frames(pos, cell, species, "Li", dt_ps, T_K))

    t_peer_core, da_core = best_time(peer_core, a.repeats)
    t_core, _ = best_time(ours_core, a.repeats)
    assert abs(da_core.diffusivity / da.diffusivity - 1) < 1e-9
    gls_same = fit_msd(msd, start_ps=window[0], end_ps=window[1])
    coll_same = fit_msd(msd, kind="collective", start_ps=window[0], end_ps=window[1],
                        method="wls")

    rel = same.D_cm2_s / da.diffusivity - 1.0
    lags = np.rint(da.dt / (POTIM_FS * STEP_SKIP)).astype(int)
    msd_dev = float(np.max(np.abs(msd.tracer_A2[lags] / da.msd - 1.0)))
    print(f"fit window (DiffusionAnalyzer 'max'): {window[0]:.3f}-{window[1]:.3f} ps, "
          f"{len(da.dt)} lags; max relative MSD difference {msd_dev:.1e}")
    print(f"D  DiffusionAnalyzer         = {da.diffusivity:.4e} cm^2/s")
    print(f"D  superionic wls (same def) = {same.D_cm2_s:.4e} cm^2/s   relative diff {rel:+.2e}")
    print(f"D  superionic gls (same win) = {gls_same.D_cm2_s:.4e} +- {gls_same.D_err_cm2_s:.1e}")
    print(f"D  superionic default        = {full.tracer.D_cm2_s:.4e} +- "
          f"{full.tracer.D_err_cm2_s:.1e} cm^2/s (gls, {full.tracer.fit_start_ps:.2f}-"
          f"{full.tracer.fit_end_ps:.2f} ps)")
    print(f"D_sigma DiffusionAnalyzer = {da.chg_diffusivity:.4e}, superionic wls = "
          f"{coll_same.D_cm2_s:.4e}; Haven DA = {da.haven_ratio:.3f}, superionic default = "
          f"{full.haven.value:.3f} +- {full.haven.err:.3f}")
    print(f"sigma (Nernst-Einstein, default) = {full.sigma.sigma_S_cm:.3e} +- "
          f"{full.sigma.sigma_err_S_cm:.1e} S/cm at {T_K:.0f} K")
    print("from Structures (same input objects):")
    print(f"  DiffusionAnalyzer.from_structures            {1000 * t_peer:8.1f} ms")
    print(f"  superionic, same definition (1 fit)          {1000 * t_same:8.1f} ms  "
          f"speed ratio {t_peer / t_same:.1f}x")
    print(f"  superionic analyze_trajectory (5 gls fits)   {1000 * t_full:8.1f} ms  "
          f"speed ratio {t_peer / t_full:.1f}x")
    print("analysis core (arrays in):")
    print(f"  DiffusionAnalyzer(structure, displacements)  {1000 * t_peer_core:8.1f} ms")
    print(f"  superionic analyze_trajectory (+ unwrapping) {1000 * t_core:8.1f} ms  "
          f"speed ratio {t_peer_core / t_core:.1f}x")
    if a.plot is not None:
        from superionic.transport.plots import plot_msd

        plot_msd(full.msd, full.tracer, full.collective, ion="Li", path=a.plot)
        print(f"wrote {a.plot}")
    if abs(rel) > 0.02:
        print("FAIL: D differs from DiffusionAnalyzer by more than 2 %", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
