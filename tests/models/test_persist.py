"""Saved models load to identical predictions; tampered or untrusted files are refused."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from superionic.models.fitted import FittedModel
from superionic.models.persist import ModelIntegrityError, load_model, save_model, verify
from superionic.models.uncertainty import ConformalRegressor
from superionic.models.zoo import make_model

SMALL = {"rf": {"n_estimators": 20}, "rf_median": {"n_estimators": 20}, "xgb": {"n_estimators": 30}, "lgbm": {"n_estimators": 30},
         "catboost": {"iterations": 30}, "knn": {}, "gb": {"n_estimators": 30}}


def _fitted(kind: str) -> tuple[FittedModel, pd.DataFrame]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(90, 4)), columns=["a", "b", "c", "d"])
    X.iloc[::9, 1] = np.nan
    y = X["a"].to_numpy() * 2 + rng.normal(scale=0.2, size=90)
    conf = ConformalRegressor(make_model(kind, **SMALL[kind]), n_folds=3, normalized=True)
    conf.fit(X, y, groups=np.arange(90) % 9)
    return FittedModel(kind, "log10_sigma", list(X.columns), conf,
                       {"data": {"sha256": "0" * 64}, "metrics": {"mae": 0.1}}), X


@pytest.mark.parametrize("kind", list(SMALL))
def test_round_trip_identical_predictions(kind: str, tmp_path) -> None:
    model, X = _fitted(kind)
    out = save_model(model, tmp_path / "m")
    files = set(json.loads((out / "manifest.json").read_text())["files"])
    native = {"xgb": ".ubj", "catboost": ".cbm", "lgbm": ".txt"}.get(kind)
    if native:  # boosters in their own format, the preprocessing in skops; nothing pickled
        assert f"model{native}" in files and "model.pre.skops" in files
    else:
        assert "model.skops" in files
    assert not any(f.endswith((".pkl", ".pickle", ".joblib")) for f in files)
    back = load_model(out)
    assert back.feature_names == ["a", "b", "c", "d"] and back.name == kind
    assert back.manifest["metrics"] == {"mae": 0.1}
    Xs = X.iloc[:, ::-1]  # columns matched by name, not position
    assert np.array_equal(back.predict(Xs), model.predict(X))
    for a, b in zip(back.predict_interval(X, 0.9), model.predict_interval(X, 0.9), strict=True):
        assert np.array_equal(a, b)
    # the signed out-of-fold residuals (p_fast's asymmetric errors) survive the round trip
    assert np.array_equal(back.conformal.signed_residuals_, model.conformal.signed_residuals_)


def test_tampered_file_is_refused(tmp_path) -> None:
    model, _ = _fitted("xgb")
    out = save_model(model, tmp_path / "m")
    verify(out)
    target = out / "model.ubj"
    blob = bytearray(target.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    target.write_bytes(bytes(blob))
    with pytest.raises(ModelIntegrityError, match="sha256"):
        load_model(out)
    (out / "fold0.pre.skops").unlink()
    with pytest.raises(ModelIntegrityError):
        verify(out)


def test_untrusted_skops_type_is_refused(tmp_path) -> None:
    import os

    import skops.io as sio
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    from superionic.models.persist import _load_skops

    evil = Pipeline([("f", FunctionTransformer(func=os.getcwd))])
    sio.dump(evil, tmp_path / "evil.skops")
    with pytest.raises(ModelIntegrityError, match="untrusted"):
        _load_skops(tmp_path / "evil.skops")


def test_overwrite_is_atomic_and_leaves_no_temp(tmp_path) -> None:
    model, X = _fitted("rf")
    save_model(model, tmp_path / "m")
    model2, _ = _fitted("knn")
    save_model(model2, tmp_path / "m")
    assert load_model(tmp_path / "m").name == "knn"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_feature_set_round_trip(tmp_path) -> None:
    """The manifest records the exact feature set; loading gives it back unchanged, a legacy
    manifest gets it inferred from its names, a contradicting record is refused."""
    from superionic.models.fitted import FeatureKind, FeatureMismatchError, FeatureSet

    model, X = _fitted("rf")
    model.feature_names = ["MagpieData mean Number", "space_group_number", "density_g_cm3", "d"]
    model.manifest["mobile_ion"] = "Na"
    out = save_model(model, tmp_path / "m")
    manifest = json.loads((out / "manifest.json").read_text())
    rec = manifest["features"]
    assert rec["names"] == model.feature_names and rec["n_features"] == 4
    assert rec["kind"] == "composition+structure" and rec["mobile_ion"] == "Na"
    assert rec["structure_features"] == ["space_group_number", "density_g_cm3"]
    assert "features_code" in rec["versions"] and "pymatgen" in rec["versions"]
    back = load_model(out)
    assert back.feature_set == FeatureSet.from_manifest(manifest)
    assert back.feature_set.names == tuple(model.feature_names)
    assert back.feature_kind is FeatureKind.STRUCTURE and back.source == str(out)
    legacy = dict(manifest)
    del legacy["features"]
    assert FeatureSet.from_manifest(legacy).kind is FeatureKind.STRUCTURE
    comp = FeatureSet.from_names(["MagpieData mean Number", "Eng_max_icsd_mean"], "Li")
    assert comp.kind is FeatureKind.COMPOSITION and comp.structure_names == []
    # a record whose names contradict the model's is refused at load
    manifest["features"]["names"] = list(reversed(rec["names"]))
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(FeatureMismatchError, match="does not match"):
        load_model(out)
