"""Trajectories from anything ASE reads (extxyz, .traj, ...) or from a list of ASE Atoms.

The time between stored frames is taken from the frames when they carry it (``info["time_ps"]``
as written by :mod:`superionic.md`, or ``info["time_fs"]``), else it must be given. The
temperature is never guessed from instantaneous kinetic temperatures: pass the thermostat's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from ase import Atoms

from superionic.transport.trajectory import Trajectory, TrajectoryError


def infer_timestep_ps(frames: Sequence[Atoms]) -> float | None:
    """Time between stored frames (ps) from ``info["time_ps"]``/``info["time_fs"]``, or None.

    Raises when the stored times are not evenly spaced.
    """
    for key, to_ps in (("time_ps", 1.0), ("time_fs", 1e-3)):
        times = [f.info.get(key) for f in frames]
        if all(isinstance(t, int | float) for t in times) and len(times) >= 2:
            dt = np.diff(np.asarray(times, dtype=float)) * to_ps
            if np.any(dt <= 0) or not np.allclose(dt, dt[0], rtol=1e-4, atol=1e-9):
                raise TrajectoryError(f"frames' {key} values are not evenly spaced "
                                      f"(steps {dt.min():g}-{dt.max():g} ps); split the file")
            return float(dt[0])
    return None


def trajectory_from_atoms(frames: Sequence[Atoms], ion: str = "Li",
                          timestep_ps: float | None = None, temperature_K: float | None = None,
                          drift_correction: bool = True, source: str = "") -> Trajectory:
    """Trajectory of ``ion`` from time-ordered ASE Atoms (the same atoms in the same order)."""
    where = f" in {source}" if source else ""
    frames = list(frames)
    if len(frames) < 2:
        raise TrajectoryError(f"need at least 2 frames{where}, got {len(frames)}")
    symbols = frames[0].get_chemical_symbols()
    numbers = frames[0].numbers
    for k, f in enumerate(frames):
        if not np.array_equal(f.numbers, numbers):
            raise TrajectoryError(f"frame {k}{where} holds different atoms than frame 0 "
                                  f"({len(f)} vs {len(numbers)} atoms); a trajectory must keep "
                                  "the same atoms in the same order")
        if not f.pbc.all():
            raise TrajectoryError(f"frame {k}{where} is not periodic in 3D; the cell (Angstrom) "
                                  "is needed to unwrap positions")
    if timestep_ps is None:
        timestep_ps = infer_timestep_ps(frames)
    if timestep_ps is None:
        raise TrajectoryError(f"the time between stored frames is unknown{where}: give it "
                              "(timestep_ps); frames carry no time_ps")
    pos = np.stack([f.arrays["positions"] for f in frames])
    cells = np.stack([f.cell.array for f in frames])
    return Trajectory.from_frames(pos, cells, symbols, ion, timestep_ps, temperature_K,
                                  drift_correction, source)


def read_ase_trajectory(path: str | Path, ion: str = "Li", timestep_ps: float | None = None,
                        temperature_K: float | None = None, index: str | slice = ":",
                        format: str | None = None, drift_correction: bool = True) -> Trajectory:
    """Read any ASE-readable trajectory file (extxyz, .traj, vasprun.xml, ...) into a Trajectory."""
    from ase.io import read

    path = Path(path)
    if not path.is_file():
        raise TrajectoryError(f"trajectory file not found: {path}")
    try:
        frames = read(path, index=index, format=format)
    except Exception as exc:  # ASE raises many types for unreadable files
        raise TrajectoryError(f"ASE cannot read {path}: {exc}") from exc
    if isinstance(frames, Atoms):
        frames = [frames]
    return trajectory_from_atoms(frames, ion, timestep_ps, temperature_K, drift_correction,
                                 source=str(path))
