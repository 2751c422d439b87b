"""Make the small real MD trajectory used by tests/transport and bench/bench_transport.py.

Li3ClO antiperovskite (Pm-3m, a = 3.91 Angstrom: O at 1b (1/2,1/2,1/2), Cl at 1a (0,0,0), Li at 3c
face centres; matches mp-985585, a = 3.908 Angstrom), as a 2x2x2 supercell with one Li vacancy
(39 atoms), run with ASE + CHGNet (weights ship in the chgnet wheel) in NVT with a Langevin
thermostat at 1500 K, 2 fs time step, one frame stored every 10 steps (20 fs between frames).
Frames hold unwrapped Cartesian positions (ASE never wraps), the cell, and ``time_ps``,
``energy`` (eV) and ``temperature_K`` (instantaneous) in the extxyz comment line.

The committed fixture (tests/fixtures/transport/li3clo_vac_1500K.extxyz, 150 frames = 3 ps,
340 KB) is the first 150 frames of the longer benchmark run (500 frames = 10 ps, not committed;
workspace/ is git-ignored), made once with

    OMP_NUM_THREADS=1 .venv/bin/python bench/make_md_fixture.py --threads 1 --frames 500 \
        --out workspace/bench/li3clo_vac_1500K_long.extxyz
    .venv/bin/python -c "from ase.io import read, write; write(
        'tests/fixtures/transport/li3clo_vac_1500K.extxyz',
        read('workspace/bench/li3clo_vac_1500K_long.extxyz', index=':150'))"

(~0.5 s per step on one loaded core, ~45 min). The same seed with the default 150 frames
reproduces the fixture directly, up to floating-point differences between thread counts.
Two torch threads on a machine whose cores are already busy ran 10-50x slower here.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from ase import Atoms, units
from ase.io import write
from ase.md.langevin import Langevin
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary
from pymatgen.core import Lattice, Structure
from pymatgen.io.ase import AseAtomsAdaptor

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "tests" / "fixtures" / "transport" / "li3clo_vac_1500K.extxyz"


def li3clo_cell(a_A: float = 3.91, supercell: int = 2, n_vacancies: int = 1) -> Structure:
    """Cubic Li3ClO antiperovskite supercell with ``n_vacancies`` Li removed (the first Li sites)."""
    prim = Structure.from_spacegroup(
        "Pm-3m", Lattice.cubic(a_A), ["O", "Cl", "Li"],
        [[0.5, 0.5, 0.5], [0.0, 0.0, 0.0], [0.0, 0.5, 0.5]],
    )
    cell = prim * (supercell, supercell, supercell)
    li = [i for i, site in enumerate(cell) if site.specie.symbol == "Li"]
    cell.remove_sites(li[:n_vacancies])
    return cell


def run(out: Path, temperature_K: float, n_frames: int, steps_per_frame: int, timestep_fs: float,
        equil_steps: int, friction_per_ps: float, seed: int, supercell: int,
        threads: int = 2) -> None:
    """Equilibrate, then store ``n_frames`` frames every ``steps_per_frame`` steps to ``out``."""
    import torch
    from chgnet.model.dynamics import CHGNetCalculator

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    atoms = AseAtomsAdaptor.get_atoms(li3clo_cell(supercell=supercell))
    atoms.calc = CHGNetCalculator(use_device="cpu")
    rng = np.random.default_rng(seed)
    MaxwellBoltzmannDistribution(atoms, temperature_K=temperature_K, rng=rng)
    Stationary(atoms)
    dyn = Langevin(atoms, timestep=timestep_fs * units.fs, temperature_K=temperature_K,
                   friction=friction_per_ps / (1000.0 * units.fs), rng=rng)
    t0 = time.perf_counter()
    dyn.run(equil_steps)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    tmp.unlink(missing_ok=True)
    for k in range(n_frames):
        if k:
            dyn.run(steps_per_frame)
        frame = Atoms(atoms.numbers, positions=atoms.positions, cell=atoms.cell, pbc=True)
        frame.info = {"time_ps": round(k * steps_per_frame * timestep_fs / 1000.0, 9),
                      "energy": float(atoms.get_potential_energy()),
                      "temperature_K": round(float(atoms.get_temperature()), 2)}
        write(tmp, frame, format="extxyz", append=True)
        if k % 25 == 0:
            rate = (time.perf_counter() - t0) / max(1, equil_steps + k * steps_per_frame)
            print(f"frame {k}/{n_frames}  {1000 * rate:.0f} ms/step  T={frame.info['temperature_K']} K",
                  file=sys.stderr)
    tmp.replace(out)
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB, {n_frames} frames)", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--temperature", type=float, default=1500.0, help="K")
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--steps-per-frame", type=int, default=10)
    ap.add_argument("--timestep-fs", type=float, default=2.0)
    ap.add_argument("--equil-steps", type=int, default=500)
    ap.add_argument("--friction-per-ps", type=float, default=2.0, help="Langevin friction (1/ps)")
    ap.add_argument("--supercell", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2,
                    help="torch threads (use 1 on a loaded machine: oversubscription is slow)")
    a = ap.parse_args()
    run(a.out, a.temperature, a.frames, a.steps_per_frame, a.timestep_fs, a.equil_steps,
        a.friction_per_ps, a.seed, a.supercell, a.threads)


if __name__ == "__main__":
    main()
