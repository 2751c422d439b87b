"""Measured values as :class:`~superionic.records.Measurement` labels, and their CSV file.

Quantities (unit in the name): ``sigma_S_cm`` ionic conductivity (S/cm, at ``temperature_K``),
``Ea_eV`` activation energy (eV, form sigma = A/T exp(-Ea/kT); no temperature), ``sigma_e_S_cm``
electronic conductivity (S/cm). Each label's provenance is ``dataset="experiment"``, ``file`` the
measurement file and ``note`` the sample notes plus the 1-sigma error and how it was obtained.

Label CSV columns: ``formula, quantity, value, temperature_K, note, source`` (``source`` = the
measurement file). :func:`write_labels` appends (rows already present are not repeated) and
replaces the file atomically. :func:`write_oracle_csv` turns sigma labels into the
``formula,sigma_S_cm,log10_sigma_S_cm`` file read by the active loop's ``FileOracle``.
Labels are made only from results that parsed and fitted; nothing is written for a bad file.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from superionic.experiment.eis import EISResult
from superionic.experiment.polarization import PolarizationResult
from superionic.experiment.series import SeriesResult
from superionic.records import Measurement, Provenance, Rejection

QUANTITIES = {
    "sigma_S_cm": "ionic conductivity, S/cm",
    "Ea_eV": "activation energy, eV (sigma = A/T exp(-Ea/kT))",
    "sigma_e_S_cm": "electronic conductivity, S/cm",
}
LABEL_COLUMNS = ("formula", "quantity", "value", "temperature_K", "note", "source")
DATASET = "experiment"


def reduced_formula(formula: str) -> str:
    """pymatgen reduced formula; ValueError for anything unparsable or not made of elements."""
    from pymatgen.core import Composition, Element

    try:
        comp = Composition(formula)
    except Exception as exc:  # noqa: BLE001 - pymatgen raises several types on bad input
        raise ValueError(f"formula {formula!r} does not parse ({exc})") from None
    if comp.num_atoms <= 0:
        raise ValueError(f"formula {formula!r} has no atoms")
    unknown = [str(e) for e in comp.elements if not isinstance(e, Element)]
    if unknown:
        raise ValueError(f"formula {formula!r} has symbols that are not elements: {unknown}")
    return comp.reduced_formula


def make_measurement(formula: str, quantity: str, value: float,
                     temperature_K: float | None = None, note: str | None = None,
                     source: str | None = None) -> Measurement:
    """A validated experimental label (positive finite value, known quantity, parsable formula)."""
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity {quantity!r} is not one of {', '.join(QUANTITIES)}")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{quantity} must be a number, got {value!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{quantity} must be a positive number, got {value!r}")
    if temperature_K is not None and not (math.isfinite(temperature_K) and temperature_K > 0):
        raise ValueError(f"temperature must be positive (K), got {temperature_K!r}")
    if quantity != "Ea_eV" and temperature_K is None:
        raise ValueError(f"a {quantity} label needs its temperature (K)")
    prov = Provenance(dataset=DATASET, file=source or None, note=note or None)
    return Measurement(formula=formula.strip(), reduced_formula=reduced_formula(formula),
                       quantity=quantity, value=value,
                       temperature_K=None if temperature_K is None else float(temperature_K),
                       provenance=prov)


def _join(*parts: str | None) -> str:
    return "; ".join(p for p in parts if p)


def eis_labels(result: EISResult, formula: str, note: str | None = None,
               component: str = "bulk") -> list[Measurement]:
    """The sigma_S_cm label of one fitted spectrum (needs ``result.temperature_K``)."""
    if result.temperature_K is None:
        raise ValueError("the spectrum's temperature (K) is needed to make a label")
    sigma, err = result.sigma_total if component == "total" else result.sigma
    how = (f"EIS {component} {result.fit.circuit}; err {err:.3g} S/cm (1 sigma); pellet "
           f"{result.pellet.thickness_mm:g} mm x {result.pellet.area_cm2:g} cm2")
    return [make_measurement(formula, "sigma_S_cm", sigma, result.temperature_K,
                             _join(note, how), result.spectrum.source)]


def series_labels(series: SeriesResult, formula: str, note: str | None = None,
                  source: str | None = None) -> list[Measurement]:
    """sigma_S_cm at each measured temperature and the Ea_eV of the Arrhenius fit."""
    out = []
    for r in series.points:
        out.extend(eis_labels(r, formula, note, series.component))
    fit = series.fit
    how = (f"Arrhenius sigmaT fit of {fit.n_points} spectra, {fit.T_K.min():.1f}-"
           f"{fit.T_K.max():.1f} K; err {fit.Ea_err_eV:.3g} eV (1 sigma)")
    out.append(make_measurement(formula, "Ea_eV", fit.Ea_eV, None, _join(note, how), source))
    return out


def polarization_labels(result: PolarizationResult, formula: str, temperature_K: float,
                        note: str | None = None, allow_transient: bool = False
                        ) -> list[Measurement]:
    """The sigma_e_S_cm label of a DC polarisation run; refuses a run that had not reached
    steady state unless ``allow_transient`` (then the value is an upper bound, said in the note)."""
    ss = result.steady_state
    if not ss.steady and not allow_transient:
        raise ValueError(f"{result.source}: current still drifting ({100 * ss.drift_fraction:.1f}% "
                         "across the final window); no steady state, no label")
    how = (f"DC polarisation {result.voltage_V:g} V; err {result.sigma_e_err_S_cm:.3g} S/cm "
           f"(1 sigma)" + ("" if ss.steady else "; NOT steady: upper bound"))
    return [make_measurement(formula, "sigma_e_S_cm", result.sigma_e_S_cm, temperature_K,
                             _join(note, how), result.source)]


def _row(m: Measurement) -> dict[str, str]:
    prov = m.provenance or Provenance(DATASET)
    return {"formula": m.formula, "quantity": m.quantity, "value": repr(m.value),
            "temperature_K": "" if m.temperature_K is None else repr(m.temperature_K),
            "note": prov.note or "", "source": prov.file or ""}


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """(every column of the file, every row with every column): a user's own columns (an
    ``operator``, a ``sample_id``) are kept when labels are appended."""
    from superionic.errors import BadFile

    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            fields = list(reader.fieldnames or [])
            missing = [c for c in LABEL_COLUMNS if c not in fields]
            if missing:
                raise BadFile(f"{path}: not a label file, missing columns {missing}",
                              file=str(path), option="label_out")
            rows = []
            for row in reader:
                if None in row:  # more cells than header columns: keep them, do not guess
                    raise BadFile(f"{path}: line {reader.line_num} has more cells than the "
                                  "header; fix the file before appending labels",
                                  file=str(path), row=reader.line_num, option="label_out")
                rows.append({c: (row.get(c) or "") for c in fields})
            return fields, rows
    except UnicodeDecodeError:
        raise BadFile(f"{path}: not a text (UTF-8) CSV label file", file=str(path),
                      option="label_out") from None
    except csv.Error as exc:
        raise BadFile(f"{path}: not a CSV label file ({exc})", file=str(path),
                      option="label_out") from None


def _atomic_write(path: Path, rows: Sequence[dict[str, str]],
                  fields: Sequence[str] = LABEL_COLUMNS) -> None:
    import io

    from superionic.fileio import atomic_write_text

    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=list(fields))
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(path, buf.getvalue())


def write_labels(measurements: Iterable[Measurement], path: str | Path,
                 append: bool = True) -> int:
    """Write labels to ``path`` (appending to an existing label file unless ``append=False``);
    returns how many new rows were added.

    Appending keeps every row and every column the file had (columns of its own are left empty
    in the new rows); the file is replaced atomically, so a failure leaves it as it was. A file
    that is not a label file (:class:`~superionic.errors.BadFile`) is never rewritten.
    """
    p = Path(path)
    if p.is_dir():
        from superionic.errors import BadPath

        raise BadPath(f"{p} is a folder, not a label file", file=str(p), option="label_out")
    fields, old = _read_rows(p) if append and p.exists() else (list(LABEL_COLUMNS), [])
    seen = {tuple(r.get(c, "") for c in LABEL_COLUMNS) for r in old}
    new = []
    for m in measurements:
        row = _row(m)
        key = tuple(row[c] for c in LABEL_COLUMNS)
        if key not in seen:
            seen.add(key)
            new.append({c: row.get(c, "") for c in fields})
    if new or not p.exists():
        _atomic_write(p, old + new, fields)
    return len(new)


def read_labels(path: str | Path) -> tuple[list[Measurement], list[Rejection]]:
    """Labels from a CSV; a bad row becomes a :class:`Rejection` (file, line, reason)."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: label file not found")
    out: list[Measurement] = []
    bad: list[Rejection] = []
    for line_no, row in enumerate(_read_rows(p)[1], start=2):
        try:
            t = float(row["temperature_K"]) if row["temperature_K"].strip() else None
            out.append(make_measurement(row["formula"], row["quantity"].strip(),
                                        float(row["value"]), t, row["note"] or None,
                                        row["source"] or None))
        except ValueError as exc:
            bad.append(Rejection(str(p), line_no, str(exc)))
    return out, bad


def oracle_labels(measurements: Iterable[Measurement], temperature_K: float = 298.15,
                  tolerance_K: float = 10.0) -> dict[str, float]:
    """formula -> sigma_S_cm measured closest to ``temperature_K`` (within ``tolerance_K``)."""
    best: dict[str, tuple[float, float]] = {}
    for m in measurements:
        if m.quantity != "sigma_S_cm" or m.temperature_K is None:
            continue
        gap = abs(m.temperature_K - temperature_K)
        if gap <= tolerance_K and (m.formula not in best or gap < best[m.formula][0]):
            best[m.formula] = (gap, m.value)
    return {f: v for f, (_, v) in best.items()}


def write_oracle_csv(measurements: Iterable[Measurement], path: str | Path,
                     temperature_K: float = 298.15, tolerance_K: float = 10.0) -> int:
    """Write ``formula,sigma_S_cm,log10_sigma_S_cm`` for the active loop's ``FileOracle``;
    returns the number of formulas written."""
    labels = oracle_labels(measurements, temperature_K, tolerance_K)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["formula", "sigma_S_cm", "log10_sigma_S_cm"])
        for formula, sigma in sorted(labels.items()):
            w.writerow([formula, repr(sigma), repr(math.log10(sigma))])
    return len(labels)
