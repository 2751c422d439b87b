"""``superionic data list|show|labels|mp``: one JSON object on stdout with --json, errors with a
non-zero exit, counts equal to the loaders'."""

from __future__ import annotations

import json

import pandas as pd

from .servers import BAD_DATA

LIST_KEYS = {"name", "rows", "parsed", "rejected", "path", "present", "citation", "licence",
             "files", "checksums_ok", "notes", "units"}


def test_list_json_matches_loaders(cli, summaries, summary_cache, monkeypatch, data_dir):
    monkeypatch.setenv("XDG_CACHE_HOME", str(summary_cache))  # counts cached by `summaries`
    monkeypatch.setenv("SUPERIONIC_DATA", str(data_dir))
    result = cli("data", "list", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [s["name"] for s in doc["sets"]] == list(summaries)
    for s in doc["sets"]:
        assert LIST_KEYS <= set(s)
        ref = summaries[s["name"]]
        assert (s["rows"], s["parsed"], s["rejected"]) == (ref["rows"], ref["parsed"], ref["rejected"])
        assert s["present"] and s["checksums_ok"]
    human = cli("data", "list")
    assert human.exit_code == 0 and human.stdout == ""  # the table goes to stderr
    assert "obelix" in human.stderr and "599" in human.stderr


def test_list_reports_absent_sets(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    doc = json.loads(cli("data", "list", "--json", "--data-dir", BAD_DATA).stdout)
    by = {s["name"]: s for s in doc["sets"]}
    assert by["liverpool_ionics"]["present"] and by["liverpool_ionics"]["rows"] == 6
    assert by["liverpool_ionics"]["checksums_ok"] is False  # not the registry's file
    assert not by["kang2023_ic"]["present"] and by["kang2023_ic"]["rows"] == 0
    assert by["kang2023_ic"]["missing"] == ["Ionic_conductivity_training_dataset.csv"]


def test_show_rejected_json(cli):
    result = cli("data", "show", "liverpool_ionics", "--rejected", "--head", "2", "--json",
                 "--data-dir", BAD_DATA)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["rows"], doc["parsed"], doc["rejected"]) == (6, 3, 3)
    assert [h["reduced_formula"] for h in doc["head"]] == ["Li3PS4", "Li7P3S11"]
    assert doc["head"][0]["temperature_K"] == 298.15 and doc["head"][0]["prov_row"] == 1
    assert [(r["row"], r["file"].endswith("LiIonDatabase.csv")) for r in doc["rejections"]] == [
        (3, True), (4, True), (5, True)]


def test_show_unknown_set_fails_cleanly(cli):
    result = cli("data", "show", "nope", "--json")
    assert result.exit_code == 2
    assert "unknown data set 'nope'" in json.loads(result.stdout)["error"]


def test_labels_writes_the_table(cli, tmp_path, data_dir):
    out = tmp_path / "labels.csv"
    result = cli("data", "labels", "-o", out, "--json", "--data-dir", data_dir)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    table = pd.read_csv(out)
    assert doc["n_compositions"] == len(table) > 1000
    assert doc["n_censored"] == table["censor"].notna().sum() > 0
    assert doc["n_source_rows"] == table["n_sources"].sum() > doc["n_reports"]
    assert {"reduced_formula", "log10_sigma_S_cm", "censor", "n_sources", "sources", "Ea_eV",
            "family", "temperature_K"} <= set(table.columns)
    bad = cli("data", "labels", "--mobile-ion", "Xx", "--json")
    assert bad.exit_code == 2 and "mobile_ion" in json.loads(bad.stdout)["error"]


def test_mp_without_key_fails_cleanly(cli, monkeypatch, tmp_path):
    monkeypatch.delenv("MP_API_KEY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    result = cli("data", "mp", "--json")
    assert result.exit_code == 2 and "MP_API_KEY" in json.loads(result.stdout)["error"]
