"""``superionic loop``: one JSON object, rounds stored in the workspace, exact resume, clear
errors. Labels are real OBELiX room-temperature conductivities (a small slice)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from superionic.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def labels_csv(tmp_path_factory, data_dir):
    """formula,sigma_S_cm of the first 70 numeric OBELiX compounds (one row per formula)."""
    df = pd.read_csv(data_dir / "obelix" / "all.csv")
    df["sigma"] = pd.to_numeric(df["Ionic conductivity (S cm-1)"], errors="coerce")
    df = df.dropna(subset=["sigma"]).drop_duplicates("Reduced Composition").head(70)
    path = tmp_path_factory.mktemp("labels") / "obelix70.csv"
    pd.DataFrame({"formula": df["Reduced Composition"], "sigma_S_cm": df["sigma"]}).to_csv(
        path, index=False)
    return path


def _loop(*args: str) -> tuple[int, dict]:
    res = runner.invoke(app, ["loop", *args, "--json"])
    lines = [ln for ln in res.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stdout  # exactly one JSON object on stdout
    return res.exit_code, json.loads(lines[0])


def test_retrospective_rounds_resume_exactly(tmp_path, labels_csv) -> None:
    common = ["--oracle", "retrospective", "--labels", str(labels_csv), "--batch", "4",
              "--seed-fraction", "0.1", "--trees", "40", "--acquisition", "ucb"]
    code, full = _loop(*common, "--rounds", "4", "--workspace", str(tmp_path / "a"))
    assert code == 0
    truth = pd.read_csv(labels_csv).set_index("formula")["sigma_S_cm"]
    rounds = full["rounds"]
    assert [r["round"] for r in rounds] == [1, 2, 3, 4]
    assert [r["n_labelled"] for r in rounds] == [full["n_start_labels"] + 4 * k for k in (1, 2, 3, 4)]
    for r in rounds:  # the retrospective oracle returns the held-back log10 sigma
        assert set(r["labels"]) == set(r["batch"])
        for f, v in r["labels"].items():
            assert v == pytest.approx(math.log10(truth[f]))
        assert r["pool_mae"] > 0
    assert rounds[-1]["best_found"] >= rounds[0]["best_found"]
    queried = [f for r in rounds for f in r["batch"]]
    assert len(set(queried)) == len(queried) == 16  # nothing bought twice

    # stop after 2 rounds, then resume to 4: identical to the uninterrupted campaign
    ws = str(tmp_path / "b")
    assert _loop(*common, "--rounds", "2", "--workspace", ws)[0] == 0
    code, err = _loop(*common, "--rounds", "4", "--workspace", ws)
    assert code != 0 and "--resume" in err["error"]
    code, resumed = _loop(*common, "--rounds", "4", "--workspace", ws, "--resume")
    assert code == 0 and resumed["resumed_after"] == 2
    assert resumed["rounds"] == rounds
    code, err = _loop(*common[:-1], "ei", "--rounds", "4", "--workspace", ws, "--resume",
                      "--campaign", "al-retrospective-ucb-s0")
    assert code != 0 and "another configuration" in err["error"]


def test_file_oracle_reports_pending_measurements(tmp_path, labels_csv) -> None:
    cands = ["Li7La3Zr2O12", "Li10GeP2S12", "Li3InCl6", "LiCl"]
    train = pd.read_csv(labels_csv).head(40)
    train[~train["formula"].isin(cands)].to_csv(tmp_path / "train.csv", index=False)
    pd.DataFrame({"formula": cands}).to_csv(tmp_path / "cands.csv", index=False)
    (tmp_path / "measured.csv").write_text("formula,sigma_S_cm\nLi3InCl6,1.49e-3\n")
    code, out = _loop("--oracle", "file", "--train", str(tmp_path / "train.csv"),
                      "--candidates", str(tmp_path / "cands.csv"), "--labels",
                      str(tmp_path / "measured.csv"), "--batch", "4", "--rounds", "1",
                      "--trees", "30", "--workspace", str(tmp_path / "ws"))
    assert code == 0
    (r,) = out["rounds"]
    assert sorted(r["batch"]) == sorted(cands)
    assert r["labels"] == {"Li3InCl6": pytest.approx(math.log10(1.49e-3))}
    assert set(r["failed"]) == set(cands) - {"Li3InCl6"}
    assert all("pending" in why for why in r["failed"].values())


def test_bad_input_is_a_clear_error(tmp_path, labels_csv) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("formula,sigma_S_cm\nLiCl,1e-9\nLi3ClO,-2\n")
    code, out = _loop("--oracle", "retrospective", "--labels", str(bad))
    assert code != 0 and "bad.csv:3" in out["error"]
    code, out = _loop("--oracle", "md", "--train", str(labels_csv))
    assert code != 0 and "--candidates" in out["error"]
    code, out = _loop("--oracle", "psychic")
    assert code != 0 and "--oracle" in out["error"]
