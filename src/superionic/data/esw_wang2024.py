"""Wang et al., Adv. Funct. Mater. 2024, 2406146: electrochemical stability windows of ~1500
compounds (reduction/oxidation potential, V vs the metal of the compound's mobile ion).

The mobile ion of a row is the first of Li, Na, K, Mg, Ca, Al, Zn it contains (the set's
cations); records carry it in the provenance note so callers filter to their ion.
"""

from __future__ import annotations

from pathlib import Path

from superionic.data.base import LoadResult, contains, csv_rows, optional_float, reduced_formula
from superionic.records import Measurement, Provenance, Rejection

NAME = "esw_wang2024"
VERSION = "liyanant/multi_prop_pred_halide_SEs@2b54a52b3b655b4e3c86852ba34413be34eb4a7d"
WORKING_IONS = ("Li", "Na", "K", "Mg", "Ca", "Al", "Zn")


def working_ion(formula: str) -> str | None:
    return next((ion for ion in WORKING_IONS if contains(formula, ion)), None)


def load(data_dir: Path) -> LoadResult:
    path = data_dir / NAME / "ESW_training_dataset.csv"
    result = LoadResult(NAME)
    for n, row, problem in csv_rows(path):
        result.rows += 1
        if row is None:
            result.rejected.append(Rejection(str(path), n, problem or "unreadable"))
            continue
        formula = row["formula"].strip()
        try:
            red = reduced_formula(formula)
        except ValueError as exc:
            result.rejected.append(Rejection(str(path), n, str(exc)))
            continue
        red_V, ox_V = optional_float(row["ESW_Red (V)"]), optional_float(row["ESW_Oxi (V)"])
        if red_V is None or ox_V is None:
            result.rejected.append(Rejection(str(path), n, "missing reduction or oxidation potential"))
            continue
        prov = Provenance(NAME, file=path.name, row=n, version=VERSION,
                          note=f"ion={working_ion(formula)};ICSD={row['ICSD_id']}")
        result.records.append(Measurement(formula, red, "reduction_V", red_V, provenance=prov))
        result.records.append(Measurement(formula, red, "oxidation_V", ox_V, provenance=prov))
    return result
