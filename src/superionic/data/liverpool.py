"""Liverpool Ionics Dataset (Hargreaves et al., npj Comput. Mater. 9, 9 (2023), CC BY 4.0):
temperature-resolved Li-ion conductivities. The file stores temperatures in degrees C; records
carry ``temperature_K`` (T/K = T/C + 273.15).

Pseudo-binary glass notations such as ``"(Li2O)50 (Al2O3)2 (P2O5)48"`` (mol% of each component,
nested groups allowed) are converted by :func:`glass_composition` to the composition they denote,
sum(amount x component formula), e.g. Li100Al4P96O296; the provenance note keeps the notation
(``glass=...``). A malformed notation is rejected with the reason.

:func:`arrhenius_reports` groups the measurements per composition *and report* (DOI): the unit an
Arrhenius fit, log10(sigma T) against 1/T, is made on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pymatgen.core import Composition

from superionic.data.base import (
    LoadResult,
    celsius_to_kelvin,
    clean_doi,
    parse_celsius,
    parse_conductivity,
    parse_rows,
    reduced_formula,
)
from superionic.records import Measurement, Provenance

NAME = "liverpool_ionics"
FILE = "LiIonDatabase.csv"
VERSION = "NRC-Mila/OBELiX@4eaac889809dd489e3bae468c45d5c0e02b9147a"
_AMOUNT = re.compile(r"\s*([0-9]*\.?[0-9]+)?")


def is_glass_notation(text: str) -> bool:
    """``(A)x (B)y ...``: at least two top-level parenthesised components (quotes ignored)."""
    s = text.replace('"', "").strip()
    if not s.startswith("("):
        return False
    depth, groups = 0, 0
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            groups += depth == 0
    return groups >= 2


def glass_composition(text: str) -> str:
    """``(Li2O)50 (Al2O3)2 (P2O5)48`` -> ``Li100Al4P96O296``: each ``(component)amount`` adds
    amount x component (nested groups allowed; a missing amount is 1). ValueError naming the
    problem for anything else."""
    s = text.replace('"', "").strip()
    if not is_glass_notation(s):
        raise ValueError(f"{text!r} is neither a formula nor a (A)x (B)y glass notation")
    comp = _parse_terms(s, text)
    return comp.formula.replace(" ", "")


def _parse_terms(s: str, original: str) -> Composition:
    total = Composition()
    i = 0
    while i < len(s):
        if s[i].isspace():
            i += 1
            continue
        if s[i] == "(":
            depth, j = 0, i
            while j < len(s):
                depth += {"(": 1, ")": -1}.get(s[j], 0)
                if depth == 0:
                    break
                j += 1
            if depth:
                raise ValueError(f"{original!r}: unbalanced parentheses")
            inner = _parse_terms(s[i + 1:j], original)
            m = _AMOUNT.match(s, j + 1)
            amount = float(m.group(1)) if m and m.group(1) else 1.0
            total += inner * amount
            i = m.end() if m else j + 1
        else:
            j = i
            while j < len(s) and not s[j].isspace() and s[j] != "(":
                j += 1
            try:
                reduced_formula(s[i:j])  # parses, real elements only
            except ValueError as exc:
                raise ValueError(f"{original!r}: component {exc}") from None
            total += Composition(s[i:j])
            i = j
    if total.num_atoms <= 0:
        raise ValueError(f"{original!r}: no atoms")
    return total


def parse_composition(text: str) -> tuple[str, str, str | None]:
    """``(formula, reduced_formula, glass_notation_or_None)`` of a composition cell."""
    raw = text.replace('"', "").strip()
    if is_glass_notation(raw):
        formula = glass_composition(raw)
        return formula, reduced_formula(formula), raw
    return raw, reduced_formula(raw), None


def load(data_dir: Path) -> LoadResult:
    """sigma_S_cm Measurements with ``temperature_K``; provenance note ``ID=<Liverpool ID>``."""
    path = data_dir / NAME / FILE

    def row_records(n: int, row: dict[str, str]) -> list[Measurement]:
        formula, red, glass = parse_composition(row["composition"])
        value, censor = parse_conductivity(row["target"])
        t_C = parse_celsius(row["temperature"])
        note = f"ID={row['ID'].strip()}" + (f";glass={glass}" if glass else "")
        return [Measurement(
            formula=formula, reduced_formula=red, quantity="sigma_S_cm", value=value,
            temperature_K=celsius_to_kelvin(t_C), censor=censor, family=row.get("family") or None,
            provenance=Provenance(NAME, file=path.name, row=n, doi=clean_doi(row.get("source")),
                                  version=VERSION, note=note))]

    return parse_rows(LoadResult(NAME), path, row_records)


@dataclass
class ArrheniusSeries:
    """sigma(T) of one composition from one report, sorted by temperature (K, S/cm)."""

    reduced_formula: str
    doi: str | None
    temperature_K: np.ndarray
    sigma_S_cm: np.ndarray
    rows: list[int] = field(default_factory=list)
    family: str | None = None

    @property
    def n_temperatures(self) -> int:
        return len(np.unique(np.round(self.temperature_K, 2)))


def arrhenius_reports(result: LoadResult, min_temperatures: int = 3) -> list[ArrheniusSeries]:
    """Series per (reduced formula, DOI) with at least ``min_temperatures`` distinct temperatures,
    censored values excluded: the Arrhenius-ready subsets (one fit per report)."""
    groups: dict[tuple[str, str | None], list[Measurement]] = defaultdict(list)
    for rec in result.records:
        if isinstance(rec, Measurement) and rec.censor is None and rec.temperature_K is not None:
            groups[(rec.reduced_formula, rec.provenance.doi if rec.provenance else None)].append(rec)
    out = []
    for (formula, doi), recs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        recs = sorted(recs, key=lambda m: m.temperature_K)
        series = ArrheniusSeries(
            formula, doi, np.array([m.temperature_K for m in recs]),
            np.array([m.value for m in recs]), [m.provenance.row for m in recs],
            next((m.family for m in recs if m.family), None))
        if series.n_temperatures >= min_temperatures:
            out.append(series)
    return out


def arrhenius_series(result: LoadResult, min_temperatures: int = 3) -> dict[str, list[Measurement]]:
    """Reduced formula -> its measurements sorted by T (all reports pooled), for compositions with
    at least ``min_temperatures`` distinct temperatures (censored values excluded). Prefer
    :func:`arrhenius_reports` for fits: different reports of one composition differ."""
    series: dict[str, list[Measurement]] = defaultdict(list)
    for rec in result.records:
        if isinstance(rec, Measurement) and rec.censor is None:
            series[rec.reduced_formula].append(rec)
    return {k: sorted(v, key=lambda m: m.temperature_K) for k, v in series.items()
            if len({round(m.temperature_K, 2) for m in v}) >= min_temperatures}
