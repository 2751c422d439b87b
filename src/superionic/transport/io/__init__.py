"""Adapters from trajectory sources to :class:`superionic.transport.trajectory.Trajectory`."""

from __future__ import annotations

from pathlib import Path

from superionic.transport.io.ase_io import read_ase_trajectory, trajectory_from_atoms
from superionic.transport.io.vasp import read_vasprun, read_xdatcar
from superionic.transport.trajectory import Trajectory

__all__ = ["read_ase_trajectory", "read_trajectory", "read_vasprun", "read_xdatcar",
           "trajectory_from_atoms"]


def read_trajectory(path: str | Path, ion: str = "Li", timestep_ps: float | None = None,
                    temperature_K: float | None = None, drift_correction: bool = True) -> Trajectory:
    """Read a trajectory file, choosing the adapter by name: ``*vasprun*.xml`` -> pymatgen
    Vasprun, ``*XDATCAR*`` -> native XDATCAR parser, anything else -> ASE (extxyz, .traj, ...)."""
    name = Path(path).name.lower()
    if "vasprun" in name and name.endswith((".xml", ".xml.gz")):
        return read_vasprun(path, ion, timestep_ps, temperature_K, drift_correction)
    if "xdatcar" in name:
        return read_xdatcar(path, ion, timestep_ps, temperature_K,
                            drift_correction=drift_correction)
    return read_ase_trajectory(path, ion, timestep_ps, temperature_K,
                               drift_correction=drift_correction)
