"""What every loader returns, and the small parsing helpers they share.

A loader reads one data set into typed records (:class:`~superionic.records.Material` or
:class:`~superionic.records.Measurement`) with provenance (set, file, 1-based data row, DOI,
upstream version). A row that does not parse becomes a :class:`~superionic.records.Rejection`
(file, row, reason) and the rest of the file still loads. Accounting: every data row is either
*parsed* (it gave at least one record) or *rejected* (exactly one rejection), so
``parsed + rejected == rows``; a bad field on a row that still gave records is a ``warning``.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from math import gcd, lcm
from pathlib import Path
from typing import Any

import pandas as pd
from pymatgen.core import Composition

from superionic.records import Censor, Material, Measurement, Rejection

#: Nominal room temperature (K) given to values a source reports only as "room temperature".
ROOM_TEMPERATURE_K = 298.15

#: Largest ionic conductivity (S/cm) accepted as a measurement; the best superionic conductors
#: reach ~1e-2 to 1e-1 S/cm, so a larger number is a transcription error (e.g. ``<1E10``).
MAX_SIGMA_S_CM = 10.0

#: Characters some sources use for a minus sign or an exponent (PDF extraction, Excel exports).
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\u00a0": ""})


@dataclass
class LoadResult:
    """Records parsed from a data set, the rows rejected, and the number of data rows read.

    ``rows`` counts data rows (header excluded) over every file the loader read; ``parsed`` the
    rows that gave at least one record; ``rejected`` one :class:`Rejection` per row that gave
    none; ``warnings`` bad fields on rows that were kept; ``extras`` loader-specific side tables
    (e.g. OBELiX's official split).
    """

    name: str
    records: list[Material | Measurement] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    rows: int = 0
    warnings: list[Rejection] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def parsed(self) -> int:
        """Data rows that gave at least one record."""
        rows = {(r.provenance.file, r.provenance.row) for r in self.records if r.provenance}
        return len(rows)

    def reject(self, path: Path | str, row: int | None, reason: str) -> None:
        """Record that data row ``row`` (1-based) of ``path`` gave no record, and why."""
        self.rejected.append(Rejection(str(path), row, reason))

    def frame(self) -> pd.DataFrame:
        """The records as a DataFrame (provenance flattened into ``prov_*`` columns)."""
        out = []
        for rec in self.records:
            d = rec.to_dict()
            prov = d.pop("provenance") or {}
            d.update({f"prov_{k}": v for k, v in prov.items()})
            out.append(d)
        return pd.DataFrame(out)

    def counts(self) -> dict[str, int]:
        """``rows``, ``parsed``, ``rejected``, ``records`` and ``warnings`` as plain ints."""
        return {"rows": self.rows, "parsed": self.parsed, "rejected": len(self.rejected),
                "records": len(self.records), "warnings": len(self.warnings)}


def open_text(path: Path) -> io.TextIOBase:
    """Open a CSV (optionally .gz) as text, dropping a UTF-8 byte-order mark."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str] | None, str | None]]:
    """Yield ``(row_number, row_dict, problem)`` for each data row (row 1 = first after header).

    A row with fewer fields than the header (a truncated line), with non-empty fields beyond the
    header (a stray delimiter) or with no content gives ``row_dict=None`` and the problem, so the
    caller records a rejection and goes on. Trailing empty fields are tolerated.
    """
    with open_text(path) as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            return
        width = len(header)
        for n, values in enumerate(reader, start=1):
            if not values or all(not v.strip() for v in values):
                yield n, None, "empty row"
            elif len(values) < width:
                yield n, None, f"{len(values)} fields, header has {width} (truncated row?)"
            elif any(v.strip() for v in values[width:]):
                yield n, None, f"{len(values)} fields, header has {width} (stray delimiter?)"
            else:
                yield n, dict(zip(header, values, strict=False)), None


#: A loader's parser of one data row: ``(row_number, row_dict) -> records``; raises ValueError
#: (the reason) when the row gives no record.
RowParser = Callable[[int, dict[str, str]], Iterable[Material | Measurement]]


def parse_rows(result: LoadResult, path: Path, parse_row: RowParser) -> LoadResult:
    """Add to ``result`` the records ``parse_row(n, row)`` makes of each data row of CSV ``path``.

    Every data row counts in ``result.rows``. A malformed row (see :func:`csv_rows`), a row whose
    parser raises ValueError, or a row that gives no record becomes one
    :class:`~superionic.records.Rejection` (``path``, 1-based row, reason) and the next row is
    read, so ``parsed + rejected == rows``. Other exceptions (a missing column: a broken loader,
    not a bad row) propagate. Returns ``result``.
    """
    for n, row, problem in csv_rows(path):
        result.rows += 1
        if row is None:
            result.reject(path, n, problem or "unreadable")
            continue
        try:
            records = list(parse_row(n, row))
        except ValueError as exc:
            result.reject(path, n, str(exc))
            continue
        if not records:
            result.reject(path, n, "row gave no record")
        result.records.extend(records)
    return result


@contextmanager
def reason_prefix(prefix: str) -> Iterator[None]:
    """Re-raise a ValueError from the block as ``ValueError(f"{prefix}: {reason}")``, so a
    rejection names the row's identifier (e.g. ``ID abc: formula 'X' does not parse``)."""
    try:
        yield
    except ValueError as exc:
        raise ValueError(f"{prefix}: {exc}") from None


def count_csv_rows(path: Path) -> int:
    """Data rows of a CSV (header excluded), by the csv module: quoted newlines are one row."""
    with open_text(path) as fh:
        return max(sum(1 for _ in csv.reader(fh)) - 1, 0)


@lru_cache(maxsize=65536)
def reduced_formula(formula: str) -> str:
    """pymatgen's reduced formula of ``formula``; ValueError with the reason if it does not parse."""
    from superionic.formula import FormulaError, parse_amounts

    text = formula.strip()
    if not text:
        raise ValueError("empty formula")
    try:  # the one parser, with its limits, before anything reaches pymatgen
        amounts = parse_amounts(text)
    except FormulaError as exc:
        if exc.element is not None:
            raise ValueError(f"formula {formula!r} has unknown elements {[exc.element]}") from None
        raise ValueError(f"formula {formula!r} does not parse: {exc}") from None
    return Composition(amounts).reduced_formula


#: Decimal places kept on each amount before a composition is keyed (float noise below this).
KEY_DECIMALS = 6


@lru_cache(maxsize=65536)
def composition_key(formula: str) -> str:
    """A scale-free key of a composition: amounts rounded to :data:`KEY_DECIMALS` decimals, scaled
    to the smallest whole numbers, then pymatgen's ``reduced_formula``.

    pymatgen reduces only whole-number formulas, so ``Li1.5P0.5S2`` and ``Li3PS4`` (or
    ``Li0.33La0.56TiO3`` and ``Li0.66La1.12Ti2O6``) have different ``reduced_formula`` but one key
    here. ValueError if ``formula`` does not parse.
    """
    reduced_formula(formula)  # validates, with the reason
    comp = Composition(formula)
    fracs = {el.symbol: Fraction(str(round(amt, KEY_DECIMALS))) for el, amt in comp.items()}
    scale = lcm(*(f.denominator for f in fracs.values()))
    ints = {el: int(f * scale) for el, f in fracs.items() if f > 0}
    if not ints:
        raise ValueError(f"formula {formula!r} has no atoms after rounding")
    div = gcd(*ints.values())
    return Composition({el: n // div for el, n in ints.items()}).reduced_formula


def elements_of(formula: str) -> frozenset[str]:
    """Element symbols of ``formula`` (empty if it does not parse)."""
    return _elements(formula.strip())


@lru_cache(maxsize=65536)
def _elements(formula: str) -> frozenset[str]:
    try:
        return frozenset(e.symbol for e in Composition(formula).elements)
    except Exception:  # noqa: BLE001
        return frozenset()


def contains(formula: str, element: str) -> bool:
    """Whether ``formula`` contains ``element`` (False when it does not parse)."""
    return element in elements_of(formula)


def parse_conductivity(text: str) -> tuple[float, Censor]:
    """``"1.2e-3"`` -> (1.2e-3, None); ``"<1E-10"`` -> (1e-10, "upper"); ``">1e-2"`` -> lower.

    Unicode minus signs (``1.2E\u22124``, from PDF extraction) are read as ``-``. Raises ValueError
    for anything else (empty, non-numeric, non-positive, above :data:`MAX_SIGMA_S_CM`).
    """
    s = text.translate(_MINUS_SIGNS).strip().replace(" ", "")
    censor: Censor = None
    if s.startswith("<"):
        censor, s = "upper", s.lstrip("<=")
    elif s.startswith(">"):
        censor, s = "lower", s.lstrip(">=")
    try:
        value = float(s)
    except ValueError:
        raise ValueError(f"conductivity {text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"conductivity {text!r} is not a positive number")
    if value > MAX_SIGMA_S_CM:
        raise ValueError(f"conductivity {text!r} above {MAX_SIGMA_S_CM} S/cm is implausible "
                         "(a transcription error?)")
    return value, censor


def optional_float(text: str | None) -> float | None:
    """A finite float, or None for an empty / non-numeric / non-finite field."""
    if text is None or not str(text).strip():
        return None
    try:
        v = float(str(text).translate(_MINUS_SIGNS))
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def celsius_to_kelvin(t_C: float) -> float:
    """Temperature in degrees Celsius -> K (exact offset 273.15)."""
    return t_C + 273.15


def parse_celsius(text: str) -> float:
    """A temperature field in degrees C; ValueError if empty, non-numeric or not above 0 K."""
    s = text.translate(_MINUS_SIGNS).strip()
    if not s:
        raise ValueError("temperature is missing")
    try:
        t_C = float(s)
    except ValueError:
        raise ValueError(f"temperature {text!r} is not a number") from None
    if not math.isfinite(t_C) or t_C <= -273.15:
        raise ValueError(f"temperature {text!r} C is not above 0 K")
    return t_C


def clean_doi(text: str | None) -> str | None:
    """A DOI without URL prefix or surrounding blanks; None for empty / ``#N/A`` fields."""
    if text is None:
        return None
    s = text.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if s.lower().startswith(prefix):
            s = s[len(prefix):]
    return s if s and s.upper() not in ("#N/A", "N/A", "NAN", "NONE") else None
