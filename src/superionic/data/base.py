"""What every loader returns, and the small parsing helpers they share.

A loader reads one data set into typed records (:class:`~superionic.records.Material` or
:class:`~superionic.records.Measurement`) with provenance (set, file, 1-based data row, DOI,
upstream version). A row that does not parse becomes a :class:`~superionic.records.Rejection`
(file, row, reason) and the rest of the file still loads.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from pymatgen.core import Composition, Element

from superionic.records import Censor, Material, Measurement, Rejection


@dataclass
class LoadResult:
    """Records parsed from a data set, the rows rejected, and the number of data rows read."""

    name: str
    records: list[Material | Measurement] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    rows: int = 0
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def parsed(self) -> int:
        """Data rows that gave at least one record."""
        rows = {(r.provenance.file, r.provenance.row) for r in self.records if r.provenance}
        return len(rows)

    def frame(self) -> pd.DataFrame:
        """The records as a DataFrame (provenance flattened into ``prov_*`` columns)."""
        out = []
        for rec in self.records:
            d = rec.to_dict()
            prov = d.pop("provenance") or {}
            d.update({f"prov_{k}": v for k, v in prov.items()})
            out.append(d)
        return pd.DataFrame(out)


def open_text(path: Path) -> io.TextIOBase:
    """Open a CSV (optionally .gz) as text, dropping a UTF-8 byte-order mark."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def csv_rows(path: Path, min_fields: int | None = None) -> Iterator[tuple[int, dict[str, str] | None, str | None]]:
    """Yield ``(row_number, row_dict, problem)`` for each data row (row 1 = first after header).

    A row with fewer fields than the header (a truncated line) or more (a stray delimiter) gives
    ``row_dict=None`` and the problem, so the caller records a rejection and goes on.
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
                continue
            if len(values) != width and len(values) < (min_fields or width):
                yield n, None, f"{len(values)} fields, header has {width} (truncated row?)"
                continue
            if len(values) > width and any(v.strip() for v in values[width:]):
                yield n, None, f"{len(values)} fields, header has {width} (stray delimiter?)"
                continue
            yield n, dict(zip(header, values, strict=False)), None


@lru_cache(maxsize=65536)
def reduced_formula(formula: str) -> str:
    """pymatgen's reduced formula of ``formula``; ValueError with the reason if it does not parse."""
    text = formula.strip()
    if not text:
        raise ValueError("empty formula")
    try:
        comp = Composition(text)
    except Exception as exc:  # pymatgen raises several types for bad formulas
        raise ValueError(f"formula {formula!r} does not parse: {exc}") from None
    if comp.num_atoms <= 0 or any(a < 0 for a in comp.values()):
        raise ValueError(f"formula {formula!r} has no atoms")
    unknown = [str(e) for e in comp.elements if not isinstance(e, Element)]
    if unknown:
        raise ValueError(f"formula {formula!r} has unknown elements {unknown}")
    return comp.reduced_formula


def contains(formula: str, element: str) -> bool:
    try:
        return element in {e.symbol for e in Composition(formula).elements}
    except Exception:  # noqa: BLE001
        return False


def parse_conductivity(text: str) -> tuple[float, Censor]:
    """``"1.2e-3"`` -> (1.2e-3, None); ``"<1E-10"`` -> (1e-10, "upper"); ``">1e-2"`` -> lower.

    Raises ValueError for anything else (empty, non-numeric, non-positive).
    """
    s = text.strip().replace(" ", "")
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
    return value, censor


def optional_float(text: str | None) -> float | None:
    if text is None or not str(text).strip():
        return None
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def celsius_to_kelvin(t_C: float) -> float:
    """Temperature in degrees Celsius -> K (exact offset 273.15)."""
    return t_C + 273.15
