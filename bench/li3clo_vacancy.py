"""Li diffusion in Li3ClO (mp-985585): a Li-vacancy cell vs the pristine cell, CHGNet NVT MD.

Defect chemistry: a Li vacancy is compensated by a Cl vacancy (a LiCl Schottky pair, the
Li3-xOCl1-x composition of Li-rich antiperovskites; Zhang, Emly et al. 2013; Mouta et al. 2014),
placed as far from the Li vacancy as the cell allows. In the pristine cell Li must first make a
Frenkel pair (formation energy ~2 eV), so at these temperatures Li stays on its sites, while in
the defective cell the vacancy hops with a ~0.3-0.4 eV barrier. Expect D(vacancy) >> D(pristine).

Peer: the pristine cell, at the same temperatures, length and seed; the script prints the ratio
D_vacancy / D_pristine per temperature and the number of Li site-to-site hops in each run
(``superionic.transport.hops``), the most direct evidence at these short run lengths. D comes from ``superionic.transport`` (FFT MSD, fit
window 10-70 %) when it is installed, else from a numpy MSD (all time origins, linear fit over
the same window). Runs are durable: rerun with ``--resume`` after an interruption.

    OMP_NUM_THREADS=1 .venv/bin/python bench/li3clo_vacancy.py --temperatures 1200 1500 \
        --cells 2 --equil-ps 0.5 --prod-ps 2.5 --workers 2 --threads 1
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from ase.io import read

from superionic.md.prepare import load_structure, prepare_structure
from superionic.md.protocol import MDParams, MDRunResult, MDTask, RelaxParams, run_task
from superionic.parallel import Executor, map_tasks, split_failures

ION = "Li"


def numpy_msd_D(frames_path: Path, dt_ps: float, ion: str = ION) -> dict[str, float]:
    """Tracer MSD of ``ion`` (A^2, all time origins, COM drift of the cell removed) and D (cm^2/s)
    from a linear fit over lags of 10-70 % of the run; also the final displacement statistics."""
    frames = read(frames_path, ":")
    pos = np.stack([f.positions for f in frames])  # unwrapped (superionic.md writes them so)
    masses = frames[0].get_masses()
    com = (pos * masses[None, :, None]).sum(axis=1) / masses.sum()
    pos = pos - (com - com[0])[:, None, :]
    mobile = np.array([s == ion for s in frames[0].get_chemical_symbols()])
    x = pos[:, mobile]
    n = len(x)
    lags = np.arange(1, n)
    msd = np.array([np.mean(np.sum((x[k:] - x[:-k]) ** 2, axis=-1)) for k in lags])
    t = lags * dt_ps
    window = (t >= 0.1 * t[-1]) & (t <= 0.7 * t[-1])
    slope = np.polyfit(t[window], msd[window], 1)[0]  # A^2/ps
    disp = np.linalg.norm(x - x[0], axis=-1)  # (frames, ions) from the starting sites
    return {"D_cm2_s": slope / 6.0 * 1e-4, "msd_end_A2": float(msd[window][-1]),
            "max_disp_A": float(disp.max()), "n_ever_2A": int((disp.max(axis=0) > 2.0).sum()),
            "n_ions": int(mobile.sum())}


def transport_D(run: MDRunResult) -> dict[str, Any] | None:
    """D from superionic.transport, or None when that package is missing."""
    try:
        from superionic.transport import analyze_trajectory, read_trajectory
    except ImportError:
        return None
    traj = read_trajectory(run.frames_path, ion=ION, timestep_ps=run.timestep_ps,
                           temperature_K=run.temperature_K)
    s = analyze_trajectory(traj, temperature_K=run.temperature_K).summary()
    from superionic.transport import read_trajectory
    from superionic.transport.hops import count_hops

    hops = count_hops(read_trajectory(run.frames_path, ion=ION, timestep_ps=run.timestep_ps,
                                      temperature_K=run.temperature_K))
    return {"D_cm2_s": s["D_cm2_s"], "D_err": s["D_err"], "sigma_S_cm": s["sigma_S_cm"],
            "haven_ratio": s["haven_ratio"], "fit": [s["fit_start_ps"], s["fit_end_ps"]],
            "n_hops": hops.n_hops, "D_hop_cm2_s": hops.D_hop_cm2_s}


def plot_msd_comparison(runs: dict[tuple[str, float], MDRunResult], path: Path) -> Path:
    """Li tracer MSD (A^2) vs lag (ps), vacancy cell vs pristine cell, one panel per T."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from superionic.transport import mean_squared_displacement, read_trajectory

    temps = sorted({T for _, T in runs})
    fig, axes = plt.subplots(1, len(temps), figsize=(4.2 * len(temps), 3.6), squeeze=False)
    for ax, T in zip(axes[0], temps, strict=True):
        for name, style in (("vacancy", "C3-"), ("pristine", "C0-")):
            run = runs.get((name, T))
            if run is None:
                continue
            traj = read_trajectory(run.frames_path, ion=ION, timestep_ps=run.timestep_ps,
                                   temperature_K=run.temperature_K)
            msd = mean_squared_displacement(traj)
            half = msd.n_frames // 2  # beyond half the run, few time origins remain
            ax.plot(msd.lag_ps[:half], msd.tracer_A2[:half], style,
                    label=f"{name} ({traj.n_ions} Li)")
        ax.set(title=f"Li3ClO, CHGNet NVT, {T:.0f} K", xlabel="lag (ps)",
               ylabel="Li tracer MSD (A$^2$)")
        ax.legend(frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--temperatures", type=float, nargs="+", default=[1200.0, 1500.0])
    ap.add_argument("--cells", type=int, default=2, help="n x n x n supercell of Li3ClO")
    ap.add_argument("--equil-ps", type=float, default=0.5)
    ap.add_argument("--prod-ps", type=float, default=2.5)
    ap.add_argument("--timestep-fs", type=float, default=2.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("workspace/bench/li3clo_vacancy"))
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--plot", type=Path, default=None,
                    help="write the vacancy-vs-pristine MSD figure here (PNG)")
    args = ap.parse_args()

    source = load_structure("mp-985585")
    n = args.cells ** 3 * len(source)
    systems = {
        "pristine": prepare_structure(source, atom_range=(n, n), seed=args.seed),
        "vacancy": prepare_structure(source, atom_range=(n, n), n_vacancies=1, ion=ION,
                                     compensate="auto", seed=args.seed),
    }
    template = MDParams(temperature_K=args.temperatures[0], timestep_fs=args.timestep_fs,
                        equil_ps=args.equil_ps, prod_ps=args.prod_ps, save_every=5,
                        checkpoint_every=100, seed=args.seed)
    tasks, labels = [], []
    for name, structure in systems.items():
        for T in args.temperatures:
            tasks.append(MDTask(structure, replace(template, temperature_K=T),
                                str(args.out / name / f"T{T:g}K"), "chgnet", args.threads,
                                args.resume, RelaxParams(steps=100), False,
                                {"source": "mp-985585", "bench": "li3clo_vacancy", "system": name}))
            labels.append((name, T))
    t0 = time.perf_counter()
    results = map_tasks(run_task, tasks, Executor(n_workers=args.workers), desc="Li3ClO MD")
    wall = time.perf_counter() - t0
    ok, bad = split_failures(results)
    for err in bad:
        print(f"FAILED {labels[err.index]}: {err.error}")
    rows: dict[tuple[str, float], dict[str, Any]] = {}
    for i, run in ok:
        name, T = labels[i]
        row = {"formula": systems[name].composition.reduced_formula, "n_atoms": run.n_atoms,
               "mean_T_K": run.mean_temperature_K, "n_frames": run.n_frames,
               **numpy_msd_D(Path(run.frames_path), run.timestep_ps)}
        row["transport"] = transport_D(run)
        rows[(name, T)] = row
    print(f"Li3ClO {args.cells}x{args.cells}x{args.cells} ({n} sites), CHGNet 0.3.0 NVT "
          f"(Nose-Hoover chain), {args.equil_ps} ps equilibration + {args.prod_ps} ps production,"
          f" dt {args.timestep_fs} fs, {args.workers} workers x {args.threads} thread(s), "
          f"wall {wall / 60:.1f} min")
    print(f"{'system':>9} {'T_K':>6} {'<T>_K':>6} {'formula':>16} {'D_numpy':>9} {'D_transport':>22}"
          f" {'MSD_A2':>7} {'Li>2A':>6} {'hops':>5} {'D_hop':>9}")
    for (name, T), r in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        tr = r["transport"]
        d_tr = f"{tr['D_cm2_s']:.2e}+/-{tr['D_err']:.1e}" if tr else "n/a"
        cell = f"{r['formula']} ({r['n_atoms']})"
        hops = f"{tr['n_hops']:5d} {tr['D_hop_cm2_s']:9.2e}" if tr else f"{'n/a':>5} {'n/a':>9}"
        print(f"{name:>9} {T:6.0f} {r['mean_T_K'] or float('nan'):6.0f} {cell:>16} "
              f"{r['D_cm2_s']:9.2e} {d_tr:>22} {r['msd_end_A2']:7.2f} "
              f"{r['n_ever_2A']:>3}/{r['n_ions']} {hops}")
    for T in args.temperatures:
        if ("pristine", T) in rows and ("vacancy", T) in rows:
            dv, dp = rows[("vacancy", T)]["D_cm2_s"], rows[("pristine", T)]["D_cm2_s"]
            ratio = dv / dp if dp > 0 else float("inf")
            print(f"ratio D_vacancy / D_pristine (numpy MSD) at {T:.0f} K = {ratio:.1f}"
                  + ("  (pristine D <= 0: no net Li displacement beyond vibration)" if dp <= 0 else ""))
            tv, tp = rows[("vacancy", T)]["transport"], rows[("pristine", T)]["transport"]
            if tv and tp:
                print(f"  Li hops in {args.prod_ps:g} ps: vacancy {tv['n_hops']}, pristine "
                      f"{tp['n_hops']} (superionic.transport.hops, 1.5 A threshold)")
    if args.plot is not None:
        done = {labels[i]: run for i, run in ok}
        print(f"MSD figure: {plot_msd_comparison(done, args.plot)}")
    out = args.out / "summary.json"
    out.write_text(json.dumps({f"{k[0]}_{k[1]:g}K": v for k, v in rows.items()}, indent=1,
                              default=str))
    print(f"summary: {out}")


if __name__ == "__main__":
    main()
