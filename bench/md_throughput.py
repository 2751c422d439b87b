"""MD throughput on the CPU cores at hand: ways to run N temperatures of one cell with CHGNet
or SevenNet-0 (``--potential``).

Modes (every one evaluates energy + forces only, task ``"ef"``, through the same code path:
pymatgen Structure -> CHGNet ``graph_converter`` -> ``CHGNet.predict_graph``; the integrator is
the same ASE-free Langevin velocity-Verlet (BAOAB) loop on numpy arrays, one replica per
temperature):

- ``a``  (peer): N processes, each with 1 torch thread, each stepping its own replica;
- ``b``: one process, the N replicas batched in ONE ``predict_graph`` call per step
  (torch intra-op threads = ``--cores``); ``B``: the same with 1 torch thread;
- ``c``: one process, N Python threads, each stepping its own replica (torch intra-op threads
  = 1; torch releases the GIL inside its kernels);
- ``s``: one process stepping the N replicas one after the other, torch intra-op threads =
  ``--cores`` (what ``superionic md`` does with its default threads).

With ``--potential sevennet`` the forces come from sevenn's ASE calculator, one replica per call
(energy + forces; the calculator has no batched call), so the batched modes ``b``/``B`` do not
exist for it.

Throughput = replica-steps per wall-clock second of the stepping phase (model loading and 2
warm-up steps excluded; for ``a`` from a common start barrier to the last process's end); a
measurement stops after ``--steps`` steps or ``--cap-s`` seconds, whichever comes first. The
modes are measured interleaved, ``--repeats`` times in rotating order, so that all see the same
background load; the medians are printed with their ratios to ``a`` of the same run. On a
loaded machine the wall figure favours N processes (the scheduler gives each process a share),
so replica-steps per CPU-second consumed (all threads of all processes of the mode) are printed
too: the cost of a step independent of the share each mode gets.

    OMP_NUM_THREADS=1 python bench/md_throughput.py --material Li6PS5Cl --replicas 2 4
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import threading
import time
import warnings
from typing import Any

import numpy as np

#: Boltzmann constant in eV/K; 1 amu*A^2/fs^2 = 103.6427 eV.
KB_EV_K = 8.617333262e-5
AMU_A2_FS2_EV = 103.642696


def _load_model(threads: int, potential: str = "chgnet") -> Any:
    import contextlib

    import torch

    torch.set_num_threads(threads)
    warnings.filterwarnings("ignore")
    if potential == "sevennet":
        from superionic.md.engine import make_calculator

        return make_calculator("sevennet")
    from chgnet.model import CHGNet

    with contextlib.redirect_stdout(sys.stderr):
        return CHGNet.load(model_name="0.3.0", use_device="cpu", verbose=False)


def _cell(material: str, atom_range: tuple[int, int], seed: int) -> dict[str, Any]:
    """The ordered MD cell as plain arrays (picklable for the worker processes)."""
    from superionic.defects.library import md_cell

    s = md_cell(material, atom_range=atom_range, seed=seed).structure
    return {"lattice": s.lattice.matrix.tolist(), "species": [x.specie.symbol for x in s],
            "positions": s.cart_coords.tolist(),
            "masses": [float(x.specie.atomic_mass) for x in s]}


class Replica:
    """One Langevin (BAOAB) trajectory at ``temperature_K``: state only, forces come from
    outside so that several replicas can share one batched model call."""

    def __init__(self, cell: dict[str, Any], temperature_K: float, seed: int,
                 dt_fs: float = 2.0, friction_fs: float = 0.01) -> None:
        from pymatgen.core import Lattice

        self.lattice = Lattice(cell["lattice"])
        self.species = cell["species"]
        self.x = np.array(cell["positions"], dtype=float)
        self.m = np.array(cell["masses"])[:, None]
        self.T = temperature_K
        self.dt = dt_fs
        self.rng = np.random.default_rng(seed)
        kT = KB_EV_K * temperature_K
        self.v = self.rng.normal(size=self.x.shape) * np.sqrt(kT / (self.m * AMU_A2_FS2_EV))
        self.c1 = np.exp(-friction_fs * dt_fs)
        self.c2 = np.sqrt((1 - self.c1 ** 2) * kT / (self.m * AMU_A2_FS2_EV))
        self.f: np.ndarray | None = None

    def structure(self) -> Any:
        from pymatgen.core import Structure

        return Structure(self.lattice, self.species, self.x, coords_are_cartesian=True)

    def first_half(self) -> None:
        """B A O A: half kick, half drift, thermostat, half drift (needs current forces)."""
        acc = self.f / (self.m * AMU_A2_FS2_EV)
        self.v += 0.5 * self.dt * acc
        self.x += 0.5 * self.dt * self.v
        self.v = self.c1 * self.v + self.c2 * self.rng.normal(size=self.v.shape)
        self.x += 0.5 * self.dt * self.v

    def second_half(self, forces: np.ndarray) -> None:
        """B: half kick with the new forces."""
        self.f = forces
        self.v += 0.5 * self.dt * forces / (self.m * AMU_A2_FS2_EV)


def _forces(model: Any, replicas: list[Replica]) -> list[np.ndarray]:
    """Energy+forces of all replicas in ONE predict_graph call (CHGNet); an ASE calculator
    (SevenNet-0) is called once per replica."""
    if not hasattr(model, "graph_converter"):
        from pymatgen.io.ase import AseAtomsAdaptor

        out = []
        for r in replicas:
            atoms = AseAtomsAdaptor.get_atoms(r.structure())
            atoms.calc = model
            out.append(np.asarray(atoms.get_forces(), dtype=float))
        return out
    graphs = [model.graph_converter(r.structure()) for r in replicas]
    out = model.predict_graph(graphs, task="ef", batch_size=len(graphs))
    if isinstance(out, dict):
        out = [out]
    return [np.asarray(o["f"], dtype=float) for o in out]


def _step_all(model: Any, replicas: list[Replica]) -> None:
    for r in replicas:
        r.first_half()
    for r, f in zip(replicas, _forces(model, replicas), strict=True):
        r.second_half(f)


def _init(model: Any, replicas: list[Replica]) -> None:
    for r, f in zip(replicas, _forces(model, replicas), strict=True):
        r.f = f


WARMUP = 2


def _rates(replica_steps: int, t0: float, c0: float) -> tuple[float, float]:
    """(replica-steps per wall second, replica-steps per CPU second of this process)."""
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return replica_steps / wall, replica_steps / max(cpu, 1e-9)


def _temps(n: int) -> list[float]:
    return list(np.linspace(600.0, 900.0, n)) if n > 1 else [750.0]


def run_batched(cell: dict[str, Any], n: int, steps: int, cores: int, seed: int,
                model: Any = None, cap_s: float = 60.0) -> tuple[float, float]:
    """Mode b (``cores`` torch threads) / B (1 thread): replica-steps/s with the N replicas in
    one model call per step."""
    model = model or _load_model(cores)
    import torch

    torch.set_num_threads(cores)
    reps = [Replica(cell, t, seed + i) for i, t in enumerate(_temps(n))]
    _init(model, reps)
    for _ in range(WARMUP):
        _step_all(model, reps)
    t0, c0 = time.perf_counter(), time.process_time()
    done = 0
    while done < steps and (done == 0 or time.perf_counter() - t0 < cap_s):
        _step_all(model, reps)
        done += 1
    return _rates(n * done, t0, c0)


def run_sequential(cell: dict[str, Any], n: int, steps: int, cores: int, seed: int,
                   model: Any = None, cap_s: float = 60.0) -> tuple[float, float]:
    """Mode s: one replica after the other, torch intra-op threads = cores."""
    model = model or _load_model(cores)
    import torch

    torch.set_num_threads(cores)
    reps = [Replica(cell, t, seed + i) for i, t in enumerate(_temps(n))]
    for r in reps:
        _init(model, [r])
        for _ in range(WARMUP):
            _step_all(model, [r])
    t0, c0 = time.perf_counter(), time.process_time()
    done = 0
    while done < steps and (done == 0 or time.perf_counter() - t0 < cap_s):
        for r in reps:
            _step_all(model, [r])
        done += 1
    return _rates(n * done, t0, c0)


def run_threads(cell: dict[str, Any], n: int, steps: int, seed: int, model: Any = None,
                cap_s: float = 60.0) -> tuple[float, float]:
    """Mode c: N Python threads in one process, one replica each, torch threads = 1."""
    model = model or _load_model(1)
    import torch

    torch.set_num_threads(1)
    reps = [Replica(cell, t, seed + i) for i, t in enumerate(_temps(n))]
    # an ASE calculator keeps its last results on itself, so each thread gets its own
    models = [model if hasattr(model, "graph_converter") else _load_model(1, "sevennet")
              for _ in reps]
    for m, r in zip(models, reps, strict=True):
        _init(m, [r])
        for _ in range(WARMUP):
            _step_all(m, [r])
    barrier = threading.Barrier(n + 1)
    counts = [0] * n

    def work(k: int, r: Replica) -> None:
        barrier.wait()
        t_start = time.perf_counter()
        while counts[k] < steps and (counts[k] == 0 or time.perf_counter() - t_start < cap_s):
            _step_all(models[k], [r])
            counts[k] += 1

    threads = [threading.Thread(target=work, args=(k, r)) for k, r in enumerate(reps)]
    for t in threads:
        t.start()
    barrier.wait()
    t0, c0 = time.perf_counter(), time.process_time()
    for t in threads:
        t.join()
    return _rates(sum(counts), t0, c0)


def _worker(cell: dict[str, Any], temperature_K: float, steps: int, seed: int,
            barrier: Any, out: Any, cap_s: float, potential: str = "chgnet") -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    model = _load_model(1, potential)
    r = Replica(cell, temperature_K, seed)
    _init(model, [r])
    for _ in range(WARMUP):
        _step_all(model, [r])
    barrier.wait()
    t0, c0 = time.time(), time.process_time()
    done = 0
    while done < steps and (done == 0 or time.time() - t0 < cap_s):
        _step_all(model, [r])
        done += 1
    out.put((t0, time.time(), done, time.process_time() - c0))


def run_processes(cell: dict[str, Any], n: int, steps: int, seed: int,
                  cap_s: float = 60.0, potential: str = "chgnet") -> tuple[float, float]:
    """Mode a: N one-thread processes; wall time from the common start to the last end."""
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(cell, t, steps, seed + i, barrier, out, cap_s,
                                                       potential))
             for i, t in enumerate(_temps(n))]
    for p in procs:
        p.start()
    spans = [out.get() for _ in procs]
    for p in procs:
        p.join()
    start, end = min(s[0] for s in spans), max(s[1] for s in spans)
    steps_done = sum(s[2] for s in spans)
    return steps_done / (end - start), steps_done / sum(s[3] for s in spans)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--material", default="Li6PS5Cl", help="structure-library name")
    ap.add_argument("--atom-range", type=int, nargs=2, default=(50, 110))
    ap.add_argument("--replicas", type=int, nargs="+", default=[2, 4])
    ap.add_argument("--steps", type=int, default=10, help="measured MD steps per replica")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--modes", default="aBcbs", help="a, b, B (batched, 1 thread), c, s")
    ap.add_argument("--cap-s", type=float, default=40.0,
                    help="stop a measurement after this many seconds (>= 1 step)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--potential", default="chgnet", choices=("chgnet", "sevennet"))
    ap.add_argument("--json", default=None, help="write the raw figures here")
    args = ap.parse_args(argv)
    if args.potential == "sevennet" and set(args.modes) & set("bB"):
        ap.error("the batched modes b and B need CHGNet's predict_graph; use --modes acs")

    cell = _cell(args.material, tuple(args.atom_range), args.seed)
    n_atoms = len(cell["species"])
    # shared by b and s; c sets threads to 1 itself (and loads one SevenNet-0 calculator per thread)
    model_multi = _load_model(args.cores, args.potential)
    rates: dict[tuple[int, str], list[float]] = {}
    cpu_rates: dict[tuple[int, str], list[float]] = {}
    order = list(args.modes)
    for rep in range(args.repeats):
        for n in args.replicas:
            for mode in order[rep % len(order):] + order[:rep % len(order)]:
                cap = args.cap_s
                if mode == "a":
                    r = run_processes(cell, n, args.steps, args.seed, cap, args.potential)
                elif mode == "b":
                    r = run_batched(cell, n, args.steps, args.cores, args.seed, model_multi, cap)
                elif mode == "B":
                    r = run_batched(cell, n, args.steps, 1, args.seed, model_multi, cap)
                elif mode == "c":
                    r = run_threads(cell, n, args.steps, args.seed, model_multi, cap)
                elif mode == "s":
                    r = run_sequential(cell, n, args.steps, args.cores, args.seed, model_multi,
                                       cap)
                else:
                    raise SystemExit(f"unknown mode {mode!r}")
                r, rc = r
                rates.setdefault((n, mode), []).append(r)
                cpu_rates.setdefault((n, mode), []).append(rc)
                print(f"repeat {rep} N={n} mode {mode}: {r:.3f} replica-steps/s wall, "
                      f"{rc:.3f} per CPU-s", flush=True)
    names = {"a": "N one-thread processes (peer)",
             "b": f"batched, one model call per step, {args.cores} torch threads",
             "B": "batched, one model call per step, 1 torch thread",
             "c": "N Python threads, 1 torch thread", "s": f"sequential, {args.cores} torch threads"}
    label = "CHGNet 0.3.0" if args.potential == "chgnet" else "SevenNet-0 (ASE calculator)"
    print(f"\n{args.material}, {n_atoms} atoms, {args.cores} cores, {args.steps} steps x "
          f"{args.repeats} repeats, {label} energy+forces")
    print("| N | mode | replica-steps/s (wall, median) | ratio to (a) | replica-steps per "
          "CPU-s | ratio to (a) |")
    print("|---|---|---|---|---|---|")
    rows = []
    for n in args.replicas:
        peer = statistics.median(rates[(n, "a")]) if (n, "a") in rates else None
        peer_c = statistics.median(cpu_rates[(n, "a")]) if (n, "a") in cpu_rates else None
        for mode in args.modes:
            med = statistics.median(rates[(n, mode)])
            med_c = statistics.median(cpu_rates[(n, mode)])
            ratio = med / peer if peer else float("nan")
            ratio_c = med_c / peer_c if peer_c else float("nan")
            print(f"| {n} | ({mode}) {names[mode]} | {med:.3g} | {ratio:.2f} | {med_c:.3g} | "
                  f"{ratio_c:.2f} |")
            rows.append({"replicas": n, "mode": mode, "median_steps_per_s": med,
                         "ratio_to_a": ratio, "median_steps_per_cpu_s": med_c,
                         "cpu_ratio_to_a": ratio_c, "all": rates[(n, mode)],
                         "all_cpu": cpu_rates[(n, mode)]})
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"material": args.material, "potential": args.potential, "n_atoms": n_atoms, "cores": args.cores,
                       "steps": args.steps, "repeats": args.repeats, "rows": rows}, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
