"""A folder of CIFs as a pool: every ``*.cif`` (material id = file stem), e_hull / gap / e_form
filled from the MP composition tables by reduced formula."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from superionic.records import Rejection
from superionic.screen.pool.base import (
    Pool,
    _check_ion,
    _dedupe,
    _empty_frame,
    _finish,
    _parse,
    _read_cif,
    sha256_file,
)
from superionic.screen.pool.tables import fill_missing_from_tables


def cif_folder_pool(folder: str | Path, mobile_ion: str = "Li",
                    data_dir: str | Path | None = None, fill_from_tables: bool = True,
                    cache: Any = None) -> Pool:
    """Pool from every ``*.cif`` in ``folder`` (material id = file stem); a file that does not
    parse, or holds no mobile ion, is a Rejection with ``row=None``."""
    _check_ion(mobile_ion)
    folder = Path(folder)
    rows, rejected, structures = [], [], {}
    for cif in sorted(folder.glob("*.cif")):
        try:
            structure = _read_cif(cif)
        except Exception as exc:  # noqa: BLE001 - pymatgen raises several types
            rejected.append(Rejection(str(cif), None, f"{type(exc).__name__}: {exc}"))
            continue
        comp = structure.composition
        _, problem = _parse(comp.reduced_formula, mobile_ion)
        if problem is not None:
            rejected.append(Rejection(str(cif), None, problem))
            continue
        ref = f"cif:{cif.resolve()}"
        structures[ref] = structure
        rows.append({"formula": comp.reduced_formula, "reduced_formula": comp.reduced_formula,
                     "material_id": cif.stem, "source_id": cif.name, "origin": folder.name,
                     "structure_ref": ref, "structure_key": sha256_file(cif)})
    if not rows and not rejected:
        raise ValueError(f"{folder}: no *.cif files")
    frame = pd.DataFrame(rows) if rows else _empty_frame()
    frame = _finish(_dedupe(_finish(frame)))
    if fill_from_tables:
        frame = fill_missing_from_tables(frame, data_dir, cache)
    return Pool(frame, rejected, mobile_ion, str(folder), structures=structures)
