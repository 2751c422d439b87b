"""Typed records that flow between stages. Units are part of every field name or docstring.

Conventions: energies eV (``_eV_per_atom`` where per atom), conductivity S/cm, temperature K,
potentials V vs the mobile-ion metal, time ps, distance Angstrom. Conductivity targets are
``log10(sigma / S cm^-1)``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Censor = Literal["upper", "lower"] | None


@dataclass(frozen=True)
class Provenance:
    """Where a value came from: data set (and its version), file, 1-based data row, DOI."""

    dataset: str
    file: str | None = None
    row: int | None = None
    doi: str | None = None
    version: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Rejection:
    """A row or file that did not parse: reported and skipped, never fatal to the batch."""

    file: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row is not None else self.file
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Material:
    """A compound: composition (and a structure when one exists) plus computed properties.

    ``structure`` is a pymatgen ``Structure`` (kept out of equality/hash); properties are
    ``e_above_hull_eV_per_atom``, ``band_gap_eV``, ``e_form_eV_per_atom`` when known.
    """

    formula: str
    reduced_formula: str
    material_id: str | None = None
    structure: Any = field(default=None, compare=False, repr=False)
    e_above_hull_eV_per_atom: float | None = None
    band_gap_eV: float | None = None
    e_form_eV_per_atom: float | None = None
    space_group_number: int | None = None
    family: str | None = None
    provenance: Provenance | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if k not in ("structure", "provenance")}
        d["provenance"] = self.provenance.to_dict() if self.provenance else None
        d["has_structure"] = self.structure is not None
        return d


@dataclass(frozen=True)
class Measurement:
    """One measured (or literature) value of a property of a composition.

    ``quantity`` names the property with its unit: ``sigma_S_cm`` (ionic conductivity, S/cm),
    ``Ea_eV`` (activation energy, eV), ``reduction_V`` / ``oxidation_V`` (V vs mobile-ion metal),
    ``sigma_e_S_cm`` (electronic conductivity). ``censor="upper"`` means the true value is at most
    ``value`` (a reported ``<1E-10``); the value is then the bound, never a made-up number.
    """

    formula: str
    reduced_formula: str
    quantity: str
    value: float
    temperature_K: float | None = None
    censor: Censor = None
    family: str | None = None
    provenance: Provenance | None = None

    @property
    def log10_value(self) -> float:
        return math.log10(self.value)

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if k != "provenance"}
        d["provenance"] = self.provenance.to_dict() if self.provenance else None
        return d


@dataclass(frozen=True)
class Prediction:
    """A model's prediction of ``target`` for a composition with an interval at ``level``."""

    formula: str
    target: str
    mean: float
    low: float | None = None
    high: float | None = None
    level: float | None = None
    model: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)


def content_key(payload: Any) -> str:
    """Stable sha256 hex digest of a JSON-serialisable payload (sorted keys): the store's key."""
    blob = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def jsonable(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf -> None, numpy scalars/arrays -> Python, Paths -> str."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, str | int | bool) or obj is None:
        return obj
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "tolist") and callable(obj.tolist):  # numpy scalars and arrays
        return jsonable(obj.tolist())
    return str(obj)
