"""MD overhead over bare calculator calls: durable NVT production vs the same force evaluations.

Peer: a plain loop calling the same CHGNet calculator on the configurations the MD run visited
(its stored frames, in turn, so nothing is cached), as many times as the MD run evaluated
forces (counted, not assumed). The MD
side is ``superionic.md.protocol.run_md`` with the Nose-Hoover chain, frames every 5 steps,
log lines, and fsync'ed atomic checkpoints every ``--checkpoint-every`` steps. The two are
interleaved ``--repeats`` times (alternating which goes first) and the medians and minima
compared. A second, load-insensitive figure divides the MD wall time by the time spent inside
the calculator during that same run. Target: ratio <= 1.10.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_md_overhead.py --steps 200 --cells 2
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from pymatgen.core import Lattice, Structure

from superionic.md.engine import make_calculator
from superionic.md.prepare import to_atoms
from superionic.md.protocol import MDParams, run_md


def counting(calc):  # noqa: ANN001, ANN201 - an ASE calculator
    """Count the calculator's evaluations in ``calc.n_calls`` and their seconds in
    ``calc.seconds``."""
    original = calc.calculate
    calc.n_calls, calc.seconds = 0, 0.0

    def calculate(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calc.n_calls += 1
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            calc.seconds += time.perf_counter() - t0

    calc.calculate = calculate
    return calc


def bare(atoms, calc, configurations: list[np.ndarray], n_calls: int) -> float:  # noqa: ANN001
    """Seconds for ``n_calls`` energy+force evaluations, cycling through ``configurations``
    (positions the MD run visited, so both sides evaluate the same kind of structures)."""
    work = atoms.copy()
    work.calc = calc
    calc.reset()
    t0 = time.perf_counter()
    for i in range(n_calls):
        work.positions = configurations[i % len(configurations)]
        work.get_forces()
        work.get_potential_energy()
    return time.perf_counter() - t0


def md(atoms, calc, steps: int,  # noqa: ANN001
       checkpoint_every: int) -> tuple[float, int, float, list[np.ndarray]]:
    """Seconds, force evaluations, seconds inside the calculator and stored positions of a
    production-only MD run."""
    from ase.io import read

    params = MDParams(temperature_K=1200.0, timestep_fs=2.0, equil_ps=0.0,
                      prod_ps=steps * 2.0 / 1000.0, save_every=5, checkpoint_every=checkpoint_every)
    run_dir = Path(tempfile.mkdtemp(prefix="bench_md_"))
    calc.reset()
    before, inside = calc.n_calls, calc.seconds
    try:
        t0 = time.perf_counter()
        run_md(atoms, params, run_dir, calc, relax_params=None, progress=False)
        elapsed = time.perf_counter() - t0
        frames = [f.positions for f in read(run_dir / "frames.extxyz", ":")]
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    return elapsed, calc.n_calls - before, calc.seconds - inside, frames


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--cells", type=int, default=2, help="Li3ClO supercell n x n x n")
    ap.add_argument("--checkpoint-every", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    li3clo = Structure(Lattice.cubic(3.908), ["Li", "Li", "Li", "Cl", "O"],
                       [[0, .5, .5], [.5, 0, .5], [.5, .5, 0], [0, 0, 0], [.5, .5, .5]])
    atoms = to_atoms(li3clo * ((args.cells,) * 3))
    calc = counting(make_calculator("chgnet", n_threads=args.threads))
    bare(atoms, calc, [atoms.positions, atoms.positions + 0.01], 4)  # warm-up
    t_md, t_bare, t_inside = [], [], []
    frames: list[np.ndarray] = []
    n_calls = 0
    for k in range(args.repeats):  # alternate the order: load drifts on a shared machine
        if k % 2:
            t_bare.append(bare(atoms, calc, frames, n_calls))
        seconds, n_calls, inside, frames = md(atoms, calc, args.steps, args.checkpoint_every)
        t_md.append(seconds)
        t_inside.append(inside)
        if not k % 2:
            t_bare.append(bare(atoms, calc, frames, n_calls))
    ratio = statistics.median(t_md) / statistics.median(t_bare)
    ratio_min = min(t_md) / min(t_bare)
    ratio_inside = statistics.median([m / i for m, i in zip(t_md, t_inside, strict=True)])
    print(f"Li3ClO {len(atoms)} atoms, CHGNet, {args.threads} thread(s), {args.steps} MD steps "
          f"({n_calls} force evaluations), checkpoint every {args.checkpoint_every} steps")
    print(f"MD run      : {statistics.median(t_md):.2f} s   (runs: "
          f"{', '.join(f'{t:.2f}' for t in t_md)})")
    print(f"bare calls  : {statistics.median(t_bare):.2f} s   (runs: "
          f"{', '.join(f'{t:.2f}' for t in t_bare)})")
    print(f"ratio MD / bare calculator = {ratio:.3f} (medians), {ratio_min:.3f} (minima); "
          f"target <= 1.10")
    print(f"ratio MD wall / time inside the calculator during MD = {ratio_inside:.4f} "
          f"(same run, insensitive to machine load)")


if __name__ == "__main__":
    main()
