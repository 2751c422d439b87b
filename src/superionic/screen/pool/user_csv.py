"""A user's CSV as a pool: a ``formula`` column plus optional ``e_above_hull_eV_per_atom``,
``band_gap_eV``, ``material_id``, ``cif`` (path relative to the CSV) and ``sigma_e_S_cm``
(aliases in :data:`_ALIASES`). Missing e_hull / gap / e_form are filled from the MP composition
tables by reduced formula. (Named ``user_csv``, not ``csv``, so it never shadows the stdlib.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from superionic.records import Rejection
from superionic.screen.pool.base import (
    E_HULL,
    E_HULL_NEG_TOL,
    GAP,
    SIGMA_E,
    Pool,
    _check_ion,
    _dedupe,
    _empty_frame,
    _finish,
    _number,
    _parse,
    _read_cif,
    sha256_file,
)
from superionic.screen.pool.tables import fill_missing_from_tables

_ALIASES = {"formula": ("formula", "composition", "reduced_formula"),
            E_HULL: (E_HULL, "e_above_hull", "e_hull", "energy_above_hull"),
            GAP: (GAP, "band_gap", "gap"),
            "material_id": ("material_id", "id", "mp_id"),
            "cif": ("cif", "cif_path"),
            SIGMA_E: (SIGMA_E, "sigma_e")}


def _column(df: pd.DataFrame, name: str) -> str | None:
    lower = {str(c).strip().lower(): c for c in df.columns}
    for alias in _ALIASES[name]:
        if alias.lower() in lower:
            return lower[alias.lower()]
    return None


def csv_pool(path: str | Path, mobile_ion: str = "Li", data_dir: str | Path | None = None,
             fill_from_tables: bool = True, cache: Any = None) -> Pool:
    """Pool from a CSV (see the module docstring). Raises ``ValueError`` when the file is
    unreadable or has no formula column; a bad row is a Rejection (1-based data row)."""
    _check_ion(mobile_ion)
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:  # noqa: BLE001 - pandas raises several types
        raise ValueError(f"{path}: cannot read as CSV: {exc}") from None
    fcol = _column(df, "formula")
    if fcol is None:
        raise ValueError(f"{path}: no formula column (columns: {', '.join(map(str, df.columns))})")
    cols = {k: _column(df, k) for k in _ALIASES}
    rows, rejected, structures = [], [], {}
    for i, rec in enumerate(df.to_dict("records"), start=1):
        comp, problem = _parse(rec[fcol], mobile_ion)
        values: dict[str, float] = {}
        for key, lower in ((E_HULL, -E_HULL_NEG_TOL), (GAP, 0.0), (SIGMA_E, 0.0)):
            if problem is None and cols[key]:
                values[key], problem = _number(rec[cols[key]], key, lower)
        ref = skey = None
        if problem is None and cols["cif"] and str(rec[cols["cif"]]).strip():
            cif = (path.parent / str(rec[cols["cif"]]).strip()).resolve()
            try:
                structure = _read_cif(cif)
            except Exception as exc:  # noqa: BLE001 - pymatgen raises several types
                problem = f"CIF {cif.name}: {type(exc).__name__}: {exc}"
            else:
                if structure.composition.reduced_formula != comp.reduced_formula:
                    problem = (f"CIF {cif.name} has composition "
                               f"{structure.composition.reduced_formula}, row says "
                               f"{comp.reduced_formula}")
                ref, skey = f"cif:{cif}", sha256_file(cif)
                structures[ref] = structure
        if problem is not None:
            rejected.append(Rejection(str(path), i, problem))
            continue
        mid = str(rec[cols["material_id"]]).strip() if cols["material_id"] else ""
        row = {"formula": str(rec[fcol]).strip(), "reduced_formula": comp.reduced_formula,
               "material_id": mid or None, "source_id": mid or f"{path.name}:{i}",
               "origin": path.name, "structure_ref": ref, "structure_key": skey, **values}
        for key in (E_HULL, GAP, SIGMA_E):
            if np.isfinite(values.get(key, np.nan)):
                row[f"{key}_source"] = f"{path.name} row {i}"
        rows.append(row)
    frame = pd.DataFrame(rows) if rows else _empty_frame()
    frame = _finish(_dedupe(_finish(frame)))
    if fill_from_tables:
        frame = fill_missing_from_tables(frame, data_dir, cache)
    return Pool(frame, rejected, mobile_ion, str(path), structures=structures)
