"""Reading spectra: unit-bearing CSV headers, instrument exports, and clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from superionic.experiment import DataFileError, read_spectrum
from superionic.experiment.columns import parse_header

from .conftest import BULK, BULK_PARAMS, FIXTURES, FREQ_HZ, circuit_Z, write_csv

FIXTURE_PARAMS = [12.0, 8.5e3, 2.0e-10, 0.9, 2.0e-6, 0.8]  # as in fixtures/make_fixtures.py


@pytest.mark.parametrize(("header", "unit", "scale", "negated"), [
    ("freq_Hz", "Hz", 1.0, False), ("Frequency (Hz)", "Hz", 1.0, False),
    ("freq/MHz", "Hz", 1e6, False), ("freq_mHz", "Hz", 1e-3, False),
    ("Z_real_kohm", "ohm", 1e3, False), ("Re(Z)/Ohm", "ohm", 1.0, False),
    ("-Im(Z)/Ohm", "ohm", 1.0, True), ("-Z'' (Ω)", "ohm", 1.0, True),
    ("time_min", "s", 60.0, False), ("<I>/mA", "A", 1e-3, False),
])
def test_header_units(header: str, unit: str, scale: float, negated: bool) -> None:
    col = parse_header(header)
    assert col is not None
    assert (col.unit, col.negated) == (unit, negated)
    assert col.scale == pytest.approx(scale, rel=1e-15)


@pytest.mark.parametrize("header", ["freq", "Z_real", "Zre", "Z_imag", "frequency", "Im(Z)"])
def test_headers_without_units_are_not_guessed(header: str) -> None:
    assert parse_header(header) is None


def test_header_aliases_give_the_same_spectrum(tmp_path: Path) -> None:
    z = circuit_Z(BULK, BULK_PARAMS)
    f = FREQ_HZ
    ref = read_spectrum(write_csv(tmp_path / "a.csv", f, z))
    variants = {
        "b.csv": ("Frequency (Hz),Z' (Ohm),-Z'' (Ohm)", f, z.conjugate()),
        "c.csv": ("freq/kHz,Re(Z)/kOhm,Im(Z)/kOhm", f / 1e3, z / 1e3),
    }
    for name, (header, ff, zz) in variants.items():
        s = read_spectrum(write_csv(tmp_path / name, ff, zz, header))
        np.testing.assert_allclose(s.frequency_Hz, ref.frequency_Hz, rtol=1e-12)
        np.testing.assert_allclose(s.Z_ohm, ref.Z_ohm, rtol=1e-12)
    polar = tmp_path / "d.tsv"
    polar.write_text("freq_Hz\tZmod_ohm\tphase_deg\n" + "\n".join(
        f"{float(fi)!r}\t{float(abs(zi))!r}\t{float(np.degrees(np.angle(zi)))!r}"
        for fi, zi in zip(f, z, strict=True)))
    s = read_spectrum(polar, instrument="csv")
    np.testing.assert_allclose(s.Z_ohm, ref.Z_ohm, rtol=1e-9)
    assert np.all(np.diff(s.frequency_Hz) < 0)  # sorted high -> low frequency


def test_unitless_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    z = circuit_Z(BULK, BULK_PARAMS)
    path = write_csv(tmp_path / "nounits.csv", FREQ_HZ, z, "freq,Zre,Zim")
    with pytest.raises(DataFileError) as err:
        read_spectrum(path)
    assert str(path) in str(err.value) and "unit" in str(err.value)
    assert err.value.row == 1
    bare = tmp_path / "bare.csv"  # no header at all: the first data row is not a header
    bare.write_text("\n".join(f"{fi},{zi.real},{zi.imag}" for fi, zi in zip(FREQ_HZ, z,
                                                                            strict=True)))
    with pytest.raises(DataFileError, match="bare.csv.*unit-bearing"):
        read_spectrum(bare)


def test_truncated_and_ragged_files_name_file_and_line(tmp_path: Path) -> None:
    z = circuit_Z(BULK, BULK_PARAMS)
    path = write_csv(tmp_path / "cut.csv", FREQ_HZ, z)
    lines = path.read_text().splitlines()
    lines[-1] = lines[-1].split(",")[0]  # last row cut after the frequency
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFileError) as err:
        read_spectrum(path)
    assert err.value.row == len(lines) and f"line {len(lines)}" in str(err.value)
    assert str(path) in str(err.value)
    short = write_csv(tmp_path / "short.csv", FREQ_HZ[:6], z[:6])
    with pytest.raises(DataFileError, match="only 6 data points"):
        read_spectrum(short)
    bad = write_csv(tmp_path / "bad.csv", FREQ_HZ, z)
    text = bad.read_text().splitlines()
    text[5] = "1000.0,abc,-3.0"
    bad.write_text("\n".join(text) + "\n")
    with pytest.raises(DataFileError, match=r"line 6, column 'Z_real_ohm': 'abc'"):
        read_spectrum(bad)


def test_sign_convention_is_checked(tmp_path: Path) -> None:
    z = circuit_Z(BULK, BULK_PARAMS)
    flipped = write_csv(tmp_path / "flipped.csv", FREQ_HZ, z.conjugate())  # -Z'' under Z_imag
    with pytest.raises(DataFileError, match="minus_Z_imag_ohm"):
        read_spectrum(flipped)


@pytest.mark.parametrize("name", ["pellet_zplot.z", "pellet_gamry.DTA"])
def test_instrument_exports_read_through_impedance(name: str) -> None:
    s = read_spectrum(FIXTURES / name)
    assert s.instrument == {".z": "zplot", ".DTA": "gamry"}[Path(name).suffix]
    assert s.n_points == 57
    # the files hold the circuit's values to 7 significant digits
    np.testing.assert_allclose(s.Z_ohm, circuit_Z(BULK, FIXTURE_PARAMS, s.frequency_Hz),
                               rtol=2e-6)


def test_truncated_instrument_file_is_refused() -> None:
    path = FIXTURES / "pellet_zplot_truncated.z"
    with pytest.raises(DataFileError, match="pellet_zplot_truncated.z.*zplot"):
        read_spectrum(path)
