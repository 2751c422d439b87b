"""Mobile-ion density grid: normalisation, CHGCAR and cube files read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ase.io.cube import read_cube_data
from pymatgen.io.vasp.outputs import Chgcar

from superionic.transport import Trajectory
from superionic.transport.density import probability_density


def _vibrating(n_frames: int = 400) -> Trajectory:
    rng = np.random.default_rng(0)
    cell = np.diag([6.0, 6.0, 8.0])
    site_frac = np.array([[0.25, 0.25, 0.5], [0.75, 0.5, 0.0]])  # second one straddles z = 0
    pos = site_frac @ cell + rng.normal(0, 0.2, (n_frames, 2, 3))
    allpos = np.concatenate([pos, np.broadcast_to([[3.0, 3.0, 4.0]], (n_frames, 1, 3))], axis=1)
    return Trajectory.from_frames(allpos, cell, ["Li", "Li", "O"], "Li", 0.02)


def test_density_normalises_to_ion_count_and_peaks_at_sites() -> None:
    grid = probability_density(_vibrating(), grid=(24, 24, 32))
    assert (grid.density_A3.sum() * grid.voxel_volume_A3) == pytest.approx(2.0, rel=1e-12)
    peak = np.unravel_index(np.argmax(grid.density_A3), grid.density_A3.shape)
    # grid point i sits at fractional i/n: the sites are grid points (6, 6, 16) and (18, 12, 0)
    assert peak in {(6, 6, 16), (18, 12, 0)}
    assert grid.density_A3[18, 12, 0] > 0.5 * grid.density_A3.max()  # periodic wrap at z = 0


def test_chgcar_and_cube_round_trip(tmp_path: Path) -> None:
    grid = probability_density(_vibrating(), spacing_A=0.5)
    assert grid.density_A3.shape == (12, 12, 16)
    chg = Chgcar.from_file(str(grid.write_chgcar(tmp_path / "CHGCAR")))
    np.testing.assert_allclose(chg.data["total"] / chg.structure.volume, grid.density_A3,
                               rtol=1e-4, atol=1e-10)
    assert chg.structure.composition.reduced_formula == grid.structure.composition.reduced_formula
    data, atoms = read_cube_data(str(grid.write_cube(tmp_path / "li.cube")))
    np.testing.assert_allclose(data, grid.density_A3, rtol=1e-4, atol=1e-10)
    assert atoms.get_chemical_formula() == "Li2O"
