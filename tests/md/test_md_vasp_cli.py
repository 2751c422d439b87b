"""VASP AIMD inputs and the ``superionic md`` command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pymatgen.core import Composition, Lattice, Structure
from pymatgen.io.vasp import Incar, Kpoints, Poscar
from typer.testing import CliRunner

from superionic.cli import app
from superionic.cli.md import _join_multi_values, _parse_range
from superionic.md.vasp import write_aimd_inputs


def li3clo() -> Structure:
    return Structure(Lattice.cubic(3.908), ["Li", "Li", "Li", "Cl", "O"],
                     [[0, .5, .5], [.5, 0, .5], [.5, .5, 0], [0, 0, 0], [.5, .5, .5]])


def test_vasp_md_inputs_have_md_tags(tmp_path: Path) -> None:
    s = li3clo() * (2, 2, 2)
    info = write_aimd_inputs(s, 1200.0, 5000, tmp_path, timestep_fs=1.5)
    incar = Incar.from_file(tmp_path / "INCAR")
    assert incar["IBRION"] == 0  # molecular dynamics
    assert incar["TEBEG"] == incar["TEEND"] == 1200.0
    assert incar["POTIM"] == 1.5 and incar["NSW"] == 5000
    assert incar["MDALGO"] == 2 and incar["SMASS"] == 0  # Nose-Hoover NVT
    assert incar["ISIF"] == 0 and incar["ISYM"] == 0
    assert incar["EDIFF"] == pytest.approx(1e-5 * 40) and "EDIFF_PER_ATOM" not in incar
    assert Poscar.from_file(tmp_path / "POSCAR").structure.composition == Composition("Li24Cl8O8")
    assert Kpoints.from_file(tmp_path / "KPOINTS").style.name == "Gamma"
    assert info["potcar"] or (tmp_path / "POTCAR.spec").read_text().split() == ["Li_sv", "Cl", "O"]


def test_vasp_rejects_disordered_structure(tmp_path: Path) -> None:
    s = Structure(Lattice.cubic(4.0), [{"Li": 0.5, "Na": 0.5}, "Cl"], [[0, 0, 0], [.5, .5, .5]])
    with pytest.raises(ValueError, match="ordered"):
        write_aimd_inputs(s, 1000.0, 10, tmp_path)


def test_cli_vasp_inputs_json(tmp_path: Path) -> None:
    cif = tmp_path / "Li3ClO.cif"
    li3clo().to(filename=str(cif))
    res = CliRunner().invoke(app, ["md", "vasp-inputs", str(cif), "--temperature", "1500",
                                   "--steps", "200", "-o", str(tmp_path / "vasp"),
                                   "--atoms", "30-50", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["n_atoms"] == 40 and out["incar"]["TEBEG"] == 1500.0 and out["incar"]["NSW"] == 200


def test_cli_bad_structure_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["md", str(tmp_path / "missing.cif"), "--json"])
    assert res.exit_code != 0
    assert "missing.cif" in json.loads(res.stdout.splitlines()[0])["error"]


def test_cli_option_parsing() -> None:
    args = ["x.cif", "--temperatures", "800", "1000", "1200", "--time-ps", "5"]
    assert _join_multi_values(args) == ["x.cif", "--temperatures", "800,1000,1200",
                                        "--time-ps", "5"]
    assert _parse_range("60-160") == (60, 160) and _parse_range("96") == (96, 96)
    with pytest.raises(ValueError):
        _parse_range("160-60")
