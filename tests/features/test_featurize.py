"""featurize(): combined table, rejections per row, and the `superionic featurize` command."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from pymatgen.core import Lattice, Structure
from typer.testing import CliRunner

from superionic.cli import app
from superionic.features import featurize
from superionic.features.magpie import magpie_feature_names, magpie_features
from superionic.features.oxidation import eng_feature_names
from superionic.features.structure import STRUCTURE_FEATURES

A = 5.13  # Angstrom


def licl() -> Structure:
    return Structure.from_spacegroup("Fm-3m", Lattice.cubic(A), ["Li", "Cl"], [[0] * 3, [0.5] * 3])


def test_bad_rows_rejected_rest_complete():
    formulas = ["LiCl", "Li2((O", "LiHe", "", "Li3PS4", "XLi"]
    df, rejected = featurize(formulas, source="batch.csv")
    assert list(df.index) == [1, 5]  # 1-based rows of the accepted inputs
    assert list(df["formula"]) == ["LiCl", "Li3PS4"]
    reasons = {r.row: r.reason for r in rejected}
    assert set(reasons) == {2, 3, 4, 6}
    assert "malformed formula" in reasons[2]
    assert "He" in reasons[3] and "oxidation state" in reasons[3]
    assert "empty" in reasons[4]
    assert all(r.file == "batch.csv" for r in rejected)
    assert list(df.columns) == ["formula", *magpie_feature_names(), *eng_feature_names()]
    # the accepted rows carry exactly the stand-alone Magpie values
    pd.testing.assert_frame_equal(
        df[magpie_feature_names()].reset_index(drop=True), magpie_features(["LiCl", "Li3PS4"])
    )


def test_structures_and_temperature_columns():
    df, rejected = featurize(
        ["LiCl", "Li2O", "LiCl"], [licl(), None, licl()], temperature_K=[300.0, 600.0, -5.0]
    )
    assert [r.row for r in rejected] == [3] and "temperature" in rejected[0].reason
    assert list(df.columns[:2]) == ["formula", "temperature_K"]
    assert list(df.columns[-len(STRUCTURE_FEATURES) :]) == list(STRUCTURE_FEATURES)
    assert df.loc[1, "temperature_K"] == 300.0
    assert df.loc[1, "mobile_ion_coordination"] == 6
    assert df.loc[1, "volume_per_atom_A3"] == pytest.approx(A**3 / 8)
    assert math.isnan(df.loc[2, "space_group_number"])  # no structure for Li2O
    assert df.attrs["mobile_ion"] == "Li"


def test_mobile_ion_validated():
    with pytest.raises(ValueError, match="mobile_ion"):
        featurize(["LiCl"], mobile_ion="Mg")
    with pytest.raises(ValueError, match="structures"):
        featurize(["LiCl", "NaCl"], [licl()])


def test_cli_featurize_json(tmp_path):
    (tmp_path / "licl.cif").write_text(licl().to(fmt="cif"))
    csv = tmp_path / "in.csv"
    pd.DataFrame(
        {
            "composition": ["LiCl", "Li2((O", "LiCl", "Li7La3Zr2O12"],
            "cif": ["licl.cif", "", "missing.cif", ""],
            "T": [300, 300, 300, "hot"],
            "sample": ["a", "b", "c", "d"],
        }
    ).to_csv(csv, index=False)
    out = tmp_path / "out" / "features.parquet"
    args = ["featurize", str(csv), "-o", str(out), "--formula-column", "composition"]
    args += ["--cif-column", "cif", "--temperature-column", "T", "--keep", "sample", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["n_rows"] == 1 and payload["n_input_rows"] == 4
    assert payload["n_features"] == 132 + 20 + len(STRUCTURE_FEATURES)
    assert payload["output"] == str(out)
    rows = {r["row"]: r["reason"] for r in payload["rejected"]}
    assert set(rows) == {2, 3, 4}
    assert "malformed" in rows[2] and "missing.cif" in rows[3] and "'hot'" in rows[4]
    table = pd.read_parquet(out)
    assert list(table["sample"]) == ["a"]
    assert table.loc[1, "mobile_ion_coordination"] == 6


def test_cli_missing_column_fails(tmp_path):
    csv = tmp_path / "in.csv"
    csv.write_text("name\nLiCl\n")
    result = CliRunner().invoke(app, ["featurize", str(csv), "-o", str(tmp_path / "o.parquet")])
    assert result.exit_code != 0
    assert "in.csv" in result.stderr and "formula" in result.stderr
