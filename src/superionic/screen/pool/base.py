"""What every pool adapter shares: the :class:`Pool` result, its columns, and the row helpers
(formula and number cells, polymorph dedupe, the final column layout)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pymatgen.core import Composition, Element, Structure

from superionic.config import MOBILE_IONS
from superionic.fileio import sha256_file  # noqa: F401 - one home (fileio), used by the adapters
from superionic.records import Rejection

E_HULL = "e_above_hull_eV_per_atom"
GAP = "band_gap_eV"
E_FORM = "e_form_eV_per_atom"
SIGMA_E = "sigma_e_S_cm"
PROPERTIES = (E_HULL, GAP, E_FORM)

#: Columns of every pool frame, in order.
POOL_COLUMNS = (
    "formula", "reduced_formula", "material_id", "source_id", "origin",
    E_HULL, f"{E_HULL}_source", GAP, f"{GAP}_source", E_FORM, f"{E_FORM}_source",
    SIGMA_E, "structure_ref", "structure_key", "n_polymorphs", "polymorph_ids",
)

#: Tolerance under which a negative e_hull (eV/atom) is numerical noise rather than an error.
E_HULL_NEG_TOL = 1e-6


@dataclass
class Pool:
    """Candidate compounds (``frame``, one row per reduced formula, columns
    :data:`POOL_COLUMNS`), what was rejected while reading, and in-memory structures keyed by
    ``structure_ref`` (others are loaded on demand by ``structure_loader``)."""

    frame: pd.DataFrame
    rejected: list[Rejection] = field(default_factory=list)
    mobile_ion: str = "Li"
    origin: str = ""
    structures: dict[str, Structure] = field(default_factory=dict, repr=False)
    structure_loader: Callable[[Sequence[str]], dict[str, Structure]] | None = field(
        default=None, repr=False)

    def __len__(self) -> int:
        return len(self.frame)

    def get_structures(self, refs: Sequence[str | None]) -> list[Structure | None]:
        """Structures for ``refs`` (None where a row has none or loading failed)."""
        want = sorted({r for r in refs if r and r not in self.structures})
        if want and self.structure_loader is not None:
            self.structures.update(self.structure_loader(want))
        return [self.structures.get(r) if r else None for r in refs]


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in POOL_COLUMNS})


def _parse(formula: Any, mobile_ion: str) -> tuple[Composition | None, str | None]:
    """(composition, None) or (None, reason) for one formula cell."""
    if not isinstance(formula, str) or not formula.strip():
        return None, "empty formula"
    from superionic.formula import parse_composition

    try:  # the one parser, with its limits (superionic.formula)
        comp = parse_composition(formula)
    except ValueError as exc:
        return None, str(exc)
    if Element(mobile_ion) not in comp.elements:
        return None, f"{formula}: contains no {mobile_ion} (the mobile ion)"
    if len(comp.elements) < 2:
        return None, f"{formula}: the bare {mobile_ion} metal is not an electrolyte"
    return comp, None


def _number(value: Any, name: str, lower: float | None = None) -> tuple[float, str | None]:
    """(float or NaN when blank, None) or (NaN, reason) for a numeric cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan, None
    if isinstance(value, str) and not value.strip():
        return math.nan, None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return math.nan, f"{name} {value!r} is not a number"
    if not math.isfinite(x):
        return math.nan, f"{name} {value!r} is not finite"
    if lower is not None and x < lower:
        return math.nan, f"{name} {x:g} is below {lower:g}"
    return x, None


def _check_ion(mobile_ion: str) -> None:
    if mobile_ion not in MOBILE_IONS:
        raise ValueError(f"mobile_ion must be one of {MOBILE_IONS}, got {mobile_ion!r}")


def _read_cif(path: Path) -> Structure:
    """The structure in a CIF; pymatgen's parse warnings become the exception's message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        structure = Structure.from_file(str(path))
    if len(structure) == 0:
        raise ValueError("no sites")
    return structure


def _dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per reduced formula: the lowest e_hull polymorph (NaN last, then input order)."""
    if frame.empty:
        return frame
    frame = frame.copy()
    frame["_order"] = np.arange(len(frame))
    frame["_e"] = pd.to_numeric(frame[E_HULL], errors="coerce").fillna(np.inf)
    frame = frame.sort_values(["reduced_formula", "_e", "_order"], kind="stable")
    ids = frame.groupby("reduced_formula", sort=False)["material_id"].agg(
        lambda s: ";".join(str(x) for x in s if isinstance(x, str) and x))
    counts = frame.groupby("reduced_formula", sort=False).size()
    best = frame.drop_duplicates("reduced_formula", keep="first").set_index("reduced_formula")
    best["n_polymorphs"] = counts
    best["polymorph_ids"] = ids
    best = best.reset_index().sort_values("_order", kind="stable")
    return best.drop(columns=["_order", "_e"]).reset_index(drop=True)


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    for c in POOL_COLUMNS:
        if c not in frame:
            frame[c] = np.nan if c in (*PROPERTIES, SIGMA_E) else None
    for c in (*PROPERTIES, SIGMA_E):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    frame["n_polymorphs"] = (pd.to_numeric(frame["n_polymorphs"], errors="coerce")
                             .fillna(1).astype(int))
    frame["source_id"] = [sid if isinstance(sid, str) and sid else
                          (mid if isinstance(mid, str) and mid else f"{org}:{rf}")
                          for sid, mid, org, rf in zip(frame["source_id"], frame["material_id"],
                                                       frame["origin"], frame["reduced_formula"],
                                                       strict=True)]
    return frame[list(POOL_COLUMNS)].reset_index(drop=True)


def _material_frame(records: Sequence[Any], columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` of the :class:`~superionic.records.Material` records among ``records``."""
    from superionic.records import Material

    rows = [[getattr(r, c) for c in columns] for r in records if isinstance(r, Material)]
    return pd.DataFrame(rows, columns=list(columns))
