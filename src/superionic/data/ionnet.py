"""IonNet data (Wang & You 2025, MIT): the Materials Project Li candidate list with e_hull and
band gap (pre-filtered by its authors to e_hull <= 0.1 eV/atom, gap >= 0.5 eV), and a 300 K
experimental subset of the Liverpool set. The ``SIC`` score file is undocumented upstream and is
not loaded as a label."""

from __future__ import annotations

from pathlib import Path

from superionic.data.base import (
    LoadResult,
    csv_rows,
    optional_float,
    parse_conductivity,
    reduced_formula,
)
from superionic.records import Material, Measurement, Provenance, Rejection

NAME = "ionnet"
VERSION = "CodingWZL/IonNet@a03b7c0226f31eef7020ffbe296104b7cb083ecd"


def load(data_dir: Path) -> LoadResult:
    """MP candidates (Material records) and the 300 K measurements (Measurement records)."""
    result = LoadResult(NAME)
    path = data_dir / NAME / "Li-MP-final.csv"
    for n, row, problem in csv_rows(path):
        result.rows += 1
        if row is None:
            result.rejected.append(Rejection(str(path), n, problem or "unreadable"))
            continue
        try:
            red = reduced_formula(row["Formula"])
        except ValueError as exc:
            result.rejected.append(Rejection(str(path), n, str(exc)))
            continue
        e_hull, gap = optional_float(row["Energy Above Hull (eV)"]), optional_float(row["Band Gap (eV)"])
        if e_hull is None or gap is None:
            result.rejected.append(Rejection(str(path), n, "missing e_hull or band gap"))
            continue
        result.records.append(Material(
            formula=row["Formula"].strip(), reduced_formula=red, material_id=row["MP ID"].strip(),
            e_above_hull_eV_per_atom=e_hull, band_gap_eV=gap,
            provenance=Provenance(NAME, file=path.name, row=n, version=VERSION)))
    path = data_dir / NAME / "LiIonDatabase-Experiments-300K.csv"
    for n, row, problem in csv_rows(path):
        result.rows += 1
        if row is None:
            result.rejected.append(Rejection(str(path), n, problem or "unreadable"))
            continue
        try:
            formula = row["composition"].replace('"', "").strip()
            red = reduced_formula(formula)
            value, censor = parse_conductivity(row["target"])
            t_K = float(row["temperature"]) + 273.15
        except ValueError as exc:
            result.rejected.append(Rejection(str(path), n, str(exc)))
            continue
        result.records.append(Measurement(
            formula, red, "sigma_S_cm", value, t_K, censor=censor, family=row.get("family") or None,
            provenance=Provenance(NAME, file=path.name, row=n, doi=row.get("source") or None,
                                  version=VERSION, note=f"liverpool_ID={row['ID']}")))
    return result
