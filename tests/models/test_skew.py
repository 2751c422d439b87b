"""No train/serve skew: a model is served exactly the features it was trained on, or refuses.

The training table is real: 150 OBELiX rows (plus Li7P3S11, Li3InCl6, Li6PS5Cl) with their
tabulated cells, so every row carries lattice features (space group, crystal system, volume per
atom, density, cell lengths and angles) besides the composition features. The campaign once
trained on such rows and served formulas with the lattice columns median-filled: it put its own
training compounds Li7P3S11 (3-9 mS/cm) and Li3InCl6 (2 mS/cm) at 4e-7 and 2e-6 S/cm.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from superionic.models.dataset import feature_table
from superionic.models.fitted import FeatureKind, FeatureMismatchError
from superionic.models.persist import load_model
from superionic.models.targets import TargetData
from superionic.models.workflow import NoSavedModelError, predict_formulas, run_training

FAMOUS = ("Li7P3S11", "Li3InCl6", "Li6PS5Cl")
CELL = {"Space group #": "space_group_number", "a": "a", "b": "b", "c": "c", "alpha": "alpha",
        "beta": "beta", "gamma": "gamma"}


@pytest.fixture(scope="module")
def lattice_data(data_dir) -> TargetData:
    """Real OBELiX rows with their cells: composition + lattice features, log10 sigma labels."""
    table = pd.read_csv(data_dir / "obelix" / "all.csv")
    sigma = pd.to_numeric(table["Ionic conductivity (S cm-1)"], errors="coerce")
    table = table.assign(sigma=sigma, formula=table["Reduced Composition"].str.replace(" ", ""))
    table = table[(table["sigma"] > 0) & table["Space group #"].notna() & table["a"].notna()]
    famous = table[table["formula"].isin(FAMOUS)]
    rest = table[~table["formula"].isin(FAMOUS)].sample(150, random_state=0)
    rows = pd.concat([famous, rest], ignore_index=True)
    cells = rows[list(CELL)].rename(columns=CELL)
    cells["cell_formula"] = [_cell_formula(t, z) for t, z in
                             zip(rows["True Composition"], rows["Z"], strict=True)]
    X, rejected = feature_table(rows["formula"].tolist(), cells=cells, source="obelix")
    keep = X.index.to_numpy() - 1
    rows = rows.iloc[keep].reset_index(drop=True)
    return TargetData(target="log10_sigma", X=X.reset_index(drop=True),
                      y=np.log10(rows["sigma"].to_numpy(float)),
                      formulas=rows["formula"].tolist(), families=rows["Family"].tolist(),
                      censored=np.zeros(len(rows), bool), sources=rows["DOI"].tolist())


def _cell_formula(true_composition, z) -> str | None:
    from pymatgen.core import Composition

    try:
        return (Composition(str(true_composition)) * float(z)).formula
    except (ValueError, TypeError):
        return None


def _train(data: TargetData, root, kind: str, model: str = "rf"):
    folder = root / "log10_sigma"
    report = run_training("log10_sigma", None, "Li", (model,), ("random",), budget=0,
                          n_splits=3, data=data, model_dir=folder, feature_kind=kind)
    return report, folder


@pytest.fixture(scope="module")
def composition_model(lattice_data, tmp_path_factory):
    """LightGBM (zoo defaults, 3 CV+ folds) on the composition columns, saved."""
    from superionic.models.persist import save_model
    from superionic.models.train import train_best, with_feature_kind

    folder = tmp_path_factory.mktemp("comp") / "log10_sigma"
    data = with_feature_kind(lattice_data, "composition")
    save_model(train_best("log10_sigma", data, models=("lgbm",), budget=0, n_folds=3), folder)
    return {"feature_kind": data.meta.get("feature_kind")}, folder


@pytest.fixture(scope="module")
def structure_model(lattice_data, tmp_path_factory):
    return _train(lattice_data, tmp_path_factory.mktemp("struct"), "composition+structure", "dt")


def test_training_rows_carry_lattice_features(lattice_data) -> None:
    for col in ("space_group_number", "volume_per_atom_A3", "density_g_cm3"):
        assert lattice_data.X[col].notna().mean() > 0.95, col
    assert set(FAMOUS) <= set(lattice_data.formulas)


def test_formula_prediction_of_training_compounds_within_training_error(
        composition_model, lattice_data) -> None:
    report, folder = composition_model
    model = load_model(folder)
    fs = model.feature_set
    assert report["feature_kind"] == "composition" and fs.kind is FeatureKind.COMPOSITION
    assert len(fs.names) == len(lattice_data.feature_names) - len(
        lattice_data.X.columns.intersection(["space_group_number", "crystal_system_number",
                                             "volume_per_atom_A3", "density_g_cm3"])) - len(
        [c for c in lattice_data.feature_names if c.startswith("lattice_")])
    assert not fs.structure_names and "space_group_number" not in fs.names
    # training error of the saved model on its own rows, from exactly its features
    resid = lattice_data.y - model.predict(lattice_data.X[list(fs.names)])
    bound = np.mean(np.abs(resid)) + 2.0 * np.std(resid)
    out = predict_formulas(list(FAMOUS), "log10_sigma", folder, None, "Li")
    assert out["model"]["feature_kind"] == "composition"
    preds = {p["formula"]: p["log10_sigma_mean"] for p in out["predictions"]}
    assert set(preds) == set(FAMOUS)
    for f in FAMOUS:
        label = np.mean([y for g, y in zip(lattice_data.formulas, lattice_data.y, strict=True)
                         if g == f])
        assert abs(preds[f] - label) <= bound, (f, preds[f], label, bound)


def test_structure_model_refuses_formula_only_rows(structure_model, lattice_data) -> None:
    report, folder = structure_model
    assert report["feature_kind"] == "composition+structure"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["features"]["kind"] == "composition+structure"
    assert "space_group_number" in manifest["features"]["structure_features"]
    assert manifest["features"]["names"] == manifest["feature_names"]
    with pytest.raises(FeatureMismatchError, match="needs a crystal structure") as err:
        predict_formulas(["Li7P3S11"], "log10_sigma", folder, None, "Li")
    assert str(folder) in str(err.value) and "space_group_number" in str(err.value)
    assert "feature_kind='composition'" in str(err.value)
    model = load_model(folder)
    X, _ = feature_table(["Li7P3S11"])  # formula only: no structure column at all
    with pytest.raises(FeatureMismatchError, match="missing here") as err:
        model.predict_interval(X)
    assert "volume_per_atom_A3" in str(err.value)
    blank = lattice_data.X.iloc[:3].copy()  # the columns exist but hold no structure
    blank.loc[:, model.feature_set.structure_names] = np.nan
    with pytest.raises(FeatureMismatchError, match="3 row\\(s\\) have none"):
        model.predict(blank)
    full = lattice_data.X.iloc[:3]  # with its structure features it is served
    assert np.all(np.isfinite(model.predict(full)))


def test_screen_serves_each_model_only_its_own_rows(composition_model, structure_model,
                                                    lattice_data) -> None:
    from superionic.screen.predict import Predictors, predict_properties

    comp = load_model(composition_model[1])
    struct = load_model(structure_model[1])
    feats = lattice_data.X.iloc[:4].copy()
    feats.loc[[2, 3], struct.feature_set.structure_names] = np.nan  # rows 2, 3: no structure
    ok = np.ones(4, bool)
    by_struct = predict_properties(feats, Predictors({"log10_sigma": struct}), ok)
    got = np.isfinite(by_struct["log10_sigma_mean"].to_numpy())
    assert got.tolist() == [True, True, False, False]
    assert by_struct["prediction_note"].iloc[2].startswith("log10_sigma: model dt")
    np.testing.assert_allclose(by_struct["log10_sigma_mean"].iloc[:2],
                               struct.predict(lattice_data.X.iloc[:2]))
    by_comp = predict_properties(feats, Predictors({"log10_sigma": comp}), ok)
    np.testing.assert_allclose(by_comp["log10_sigma_mean"],
                               comp.predict(lattice_data.X.iloc[:4][comp.feature_names]))
    with pytest.raises(FeatureMismatchError, match="missing here"):  # a composition column gone
        predict_properties(feats.drop(columns=[comp.feature_names[0]]),
                           Predictors({"log10_sigma": comp}), ok)


def test_no_silent_training(tmp_path, data_dir) -> None:
    from superionic.screen.predict import load_predictors

    with pytest.raises(NoSavedModelError, match="train_if_missing=True") as err:
        load_predictors(tmp_path, data_dir, "Li", targets=("Ea",))
    assert "superionic train --target Ea" in str(err.value)
    with pytest.raises(NoSavedModelError):
        predict_formulas(["Li3PS4"], "log10_sigma", tmp_path / "log10_sigma", data_dir, "Li")
    assert list(tmp_path.iterdir()) == []  # nothing trained, nothing written
