"""Measured values as Measurement labels: CSV round trip, dedup, bad rows, the file oracle."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from superionic.active.oracles import FileOracle
from superionic.experiment import (
    Pellet,
    analyze_spectrum,
    eis_labels,
    make_measurement,
    make_spectrum,
    read_labels,
    write_labels,
    write_oracle_csv,
)

from .conftest import BULK, BULK_PARAMS, FREQ_HZ, circuit_Z, noisy

PELLET = Pellet(thickness_mm=1.0, area_cm2=0.785)


def _result(temperature_K: float = 308.15):
    spec = make_spectrum(FREQ_HZ, noisy(circuit_Z(BULK, BULK_PARAMS), 0.01, 1), "li2vcl5.csv")
    return analyze_spectrum(spec, PELLET, "bulk", temperature_K)


def test_eis_label_carries_value_units_temperature_and_provenance() -> None:
    res = _result()
    (m,) = eis_labels(res, "Li2VCl5", note="cold-pressed, 370 MPa")
    assert m.quantity == "sigma_S_cm" and m.reduced_formula == "Li2VCl5"
    assert m.value == pytest.approx(PELLET.cell_constant_per_cm / res.R_bulk_ohm, rel=1e-12)
    assert m.temperature_K == 308.15
    assert m.provenance is not None and m.provenance.file == "li2vcl5.csv"
    assert m.provenance.dataset == "experiment" and "cold-pressed" in (m.provenance.note or "")


def test_csv_round_trip_append_and_dedup(tmp_path: Path) -> None:
    labels = eis_labels(_result(), "Li2VCl5") + [
        make_measurement("LiGaI4", "Ea_eV", 0.48, note="paper", source="series/"),
        make_measurement("Li2VCl5", "sigma_e_S_cm", 1.2e-8, 298.15, source="dc.csv")]
    path = tmp_path / "labels.csv"
    assert write_labels(labels, path) == 3
    assert write_labels(labels, path) == 0  # same rows again: nothing new
    back, bad = read_labels(path)
    assert not bad and back == labels
    assert path.read_text().splitlines()[0] == "formula,quantity,value,temperature_K,note,source"


def test_bad_rows_are_rejections_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("formula,quantity,value,temperature_K,note,source\n"
                    "Li3PS4,sigma_S_cm,1e-4,298,,\n"
                    "Li3PS4,sigma_S_cm,-1,298,,\n"
                    "Xx9Qq,Ea_eV,0.3,,,\n"
                    "Li3PS4,conductivity,1e-4,298,,\n")
    good, bad = read_labels(path)
    assert [m.value for m in good] == [1e-4]
    assert [b.row for b in bad] == [3, 4, 5]
    assert "positive" in bad[0].reason and "Xx9Qq" in bad[1].reason
    assert "quantity" in bad[2].reason
    with pytest.raises(ValueError, match="temperature"):
        make_measurement("Li3PS4", "sigma_S_cm", 1e-4)


def test_oracle_file_feeds_the_active_loop(tmp_path: Path) -> None:
    labels = [make_measurement("Li2VCl5", "sigma_S_cm", 9.79e-5, 308.15),
              make_measurement("Li2VCl5", "sigma_S_cm", 4.0e-5, 299.0),
              make_measurement("LiGaI4", "sigma_S_cm", 1.67e-5, 296.0),
              make_measurement("LiGaI4", "sigma_S_cm", 1.0e-3, 400.0),
              make_measurement("Li3InCl6", "Ea_eV", 0.35)]
    path = tmp_path / "oracle.csv"
    assert write_oracle_csv(labels, path, temperature_K=298.15, tolerance_K=15.0) == 2
    found, pending = FileOracle(path).label(["Li2VCl5", "LiGaI4", "Li3InCl6"])
    assert found["Li2VCl5"] == pytest.approx(math.log10(4.0e-5))  # the one nearest 298 K
    assert found["LiGaI4"] == pytest.approx(math.log10(1.67e-5))
    assert "Li3InCl6" in pending
