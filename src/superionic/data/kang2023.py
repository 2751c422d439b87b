"""Kang, Kim & Min, J. Phys. Chem. C 127, 19335 (2023): RT ionic conductivities of 328 solid
electrolytes (194 Li, the rest mostly Na NASICONs) with structure type; values from the paper's SI
(redistributed in an MIT repository).

Records: ``sigma_S_cm`` at nominal room temperature (298.15 K; the paper gives RT only), family =
the ``Type`` column (NASICON, Garnet, ...). Filter to a mobile ion with
:func:`superionic.data.base.contains`.
"""

from __future__ import annotations

from pathlib import Path

from superionic.data.base import (
    ROOM_TEMPERATURE_K,
    LoadResult,
    clean_doi,
    parse_conductivity,
    parse_rows,
    reduced_formula,
)
from superionic.records import Measurement, Provenance

NAME = "kang2023_ic"
FILE = "Ionic_conductivity_training_dataset.csv"
VERSION = "liyanant/multi_prop_pred_halide_SEs@2b54a52b3b655b4e3c86852ba34413be34eb4a7d"


def load(data_dir: Path) -> LoadResult:
    """sigma_S_cm Measurements at 298.15 K; provenance note ``crystal_system=...``."""
    path = data_dir / NAME / FILE

    def row_records(n: int, row: dict[str, str]) -> list[Measurement]:
        formula = row["Formula"].strip()
        red = reduced_formula(formula)
        value, censor = parse_conductivity(row["Ionic conductivity (S/cm)"])
        note = f"crystal_system={row.get('Crystal system', '').strip()}"
        return [Measurement(
            formula, red, "sigma_S_cm", value, ROOM_TEMPERATURE_K, censor=censor,
            family=row.get("Type") or None,
            provenance=Provenance(NAME, file=path.name, row=n, doi=clean_doi(row.get("Source")),
                                  version=VERSION, note=note))]

    return parse_rows(LoadResult(NAME), path, row_records)
