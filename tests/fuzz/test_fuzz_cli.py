"""Bad input through every command family ends with exit 1 or 2 (0 with an "implausible"
warning), exactly one JSON object, no traceback, and no user file changed (issue 19)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from pymatgen.core import Lattice, Structure
from pymatgen.entries.computed_entries import ComputedEntry

from superionic.cli._common import run_main

from .corpus import (
    BAD_CIFS,
    BAD_CSVS,
    BAD_SPECTRA,
    BAD_TRAJECTORIES,
    BAD_URLS,
    pellet_spectrum,
    run_cli,
    snapshot,
)

GEOM = ["--thickness-mm", "1.0", "--area-cm2", "0.785"]


def _rocksalt(a: float = 5.14, cation: str = "Li") -> Structure:
    return Structure.from_spacegroup("Fm-3m", Lattice.cubic(a), [cation, "Cl"],
                                     [[0, 0, 0], [0.5, 0.5, 0.5]])


# ---------------------------------------------------------------- formulas / featurize (CSVs) --


def test_failed_featurize_keeps_existing_output(tmp_path: Path, capsys) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("formula\nLiO0\nLi1e400O\nXx\n")
    out = tmp_path / "features.parquet"
    out.write_bytes(b"the user's earlier table")
    before = snapshot(tmp_path)
    code, doc, _ = run_cli(["featurize", csv, "-o", out], capsys)
    assert code == 1 and doc["kind"] == "no result" and "not written" in doc["error"]
    assert snapshot(tmp_path) == before
    code, doc, _ = run_cli(["featurize", csv, "-o", out, "--json"], capsys)
    assert code == 1 and doc["n_rows"] == 0 and len(doc["rejected"]) == 3
    assert doc["output"] is None and snapshot(tmp_path) == before


def test_featurize_batch_keeps_good_rows(tmp_path: Path, capsys) -> None:
    csv = tmp_path / "mixed.csv"
    csv.write_text("formula\nLiCl\nLi1e400O\nLi3PS4\n")
    code, doc, _ = run_cli(["featurize", csv, "-o", tmp_path / "f.parquet", "--no-guessed",
                            "--json"], capsys)
    assert code == 0 and doc["n_rows"] == 2
    assert [r["row"] for r in doc["rejected"]] == [2] and "not finite" in doc["rejected"][0][
        "reason"]


@pytest.mark.parametrize("name", list(BAD_CSVS))
def test_bad_csv(name: str, tmp_path: Path, capsys) -> None:
    csv = tmp_path / name
    csv.write_bytes(BAD_CSVS[name])
    code, doc, _ = run_cli(["featurize", csv, "-o", tmp_path / "o.parquet"], capsys)
    assert code in (1, 2) and doc["error"]
    assert not (tmp_path / "o.parquet").exists()


def test_bad_cifs_rejected_per_row(tmp_path: Path, capsys) -> None:
    rows = ["formula,cif"] + [f'LiCl,"{text}"' for text in BAD_CIFS.values()]
    good = tmp_path / "LiCl.cif"
    _rocksalt().to(filename=str(good))
    rows.append(f"LiCl,{good.name}")
    csv = tmp_path / "cifs.csv"
    csv.write_text("\n".join(rows) + "\n")
    code, doc, _ = run_cli(["featurize", csv, "-o", tmp_path / "o.parquet", "--cif-column", "cif",
                            "--no-guessed", "--json"], capsys)
    assert code == 0 and doc["n_rows"] == 1
    assert sorted(r["row"] for r in doc["rejected"]) == [1, 2, 3]


@pytest.mark.parametrize("output", ["dir", "file_parent"])
def test_featurize_output_path_checked_first(output: str, tmp_path: Path, capsys) -> None:
    csv = tmp_path / "ok.csv"
    csv.write_text("formula\nLiCl\n")
    (tmp_path / "afile").write_text("x")
    target = tmp_path if output == "dir" else tmp_path / "afile" / "o.parquet"
    code, doc, _ = run_cli(["featurize", csv, "-o", target], capsys)
    assert code == 2 and doc["kind"] == "bad path" and doc["option"] == "--output"


# ------------------------------------------------------------------------------ entries / window --


def _entries_file(path: Path, energy_LiCl: float) -> Path:
    from monty.json import MontyEncoder

    entries = [ComputedEntry("Li", -1.9), ComputedEntry("Cl2", -3.6),
               ComputedEntry("LiCl", energy_LiCl)]
    path.write_text(json.dumps(entries, cls=MontyEncoder))
    return path


def test_window_overflowing_formula_and_all_failed_batch(tmp_path: Path, capsys) -> None:
    entries = _entries_file(tmp_path / "e.json", -7.0)
    code, doc, _ = run_cli(["window", "LiCl", "Li1e400O", "--entries", entries, "--json"], capsys)
    assert code == 0 and [r["formula"] for r in doc["results"]] == ["LiCl"]
    assert doc["results"][0]["width_V"] > 0 and "not finite" in doc["errors"][0]["error"]
    code, doc, _ = run_cli(["window", "Li1e400O", "XO", "--entries", entries, "--json"], capsys)
    assert code == 1 and doc["results"] == [] and len(doc["errors"]) == 2


@pytest.mark.parametrize("energy", [math.nan, math.inf])
def test_window_non_finite_entry_energy(energy: float, tmp_path: Path, capsys) -> None:
    entries = _entries_file(tmp_path / "e.json", energy)
    code, doc, _ = run_cli(["window", "LiCl", "--entries", entries, "--json"], capsys)
    assert code == 2 and "finite energy" in doc["error"] and "LiCl" in doc["error"]


@pytest.mark.parametrize("content", [b"", b"{not json", b"[1, 2]", bytes(range(256))])
def test_window_bad_entries_file(content: bytes, tmp_path: Path, capsys) -> None:
    (tmp_path / "e.json").write_bytes(content)
    code, doc, _ = run_cli(["window", "LiCl", "--entries", tmp_path / "e.json", "--json"], capsys)
    assert code == 2 and doc["error"]


# ------------------------------------------------------------------------------------- spectra --


def test_eis_implausible_conductivity_warned_and_not_stored(tmp_path: Path, capsys) -> None:
    spec = pellet_spectrum(tmp_path / "s.csv")
    labels = tmp_path / "labels.csv"
    labels.write_text("formula,quantity,value,temperature_K,note,source,operator\n"
                      "LiCl,sigma_S_cm,1e-05,300.0,,,ada\n")
    before = snapshot(tmp_path)
    geom = ["--thickness-mm", "1000", "--area-cm2", "1e-6"]
    code, doc, err = run_cli(["eis", spec, *geom, "--json"], capsys)
    assert code == 0 and doc["sigma_S_cm"] > 10 and "implausible" in doc["warnings"][0]
    code, doc, _ = run_cli(["eis", spec, *geom, "--temperature-K", "300", "--formula", "Li3PS4",
                            "--label-out", labels, "--json"], capsys)
    assert code == 2 and doc["kind"] == "implausible" and snapshot(tmp_path) == before
    code, doc, _ = run_cli(["eis", spec, *geom, "--temperature-K", "300", "--formula", "Li3PS4",
                            "--label-out", labels, "--force", "--json"], capsys)
    assert code == 0 and doc["labels_written"] == 1


def test_label_out_keeps_user_columns_and_rows(tmp_path: Path, capsys) -> None:
    spec = pellet_spectrum(tmp_path / "s.csv")
    labels = tmp_path / "labels.csv"
    labels.write_text("formula,quantity,value,temperature_K,note,source,operator,sample_id\n"
                      "LiCl,sigma_S_cm,1e-05,300.0,old,x.csv,ada,S-17\n")
    code, doc, _ = run_cli(["eis", spec, *GEOM, "--temperature-K", "300", "--formula", "Li3PS4",
                            "--label-out", labels, "--json"], capsys)
    assert code == 0 and doc["labels_written"] == 1
    lines = labels.read_text().splitlines()
    assert lines[0] == "formula,quantity,value,temperature_K,note,source,operator,sample_id"
    assert lines[1] == "LiCl,sigma_S_cm,1e-05,300.0,old,x.csv,ada,S-17"
    assert lines[2].startswith("Li3PS4,sigma_S_cm,") and lines[2].endswith(",,")


@pytest.mark.parametrize("content", [b"a,b\n1,2\n", bytes(range(256)) * 2])
def test_label_out_that_is_not_a_label_file(content: bytes, tmp_path: Path, capsys) -> None:
    spec = pellet_spectrum(tmp_path / "s.csv")
    (tmp_path / "labels.csv").write_bytes(content)
    before = snapshot(tmp_path)
    code, doc, _ = run_cli(["eis", spec, *GEOM, "--temperature-K", "300", "--formula", "LiCl",
                            "--label-out", tmp_path / "labels.csv"], capsys)
    assert code == 2 and doc["kind"] == "bad file" and snapshot(tmp_path) == before


@pytest.mark.parametrize("name", list(BAD_SPECTRA))
def test_bad_spectrum(name: str, tmp_path: Path, capsys) -> None:
    (tmp_path / name).write_bytes(BAD_SPECTRA[name])
    code, doc, _ = run_cli(["eis", tmp_path / name, *GEOM], capsys)
    assert code == 2 and doc["error"]


def test_unknown_circuit_refused_up_front(tmp_path: Path, capsys) -> None:
    pellet_spectrum(tmp_path / "s_300K.csv")
    code, doc, _ = run_cli(["eis-series", tmp_path, *GEOM, "--circuit", "R0-p(R1"], capsys)
    assert code == 2 and "unknown circuit" in doc["error"] and doc["option"] == "circuit"


@pytest.mark.parametrize("argv, option", [
    (["polarization", "x.csv", "--voltage-V", "0.1", *GEOM, "--max-drift", "-1"], "--max-drift"),
    (["analyze", "x.extxyz", "--charge", "0"], "--charge"),
    (["arrhenius", "x.csv", "--at", "0"], "--at"),
    (["eis", "x.csv", "--thickness-mm", "abc", "--area-cm2", "1"], "--thickness-mm"),
    (["md", "run", "x.cif", "--temperatures", "-600,abc"], "--temperatures"),
])
def test_bad_option_named(argv: list[str], option: str, capsys) -> None:
    code, doc, _ = run_cli(argv, capsys)
    assert code == 2 and option in doc["error"]


# -------------------------------------------------------------------------------- trajectories --


@pytest.mark.parametrize("name", list(BAD_TRAJECTORIES))
def test_bad_trajectory(name: str, tmp_path: Path, capsys) -> None:
    (tmp_path / name).write_bytes(BAD_TRAJECTORIES[name])
    code, doc, _ = run_cli(["analyze", tmp_path / name, "--temperature", "1000",
                            "--timestep-fs", "10"], capsys)
    assert code == 2 and doc["error"]


# ---------------------------------------------------------------------------- structures (CIF) --


def test_defects_refuse_charged_overlapping_and_ion_free_parents(tmp_path: Path, capsys) -> None:
    charged = _rocksalt()
    charged.remove_sites([4])  # Li4Cl3
    charged.add_oxidation_state_by_element({"Li": 1, "Cl": -1})
    charged.to(filename=str(tmp_path / "Li4Cl3.cif"))
    overlap = _rocksalt()
    overlap.append("Li", [0.01, 0, 0])
    overlap.to(filename=str(tmp_path / "overlap.cif"))
    _rocksalt(5.64, "Na").to(filename=str(tmp_path / "NaCl.cif"))
    before = snapshot(tmp_path)
    cases = {"Li4Cl3.cif": "charged cell", "overlap.cif": "apart", "NaCl.cif": "contains no Li"}
    for name, reason in cases.items():
        code, doc, _ = run_cli(["defects", tmp_path / name, "--li-vacancy", "0.25", "--out",
                                tmp_path / "out"], capsys)
        assert code == 2 and reason in doc["error"], doc
    assert snapshot(tmp_path) == before


def test_structures_write_unknown_format(tmp_path: Path, capsys) -> None:
    code, doc, _ = run_cli(["structures", "write", "Li3ClO", "-o", tmp_path / "x.unknown"],
                           capsys)
    assert code == 2 and doc["option"] == "--output" and list(tmp_path.iterdir()) == []


def test_md_run_refuses_before_any_md(tmp_path: Path, capsys) -> None:
    _rocksalt(5.64, "Na").to(filename=str(tmp_path / "NaCl.cif"))
    _rocksalt().to(filename=str(tmp_path / "LiCl.cif"))
    code, doc, _ = run_cli(["md", "run", tmp_path / "NaCl.cif", "--out", tmp_path / "r"], capsys)
    assert code == 2 and "contains no Li" in doc["error"]
    code, doc, _ = run_cli(["md", "run", tmp_path / "LiCl.cif", "--time-ps", "0", "--out",
                            tmp_path / "r"], capsys)
    assert code == 2 and "--time-ps" in doc["error"]
    assert not (tmp_path / "r").exists()


# --------------------------------------------------------------------------------- URLs, paths --


@pytest.mark.parametrize("url", list(BAD_URLS))
def test_bad_database_url(url: str, tmp_path: Path, capsys) -> None:
    code, doc, _ = run_cli(["report", "--workspace", tmp_path, "--database-url", url], capsys)
    assert code == 2 and doc["kind"] == "bad url" and BAD_URLS[url] in doc["error"]


def test_database_url_that_is_not_a_database(tmp_path: Path, capsys) -> None:
    (tmp_path / "x.db").write_bytes(b"just text, not sqlite" * 100)
    before = snapshot(tmp_path)
    code, doc, _ = run_cli(["report", "--workspace", tmp_path, "--database-url",
                            f"sqlite:///{tmp_path / 'x.db'}"], capsys)
    assert code == 2 and "not an SQLite database" in doc["error"] and snapshot(tmp_path) == before


def test_workspace_that_is_a_file(tmp_path: Path, capsys) -> None:
    (tmp_path / "ws").write_text("a file")
    code, doc, _ = run_cli(["discover", "--workspace", tmp_path / "ws"], capsys)
    assert code == 2 and doc["kind"] == "bad path" and (tmp_path / "ws").read_text() == "a file"


# ---------------------------------------------------------------------- the edge: bugs vs users --


def test_internal_bug_keeps_its_traceback() -> None:
    app = typer.Typer()

    @app.command()
    def boom() -> None:
        raise RuntimeError("a bug")

    @app.command()
    def other() -> None:
        pass

    with pytest.raises(RuntimeError, match="a bug"):
        run_main(app, ["boom"])


def test_subprocess_exit_code_and_no_traceback(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "superionic", "featurize",
                          str(tmp_path / "missing.csv"), "-o", str(tmp_path / "o.parquet")],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert json.loads(res.stdout)["kind"] == "bad file"


def test_predict_refuses_bad_formulas_before_loading_a_model(tmp_path: Path, capsys) -> None:
    """``predict LiO0`` answered as if it were Li metal; now refused before any model work."""
    code, doc, _ = run_cli(["predict", "LiO0", "Li1e400O", "--model-dir", tmp_path], capsys)
    assert code == 2 and doc["kind"] == "bad formula" and "zero" in doc["error"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [["screen", "--out"], ["report", "--out"],
                                  ["data", "labels", "-o"], ["defects", "Li3ClO",
                                                             "--li-vacancy", "0.1", "--out"]])
def test_output_folder_that_is_a_file(argv: list[str], tmp_path: Path, capsys) -> None:
    """Checked before any work: the file is not touched and nothing is computed."""
    target = tmp_path / "taken"
    target.write_text("the user's file")
    if argv[:2] == ["data", "labels"]:
        target = tmp_path  # -o is a file name here: give it a folder
    code, doc, _ = run_cli([*argv, target, "--json"] if argv[0] != "report" else
                           [*argv, target, "--workspace", tmp_path / "ws"], capsys)
    assert code == 2 and doc["kind"] == "bad path"
    assert (tmp_path / "taken").read_text() == "the user's file"
