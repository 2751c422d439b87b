"""``superionic eis``, ``eis-series``, ``polarization``: one JSON object, clear errors, no label
for a file that fails."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from superionic.cli import app

from .conftest import BULK, BULK_PARAMS, FREQ_HZ, circuit_Z, noisy, write_csv, write_series

runner = CliRunner()
GEOM = ["--thickness-mm", "1.0", "--area-cm2", "0.785"]


def test_eis_json_label_and_plot(tmp_path: Path) -> None:
    spec = write_csv(tmp_path / "li2vcl5_35C.csv", FREQ_HZ, noisy(circuit_Z(BULK, BULK_PARAMS)))
    labels, plot = tmp_path / "labels.csv", tmp_path / "nyquist.png"
    res = runner.invoke(app, ["eis", str(spec), *GEOM, "--temperature-K", "308.15",
                              "--formula", "Li2VCl5", "--label-out", str(labels),
                              "--plot", str(plot), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["R_bulk_ohm"] == pytest.approx(BULK_PARAMS[1], rel=0.02)
    assert out["sigma_S_cm"] == pytest.approx(0.1 / (out["R_bulk_ohm"] * 0.785), rel=1e-12)
    assert out["sigma_err_S_cm"] / out["sigma_S_cm"] == pytest.approx(
        out["R_bulk_err_ohm"] / out["R_bulk_ohm"], rel=1e-9)
    assert out["circuit"] == BULK and set(out["parameters"]) >= {"R0", "R1", "CPE1_0", "CPE2_1"}
    assert out["parameters"]["R1"]["error"] == out["R_bulk_err_ohm"]
    assert 0.005 < out["rms_relative_residual"] < 0.015
    assert out["labels_written"] == 1 and "Li2VCl5,sigma_S_cm" in labels.read_text()
    assert plot.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("kind", ["truncated", "unitless"])
def test_bad_file_fails_clearly_and_writes_no_label(tmp_path: Path, kind: str) -> None:
    spec = write_csv(tmp_path / f"{kind}.csv", FREQ_HZ, circuit_Z(BULK, BULK_PARAMS),
                     "freq,Zre,Zim" if kind == "unitless" else "freq_Hz,Z_real_ohm,Z_imag_ohm")
    if kind == "truncated":
        lines = spec.read_text().splitlines()
        spec.write_text("\n".join(lines[:-1] + [lines[-1][:8]]) + "\n")
    labels = tmp_path / "labels.csv"
    res = runner.invoke(app, ["eis", str(spec), *GEOM, "--temperature-K", "300",
                              "--formula", "Li3PS4", "--label-out", str(labels), "--json"])
    assert res.exit_code != 0
    err = json.loads(res.stdout)["error"]
    assert str(spec) in err
    assert (f"line {len(FREQ_HZ) + 1}" in err) if kind == "truncated" else ("unit" in err)
    assert not labels.exists()


def test_eis_series_json(tmp_path: Path) -> None:
    temps = [263.15, 283.15, 298.15, 313.15, 333.15]
    write_series(tmp_path / "s", temps, 0.39, 9.79e-5, 308.15, 0.1 / 0.785, seed=3)
    res = runner.invoke(app, ["eis-series", str(tmp_path / "s"), *GEOM, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["Ea_eV"] == pytest.approx(0.39, abs=0.01) and out["Ea_err"] == out["Ea_err_eV"]
    assert [p["temperature_K"] for p in out["points"]] == pytest.approx(temps)
    a = 9.79e-5 * 308.15 * np.exp(0.39 / (8.617333262e-5 * 308.15))
    assert out["sigma300_S_cm"] == pytest.approx(a / 300 * np.exp(-0.39 / (8.617333262e-5 * 300)),
                                                 rel=0.03)
    assert out["sigma300_low_S_cm"] < out["sigma300_S_cm"] < out["sigma300_high_S_cm"]


def test_polarization_json_and_transient_refusal(tmp_path: Path) -> None:
    t = np.arange(0.0, 6000.0, 10.0)
    i = 4e-8 + 2e-6 * np.exp(-t / 300.0)
    path = tmp_path / "dc.csv"
    path.write_text("time_s,current_A\n" + "\n".join(f"{a},{float(b)!r}" for a, b in zip(t, i,
                                                                                strict=True)))
    res = runner.invoke(app, ["polarization", str(path), "--voltage-V", "0.5", *GEOM, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["I_ss_A"] == pytest.approx(4e-8, rel=1e-3) and out["steady_state"] is True
    assert out["sigma_e_S_cm"] == pytest.approx(4e-8 * 0.1 / (0.5 * 0.785), rel=1e-3)
    short = tmp_path / "short.csv"
    short.write_text("\n".join(path.read_text().splitlines()[:60]) + "\n")  # 590 s of decay
    bad = runner.invoke(app, ["polarization", str(short), "--voltage-V", "0.5", *GEOM, "--json"])
    assert bad.exit_code != 0 and "no steady state" in json.loads(bad.stdout)["error"]
    ok = runner.invoke(app, ["polarization", str(short), "--voltage-V", "0.5", *GEOM,
                             "--allow-transient", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["steady_state"] is False
