"""Temperature series: file-name / manifest temperatures, sigma(T), Arrhenius Ea within 0.01 eV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from superionic.experiment import Pellet, analyze_directory, series_entries, temperature_from_name

from .conftest import sigma_arrhenius, write_series

# LiGaI4 as measured in the paper: 1.67e-5 S/cm at 35 C, Ea = 0.48 eV (form sigmaT)
EA_EV, SIGMA_REF, T_REF = 0.48, 1.67e-5, 308.15
PELLET = Pellet(thickness_mm=1.0, area_cm2=0.785)
TEMPS_K = [253.15, 263.15, 273.15, 283.15, 293.15, 308.15, 318.15, 333.15]


@pytest.mark.parametrize(("name", "expected"), [
    ("LiGaI4_35C.csv", 308.15), ("pellet1_T308.15K.z", 308.15), ("run_-20C.csv", 253.15),
    ("sample-20C.csv", 293.15), ("Li2CO3_300K.csv", 300.0), ("Li2C_25C.csv", 298.15),
    ("-10C.mpt", 263.15), ("x_25degC_run2.csv", 298.15), ("nothing.csv", None),
    ("LiCl_1kHz.csv", None),
])
def test_temperature_from_name(name: str, expected: float | None) -> None:
    got = temperature_from_name(name)
    assert got == (None if expected is None else pytest.approx(expected, abs=1e-9))


def test_series_recovers_known_activation_energy(tmp_path: Path) -> None:
    truth = write_series(tmp_path / "s", TEMPS_K, EA_EV, SIGMA_REF, T_REF,
                         PELLET.cell_constant_per_cm)
    series = analyze_directory(tmp_path / "s", PELLET)
    assert not series.rejected and len(series.points) == len(TEMPS_K)
    assert series.fit.form == "sigmaT"
    assert series.fit.Ea_eV == pytest.approx(EA_EV, abs=0.01)
    assert abs(series.fit.Ea_eV - EA_EV) < 4 * series.fit.Ea_err_eV + 1e-3
    for r in series.points:  # every spectrum: R_bulk within 2% of the pellet's truth
        assert r.R_bulk_ohm == pytest.approx(truth[r.temperature_K], rel=0.02)
    s, lo, hi = (float(v) for v in series.sigma_at(T_REF))
    assert s == pytest.approx(SIGMA_REF, rel=0.02) and lo < s < hi
    s300 = series.summary(300.0)["sigma300_S_cm"]
    assert s300 == pytest.approx(float(sigma_arrhenius(300.0, EA_EV, SIGMA_REF, T_REF)), rel=0.03)


def test_manifest_and_bad_files_are_reported_not_fatal(tmp_path: Path) -> None:
    d = tmp_path / "m"
    write_series(d, TEMPS_K[:4], EA_EV, SIGMA_REF, T_REF, PELLET.cell_constant_per_cm, seed=7)
    files = sorted(d.glob("*.csv"))
    renamed = []
    for k, p in enumerate(files):  # names without temperatures; the manifest gives them in C
        new = p.with_name(f"spec{k}.csv")
        p.rename(new)
        renamed.append(new.name)
    (d / "broken.csv").write_text("freq_Hz,Z_real_ohm,Z_imag_ohm\n1e6,100\n")
    rows = ["file,temperature_C"] + [f"{n},{t - 273.15:.2f}" for n, t in
                                     zip(renamed, TEMPS_K[:4], strict=True)]
    rows.append("broken.csv,50")
    (d / "manifest.csv").write_text("\n".join(rows) + "\n")
    entries, rejected = series_entries(d)
    assert [e.temperature_K for e in entries] == pytest.approx(sorted(TEMPS_K[:4] + [323.15]))
    series = analyze_directory(d, PELLET)
    assert len(series.points) == 4
    assert [j.file for j in series.rejected] == [str(d / "broken.csv")]
    assert series.rejected[0].row == 2  # the line cut short
    assert series.fit.Ea_eV == pytest.approx(EA_EV, abs=0.02)
    assert np.all(np.diff(series.temperature_K) > 0)
