"""Adapters on the real CHGNet Li3ClO trajectory: ASE extxyz, VASP XDATCAR, Atoms lists."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ase.io import read
from pymatgen.core.trajectory import Trajectory as PmgTrajectory
from pymatgen.io.ase import AseAtomsAdaptor
from pymatgen.io.vasp.inputs import Incar

from superionic.transport import (
    TrajectoryError,
    analyze_trajectory,
    read_trajectory,
    trajectory_from_atoms,
)


def test_fixture_is_a_real_li3clo_md_run(li3clo_path: Path) -> None:
    traj = read_trajectory(li3clo_path, ion="Li")
    assert traj.n_ions == 23 and len(traj.species) == 39  # 2x2x2 Li3ClO minus one Li
    assert traj.timestep_ps == pytest.approx(0.02)  # 2 fs x 10 steps, from the frames' time_ps
    assert traj.drift_corrected
    assert traj.volume_A3 == pytest.approx(7.82**3, rel=1e-6)


def test_ase_and_xdatcar_give_the_same_D(li3clo_path: Path, tmp_path: Path) -> None:
    frames = read(li3clo_path, index=":")
    structures = [AseAtomsAdaptor.get_structure(a) for a in frames]
    PmgTrajectory.from_structures(structures, constant_lattice=True).write_Xdatcar(
        tmp_path / "XDATCAR", significant_figures=10)
    Incar({"POTIM": 2.0, "NBLOCK": 10, "TEBEG": 1500, "IBRION": 0}).write_file(tmp_path / "INCAR")
    via_ase = read_trajectory(li3clo_path, ion="Li", temperature_K=1500.0)
    via_vasp = read_trajectory(tmp_path / "XDATCAR", ion="Li")  # POTIM x NBLOCK, TEBEG
    assert via_vasp.timestep_ps == pytest.approx(0.02) and via_vasp.temperature_K == 1500.0
    # XDATCAR holds wrapped fractional coordinates: identical after unwrapping
    np.testing.assert_allclose(via_vasp.positions - via_vasp.positions[0],
                               via_ase.positions - via_ase.positions[0], atol=1e-6)
    a, b = analyze_trajectory(via_ase), analyze_trajectory(via_vasp)
    assert b.tracer.D_cm2_s == pytest.approx(a.tracer.D_cm2_s, rel=1e-6)
    assert b.sigma.sigma_S_cm == pytest.approx(a.sigma.sigma_S_cm, rel=1e-6)
    # list of Atoms -> same numbers again
    c = analyze_trajectory(trajectory_from_atoms(frames, "Li", temperature_K=1500.0))
    assert c.tracer.D_cm2_s == pytest.approx(a.tracer.D_cm2_s, rel=1e-12)


def test_xdatcar_without_incar_needs_the_timestep(li3clo_path: Path, tmp_path: Path) -> None:
    frames = read(li3clo_path, index=":5")
    PmgTrajectory.from_structures([AseAtomsAdaptor.get_structure(a) for a in frames]
                                  ).write_Xdatcar(tmp_path / "XDATCAR")
    with pytest.raises(TrajectoryError, match="POTIM"):
        read_trajectory(tmp_path / "XDATCAR", ion="Li")
    assert read_trajectory(tmp_path / "XDATCAR", ion="Li", timestep_ps=0.02).n_frames == 5


def test_frames_without_time_need_the_timestep(li3clo_path: Path) -> None:
    frames = read(li3clo_path, index=":4")
    frames[2].info["time_ps"] = 9.0
    with pytest.raises(TrajectoryError, match="not evenly spaced"):
        trajectory_from_atoms(frames, "Li")
    for f in frames:
        f.info.pop("time_ps")
    with pytest.raises(TrajectoryError, match="time between stored frames is unknown"):
        trajectory_from_atoms(frames, "Li")
    assert trajectory_from_atoms(frames, "Li", timestep_ps=0.02).duration_ps == pytest.approx(0.06)


def test_wrong_ion_and_missing_file_error_clearly(li3clo_path: Path, tmp_path: Path) -> None:
    with pytest.raises(TrajectoryError, match="'Na' not found.*Cl, Li, O"):
        read_trajectory(li3clo_path, ion="Na")
    with pytest.raises(TrajectoryError, match="not found"):
        read_trajectory(tmp_path / "missing.extxyz")
    frames = read(li3clo_path, index=":3")
    frames[1] = frames[1][:-1]
    with pytest.raises(TrajectoryError, match="frame 1 .*different atoms"):
        trajectory_from_atoms(frames, "Li", timestep_ps=0.02)


def test_transport_never_imports_md() -> None:
    import ast

    import superionic.transport as transport

    offenders = []
    for path in Path(transport.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("superionic.md")]
    assert offenders == []
