"""Materials Project composition-level tables via Matbench v0.1 / CrabNet (MIT; MP CC BY 4.0):
formation energy (eV/atom), PBE band gap (eV) and energy above hull (eV/atom) per composition.

Polymorph averaging: CrabNet keeps ONE ROW PER COMPOSITION, averaging the values of a formula's
polymorphs, so these are not ground-state values (a hull built from them is biased upward where
polymorphs abound), and the vintage is MP ~2019 with the legacy (pre-MP2020) corrections. Good for
composition-level surrogates and approximate hulls; never mix with MP2020-corrected entries.
Every record's provenance note says ``polymorph_averaged``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from superionic.data.base import LoadResult, csv_rows, optional_float
from superionic.records import Material, Provenance

NAME = "mp_matbench_composition"
VERSION = "anthony-wang/CrabNet@457b4d4835737ecbe4dd33e53174bd818bd82143"
NOTE = "polymorph_averaged;MP~2019 legacy corrections"
#: file -> (value column, Material field); units in the names (eV/atom, eV).
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
                result.reject(path, n, problem or "unreadable")
                continue
            value = optional_float(row[column])
            red = row["reduced_formula"].strip()
            if not red or red == "None" or value is None:
                result.reject(path, n, f"formula {row['formula']!r}: no reduced formula or no value")
                continue
            result.records.append(Material(
                formula=row["formula"], reduced_formula=red, **{field_name: value},
                provenance=Provenance(NAME, file=fname, row=n, version=VERSION, note=NOTE)))
    return result


def composition_frame(data_dir: Path, mobile_ion: str | None = None) -> pd.DataFrame:
    """One row per reduced formula with ``e_form_eV_per_atom``, ``band_gap_eV`` and
    ``e_above_hull_eV_per_atom`` (NaN where a table lacks it); ``mobile_ion`` keeps only the
    compositions containing it. Polymorph-averaged values (module docstring)."""
    frames = []
    for fname, (column, _) in TABLES.items():
        df = pd.read_csv(data_dir / NAME / fname, usecols=["reduced_formula", column])
        df = df.dropna().groupby("reduced_formula", as_index=True)[column].mean()
        frames.append(df)
    wide = pd.concat(frames, axis=1).reset_index()
    if mobile_ion is not None:  # element symbol not followed by a lower-case letter (Li, not Lu)
        mask = wide["reduced_formula"].str.contains(rf"{re.escape(mobile_ion)}(?![a-z])")
        wide = wide[mask]
    return wide.reset_index(drop=True)
