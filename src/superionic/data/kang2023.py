"""Kang, Kim & Min, J. Phys. Chem. C 127, 19335 (2023): RT ionic conductivities of 328 solid
electrolytes (Li and Na) with structure type; values from the paper's SI (MIT repository)."""

from __future__ import annotations

from pathlib import Path

from superionic.data.base import LoadResult, csv_rows, parse_conductivity, reduced_formula
from superionic.records import Measurement, Provenance, Rejection

NAME = "kang2023_ic"
VERSION = "liyanant/multi_prop_pred_halide_SEs@2b54a52b3b655b4e3c86852ba34413be34eb4a7d"


def load(data_dir: Path) -> LoadResult:
    path = data_dir / NAME / "Ionic_conductivity_training_dataset.csv"
    result = LoadResult(NAME)
    for n, row, problem in csv_rows(path):
        result.rows += 1
        if row is None:
            result.rejected.append(Rejection(str(path), n, problem or "unreadable"))
            continue
        try:
            formula = row["Formula"].strip()
            red = reduced_formula(formula)
            value, censor = parse_conductivity(row["Ionic conductivity (S/cm)"])
        except ValueError as exc:
            result.rejected.append(Rejection(str(path), n, str(exc)))
            continue
        result.records.append(Measurement(
            formula, red, "sigma_S_cm", value, 298.15, censor=censor, family=row.get("Type") or None,
            provenance=Provenance(NAME, file=path.name, row=n, doi=row.get("Source") or None,
                                  version=VERSION)))
    return result
