"""The native XDATCAR parser against pymatgen's Xdatcar, and its errors on damaged files."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pytest
from ase.io import read, write
from pymatgen.core.trajectory import Trajectory as PmgTrajectory
from pymatgen.io.ase import AseAtomsAdaptor
from pymatgen.io.vasp.inputs import Incar
from pymatgen.io.vasp.outputs import Xdatcar

from superionic.transport import Trajectory, TrajectoryError, analyze_trajectory, read_trajectory
from superionic.transport.io.vasp import read_xdatcar, read_xdatcar_frames


def _pymatgen_arrays(path: Path) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]:
    """Species, fractional and Cartesian (Angstrom) coordinates and lattices via pymatgen."""
    structures = Xdatcar(str(path)).structures
    return (tuple(site.specie.symbol for site in structures[0]),
            np.stack([s.frac_coords for s in structures]),
            np.stack([s.cart_coords for s in structures]),
            np.stack([s.lattice.matrix for s in structures]))


def _assert_same_as_pymatgen(path: Path) -> None:
    frames = read_xdatcar_frames(path)
    species, frac, cart, lattices = _pymatgen_arrays(path)
    assert frames.species == species
    assert frames.frac_coords.shape == frac.shape
    np.testing.assert_allclose(frames.frac_coords, frac, rtol=0, atol=1e-12)
    np.testing.assert_allclose(frames.lattices_A, lattices, rtol=0, atol=1e-12)
    np.testing.assert_allclose(frames.cart_coords_A(), cart, rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def fixture_xdatcar(li3clo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed CHGNet fixture (150 frames) as a constant-cell XDATCAR (header once, written
    by pymatgen with 10 significant figures) + INCAR."""
    folder = tmp_path_factory.mktemp("li3clo")
    structures = [AseAtomsAdaptor.get_structure(a) for a in read(li3clo_path, index=":")]
    PmgTrajectory.from_structures(structures, constant_lattice=True).write_Xdatcar(
        folder / "XDATCAR", significant_figures=10)
    Incar({"POTIM": 2.0, "NBLOCK": 10, "TEBEG": 1500, "IBRION": 0}).write_file(folder / "INCAR")
    return folder / "XDATCAR"


def _npt_xdatcar(path: Path, n_frames: int = 6, seed: int = 3,
                 symbols: str = "Li_sv/1a2b3c O") -> tuple[np.ndarray, np.ndarray]:
    """Write a variable-cell (NPT-style, header before every frame) XDATCAR of 4 Li + 2 O with a
    breathing, shearing cell; scaling factors 1.5 and, every third frame, -volume (A^3).
    Returns the fractional coordinates and the lattices (Angstrom) it encodes."""
    rng = np.random.default_rng(seed)
    frac = rng.uniform(-0.05, 1.05, (n_frames, 6, 3))
    raw = np.array([[[2.7 + 0.02 * k, 0.01 * k, 0.0], [0.0, 2.8 - 0.015 * k, 0.03],
                     [0.02, 0.0, 2.9 + 0.01 * k]] for k in range(n_frames)])
    lattices, text = [], []
    for k in range(n_frames):
        volume = 1.5**3 * abs(np.linalg.det(raw[k]))
        scale = f"{-volume:.12f}" if k % 3 == 2 else "1.5"
        lattices.append(raw[k] * (volume / abs(np.linalg.det(raw[k]))) ** (1 / 3)
                        if k % 3 == 2 else raw[k] * 1.5)
        text += ["LiO NPT", f"   {scale}"] + [" ".join(f"{x:16.10f}" for x in v) for v in raw[k]]
        text += [f"   {symbols}", "     4     2", f"Direct configuration=  {k + 1:5d}"]
        text += ["  ".join(f"{x:.12f}" for x in r) for r in frac[k]]
    path.write_text("\n".join(text) + "\n")
    return frac, np.array(lattices)


@pytest.mark.parametrize("writer", ["ase", "pymatgen"])
def test_fixture_xdatcar_matches_pymatgen(li3clo_path: Path, tmp_path: Path, writer: str) -> None:
    frames = read(li3clo_path, index=":")
    path = tmp_path / "XDATCAR"
    if writer == "ase":  # header repeated before every frame (NPT layout), 8 decimals
        write(path, frames, format="vasp-xdatcar")
    else:  # header once, species label as a 4th column
        PmgTrajectory.from_structures([AseAtomsAdaptor.get_structure(a) for a in frames],
                                      constant_lattice=True).write_Xdatcar(
            path, significant_figures=10)
    lines = path.read_text().splitlines()
    assert lines.count(lines[0]) == (150 if writer == "ase" else 1)  # headers in the file
    _assert_same_as_pymatgen(path)
    parsed = read_xdatcar_frames(path)
    assert parsed.n_frames == 150 and parsed.constant_cell
    assert parsed.species.count("Li") == 23 and len(parsed.species) == 39
    # the file holds the extxyz positions to its printed precision (8 decimals x 7.82 A)
    np.testing.assert_allclose(parsed.cart_coords_A(),
                               np.stack([a.get_scaled_positions(wrap=False) @ a.cell.array
                                         for a in frames]), atol=1e-7)


def test_variable_cell_matches_pymatgen_and_the_encoded_cells(tmp_path: Path) -> None:
    path = tmp_path / "XDATCAR"
    frac, lattices = _npt_xdatcar(path)
    _assert_same_as_pymatgen(path)
    parsed = read_xdatcar_frames(path)
    assert not parsed.constant_cell
    assert parsed.species == ("Li",) * 4 + ("O",) * 2  # POTCAR label Li_sv/hash -> Li
    np.testing.assert_allclose(parsed.frac_coords, frac, atol=1e-12)
    np.testing.assert_allclose(parsed.lattices_A, lattices, rtol=1e-10)
    # the NPT Trajectory keeps one cell per frame and equals the Structure-based construction
    traj = read_xdatcar(path, timestep_ps=0.01)
    old = Trajectory.from_structures(Xdatcar(str(path)).structures, "Li", 0.01)
    np.testing.assert_allclose(traj.cells, lattices, rtol=1e-10)
    np.testing.assert_allclose(traj.all_positions, old.all_positions, rtol=0, atol=1e-12)


def test_three_scaling_factors_scale_the_cartesian_components(tmp_path: Path) -> None:
    _npt_xdatcar(tmp_path / "XDATCAR", n_frames=2)
    one = read_xdatcar_frames(tmp_path / "XDATCAR")
    text = (tmp_path / "XDATCAR").read_text().replace("   1.5\n", "   1.5 3.0 1.5\n")
    (tmp_path / "XDATCAR3").write_text(text)
    three = read_xdatcar_frames(tmp_path / "XDATCAR3")
    np.testing.assert_allclose(three.lattices_A[:, :, 1], 2 * one.lattices_A[:, :, 1])
    np.testing.assert_allclose(three.lattices_A[:, :, [0, 2]], one.lattices_A[:, :, [0, 2]])


def test_read_xdatcar_gives_the_extxyz_D(li3clo_path: Path, fixture_xdatcar: Path) -> None:
    via_ase = read_trajectory(li3clo_path, ion="Li", temperature_K=1500.0)
    via_vasp = read_xdatcar(fixture_xdatcar)  # POTIM x NBLOCK and TEBEG from the INCAR beside it
    assert via_vasp.timestep_ps == pytest.approx(0.02) and via_vasp.temperature_K == 1500.0
    assert via_vasp.n_frames == via_ase.n_frames == 150 and via_vasp.drift_corrected
    np.testing.assert_allclose(via_vasp.positions - via_vasp.positions[0],
                               via_ase.positions - via_ase.positions[0], atol=1e-6)
    a, b = analyze_trajectory(via_ase), analyze_trajectory(via_vasp)
    assert b.tracer.D_cm2_s == pytest.approx(a.tracer.D_cm2_s, rel=1e-6)
    assert b.collective.D_cm2_s == pytest.approx(a.collective.D_cm2_s, rel=1e-6)


def test_compressed_xdatcar_reads_the_same(fixture_xdatcar: Path, tmp_path: Path) -> None:
    gz = tmp_path / "XDATCAR.gz"
    gz.write_bytes(gzip.compress(fixture_xdatcar.read_bytes()))
    np.testing.assert_array_equal(read_xdatcar_frames(gz).frac_coords,
                                  read_xdatcar_frames(fixture_xdatcar).frac_coords)


def _damaged(fixture_xdatcar: Path, tmp_path: Path, edit) -> Path:  # noqa: ANN001
    lines = fixture_xdatcar.read_text().splitlines()
    path = tmp_path / "XDATCAR_damaged"
    path.write_text("\n".join(edit(lines)) + "\n")
    return path


def test_truncated_frame_names_file_and_line(fixture_xdatcar: Path, tmp_path: Path) -> None:
    # 7 header lines, then 150 frames of 1 + 39 lines: cut frame 150 after 12 atoms
    path = _damaged(fixture_xdatcar, tmp_path, lambda lines: lines[:7 + 149 * 40 + 13])
    first_coordinate_line = 7 + 149 * 40 + 2
    with pytest.raises(TrajectoryError, match=re.escape(
            f"{path}, line {first_coordinate_line}: frame 150 is truncated, 12 of 39")):
        read_xdatcar(path)


def test_wrong_atom_count_names_file_and_line(fixture_xdatcar: Path, tmp_path: Path) -> None:
    path = _damaged(fixture_xdatcar, tmp_path,
                    lambda lines: lines[:6] + ["   8   8   24"] + lines[7:])
    # frame 1 swallows the 'Direct configuration= 2' line; line 49 is atom 1 of frame 2
    with pytest.raises(TrajectoryError, match=re.escape(
            f"{path}, line 49: expected 'Direct configuration='")) as err:
        read_xdatcar_frames(path)
    assert "40 coordinate lines the counts line gives" in str(err.value)
    path = _damaged(fixture_xdatcar, tmp_path, lambda lines: lines[:6] + ["   8   8"] + lines[7:])
    with pytest.raises(TrajectoryError, match="line 7: atom counts \\[8, 8\\] do not match the 3"):
        read_xdatcar_frames(path)


def test_bad_coordinate_and_vasp4_header_are_named(fixture_xdatcar: Path, tmp_path: Path) -> None:
    def spoil(lines: list[str]) -> list[str]:
        lines[99] = "   0.25  abc  0.5"
        return lines

    path = _damaged(fixture_xdatcar, tmp_path, spoil)
    with pytest.raises(TrajectoryError, match=re.escape(f"{path}, line 100: coordinate line 12 "
                                                        "of 39 of frame 3")):
        read_xdatcar_frames(path)
    path = _damaged(fixture_xdatcar, tmp_path, lambda lines: lines[:5] + lines[6:])
    with pytest.raises(TrajectoryError, match="line 6: no element symbols line"):
        read_xdatcar_frames(path)
    with pytest.raises(TrajectoryError, match="not found"):
        read_xdatcar_frames(tmp_path / "missing" / "XDATCAR")


def test_atoms_changing_between_npt_frames_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "XDATCAR"
    _npt_xdatcar(path, n_frames=3)
    lines = path.read_text().splitlines()
    lines[7 + 7 + 5] = "   Na O"  # species line of the second header (frame 2)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(TrajectoryError, match=re.escape(f"{path}, line 15: the atoms change at "
                                                        "frame 2")):
        read_xdatcar_frames(path)
