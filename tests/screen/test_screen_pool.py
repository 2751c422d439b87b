"""Pools: broken rows listed and the rest ranked, the offline merge, CIF folders, the ion."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from pymatgen.core import Lattice, Structure
from pymatgen.io.cif import CifWriter

from superionic.config import Thresholds
from superionic.screen import ScreenCache, ScreenOptions, cif_folder_pool, csv_pool, run_screen
from superionic.screen.features import pool_features
from superionic.screen.pool import merge_offline

from .pool_rows import BROKEN
from .util import write_csv


def test_broken_rows_are_listed_and_the_rest_ranked(tmp_path, predictors, surrogate,
                                                    licl_entries):
    path = write_csv(tmp_path / "broken.csv", BROKEN)
    pool = csv_pool(path, fill_from_tables=False)
    reasons = {r.row: r.reason for r in pool.rejected}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7]  # 1-based data rows, header not counted
    assert all(r.file == str(path) for r in pool.rejected)
    assert "malformed formula" in reasons[2]
    assert reasons[3] == "empty formula"
    assert "contains no Li" in reasons[4]
    assert "not a number" in reasons[5]
    assert "below 0" in reasons[6]
    assert "nope.cif" in reasons[7]
    res = run_screen(pool, predictors, ScreenOptions(
        thresholds=Thresholds(oxidation_min_V=-100, reduction_max_V=100), structures_top=0,
        bvse=False), surrogate=surrogate, entry_sources=licl_entries)
    assert res.pool_size == 3 and len(res.rejected) == 6
    assert set(res.ranked["reduced_formula"]) == {"LiCl", "Li3InCl6", "Li7P3S11"}
    assert res.summary()["rejected"][0] == {"file": str(path), "row": 2,
                                            "reason": reasons[2]}


def test_unusable_file_raises_with_its_name(tmp_path):
    path = write_csv(tmp_path / "nocol.csv", [{"compound": "LiCl"}])
    with pytest.raises(ValueError, match="nocol.csv: no formula column"):
        csv_pool(path)


def test_offline_merge_by_reduced_formula():
    ionnet = pd.DataFrame({
        "material_id": ["mp-1960", "mp-9999", "mp-22905"],
        "formula": ["Li2O", "Li4O2", "LiCl"],
        "e_above_hull_eV_per_atom": [0.0, 0.05, 0.0], "band_gap_eV": [5.0, 4.0, 6.3]})
    tables = {
        "e_above_hull_eV_per_atom": pd.DataFrame({
            "reduced_formula": ["Li2O", "LiF", "NaCl"], "e_above_hull_eV_per_atom": [0.02, 0.0, 0.0]}),
        "band_gap_eV": pd.DataFrame({"reduced_formula": ["LiF", "NaCl"], "band_gap_eV": [8.7, 5.0]}),
        "e_form_eV_per_atom": pd.DataFrame({"reduced_formula": ["Li2O"],
                                            "e_form_eV_per_atom": [-2.07]}),
    }
    pool = merge_offline(ionnet, tables, "Li").set_index("reduced_formula")
    assert set(pool.index) == {"Li2O", "LiCl", "LiF"}  # NaCl has no Li
    li2o = pool.loc["Li2O"]  # two polymorphs: the ground state is kept, IonNet beats the table
    assert li2o["material_id"] == "mp-1960" and li2o["n_polymorphs"] == 2
    assert li2o["e_above_hull_eV_per_atom"] == 0.0
    assert li2o["e_above_hull_eV_per_atom_source"].startswith("IonNet")
    assert li2o["e_form_eV_per_atom"] == -2.07
    assert li2o["e_form_eV_per_atom_source"].startswith("mp_e_form")
    lif = pool.loc["LiF"]
    assert lif["band_gap_eV"] == 8.7 and lif["band_gap_eV_source"].startswith("mp_gap")
    assert lif["source_id"].endswith(":LiF") and pd.isna(lif["material_id"])
    na = merge_offline(None, tables, "Na")
    assert list(na["reduced_formula"]) == ["NaCl"] and na["band_gap_eV"].iloc[0] == 5.0


def test_cif_folder_pool_with_structure_features(tmp_path):
    rocksalt = Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.14), ["Li", "Cl"],
                                         [[0, 0, 0], [0.5, 0.5, 0.5]])
    CifWriter(rocksalt).write_file(tmp_path / "LiCl.cif")
    (tmp_path / "broken.cif").write_text("data_x\n_cell_length_a oops\n")
    pool = cif_folder_pool(tmp_path, fill_from_tables=False)
    assert list(pool.frame["reduced_formula"]) == ["LiCl"]
    assert [r.file.endswith("broken.cif") for r in pool.rejected] == [True]
    feats = pool_features(pool, ScreenCache(tmp_path / "cache"))
    assert feats.loc[0, "mobile_ion_coordination"] == pytest.approx(6.0)  # rock salt
    assert feats.loc[0, "space_group_number"] == 225


def test_user_sigma_e_replaces_the_estimate(tmp_path, predictors, surrogate, licl_entries):
    rows = [{"formula": "LiCl", "e_above_hull_eV_per_atom": 0, "band_gap_eV": 6.0,
             "sigma_e_S_cm": 1e-9},
            {"formula": "Li3InCl6", "e_above_hull_eV_per_atom": 0, "band_gap_eV": 3.4,
             "sigma_e_S_cm": ""}]
    pool = csv_pool(write_csv(tmp_path / "p.csv", rows), fill_from_tables=False)
    t = run_screen(pool, predictors, surrogate=surrogate,
                   entry_sources=licl_entries).table.set_index("reduced_formula")
    assert t.loc["LiCl", "sigma_e_S_cm"] == 1e-9 and t.loc["LiCl", "sigma_e_source"] == "user"
    assert t.loc["Li3InCl6", "sigma_e_source"].startswith("intrinsic")
    assert np.isfinite(t.loc["Li3InCl6", "sigma_e_S_cm"])


def test_missing_properties_filled_from_the_tables(tmp_path):
    data = tmp_path / "data" / "mp_matbench_composition"
    data.mkdir(parents=True)
    for fname, col, value in (("mp_e_hull.csv.gz", "e_above_hull_eV_per_atom", 0.0),
                              ("mp_gap.csv.gz", "band_gap_eV", 6.3),
                              ("mp_e_form.csv.gz", "e_form_eV_per_atom", -1.8)):
        pd.DataFrame({"formula": ["Li1Cl1", "Na1Cl1"], "reduced_formula": ["LiCl", "NaCl"],
                      col: [value, 1.0], "contains_Li": [True, False]}).to_csv(
            data / fname, index=False, compression="gzip")
    rows = [{"formula": "LiCl", "e_above_hull_eV_per_atom": "", "band_gap_eV": ""},
            {"formula": "Li2S", "e_above_hull_eV_per_atom": "0.0", "band_gap_eV": "3.4"}]
    path = write_csv(tmp_path / "p.csv", rows)
    cache = ScreenCache(tmp_path / "cache")
    t = csv_pool(path, data_dir=tmp_path / "data", cache=cache).frame.set_index("reduced_formula")
    assert t.loc["LiCl", "band_gap_eV"] == 6.3 and t.loc["LiCl", "e_form_eV_per_atom"] == -1.8
    assert t.loc["LiCl", "band_gap_eV_source"] == "mp_gap (filled by reduced formula)"
    assert t.loc["Li2S", "band_gap_eV"] == 3.4 and t.loc["Li2S", "band_gap_eV_source"] == "p.csv row 2"
    again = ScreenCache(tmp_path / "cache")
    csv_pool(path, data_dir=tmp_path / "data", cache=again)
    assert again.stats()["frames"] == {"hits": 6, "misses": 0}  # 3 tables + their rejections


def test_mp_pool_from_a_replayed_response(tmp_path):
    """The MP pool through superionic.data.mp with its on-disk response cache pre-filled (the
    client reads a cached query and never touches the network)."""
    from superionic.data.mp import SUMMARY_FIELDS
    from superionic.records import content_key
    from superionic.screen.pool import mp_pool

    licl = Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.14), ["Li", "Cl"],
                                     [[0, 0, 0], [0.5, 0.5, 0.5]])
    docs = [{"material_id": "mp-22905", "formula_pretty": "LiCl", "structure": licl.as_dict(),
             "energy_above_hull": 0.0, "band_gap": 6.3, "formation_energy_per_atom": -1.9,
             "symmetry": {"number": 225}}]
    query = {"elements": ["Li"], "fields": list(SUMMARY_FIELDS)}
    key = content_key([None, "materials/summary", query])
    (tmp_path / f"materials_summary-{key[:32]}.json").write_text(json.dumps(docs))
    pool = mp_pool("Li", api_key="replay", mp_cache_dir=tmp_path)
    row = pool.frame.iloc[0]
    assert (row["reduced_formula"], row["material_id"], row["band_gap_eV"]) == ("LiCl", "mp-22905", 6.3)
    assert row["band_gap_eV_source"] == "Materials Project API (mp-22905)"
    assert pool.get_structures([row["structure_ref"]])[0].composition.reduced_formula == "LiCl"


def test_sodium_pool_refuses_li_models(tmp_path, predictors, data_dir):
    """A Na pool keeps only Na compounds, and Li-trained models never predict for it (the
    positive Na screen is in test_na_screen.py)."""
    from superionic.screen import SurrogateProvider

    rows = [{"formula": "Na3PS4", "e_above_hull_eV_per_atom": 0.0, "band_gap_eV": 2.6},
            {"formula": "Na3SbS4", "e_above_hull_eV_per_atom": 0.0, "band_gap_eV": 2.2},
            {"formula": "LiCl", "e_above_hull_eV_per_atom": 0.0, "band_gap_eV": 6.0}]
    pool = csv_pool(write_csv(tmp_path / "na.csv", rows), mobile_ion="Na", fill_from_tables=False)
    assert [r.row for r in pool.rejected] == [3] and "contains no Na" in pool.rejected[0].reason
    provider = SurrogateProvider("Na", data_dir, max_iter=30)
    with pytest.raises(ValueError, match="trained for mobile ion 'Li'"):
        run_screen(pool, predictors, ScreenOptions(
            thresholds=Thresholds(oxidation_min_V=-100, reduction_max_V=100)),
            surrogate=provider, entry_sources=(lambda: [], "none"))
