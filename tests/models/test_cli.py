"""``superionic train`` / ``superionic predict`` on the real OBELiX data: one JSON object each."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from superionic.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def trained(tmp_path_factory, data_dir):
    """Train mean + decision tree on the OBELiX split once (features cached in a temp cache)."""
    root = tmp_path_factory.mktemp("cli")
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(root / "cache"))
    mp.setenv("SUPERIONIC_DATA", str(data_dir))
    res = runner.invoke(app, ["train", "--split", "obelix", "--models", "mean,dt", "--budget", "0",
                              "--no-extra",
                              "--out", str(root / "out"), "--model-dir", str(root / "models"),
                              "--json"])
    yield root, res
    mp.undo()


def test_train_json_rows_and_saved_model(trained) -> None:
    root, res = trained
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)  # exactly one JSON object on stdout
    rows = {r["model"]: r for r in report["rows"]}
    assert set(rows) == {"mean", "dt"}
    for r in rows.values():
        assert r["split"] == "obelix" and r["n_test"] == 121 and r["n_train"] == 478
        for key in ("r2", "mae", "mse", "spearman"):
            assert key in r
        assert r["mse"] >= r["mae"] ** 2 - 1e-9  # Jensen: mean(e^2) >= mean(|e|)^2
    assert report["best"]["mae"] == min(r["mae"] for r in rows.values())
    assert report["n_censored"] > 0 and rows["mean"]["n_censored_test"] == 8
    cov = {c["level"]: c["coverage"] for c in report["intervals"]}
    assert set(cov) == {0.8, 0.9, 0.95} and cov[0.8] <= cov[0.9] <= cov[0.95]
    manifest = json.loads((root / "models" / "log10_sigma" / "manifest.json").read_text())
    assert report["feature_kind"] == "composition" == manifest["features"]["kind"]
    assert manifest["features"]["structure_features"] == []  # served from a formula alone
    assert manifest["features"]["names"] == manifest["feature_names"]
    for fig in report["figures"]:
        with open(fig, "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    if report["best"]["model"] == "dt":
        assert any("shap_" in f for f in report["figures"])


def test_predict_json_with_intervals_and_bad_formula(trained) -> None:
    root, _ = trained
    res = runner.invoke(app, ["predict", "Li7La3Zr2O12", "Li3PS4", "Xx2Q", "--model-dir",
                              str(root / "models"), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    preds = out["predictions"]
    assert [p["formula"] for p in preds] == ["Li7La3Zr2O12", "Li3PS4"]
    for p in preds:
        assert p["log10_sigma_low"] <= p["log10_sigma_mean"] <= p["log10_sigma_high"]
        assert p["sigma_S_cm"] == pytest.approx(10 ** p["log10_sigma_mean"])
        assert p["level"] == 0.9 and p["model"] in ("mean", "dt")
    assert out["model"]["feature_kind"] == "composition"
    assert len(out["rejected"]) == 1 and "Xx2Q" in out["rejected"][0]


def test_predict_refuses_tampered_model(trained, tmp_path) -> None:
    import shutil

    root, _ = trained
    copy = tmp_path / "models"
    shutil.copytree(root / "models", copy)
    manifest = json.loads((copy / "log10_sigma" / "manifest.json").read_text())
    victim = copy / "log10_sigma" / sorted(manifest["files"])[0]
    victim.write_bytes(victim.read_bytes() + b"\0")
    res = runner.invoke(app, ["predict", "Li3PS4", "--model-dir", str(copy), "--json"])
    assert res.exit_code != 0
    assert "sha256" in json.loads(res.stdout)["error"]


def test_train_rejects_unknown_split(trained) -> None:
    res = runner.invoke(app, ["train", "--split", "leave-one-out", "--json"])
    assert res.exit_code != 0 and "unknown split" in json.loads(res.stdout)["error"]


def test_obelix_table_masks_randomised_positions(trained) -> None:
    from superionic.models.dataset import POSITION_DEPENDENT, build_target_data

    data = build_target_data("log10_sigma")
    assert set(data.obelix_split) == {"train", "test"}
    test = {f for f, s in zip(data.formulas, data.obelix_split, strict=True) if s == "test"}
    train = {f for f, s in zip(data.formulas, data.obelix_split, strict=True) if s == "train"}
    assert not test & train
    for col in POSITION_DEPENDENT:  # OBELiX CIF positions are randomised: never used
        assert data.X[col].isna().all()
    assert data.X["space_group_number"].notna().all()  # tabulated for every row
    assert np.all(data.y[data.censored] <= -8.0 + 1e-9)  # bounds are <1E-8 or <1E-10


def test_predict_without_saved_model_says_how_and_trains_nothing(tmp_path) -> None:
    res = runner.invoke(app, ["predict", "Li3PS4", "--model-dir", str(tmp_path), "--json"])
    assert res.exit_code != 0
    err = json.loads(res.stdout)["error"]
    assert "no saved log10_sigma model" in err and "superionic train --target log10_sigma" in err
    assert "train_if_missing" in err
    assert list(tmp_path.iterdir()) == []
