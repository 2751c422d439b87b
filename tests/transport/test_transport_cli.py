"""``superionic analyze`` and ``superionic arrhenius``: one JSON object, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from superionic.cli import app
from superionic.transport import analyze_trajectory, read_trajectory
from superionic.transport.arrhenius import KB_EV_K

runner = CliRunner()


def test_analyze_json_matches_library(li3clo_path: Path, tmp_path: Path) -> None:
    plot = tmp_path / "msd.png"
    res = runner.invoke(app, ["analyze", str(li3clo_path), "--ion", "Li", "--temperature", "1500",
                              "--timestep-fs", "20", "--plot", str(plot), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    ref = analyze_trajectory(read_trajectory(li3clo_path, "Li", 0.02, 1500.0))
    # 3 ps, 23 Li, D = 1.1e-6 +/- 0.9e-6 cm^2/s: under one estimated hop, not significant, so
    # the command prints the bound D + 2 err, never the number itself
    assert ref.tracer.D_cm2_s < 2 * ref.tracer.D_err_cm2_s
    assert out["status"] == "bound" and out["D_cm2_s"] is None and out["sigma_S_cm"] is None
    assert out["D_upper_cm2_s"] == pytest.approx(
        ref.tracer.D_cm2_s + 2 * ref.tracer.D_err_cm2_s, rel=1e-12)
    assert out["D_err"] == pytest.approx(ref.tracer.D_err_cm2_s, rel=1e-12)
    assert out["n_ions"] == 23 and out["n_frames"] == ref.n_frames
    for key in ("sigma_upper_S_cm", "haven_ratio", "fit_start_ps", "fit_end_ps"):
        assert key in out
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_analyze_window_and_bad_inputs(li3clo_path: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["analyze", str(li3clo_path), "--temperature", "1500",
                              "--start-ps", "0.5", "--end-ps", "2.0", "--json"])
    out = json.loads(res.stdout)
    assert (out["fit_start_ps"], out["fit_end_ps"]) == pytest.approx((0.5, 2.0))
    bad = runner.invoke(app, ["analyze", str(tmp_path / "nope.extxyz"), "--json"])
    assert bad.exit_code != 0 and "not found" in json.loads(bad.stdout)["error"]
    no_t = runner.invoke(app, ["analyze", str(li3clo_path), "--json"])
    assert no_t.exit_code != 0 and "temperature" in json.loads(no_t.stdout)["error"]
    na = runner.invoke(app, ["analyze", str(li3clo_path), "--ion", "Na", "--temperature",
                             "1500", "--json"])
    assert na.exit_code != 0 and "'Na' not found" in json.loads(na.stdout)["error"]


def test_arrhenius_csv_sigmaT_and_skipped_row(tmp_path: Path) -> None:
    T = np.array([600.0, 800.0, 1000.0, 1200.0, 1500.0])
    sigma = 3e3 / T * np.exp(-0.3 / (KB_EV_K * T))
    lines = ["T_K,sigma_S_cm"] + [f"{t},{s}" for t, s in zip(T, sigma, strict=True)]
    lines.insert(3, "900,not-a-number")
    csv_path = tmp_path / "sigma.csv"
    csv_path.write_text("\n".join(lines) + "\n")
    res = runner.invoke(app, ["arrhenius", str(csv_path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["form"] == "sigmaT" and out["n_points"] == 5
    assert out["Ea_eV"] == pytest.approx(0.3, abs=1e-9)
    true300 = 3e3 / 300 * np.exp(-0.3 / (KB_EV_K * 300))
    assert out["sigma300_S_cm"] == pytest.approx(true300, rel=1e-6)
    assert out["sigma300_low"] <= out["sigma300_S_cm"] <= out["sigma300_high"]
    assert out["skipped"][0]["line"] == 4


def test_arrhenius_csv_errors_name_the_problem(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("T,sigma\n600,1e-3\n")
    res = runner.invoke(app, ["arrhenius", str(p), "--json"])
    assert res.exit_code != 0 and "no T_K column" in json.loads(res.stdout)["error"]
    p.write_text("T_K,D_cm2_s\n600,1e-6\n")
    res = runner.invoke(app, ["arrhenius", str(p), "--json"])
    assert res.exit_code != 0 and "at least 2" in json.loads(res.stdout)["error"]


def test_analyze_reports_a_vibrating_crystal_as_a_bound_never_a_negative_D(tmp_path: Path) -> None:
    """Ions that only vibrate about their sites (D = 0): ``analyze`` prints no D, no sigma and no
    Haven ratio as numbers, only positive upper bounds (and the text line says so)."""
    from ase import Atoms
    from ase.io import write

    rng = np.random.default_rng(3)
    sites = rng.uniform(0, 12.0, (24, 3))
    frames = []
    for _ in range(300):
        pos = sites + rng.normal(0, 0.1, sites.shape)
        frames.append(Atoms(["Li"] * 16 + ["O"] * 8, positions=pos, cell=[12.0] * 3, pbc=True))
    path = tmp_path / "vib.extxyz"
    write(path, frames, format="extxyz")
    res = runner.invoke(app, ["analyze", str(path), "--temperature", "600", "--timestep-fs",
                              "50", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["status"] == "bound" and out["D_cm2_s"] is None and out["sigma_S_cm"] is None
    assert out["D_upper_cm2_s"] > 0 and out["sigma_upper_S_cm"] > 0
    assert out["haven_ratio"] is None
    assert all(d is None or d > 0 for d in out["D_xyz_cm2_s"])
    assert out["D_sigma_cm2_s"] is None or out["D_sigma_cm2_s"] > 0
    text = runner.invoke(app, ["analyze", str(path), "--temperature", "600", "--timestep-fs",
                               "50"])
    assert text.exit_code == 0 and "no significant diffusion" in text.output


def test_analyze_prints_a_significant_D_as_the_library_computes_it(tmp_path: Path) -> None:
    """Known-D random walkers (D = 1.5 A^2/ps = 1.5e-4 cm^2/s, 4 ps: the MSD gains ~22 A^2 across
    the fit window): the command prints the library's D and sigma as numbers, with status
    significant, and D within 15 % of the truth."""
    from ase import Atoms
    from ase.io import write
    from tests.transport.conftest import random_walk

    pos, cell, species = random_walk(60, 400, 1.5, 0.01, 15.0, seed=5, n_framework=20)
    path = tmp_path / "walk.extxyz"
    write(path, [Atoms(species, positions=p, cell=cell, pbc=True) for p in pos], format="extxyz")
    res = runner.invoke(app, ["analyze", str(path), "--temperature", "800", "--timestep-fs",
                              "10", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    ref = analyze_trajectory(read_trajectory(path, "Li", 0.01, 800.0))
    assert out["status"] == "significant"
    assert out["D_cm2_s"] == pytest.approx(ref.tracer.D_cm2_s, rel=1e-12)
    assert out["sigma_S_cm"] == pytest.approx(ref.sigma.sigma_S_cm, rel=1e-12)
    assert out["D_cm2_s"] == pytest.approx(1.5e-4, rel=0.15)
    assert out["diffusive"] and out["msd_gain_A2"] > 12.5
