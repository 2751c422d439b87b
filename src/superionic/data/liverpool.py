"""Liverpool Ionics Dataset (Hargreaves et al., npj Comput. Mater. 9, 9 (2023), CC BY 4.0):
temperature-resolved Li-ion conductivities. Temperatures are stored in degrees C; records are K.

Pseudo-binary glass notations such as ``(Li2O)50 (Al2O3)2 (P2O5)48`` are converted to the
composition they denote (sum of mol% x formula) when every part parses.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from pymatgen.core import Composition

from superionic.data.base import (
    LoadResult,
    celsius_to_kelvin,
    csv_rows,
    parse_conductivity,
    reduced_formula,
)
from superionic.records import Measurement, Provenance, Rejection

NAME = "liverpool_ionics"
VERSION = "NRC-Mila/OBELiX@4eaac889809dd489e3bae468c45d5c0e02b9147a:data/misc/LiIonDatabase.csv"
_GLASS_PART = re.compile(r"\(([^()]+)\)\s*([0-9.]+)")


def glass_composition(text: str) -> str:
    """``(Li2O)50 (Al2O3)2 (P2O5)48`` -> the summed composition formula; ValueError if not glass."""
    cleaned = text.replace('"', "").strip()
    parts = _GLASS_PART.findall(cleaned)
    if not parts or _GLASS_PART.sub("", cleaned).strip():
        raise ValueError(f"{text!r} is neither a formula nor a (A)x (B)y glass notation")
    total = Composition()
    for formula, amount in parts:
        total += Composition(formula) * float(amount)
    return total.formula.replace(" ", "")


def load(data_dir: Path) -> LoadResult:
    path = data_dir / NAME / "LiIonDatabase.csv"
    result = LoadResult(NAME)
    for n, row, problem in csv_rows(path):
        result.rows += 1
        if row is None:
            result.rejected.append(Rejection(str(path), n, problem or "unreadable"))
            continue
        raw = row["composition"]
        try:
            try:
                formula = raw.replace('"', "").strip()
                red = reduced_formula(formula)
            except ValueError:
                formula = glass_composition(raw)
                red = reduced_formula(formula)
            value, censor = parse_conductivity(row["target"])
            t_C = float(row["temperature"])
        except ValueError as exc:
            result.rejected.append(Rejection(str(path), n, str(exc)))
            continue
        if t_C < -273.15:
            result.rejected.append(Rejection(str(path), n, f"temperature {t_C} C below 0 K"))
            continue
        result.records.append(Measurement(
            formula=formula, reduced_formula=red, quantity="sigma_S_cm", value=value,
            temperature_K=celsius_to_kelvin(t_C), censor=censor, family=row.get("family") or None,
            provenance=Provenance(NAME, file=path.name, row=n, doi=row.get("source") or None,
                                  version=VERSION, note=f"ID={row['ID']}")))
    return result


def arrhenius_series(result: LoadResult, min_temperatures: int = 3) -> dict[str, list[Measurement]]:
    """Reduced formula -> its measurements sorted by T, for compositions with at least
    ``min_temperatures`` distinct temperatures (censored values excluded)."""
    series: dict[str, list[Measurement]] = defaultdict(list)
    for rec in result.records:
        if isinstance(rec, Measurement) and rec.censor is None:
            series[rec.reduced_formula].append(rec)
    return {k: sorted(v, key=lambda m: m.temperature_K) for k, v in series.items()
            if len({round(m.temperature_K, 2) for m in v}) >= min_temperatures}
