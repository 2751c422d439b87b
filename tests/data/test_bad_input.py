"""Malformed CSV rows and a malformed CIF (tests/fixtures/data/bad_data) are reported with file,
row and reason; everything else in the batch loads."""

from __future__ import annotations

import pytest

from superionic.data import liverpool, obelix
from superionic.data.base import csv_rows
from superionic.data.registry import load_set

from .servers import BAD_DATA


def test_malformed_obelix_rows_reported_rest_loaded():
    res = obelix.load(BAD_DATA)
    assert (res.rows, res.parsed, len(res.rejected)) == (5, 2, 3)
    assert [r.reduced_formula for r in res.records] == ["LiCl", "Li2O"]
    assert res.records[1].censor == "upper" and res.records[1].value == 1e-10  # "<1E-10"
    reasons = {r.row: r.reason for r in res.rejected}
    assert set(reasons) == {3, 4, 5}
    assert "truncated" in reasons[3]
    assert "ddd" in reasons[4] and "unknown elements" in reasons[4]
    assert "eee" in reasons[5] and "'n/a' is not a number" in reasons[5]
    assert all(r.file.endswith("obelix/all.csv") for r in res.rejected)
    # the split files' rows, less the truncated one
    assert res.extras["split"] == {"aaa": "train", "bbb": "train", "ddd": "test", "eee": "test"}


def test_malformed_cif_reported_rest_loaded():
    structures, rejected = obelix.load_structures(BAD_DATA)
    assert sorted(structures) == ["aaa", "bbb"]
    assert structures["aaa"].composition.reduced_formula == "LiCl"
    assert structures["aaa"].volume == pytest.approx(5.14**3, rel=1e-6)  # conventional rock salt
    assert structures["bbb"].composition.reduced_formula == "Li2O"
    assert all(s.properties["positions_randomised"] for s in structures.values())
    (bad,) = rejected
    assert bad.file.endswith("all_cifs.tar.gz:all_randomized_cifs/zzz.cif")
    assert bad.row == 3 and "CIF does not parse" in bad.reason


def test_parse_cif_names_where():
    with pytest.raises(ValueError, match="broken.cif: CIF does not parse"):
        obelix.parse_cif("data_x\n_cell_length_a 3.0\nloop_\n_atom_site_label\n", "broken.cif")


def test_malformed_liverpool_rows_reported_rest_loaded():
    res = liverpool.load(BAD_DATA)
    assert (res.rows, res.parsed, len(res.rejected)) == (6, 3, 3)
    assert [(r.reduced_formula, r.temperature_K) for r in res.records] == [
        ("Li3PS4", 298.15), ("Li7P3S11", 298.15), ("LiCl", 373.15)]  # 25 C, glass 25 C, 100 C
    reasons = {r.row: r.reason for r in res.rejected}
    assert "stray delimiter" in reasons[3]
    assert "temperature 'warm' is not a number" in reasons[4]
    assert "empty formula" in reasons[5]


def test_missing_set_names_folder_and_fix():
    with pytest.raises(FileNotFoundError, match="superionic data fetch kang2023_ic"):
        load_set("kang2023_ic", BAD_DATA)


def test_csv_rows_tolerates_trailing_empties(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n1,2,,\n1,2,3\n1\n\n")
    out = list(csv_rows(p))
    assert [o[1] for o in out[:2]] == [{"a": "1", "b": "2"}] * 2
    assert out[2][1] is None and "stray" in out[2][2]
    assert out[3][1] is None and "truncated" in out[3][2]
    assert out[4][1] is None and out[4][2] == "empty row"  # a blank line is reported too
