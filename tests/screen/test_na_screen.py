"""A sodium screen: Na labels, Na features, the Na pool, windows with Na open (V vs Na/Na+), Na
models only, and the stages the data cannot support for Na (Ea) reported, not faked.

Window checks use the MP entries fixture (C-Cl-K-Li-Mn-Na-O-Y, MP2020 energies): a limit computed
with Na open must equal the reaction energy per Na exchanged, from the phase diagram's formation
energies alone; Na2O and NaCl coexist with Na metal (reduction limit 0 V vs Na/Na+).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pymatgen.core import Composition, Lattice, Structure
from pymatgen.io.cif import CifWriter
from typer.testing import CliRunner

from superionic.cli import app
from superionic.models import train_best
from superionic.models.dataset import build_target_data
from superionic.models.paths import model_path
from superionic.models.persist import save_model
from superionic.screen import csv_pool, load_predictors
from superionic.screen.cache import NullCache
from superionic.screen.features import pool_features
from superionic.screen.pool import TABLE_FILES, merge_offline

from .util import write_csv

#: A tiny Na pool inside the fixture's chemical space (every window exact) plus one Li-only row.
NA_POOL = [{"formula": f, "e_above_hull_eV_per_atom": 0.0, "band_gap_eV": 5.0}
           for f in ("NaCl", "Na2O", "Na3YCl6", "Na2CO3", "NaLiCO3", "NaYO2", "LiCl")]


@pytest.fixture(scope="module")
def na_sigma_model(data_dir):
    """A quick Na conductivity model (decision tree, zoo defaults) on every Na label row."""
    data = build_target_data("log10_sigma", data_dir, "Na", extra=True, cache=False)
    return train_best("log10_sigma", data, models=("dt",), budget=0, n_folds=3)


@pytest.fixture(scope="module")
def na_model_dir(tmp_path_factory, na_sigma_model) -> Path:
    root = tmp_path_factory.mktemp("na_models")
    save_model(na_sigma_model, model_path(root, "log10_sigma", "Na"))
    return root


def test_na_labels_are_na_conductors_only(data_dir):
    """Na labels come from Kang 2023's Na conductors only; a Na-containing Li conductor of a
    Li-ion data set (Liverpool's Li0.375Na0.125La0.5TiO3) stays a Li label."""
    from superionic.data.merge import merged_conductivity_labels

    na = merged_conductivity_labels(data_dir, "Na")
    li = merged_conductivity_labels(data_dir, "Li")
    assert len(na) > 100
    assert all("Na" in Composition(f).as_dict() for f in na["reduced_formula"])
    assert not any("Li" in Composition(f).as_dict() for f in na["reduced_formula"])
    assert set(na["datasets"]) == {"kang2023_ic"}
    assert np.isnan(na["Ea_eV"]).all()  # no Na activation energies anywhere in the data
    llto = Composition("Li0.375Na0.125La0.5TiO3").reduced_formula
    keys_li = {Composition(f).reduced_formula for f in li["reduced_formula"]}
    keys_na = {Composition(f).reduced_formula for f in na["reduced_formula"]}
    assert llto in keys_li and llto not in keys_na


def test_na_model_manifest_and_unavailable_ea(na_sigma_model, na_model_dir, data_dir):
    assert na_sigma_model.manifest["mobile_ion"] == "Na"
    pred = load_predictors(na_model_dir, data_dir, "Na")
    assert set(pred.models) == {"log10_sigma"}
    assert pred.describe()["log10_sigma"]["mobile_ion"] == "Na"
    reason = pred.unavailable["Ea"]
    assert "no Na Ea labels: 0 Na-conductor rows" in reason and "Laskowski" in reason
    assert not model_path(na_model_dir, "Ea", "Na").exists()  # nothing trained, nothing saved


def test_li_model_in_the_na_folder_is_refused(tmp_path, predictors, data_dir):
    save_model(predictors.models["log10_sigma"], model_path(tmp_path, "log10_sigma", "Na"))
    with pytest.raises(ValueError, match="trained for mobile ion 'Li', the screen's is 'Na'"):
        load_predictors(tmp_path, data_dir, "Na", targets=("log10_sigma",))


def test_structure_features_use_na(tmp_path):
    """Rock-salt NaCl (a = 5.64 A): the mobile-ion nearest-neighbour distance is Na-Na, a/sqrt 2."""
    a = 5.64
    nacl = Structure.from_spacegroup("Fm-3m", Lattice.cubic(a), ["Na", "Cl"],
                                     [[0, 0, 0], [0.5, 0.5, 0.5]])
    CifWriter(nacl).write_file(tmp_path / "NaCl.cif")
    pool = csv_pool(write_csv(tmp_path / "p.csv", [{"formula": "NaCl", "cif": "NaCl.cif"}]),
                    mobile_ion="Na", fill_from_tables=False)
    feats = pool_features(pool, NullCache())
    assert feats.attrs["mobile_ion"] == "Na"
    assert feats.loc[0, "mobile_ion_nn_distance_A"] == pytest.approx(a / math.sqrt(2), abs=1e-3)
    assert feats.loc[0, "mobile_ion_coordination"] == pytest.approx(6.0)


def test_li_and_na_pools_share_only_compounds_with_both(data_dir):
    e_hull = "e_above_hull_eV_per_atom"
    table = pd.read_csv(data_dir / "mp_matbench_composition" / TABLE_FILES[e_hull], nrows=20000)
    tables = {e_hull: table[["reduced_formula", e_hull]]}
    na = merge_offline(None, tables, "Na")
    li = merge_offline(None, tables, "Li")
    assert len(na) > 50
    assert all("Na" in Composition(f).as_dict() for f in na["reduced_formula"])
    shared = set(na["reduced_formula"]) & set(li["reduced_formula"])
    assert shared and all({"Li", "Na"} <= set(Composition(f).as_dict()) for f in shared)


def _form_energy_fu(pd_, formula: str) -> float:
    """Formation energy (eV per formula unit) of the lowest entry of ``formula``."""
    comp = Composition(formula)
    e = min((x for x in pd_.all_entries if x.composition.reduced_formula == comp.reduced_formula),
            key=lambda x: x.energy_per_atom)
    return pd_.get_form_energy_per_atom(e) * comp.num_atoms


def test_na_screen_cli_tiny_pool(tmp_path, na_model_dir, data_dir):
    from pymatgen.analysis.phase_diagram import PhaseDiagram

    from superionic.stability.sources import EntryList
    from superionic.stability.window import compute_windows

    pool = write_csv(tmp_path / "na_pool.csv", NA_POOL)
    args = ["screen", "--pool", str(pool), "--mobile-ion", "Na", "--json", "--top", "10",
            "--out", str(tmp_path / "out"), "--model-dir", str(na_model_dir),
            "--cache-dir", str(tmp_path / "cache"), "--data-dir", str(data_dir),
            "--no-bvse", "--structures-top", "0"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["mobile_ion"] == "Na" and doc["potentials"] == "V vs Na/Na+"
    assert [r["row"] for r in doc["rejected"]] == [7]  # LiCl: contains no Na
    models = doc["provenance"]["models"]
    assert models["log10_sigma"]["mobile_ion"] == "Na"
    assert "no Na Ea labels" in doc["unavailable"]["Ea"] == models["Ea"]["unavailable"]
    assert "Ea" not in doc["provenance"]["score"]["formula"]
    cands = {c["formula"]: c for c in doc["candidates"]}
    assert set(cands) == {"NaCl", "Na2O", "Na3YCl6", "Na2CO3", "NaLiCO3", "NaYO2"}
    assert [c["rank"] for c in doc["candidates"]] == list(range(1, 7))
    for c in cands.values():
        assert c["window_source"] == "exact" and c["Ea_eV"] is None
        assert "imputed:ea" not in (c["imputed"] or "")
        assert c["log10_sigma_low"] <= c["log10_sigma_mean"] <= c["log10_sigma_high"]

    src = EntryList.mp_fixture(data_dir)
    # NaCl, Na2O coexist with Na metal: reduction limit 0 V vs Na/Na+.
    assert cands["NaCl"]["reduction_V"] == pytest.approx(0.0, abs=1e-9)
    assert cands["Na2O"]["reduction_V"] == pytest.approx(0.0, abs=1e-9)
    # Oxidation: 3 NaCl -> NaCl3 + 2 Na and 2 Na2O -> Na2O2 + 2 Na, voltage = dE / (e per Na).
    pd_cl = PhaseDiagram(src.entries_for(["Na", "Cl"], "Na"))
    u_cl = (_form_energy_fu(pd_cl, "NaCl3") - 3 * _form_energy_fu(pd_cl, "NaCl")) / 2
    pd_o = PhaseDiagram(src.entries_for(["Na", "O"], "Na"))
    u_o = (_form_energy_fu(pd_o, "Na2O2") - 2 * _form_energy_fu(pd_o, "Na2O")) / 2
    assert cands["NaCl"]["oxidation_V"] == pytest.approx(u_cl, abs=1e-6)
    assert cands["Na2O"]["oxidation_V"] == pytest.approx(u_o, abs=1e-6)
    # A Li-Na carbonate: the screen's window is the Na-open one, not the Li-open one.
    (na_open,), (li_open,) = (compute_windows(["NaLiCO3"], src, ion) for ion in ("Na", "Li"))
    assert cands["NaLiCO3"]["reduction_V"] == pytest.approx(na_open.reduction_V, abs=1e-9)
    assert cands["NaLiCO3"]["oxidation_V"] == pytest.approx(na_open.oxidation_V, abs=1e-9)
    assert abs(na_open.reduction_V - li_open.reduction_V) > 0.1
