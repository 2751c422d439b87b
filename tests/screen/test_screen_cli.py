"""``superionic screen --json``: one JSON object of the documented shape; broken rows listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from superionic.cli import app
from superionic.models.paths import model_path
from superionic.models.persist import save_model
from superionic.screen.funnel import STAGES

from .pool_rows import BROKEN
from .util import write_csv

CANDIDATE_KEYS = {"formula", "score", "pareto_rank", "log10_sigma_mean", "log10_sigma_low",
                  "log10_sigma_high", "Ea_eV", "Ea_eV_low", "Ea_eV_high", "esw_width_V",
                  "reduction_V", "oxidation_V", "sigma_e_S_cm", "source_id", "rank",
                  # CONTRACTS.md keys (report, MD stage and active loop read them)
                  "p_fast", "structure_source", "material_id", "bvse_barrier_eV", "bvse_dim",
                  "esw_low_V", "esw_high_V", "window_source", "e_hull_eV_atom",
                  "band_gap_eV", "reasons"}


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, predictors) -> Path:
    root = tmp_path_factory.mktemp("models")
    for target, model in predictors.models.items():
        save_model(model, model_path(root, target, "Li"))
    return root


#: The broken pool with its valid rows inside the MP fixture's C-Cl-K-Li-Mn-Na-O-Y space, so
#: every window is exact and the CLI test needs no surrogate fit.
CLI_POOL = [*BROKEN[:7],
            {"formula": "Li2CO3", "e_above_hull_eV_per_atom": "0", "band_gap_eV": "5.0", "cif": ""},
            {"formula": "Li2O", "e_above_hull_eV_per_atom": "0", "band_gap_eV": "5.0", "cif": ""}]


def test_screen_json_shape(tmp_path, model_dir, data_dir):
    pool = write_csv(tmp_path / "pool.csv", CLI_POOL)
    out = tmp_path / "out"
    args = ["screen", "--pool", str(pool), "--json", "--top", "2", "--out", str(out),
            "--model-dir", str(model_dir), "--cache-dir", str(tmp_path / "cache"),
            "--weights", "1,1,1,1", "--data-dir", str(data_dir), "--no-bvse",
            "--structures-top", "0"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)  # exactly one JSON object on stdout
    assert doc["pool_size"] == 3
    assert list(doc["stages"]) == list(STAGES) and doc["stages"]["pool"] == 3
    counts = list(doc["stages"].values())
    assert counts == sorted(counts, reverse=True)
    assert len(doc["candidates"]) == min(2, doc["stages"]["score"])
    for c in doc["candidates"]:
        assert CANDIDATE_KEYS <= set(c)
        assert c["window_source"] == "exact"
        assert c["log10_sigma_low"] <= c["log10_sigma_mean"] <= c["log10_sigma_high"]
        assert 0.0 <= c["p_fast"] <= 1.0 and abs(c["score"] - c["p_fast"]) <= 0.005 + 1e-12
        assert isinstance(c["reasons"], list) and c["reasons"][0].startswith("P(sigma300")
        assert c["esw_low_V"] == c["reduction_V"] and c["esw_high_V"] == c["oxidation_V"]
    scores = [c["score"] for c in doc["candidates"]]
    assert scores == sorted(scores, reverse=True) and [c["rank"] for c in doc["candidates"]] == [1, 2]
    assert [r["row"] for r in doc["rejected"]] == [2, 3, 4, 5, 6, 7]
    for key in ("ranked_csv", "ranked_parquet", "all_csv", "funnel_png", "rejected_csv"):
        assert Path(doc["outputs"][key]).is_file()


def test_screen_bad_pool_path_fails_cleanly(tmp_path):
    res = CliRunner().invoke(app, ["screen", "--pool", str(tmp_path / "missing.csv"), "--json"])
    assert res.exit_code == 2
    assert "missing.csv" in json.loads(res.stdout)["error"]
