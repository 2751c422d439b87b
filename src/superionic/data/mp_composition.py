"""Materials Project composition-level tables via Matbench v0.1 / CrabNet (MIT; MP CC BY 4.0):
formation energy (eV/atom), PBE band gap (eV) and energy above hull (eV/atom) per composition.

One row per composition: CrabNet averaged polymorphs, so these are not ground-state values, and
the vintage is MP ~2019 (legacy corrections). Good for composition-level surrogates and
approximate hulls; never mix with MP2020-corrected entries.
"""

from __future__ import annotations

from pathlib import Path

from superionic.data.base import LoadResult, csv_rows, optional_float
from superionic.records import Material, Provenance, Rejection

NAME = "mp_matbench_composition"
VERSION = "anthony-wang/CrabNet@457b4d4835737ecbe4dd33e53174bd818bd82143"
#: file -> (value column, Material field)
TABLES = {
    "mp_e_form.csv.gz": ("e_form_eV_per_atom", "e_form_eV_per_atom"),
    "mp_gap.csv.gz": ("band_gap_eV", "band_gap_eV"),
    "mp_e_hull.csv.gz": ("e_above_hull_eV_per_atom", "e_above_hull_eV_per_atom"),
}


def load(data_dir: Path, tables: tuple[str, ...] = tuple(TABLES)) -> LoadResult:
    """One Material per table row, carrying only that table's property."""
    result = LoadResult(NAME)
    for fname in tables:
        column, field_name = TABLES[fname]
        path = data_dir / NAME / fname
        for n, row, problem in csv_rows(path):
            result.rows += 1
            if row is None:
                result.rejected.append(Rejection(str(path), n, problem or "unreadable"))
                continue
            value = optional_float(row[column])
            red = row["reduced_formula"].strip()
            if not red or red == "None" or value is None:
                result.rejected.append(Rejection(str(path), n, f"formula {row['formula']!r}: "
                                                 "no reduced formula or no value"))
                continue
            result.records.append(Material(
                formula=row["formula"], reduced_formula=red, **{field_name: value},
                provenance=Provenance(NAME, file=fname, row=n, version=VERSION)))
    return result
