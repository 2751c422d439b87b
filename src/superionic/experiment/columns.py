"""Column headers that carry their unit, e.g. ``freq_Hz``, ``Z_real_kohm``, ``Re(Z)/Ohm``,
``-Z'' (Ohm)``, ``time_min``, ``<I>/mA``.

A header is ``NAME`` + separator + ``UNIT`` where the separator is ``_``, ``/`` or brackets
(``NAME (UNIT)``, ``NAME [UNIT]``). The unit is a base unit (``Hz``, ``ohm``/``Ohm``/``Ω``, ``s``,
``min``, ``h``, ``A``, ``V``, ``deg``, ``rad``; case-insensitive) with an optional SI prefix that
IS case-sensitive: ``k`` 1e3, ``M`` 1e6, ``G`` 1e9, ``m`` 1e-3, ``u``/``µ`` 1e-6, ``n`` 1e-9,
``p`` 1e-12 (so ``MHz`` is megahertz and ``mHz`` millihertz). A leading ``-``, ``minus_`` or
``neg_`` on the name means the column holds the negated quantity (``-Im(Z)/Ohm``). A column
without a recognisable unit is never guessed at.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from superionic.experiment.errors import DataFileError

#: base unit (lower case) -> (canonical unit, factor to the SI/canonical unit)
_BASE_UNITS: dict[str, tuple[str, float]] = {
    "hz": ("Hz", 1.0),
    "ohm": ("ohm", 1.0),
    "ohms": ("ohm", 1.0),
    "ω": ("ohm", 1.0),
    "s": ("s", 1.0),
    "sec": ("s", 1.0),
    "min": ("s", 60.0),
    "h": ("s", 3600.0),
    "hr": ("s", 3600.0),
    "a": ("A", 1.0),
    "amp": ("A", 1.0),
    "v": ("V", 1.0),
    "deg": ("deg", 1.0),
    "degree": ("deg", 1.0),
    "degrees": ("deg", 1.0),
    "°": ("deg", 1.0),
    "rad": ("rad", 1.0),
}
_PREFIXES = {"k": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3, "u": 1e-6, "µ": 1e-6, "μ": 1e-6,
             "n": 1e-9, "p": 1e-12}
_PREFIXABLE = {"Hz", "ohm", "s", "A", "V"}
_NEGATION = ("-", "minus_", "minus", "neg_", "neg")
_SPLITTERS = (
    re.compile(r"^(?P<name>.+?)\s*[\(\[](?P<unit>[^\(\)\[\]]+)[\)\]]$"),
    re.compile(r"^(?P<name>.+)/(?P<unit>[^/]+)$"),
    re.compile(r"^(?P<name>.+)_(?P<unit>[^_]+)$"),
)


@dataclass(frozen=True)
class UnitColumn:
    """A header understood as ``sign * scale * value`` in ``unit`` of quantity ``name``."""

    index: int
    header: str
    name: str  # normalised quantity name, e.g. "z_real", "freq"
    unit: str  # canonical unit: Hz, ohm, s, A, V, deg, rad
    scale: float  # factor from the file's unit to ``unit``
    negated: bool

    @property
    def factor(self) -> float:
        """Multiply the file's numbers by this to get the quantity in ``unit``."""
        return -self.scale if self.negated else self.scale


def parse_unit(text: str) -> tuple[str, float] | None:
    """(canonical unit, scale) for a unit string such as ``kohm``, ``MHz``, ``mA``; else None."""
    u = text.strip().replace("Ω", "ohm")
    if not u:
        return None
    base = _BASE_UNITS.get(u.lower())
    if base is not None:
        return base
    prefix, rest = u[0], u[1:]
    if prefix in _PREFIXES and rest:
        base = _BASE_UNITS.get(rest.lower())
        if base is not None and base[0] in _PREFIXABLE:
            return base[0], base[1] * _PREFIXES[prefix]
    return None


def _normalise_name(name: str) -> tuple[str, bool]:
    n = re.sub(r"\s+", "", name.strip().lower()).strip("_")
    n = n.replace("<", "").replace(">", "")
    for neg in _NEGATION:
        if n.startswith(neg) and len(n) > len(neg):
            return n[len(neg):].strip("_"), True
    return n, False


def parse_header(header: str, index: int = 0) -> UnitColumn | None:
    """Split ``header`` into quantity name and unit; None when no known unit is attached."""
    h = header.strip().strip('"').strip()
    for pattern in _SPLITTERS:
        m = pattern.match(h)
        if m is None:
            continue
        unit = parse_unit(m.group("unit"))
        if unit is None:
            continue
        name, negated = _normalise_name(m.group("name"))
        if name:
            return UnitColumn(index, header, name, unit[0], unit[1], negated)
    return None


def find_columns(headers: Sequence[str],
                 wanted: Mapping[str, tuple[frozenset[str], frozenset[str]]]
                 ) -> dict[str, UnitColumn]:
    """Map each wanted quantity to the first header whose name is one of its aliases and whose
    unit is one of its allowed units. ``wanted``: quantity -> (aliases, canonical units)."""
    parsed = [parse_header(h, i) for i, h in enumerate(headers)]
    found: dict[str, UnitColumn] = {}
    for quantity, (aliases, units) in wanted.items():
        for col in parsed:
            if col is not None and col.name in aliases and col.unit in units:
                found[quantity] = col
                break
    return found


@dataclass(frozen=True)
class Table:
    """A delimited text table: header cells, the header's 1-based line and the data rows, each
    with its 1-based line number. Every data row has as many fields as the header."""

    path: str
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]


def _delimiter(header_line: str) -> str:
    if "\t" in header_line:
        return "\t"
    if ";" in header_line and "," not in header_line:
        return ";"
    return ","


def require_file(path: str | Path) -> Path:
    """``path`` as a Path; :class:`DataFileError` ``file not found`` unless it is a file."""
    p = Path(path)
    if not p.is_file():
        raise DataFileError(p, "file not found")
    return p


def header_error(table: Table, problem: str, example: str) -> DataFileError:
    """The error for a header without the columns a reader needs: ``problem``, the header and an
    ``example`` of one that works, at the header's line."""
    return DataFileError(table.path, f"{problem} in header {table.header!r}; expected e.g. "
                         f"{example}", row=table.header_line)


def check_samples(where: str, x: np.ndarray, y: np.ndarray, nouns: tuple[str, str],
                  plurals: tuple[str, str], min_points: int, truncated: str) -> None:
    """Refuse paired samples ``x``, ``y`` (e.g. frequency and impedance) of unequal length, fewer
    than ``min_points``, or with a non-finite value: :class:`DataFileError` naming ``where``.

    ``nouns`` / ``plurals`` name the two quantities in messages; ``truncated`` says what too few
    points suggests (``"truncated sweep"``).
    """
    if x.size != y.size:
        raise DataFileError(where, f"{x.size} {plurals[0]} but {y.size} {plurals[1]}")
    if x.size < min_points:
        raise DataFileError(where, f"only {x.size} data points, at least {min_points} needed "
                            f"({truncated}?)")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise DataFileError(where, f"non-finite {nouns[0]} or {nouns[1]} values")


def read_table(path: str | Path) -> Table:
    """Read a CSV (comma, tab or semicolon; ``#`` comment lines and blank lines skipped).

    Raises :class:`DataFileError` for a missing or binary file, no header, or a ragged row (a
    row with a different number of fields than the header, e.g. a truncated last line).
    """
    p = require_file(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(p, f"not a UTF-8 text file ({exc.reason})") from None
    lines = text.splitlines()
    numbered = [(i, ln) for i, ln in enumerate(lines, start=1)
                if ln.strip() and not ln.lstrip().startswith("#")]
    if not numbered:
        raise DataFileError(p, "empty file: no header and no data")
    header_no, header_text = numbered[0]
    delim = _delimiter(header_text)
    parsed = list(csv.reader([ln for _, ln in numbered], delimiter=delim))
    header = [h.strip() for h in parsed[0]]
    rows: list[tuple[int, list[str]]] = []
    for (line_no, _), cells in zip(numbered[1:], parsed[1:], strict=True):
        if len(cells) != len(header):
            raise DataFileError(p, f"line {line_no} has {len(cells)} fields but the header has "
                                f"{len(header)} (truncated or ragged row)", row=line_no)
        rows.append((line_no, [c.strip() for c in cells]))
    return Table(str(p), header, header_no, rows)


def column_values(table: Table, col: UnitColumn) -> np.ndarray:
    """The numbers of ``col`` converted to its canonical unit (sign and prefix applied)."""
    out = np.empty(len(table.rows))
    for k, (line_no, cells) in enumerate(table.rows):
        raw = cells[col.index]
        try:
            value = float(raw)
        except ValueError:
            raise DataFileError(table.path, f"line {line_no}, column {col.header!r}: {raw!r} is "
                                "not a number", row=line_no) from None
        if not math.isfinite(value):
            raise DataFileError(table.path, f"line {line_no}, column {col.header!r}: value is "
                                f"{raw!r}", row=line_no)
        out[k] = value * col.factor
    return out
