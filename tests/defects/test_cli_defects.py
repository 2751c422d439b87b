"""``superionic defects`` and ``superionic structures``: one JSON object, exit codes, files."""

from __future__ import annotations

import json

from pymatgen.core import Structure
from typer.testing import CliRunner

from superionic.cli import app

runner = CliRunner()


def _run(args):
    res = runner.invoke(app, args)
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("{")]
    payload = json.loads(lines[-1]) if lines else None
    return res, payload


def test_li3ocl_vacancy_variants(tmp_path):
    res, out = _run(["defects", "Li3OCl", "--li-vacancy", "0.125", "--n-configs", "2",
                     "--out", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    assert len([ln for ln in res.stdout.splitlines() if ln.strip()]) == 1  # one JSON object
    for key in ("parent", "mechanism", "kroger_vink", "supercell", "variants"):
        assert key in out
    assert out["mechanism"] == "anion_vacancy" and out["general_formula"] == "Li3-xOCl1-x"
    assert out["kroger_vink"] == ["V_Li'", "V_Cl^."] and out["supercell"] == [2, 2, 2]
    assert [v["rank"] for v in out["variants"]] == [1, 2]
    for v in out["variants"]:
        assert v["charge_balanced"] and v["charge"] == 0
        assert set(v) >= {"formula", "charge", "charge_balanced", "ewald_energy_eV", "rank",
                          "path"}
        assert Structure.from_file(v["path"]).composition.reduced_formula == "Li23Cl7O8"


def test_compensation_none_is_refused_with_exit_3():
    res, out = _run(["defects", "Li3ClO", "--li-vacancy", "0.125", "--compensation", "none",
                     "--json"])
    assert res.exit_code == 3 and out["refused"] and "uncompensated" in out["error"]


def test_li45tio325_is_refused_with_the_balanced_neighbours():
    res, out = _run(["defects", "Li4TiO4", "--target", "Li4.5TiO3.25", "--json"])
    assert res.exit_code == 3
    comp = out["composition"]
    assert comp["net_charge_per_formula_unit"] == 2.0 and not comp["charge_balanced"]
    assert "Li4.5TiO4.25" in out["error"] and "Ti+3.5" in out["error"]


def test_bad_concentration_and_bad_structure_exit_2(tmp_path):
    res, out = _run(["defects", "Li3ClO", "--li-vacancy", "-1", "--json"])
    assert res.exit_code == 2 and "positive" in out["error"]
    res, out = _run(["defects", "Li3ClO", "--li-vacancy", "0.001", "--json"])
    assert res.exit_code == 2 and "not realisable" in out["error"]
    res, out = _run(["defects", str(tmp_path / "missing.cif"), "--li-excess", "0.1", "--json"])
    assert res.exit_code == 2 and "missing.cif" in out["error"]
    res, out = _run(["defects", "Li3ClO", "--json"])
    assert res.exit_code == 2


def test_structures_list_show_write(tmp_path):
    res, out = _run(["structures", "list", "--json"])
    assert res.exit_code == 0 and len(out["structures"]) == 11
    res, out = _run(["structures", "show", "LLZO", "--json"])
    assert res.exit_code == 0 and out["space_group_number"] == 230 and not out["is_ordered"]
    path = tmp_path / "lgps.cif"
    res, out = _run(["structures", "write", "LGPS", "-o", str(path), "--ordered", "--json"])
    assert res.exit_code == 0 and out["is_ordered"]
    assert Structure.from_file(path).composition.reduced_formula == "Li10Ge(PS6)2"
    res, _ = _run(["structures", "show", "nothing", "--json"])
    assert res.exit_code == 2
