"""Impedance spectra: read (CSV with unit-bearing headers, or an instrument export through the
``impedance`` package), validate, and turn into pellet conductivity.

CSV convention (see docs/experiment.md): a header row naming each column with its unit, e.g.
``freq_Hz,Z_real_ohm,Z_imag_ohm``; the imaginary part is negative for capacitive arcs (the
physics sign). Accepted aliases (case-insensitive names, unit after ``_``, ``/`` or in brackets,
SI prefixes such as ``kohm``, ``MHz``):

- frequency: ``freq``, ``frequency``, ``f`` in Hz
- real part: ``Z_real``, ``Zreal``, ``Z_re``, ``Zre``, ``Re(Z)``, ``Z'``, ``real`` in ohm
- imaginary part: ``Z_imag``, ``Zimag``, ``Z_im``, ``Zim``, ``Im(Z)``, ``Z''``, ``imag`` in ohm;
  with a leading ``-`` / ``minus_`` (``-Im(Z)/Ohm``, ``minus_Z_imag_ohm``) the column holds -Z''
- or modulus and phase: ``|Z|``, ``Zmod``, ``Z_mod``, ``mod(Z)`` in ohm with ``phase``,
  ``Zphz``, ``phi``, ``theta`` in deg or rad

Instrument files go through :func:`impedance.preprocessing.readFile`; the format comes from
``instrument=`` or the extension (``.z`` ZPlot, ``.dta`` Gamry, ``.mpt`` BioLogic, ``.par``
VersaStudio). A spectrum needs at least :data:`MIN_POINTS` points.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from superionic.experiment.circuits import (
    CircuitFit,
    ModelSelection,
    fit_circuit,
    resolve_circuit,
    select_circuit,
)
from superionic.experiment.columns import (
    check_samples,
    column_values,
    find_columns,
    header_error,
    read_table,
    require_file,
)
from superionic.experiment.errors import DataFileError
from superionic.experiment.pellet import Pellet, conductivity_S_cm

#: Fewest points accepted in a spectrum (fewer means a truncated sweep).
MIN_POINTS = 10

#: Formats read by impedance.preprocessing.readFile.
INSTRUMENTS = ("gamry", "autolab", "parstat", "zplot", "versastudio", "powersuite", "biologic",
               "chinstruments")
_EXTENSIONS = {".z": "zplot", ".dta": "gamry", ".mpt": "biologic", ".par": "versastudio"}

_F = frozenset
_FREQ = (_F({"freq", "frequency", "f"}), _F({"Hz"}))
_ZRE = (_F({"z_real", "zreal", "z_re", "zre", "re(z)", "rez", "re_z", "z'", "zprime", "real",
            "real(z)"}), _F({"ohm"}))
_ZIM = (_F({"z_imag", "zimag", "z_im", "zim", "im(z)", "imz", "im_z", "z''", 'z"', "imag",
            "imag(z)"}), _F({"ohm"}))
_ZMOD = (_F({"|z|", "zmod", "z_mod", "mod(z)", "abs(z)", "z_abs", "modulus"}), _F({"ohm"}))
_PHASE = (_F({"phase", "phase(z)", "phi", "zphz", "z_phase", "theta"}), _F({"deg", "rad"}))
_EXAMPLE = "freq_Hz,Z_real_ohm,Z_imag_ohm"


@dataclass(frozen=True, eq=False)
class Spectrum:
    """An impedance spectrum: frequencies (Hz) and complex impedance Z' + jZ'' (ohm), sorted by
    decreasing frequency; ``source`` is the file, ``instrument`` ``"csv"`` or the format read."""

    frequency_Hz: np.ndarray
    Z_ohm: np.ndarray
    source: str = ""
    instrument: str = "csv"

    @property
    def n_points(self) -> int:
        return int(self.frequency_Hz.size)


def make_spectrum(frequency_Hz: Any, Z_ohm: Any, source: str = "",
                  instrument: str = "csv") -> Spectrum:
    """Validate and sort (high to low frequency) a spectrum; raises :class:`DataFileError`."""
    f = np.asarray(frequency_Hz, dtype=float).ravel()
    z = np.asarray(Z_ohm, dtype=complex).ravel()
    where = source or "<spectrum>"
    check_samples(where, f, z, ("frequency", "impedance"), ("frequencies", "impedances"),
                  MIN_POINTS, "truncated sweep")
    if np.any(f <= 0):
        raise DataFileError(where, "frequencies must be positive (Hz)")
    if np.count_nonzero(z.imag < 0) < z.size / 2:
        raise DataFileError(where, "most imaginary parts are >= 0, but capacitive arcs have "
                            "Z'' < 0: if the column holds -Z'' name it e.g. minus_Z_imag_ohm "
                            "or -Im(Z)/Ohm")
    order = np.argsort(-f, kind="stable")
    return Spectrum(f[order], z[order], source, instrument)


def read_csv_spectrum(path: str | Path) -> Spectrum:
    """Read a CSV whose header names frequency and impedance columns with their units."""
    table = read_table(path)
    cols = find_columns(table.header, {"freq": _FREQ, "re": _ZRE, "im": _ZIM,
                                       "mod": _ZMOD, "phase": _PHASE})
    have_cart = {"freq", "re", "im"} <= cols.keys()
    have_polar = {"freq", "mod", "phase"} <= cols.keys()
    if not (have_cart or have_polar):
        raise header_error(table, "no recognisable unit-bearing columns for frequency and "
                           "impedance", f"{_EXAMPLE} (units in the names, see docs/experiment.md)")
    f = column_values(table, cols["freq"])
    if have_cart:
        z = column_values(table, cols["re"]) + 1j * column_values(table, cols["im"])
    else:
        phase = column_values(table, cols["phase"])
        if cols["phase"].unit == "deg":
            phase = np.deg2rad(phase)
        z = column_values(table, cols["mod"]) * np.exp(1j * phase)
    return make_spectrum(f, z, table.path, "csv")


def detect_instrument(path: str | Path) -> str | None:
    """Instrument format from the extension (``.z``, ``.dta``, ``.mpt``, ``.par``) or None."""
    return _EXTENSIONS.get(Path(path).suffix.lower())


def read_instrument_spectrum(path: str | Path, instrument: str) -> Spectrum:
    """Read an instrument export with :func:`impedance.preprocessing.readFile`."""
    from impedance.preprocessing import readFile

    if instrument not in INSTRUMENTS:
        raise DataFileError(Path(path), f"unknown instrument {instrument!r}; one of "
                            f"{', '.join(INSTRUMENTS)}")
    p = require_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f, z = readFile(str(p), instrument=instrument)
    except Exception as exc:  # noqa: BLE001 - the parsers raise anything on a malformed file
        raise DataFileError(p, f"not a readable {instrument} file ({type(exc).__name__}: {exc}); "
                            "truncated or a different format?") from None
    return make_spectrum(f, z, str(p), instrument)


def read_spectrum(path: str | Path, instrument: str | None = None) -> Spectrum:
    """Read a spectrum: ``instrument`` (one of :data:`INSTRUMENTS`), else by extension, else CSV
    with unit-bearing headers. Raises :class:`DataFileError` naming the file (and line)."""
    inst = instrument or detect_instrument(path)
    if inst is None or inst == "csv":
        return read_csv_spectrum(path)
    return read_instrument_spectrum(path, inst)


@dataclass(frozen=True, eq=False)
class EISResult:
    """A fitted spectrum and the conductivities of the pellet.

    ``sigma_S_cm`` is the bulk conductivity L / (R_bulk A); ``sigma_total_S_cm`` uses
    R_bulk + R_gb (equal to the bulk value for the one-arc circuit); errors are 1-sigma.
    """

    spectrum: Spectrum
    fit: CircuitFit
    pellet: Pellet
    temperature_K: float | None = None
    selection: ModelSelection | None = field(default=None)

    @property
    def R_bulk_ohm(self) -> float:
        return self.fit.R_bulk_ohm[0]

    @property
    def R_bulk_err_ohm(self) -> float:
        return self.fit.R_bulk_ohm[1]

    @property
    def sigma(self) -> tuple[float, float]:
        """Bulk conductivity and its 1-sigma error, S/cm."""
        r, e = self.fit.R_bulk_ohm
        return conductivity_S_cm(r, self.pellet, e)

    @property
    def sigma_total(self) -> tuple[float, float]:
        """Total (bulk + grain boundary) conductivity and its 1-sigma error, S/cm."""
        r, e = self.fit.R_total_ohm
        return conductivity_S_cm(r, self.pellet, e)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready dict: resistances (ohm), conductivities (S/cm), parameters, fit quality."""
        s, se = self.sigma
        st, ste = self.sigma_total
        gb = self.fit.R_gb_ohm
        out: dict[str, Any] = {
            "file": self.spectrum.source,
            "instrument": self.spectrum.instrument,
            "n_points": self.spectrum.n_points,
            "frequency_range_Hz": [float(self.spectrum.frequency_Hz.min()),
                                   float(self.spectrum.frequency_Hz.max())],
            "temperature_K": self.temperature_K,
            "thickness_mm": self.pellet.thickness_mm,
            "area_cm2": self.pellet.area_cm2,
            "R_bulk_ohm": self.R_bulk_ohm,
            "R_bulk_err_ohm": self.R_bulk_err_ohm,
            "R_gb_ohm": None if gb is None else gb[0],
            "R_gb_err_ohm": None if gb is None else gb[1],
            "R_total_ohm": self.fit.R_total_ohm[0],
            "R_total_err_ohm": self.fit.R_total_ohm[1],
            "sigma_S_cm": s,
            "sigma_err_S_cm": se,
            "sigma_total_S_cm": st,
            "sigma_total_err_S_cm": ste,
            "C_bulk_F": self.fit.capacitance_F(1),
            "C_gb_F": self.fit.capacitance_F(2) if gb is not None else None,
            **self.fit.summary(),
        }
        if self.selection is not None:
            out["model_selection"] = self.selection.summary()
        return out


def analyze_spectrum(spectrum: Spectrum, pellet: Pellet, circuit: str = "bulk",
                     temperature_K: float | None = None) -> EISResult:
    """Fit ``circuit`` (``"bulk"``, ``"bulk_gb"``, ``"auto"`` or one of their circuit strings) to
    ``spectrum`` and derive the pellet's conductivity. ``temperature_K`` is carried along."""
    if temperature_K is not None and not (math.isfinite(temperature_K) and temperature_K > 0):
        raise ValueError(f"temperature must be positive (K), got {temperature_K}")
    f, z = spectrum.frequency_Hz, spectrum.Z_ohm
    if circuit == "auto":
        fit, selection = select_circuit(f, z)
        return EISResult(spectrum, fit, pellet, temperature_K, selection)
    return EISResult(spectrum, fit_circuit(f, z, resolve_circuit(circuit)), pellet, temperature_K)


def analyze_file(path: str | Path, pellet: Pellet, circuit: str = "bulk",
                 temperature_K: float | None = None, instrument: str | None = None) -> EISResult:
    """:func:`read_spectrum` then :func:`analyze_spectrum`."""
    return analyze_spectrum(read_spectrum(path, instrument), pellet, circuit, temperature_K)
