"""IonNet data (Wang & You 2025, MIT).

* ``Li-MP-final.csv``: the Materials Project Li candidate list (MP id, formula, energy above hull
  eV/atom, PBE band gap eV), pre-filtered by its authors to e_hull <= 0.1 eV/atom and gap >= 0.5
  eV -> :class:`~superionic.records.Material` records.
* ``LiIonDatabase-Experiments-300K.csv``: the Liverpool rows near room temperature (15-35 C), one
  per composition -> ``sigma_S_cm`` Measurements (temperature C -> K). A row without a
  temperature is rejected.
* ``Li-IonML-Computations.csv``: a ``SIC`` score for 8750 compositions whose definition the
  repository does not document. It is NOT loaded as a label; :func:`load_sic_scores` reads it
  with ``attrs["undocumented"]`` set, and ``extras["undocumented"]`` of :func:`load` names it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from superionic.data.base import (
    LoadResult,
    celsius_to_kelvin,
    clean_doi,
    csv_rows,
    optional_float,
    parse_celsius,
    parse_conductivity,
    parse_rows,
    reduced_formula,
)
from superionic.records import Material, Measurement, Provenance

NAME = "ionnet"
VERSION = "CodingWZL/IonNet@a03b7c0226f31eef7020ffbe296104b7cb083ecd"
MP_FILE = "Li-MP-final.csv"
RT_FILE = "LiIonDatabase-Experiments-300K.csv"
SIC_FILE = "Li-IonML-Computations.csv"
SIC_NOTE = ("SIC score (0-1) of 8750 Li compositions; its definition is not documented in the "
            "IonNet repository: not a label until checked against the IonNet paper")


def load_mp_candidates(data_dir: Path, result: LoadResult | None = None) -> LoadResult:
    """MP candidates as Material records (e_above_hull_eV_per_atom, band_gap_eV)."""
    path = data_dir / NAME / MP_FILE

    def row_records(n: int, row: dict[str, str]) -> list[Material]:
        red = reduced_formula(row["Formula"])
        e_hull = optional_float(row["Energy Above Hull (eV)"])
        gap = optional_float(row["Band Gap (eV)"])
        if e_hull is None or gap is None:
            raise ValueError(f"{row['MP ID']}: missing e_hull or band gap")
        return [Material(
            formula=row["Formula"].strip(), reduced_formula=red, material_id=row["MP ID"].strip(),
            e_above_hull_eV_per_atom=e_hull, band_gap_eV=gap,
            provenance=Provenance(NAME, file=path.name, row=n, version=VERSION))]

    return parse_rows(result if result is not None else LoadResult(NAME), path, row_records)


def load_room_temperature(data_dir: Path, result: LoadResult | None = None) -> LoadResult:
    """The 15-35 C experimental subset as sigma_S_cm Measurements (note ``liverpool_ID=``)."""
    path = data_dir / NAME / RT_FILE

    def row_records(n: int, row: dict[str, str]) -> list[Measurement]:
        formula = row["composition"].replace('"', "").strip()
        red = reduced_formula(formula)
        value, censor = parse_conductivity(row["target"])
        t_K = celsius_to_kelvin(parse_celsius(row["temperature"]))
        return [Measurement(
            formula, red, "sigma_S_cm", value, t_K, censor=censor, family=row.get("family") or None,
            provenance=Provenance(NAME, file=path.name, row=n, doi=clean_doi(row.get("source")),
                                  version=VERSION, note=f"liverpool_ID={row['ID'].strip()}"))]

    return parse_rows(result if result is not None else LoadResult(NAME), path, row_records)


def load(data_dir: Path) -> LoadResult:
    """MP candidates (Material) and the 300 K measurements (Measurement); the SIC file is named
    in ``extras["undocumented"]`` and not loaded."""
    result = load_mp_candidates(data_dir)
    load_room_temperature(data_dir, result)
    result.extras["undocumented"] = {SIC_FILE: SIC_NOTE}
    return result


def load_sic_scores(data_dir: Path) -> pd.DataFrame:
    """``formula, SIC`` of the undocumented computations file (``attrs["undocumented"]`` True)."""
    path = data_dir / NAME / SIC_FILE
    rows = [(row["formula"].strip(), optional_float(row["SIC"]), n)
            for n, row, _ in csv_rows(path) if row]
    frame = pd.DataFrame(rows, columns=["formula", "SIC", "row"])
    frame.attrs.update(undocumented=True, note=SIC_NOTE, file=str(path))
    return frame
