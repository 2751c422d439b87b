"""``superionic window`` CLI: one JSON object on stdout, clear errors, batch continues."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from superionic.cli import app

runner = CliRunner()


def _run(*args: str):  # noqa: ANN202
    return runner.invoke(app, ["window", *args])


def test_single_formula_json_has_the_window_keys(mp_source) -> None:
    res = _run("Li2CO3", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {"reduction_V", "oxidation_V", "width_V", "reduction_products", "oxidation_products",
            "source", "e_above_hull_eV_per_atom"} <= set(out)
    assert (out["reduction_V"], out["oxidation_V"]) == pytest.approx((1.27, 4.09), abs=0.01)
    assert out["reduction_products"] == ["C", "Li2O"]
    assert out["source"].startswith("MP computed entries (fixture)")


def test_approximate_flag_and_default_fallback_are_labelled() -> None:
    out = json.loads(_run("LiCl", "--approximate", "--json").stdout)
    assert out["source"] == "composition-table approximation"
    # F is not in the MP fixture and no MP_API_KEY: the approximation is the default
    out = json.loads(runner.invoke(app, ["window", "LiF", "--json"],
                                   env={"MP_API_KEY": ""}).stdout)
    assert out["source"] == "composition-table approximation" and out["oxidation_V"] > 5


def test_bad_formula_exits_nonzero_with_json_error() -> None:
    res = _run("Li(Cl", "--json")
    assert res.exit_code != 0
    assert "malformed formula" in json.loads(res.stdout)["error"]


def test_batch_keeps_going_and_lists_errors(tmp_path) -> None:
    res = _run("LiCl", "Xx2O", "Li2O", "--mobile-ion", "Li", "--json")
    assert res.exit_code == 0
    out = json.loads(res.stdout)
    assert [r["formula"] for r in out["results"]] == ["LiCl", "Li2O"]
    assert out["errors"][0]["formula"] == "Xx2O"


def test_entries_file_errors_name_the_file(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[{\"not\": \"an entry\"}]")
    res = _run("LiCl", "--entries", str(bad), "--json")
    assert res.exit_code != 0 and "bad.json" in json.loads(res.stdout)["error"]
