"""Mobile-ion probability density on a grid, written as CHGCAR or Gaussian cube for VESTA.

Each stored frame's mobile-ion positions are wrapped into the reference cell (the first frame's)
and binned on an (nx, ny, nz) grid whose points sit at fractional coordinates (i/nx, j/ny, k/nz),
the VASP/cube convention: voxel (i, j, k) collects positions within half a grid step of its
point. ``density_A3`` is the time-averaged number of mobile ions per Angstrom^3, so its sum times
the voxel volume equals the number of mobile ions. The CHGCAR stores density x cell volume (the
VASP convention, which VESTA divides back); the cube file stores the density itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pymatgen.core import Structure
from pymatgen.io.ase import AseAtomsAdaptor
from pymatgen.io.vasp.inputs import Poscar
from pymatgen.io.vasp.outputs import Chgcar

from superionic.transport.trajectory import Trajectory


@dataclass(frozen=True, eq=False)
class DensityGrid:
    """Time-averaged mobile-ion number density on a periodic grid.

    density_A3: (nx, ny, nz) ions per Angstrom^3. structure: reference frame (pymatgen).
    """

    density_A3: np.ndarray
    structure: Structure
    n_frames: int

    @property
    def voxel_volume_A3(self) -> float:
        return self.structure.volume / self.density_A3.size

    def to_chgcar(self) -> Chgcar:
        """pymatgen Chgcar holding density x volume (VASP convention)."""
        return Chgcar(Poscar(self.structure), {"total": self.density_A3 * self.structure.volume})

    def write_chgcar(self, path: str | Path) -> Path:
        path = Path(path)
        self.to_chgcar().write_file(str(path))
        return path

    def write_cube(self, path: str | Path) -> Path:
        """Gaussian cube file (ase.io.cube) of the density, Angstrom^-3."""
        from ase.io.cube import write_cube

        path = Path(path)
        atoms = AseAtomsAdaptor.get_atoms(self.structure)
        with open(path, "w") as fh:
            write_cube(fh, atoms, data=self.density_A3,
                       comment=f"mobile-ion density (1/Angstrom^3) from {self.n_frames} frames")
        return path


def probability_density(traj: Trajectory, grid: tuple[int, int, int] | None = None,
                        spacing_A: float = 0.2) -> DensityGrid:
    """Mobile-ion density of ``traj`` on ``grid`` points (default: ~``spacing_A`` apart)."""
    cell = traj.cells[0]
    if grid is None:
        lengths = np.linalg.norm(cell, axis=1)
        grid = tuple(int(max(2, np.ceil(length / spacing_A))) for length in lengths)
    shape = np.asarray(grid, dtype=int)
    if shape.size != 3 or np.any(shape < 1):
        raise ValueError(f"grid must be three positive integers, got {grid!r}")
    frac = traj.positions.reshape(-1, 3) @ np.linalg.inv(cell)
    idx = np.floor(np.mod(frac + 0.5 / shape, 1.0) * shape).astype(int) % shape
    flat = np.ravel_multi_index(idx.T, tuple(shape))
    counts = np.bincount(flat, minlength=int(shape.prod())).reshape(tuple(shape))
    voxel = abs(np.linalg.det(cell)) / shape.prod()
    density = counts / (traj.n_frames * voxel)
    structure = traj.frame_structure(0)
    return DensityGrid(density_A3=density, structure=structure, n_frames=traj.n_frames)
