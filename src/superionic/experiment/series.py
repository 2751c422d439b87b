"""A temperature series of impedance spectra -> sigma(T) -> Arrhenius fit, Ea and sigma at any T.

Where the temperatures come from (see docs/experiment.md):

1. A manifest ``manifest.csv`` in the directory with columns ``file`` and one of
   ``temperature_K`` / ``T_K`` / ``temperature_C`` / ``T_C`` (one row per spectrum; files not
   listed are ignored).
2. Otherwise the file names: the last number followed by ``K`` or ``C`` (optionally ``deg``/``°``
   before it) that starts the name or follows ``_``, ``-``, ``=``, ``T``, ``@`` or a space, e.g.
   ``LiGaI4_35C.csv``, ``pellet1_T308.15K.z``, ``run_-20C.csv`` (negative Celsius: a ``-`` right
   after ``_`` or at the start). Files whose names carry no temperature are reported and skipped.

The fit is the paper's form sigma = (A / T) exp(-Ea / k_B T), i.e. ln(sigma T) linear in 1/T
(``superionic.transport.arrhenius.fit_arrhenius(form="sigmaT")``), weighted by the EIS errors.
A spectrum that fails to read or fit is reported (a :class:`Rejection`) and skipped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from superionic.experiment.columns import read_table
from superionic.experiment.eis import INSTRUMENTS, EISResult, analyze_file
from superionic.experiment.errors import DataFileError
from superionic.experiment.pellet import Pellet
from superionic.records import Rejection
from superionic.transport.arrhenius import ArrheniusFit, fit_arrhenius

ZERO_CELSIUS_K = 273.15
MANIFEST = "manifest.csv"
#: File extensions taken as spectra when scanning a directory.
SPECTRUM_SUFFIXES = (".csv", ".txt", ".z", ".dta", ".mpt", ".par")
Component = Literal["bulk", "total"]

_T_IN_NAME = re.compile(
    r"(?:^|(?<=[_\-=T@\s]))(?P<sign>-?)(?P<num>\d+(?:\.\d+)?)\s?(?:deg|°)?(?P<unit>[KkCc])"
    r"(?![A-Za-z])")


def temperature_from_name(name: str) -> float | None:
    """Temperature (K) encoded in a file name (see the module docstring), or None."""
    stem = Path(name).stem
    matches = list(_T_IN_NAME.finditer(stem))
    if not matches:
        return None
    m = matches[-1]
    value = float(m.group("num"))
    start = m.start("sign")
    negative = bool(m.group("sign")) and (start == 0 or stem[start - 1] == "_")
    if negative:
        value = -value
    t_k = value + ZERO_CELSIUS_K if m.group("unit") in "Cc" else value
    return t_k if t_k > 0 else None


@dataclass(frozen=True)
class SeriesEntry:
    """One spectrum file of a series and its temperature (K)."""

    path: Path
    temperature_K: float


def _manifest_entries(directory: Path) -> tuple[list[SeriesEntry], list[Rejection]]:
    table = read_table(directory / MANIFEST)
    cols = {h.strip(): i for i, h in enumerate(table.header)}
    if "file" not in cols:
        raise DataFileError(table.path, f"manifest needs a 'file' column, has {table.header!r}",
                            row=table.header_line)
    tcol = next((c for c in ("temperature_K", "T_K", "temperature_C", "T_C") if c in cols), None)
    if tcol is None:
        raise DataFileError(table.path, "manifest needs a temperature_K, T_K, temperature_C or "
                            f"T_C column, has {table.header!r}", row=table.header_line)
    offset = ZERO_CELSIUS_K if tcol.endswith("_C") else 0.0
    entries, rejected = [], []
    for line_no, cells in table.rows:
        name = cells[cols["file"]]
        try:
            t_k = float(cells[cols[tcol]]) + offset
        except ValueError:
            rejected.append(Rejection(table.path, line_no, f"temperature {cells[cols[tcol]]!r} "
                                      "is not a number"))
            continue
        if not (math.isfinite(t_k) and t_k > 0):
            rejected.append(Rejection(table.path, line_no, f"temperature {t_k} K is not positive"))
            continue
        entries.append(SeriesEntry(directory / name, t_k))
    return entries, rejected


def series_entries(directory: str | Path) -> tuple[list[SeriesEntry], list[Rejection]]:
    """Spectra of a series directory with their temperatures (manifest, else file names),
    sorted by temperature; files without a temperature come back as rejections."""
    d = Path(directory)
    if not d.is_dir():
        raise DataFileError(d, "not a directory")
    if (d / MANIFEST).is_file():
        entries, rejected = _manifest_entries(d)
    else:
        entries, rejected = [], []
        for p in sorted(d.iterdir()):
            if not p.is_file() or p.suffix.lower() not in SPECTRUM_SUFFIXES:
                continue
            t_k = temperature_from_name(p.name)
            if t_k is None:
                rejected.append(Rejection(str(p), None, "no temperature in the file name (e.g. "
                                          "_25C or _298K) and no manifest.csv"))
                continue
            entries.append(SeriesEntry(p, t_k))
    return sorted(entries, key=lambda e: e.temperature_K), rejected


@dataclass(frozen=True, eq=False)
class SeriesResult:
    """Fitted spectra of a series, the ones rejected, and the Arrhenius fit of sigma(T).

    ``component`` says which conductivity was fitted: ``"bulk"`` (L / R_bulk A) or ``"total"``
    (L / (R_bulk + R_gb) A).
    """

    points: list[EISResult]
    rejected: list[Rejection]
    fit: ArrheniusFit
    component: str

    @property
    def temperature_K(self) -> np.ndarray:
        return self.fit.T_K

    @property
    def sigma_S_cm(self) -> np.ndarray:
        return self.fit.values

    def sigma_at(self, temperature_K: float | Sequence[float],
                 level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(sigma, low, high) in S/cm at any temperature(s) from the Arrhenius fit."""
        return self.fit.predict(temperature_K, level)

    def summary(self, at_K: float = 300.0, level: float = 0.95) -> dict[str, Any]:
        s, lo, hi = (float(v) for v in self.sigma_at(at_K, level))
        key = f"{at_K:g}".replace(".", "p")
        return {
            "component": self.component,
            "points": [{"file": r.spectrum.source, "temperature_K": r.temperature_K,
                        "sigma_S_cm": _sigma(r, self.component)[0],
                        "sigma_err_S_cm": _sigma(r, self.component)[1],
                        "R_bulk_ohm": r.R_bulk_ohm, "R_bulk_err_ohm": r.R_bulk_err_ohm,
                        "circuit": r.fit.circuit,
                        "rms_relative_residual": r.fit.rms_relative_residual}
                       for r in self.points],
            "rejected": [{"file": j.file, "row": j.row, "reason": j.reason}
                         for j in self.rejected],
            "form": self.fit.form,
            "Ea_eV": self.fit.Ea_eV,
            "Ea_err_eV": self.fit.Ea_err_eV,
            "prefactor_S_K_cm": self.fit.prefactor,
            "prefactor_err_S_K_cm": self.fit.prefactor_err,
            "r_squared": self.fit.r_squared,
            f"sigma{key}_S_cm": s,
            f"sigma{key}_low_S_cm": lo,
            f"sigma{key}_high_S_cm": hi,
            "level": level,
        }


def _sigma(result: EISResult, component: str) -> tuple[float, float]:
    return result.sigma_total if component == "total" else result.sigma


def fit_series(results: Sequence[EISResult], component: Component = "bulk",
               rejected: Sequence[Rejection] = ()) -> SeriesResult:
    """Arrhenius fit (form sigmaT) of fitted spectra that carry their temperature."""
    if component not in ("bulk", "total"):
        raise ValueError(f"component must be 'bulk' or 'total', got {component!r}")
    pts = [r for r in results if r.temperature_K is not None]
    if len({r.temperature_K for r in pts}) < 2:
        raise ValueError(f"an Arrhenius fit needs spectra at >= 2 temperatures, got {len(pts)} "
                         "usable spectra")
    t = np.array([r.temperature_K for r in pts], dtype=float)
    vals = np.array([_sigma(r, component) for r in pts], dtype=float)
    sig, err = vals[:, 0], vals[:, 1]
    errors = err if np.all(np.isfinite(err) & (err > 0)) else None
    fit = fit_arrhenius(t, sig, errors=errors, form="sigmaT")
    return SeriesResult(list(pts), list(rejected), fit, component)


def analyze_series(entries: Iterable[SeriesEntry], pellet: Pellet, circuit: str = "bulk",
                   component: Component = "bulk", instrument: str | None = None,
                   rejected: Sequence[Rejection] = (),
                   progress: Callable[[Iterable[SeriesEntry]], Iterable[SeriesEntry]] | None = None
                   ) -> SeriesResult:
    """Fit every spectrum of ``entries`` and the Arrhenius law through sigma(T).

    ``progress`` may wrap the iteration (e.g. ``tqdm``); a spectrum that fails is added to the
    rejections and skipped.
    """
    if instrument is not None and instrument not in INSTRUMENTS + ("csv",):
        raise ValueError(f"unknown instrument {instrument!r}")
    items = list(entries)
    results: list[EISResult] = []
    bad = list(rejected)
    for entry in (progress(items) if progress else items):
        try:
            results.append(analyze_file(entry.path, pellet, circuit, entry.temperature_K,
                                        instrument))
        except DataFileError as exc:
            bad.append(exc.rejection)
        except (ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
            bad.append(Rejection(str(entry.path), None, f"fit failed: {exc}"))
    return fit_series(results, component, bad)


def analyze_directory(directory: str | Path, pellet: Pellet, circuit: str = "bulk",
                      component: Component = "bulk", instrument: str | None = None,
                      progress: Callable[[Iterable[SeriesEntry]], Iterable[SeriesEntry]] | None
                      = None) -> SeriesResult:
    """:func:`series_entries` then :func:`analyze_series`."""
    entries, rejected = series_entries(directory)
    return analyze_series(entries, pellet, circuit, component, instrument, rejected, progress)
