"""Bond-valence site energy (BVSE) percolation barriers of the mobile ion.

The mobile ion's site energy E(r) on a grid over the cell is the sum of a Morse-type bond-valence
term to the counter-ions and a screened Coulomb repulsion from the other cations (Chen, Wong &
Adams, Acta Cryst. B 75, 18 (2019); softBV parameters). With the mobile ions themselves removed,
the lowest energy E_d at which the region {E <= E_d} percolates through the periodic cell in d
dimensions (d = 1, 2, 3) is the BVSE migration barrier of a d-dimensional network. The grid and
the percolation search are those of the ``bvlain`` package (Fedotov et al.,
https://github.com/dembart/BVlain), called here on a pymatgen ``Structure``:

* oxidation states: the first charge-balanced guess of the composition
  (``Composition.oxi_state_guesses``), else pymatgen's ``BVAnalyzer``; a structure with neither
  raises :class:`BVSEError`;
* a disordered structure is first ordered by Ewald energy (:mod:`superionic.defects.ordering`),
  since the grid needs one species per site;
* ``barrier_eV`` is E_1D, the lowest energy at which any path percolates; ``dim`` is the highest
  dimension d whose E_d lies within :data:`DIM_TOLERANCE_EV` of it (the network that opens at
  that energy); E_2D and E_3D are kept (``barrier_2d_eV``, ``barrier_3d_eV``; None: no
  percolation below ``encut_eV``).

Results are cached on disk under the content hash of the structure (lattice, species,
coordinates rounded to 1e-4), the ion and the grid settings (:class:`BVSECache`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pymatgen.core import Structure

from superionic.records import content_key

#: Grid spacing (Angstrom) of the site-energy map; bvlain's default. 0.3 A is ~4x faster and
#: moves barriers by up to 0.04 eV on the library structures.
RESOLUTION_A = 0.2
#: Energies above which a network counts as not percolating (eV).
ENCUT_EV = 5.0
#: A higher-dimensional network within this energy of E_1D counts as open at E_1D (eV).
DIM_TOLERANCE_EV = 0.02
#: Mobile-ion charges (bvlain names the ion with its charge).
ION_CHARGES = {"Li": 1, "Na": 1, "K": 1}
CACHE_VERSION = 1


class BVSEError(ValueError):
    """A structure BVSE cannot treat (no oxidation states, no mobile ion, no parameters)."""


@dataclass(frozen=True)
class BVSEResult:
    """Percolation barriers (eV) of one structure for one mobile ion; None: none below encut."""

    mobile_ion: str
    barrier_eV: float | None
    dim: int | None
    barrier_1d_eV: float | None
    barrier_2d_eV: float | None
    barrier_3d_eV: float | None
    resolution_A: float
    n_sites: int
    ordered_from_disorder: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def structure_key(structure: Structure, mobile_ion: str, resolution_A: float = RESOLUTION_A,
                  encut_eV: float = ENCUT_EV) -> str:
    """Content hash of a structure and the BVSE settings (cache key)."""
    return content_key({
        "lattice": np.round(structure.lattice.matrix, 4).tolist(),
        "frac": np.round(structure.frac_coords % 1.0, 4).tolist(),
        "species": [str(site.species) for site in structure],
        "ion": mobile_ion, "res": resolution_A, "encut": encut_eV, "v": CACHE_VERSION})


def _decorated(structure: Structure) -> Structure:
    """An oxidation-state-decorated copy (composition guess first, then BVAnalyzer)."""
    s = structure.copy()
    s.remove_oxidation_states()
    guesses = s.composition.oxi_state_guesses(max_sites=-50)
    if guesses:
        s.add_oxidation_state_by_element(guesses[0])
        return s
    from pymatgen.analysis.bond_valence import BVAnalyzer

    try:
        return BVAnalyzer().get_oxi_state_decorated_structure(s)
    except ValueError as exc:
        raise BVSEError(f"{s.composition.reduced_formula}: no oxidation states ({exc})") from None


def _dim(barriers: list[float | None]) -> tuple[float | None, int | None]:
    first = barriers[0]
    if first is None:
        return None, None
    dim = max(d + 1 for d, e in enumerate(barriers) if e is not None and
              e <= first + DIM_TOLERANCE_EV)
    return first, dim


def bvse_barriers(structure: Structure, mobile_ion: str = "Li",
                  resolution_A: float = RESOLUTION_A, encut_eV: float = ENCUT_EV,
                  seed: int = 0) -> BVSEResult:
    """BVSE percolation barriers of ``mobile_ion`` in ``structure`` (module docstring)."""
    from bvlain import Lain

    if mobile_ion not in ION_CHARGES:
        raise BVSEError(f"mobile ion {mobile_ion!r}: BVSE here supports {sorted(ION_CHARGES)}")
    if mobile_ion not in {el.symbol for el in structure.composition.elements}:
        raise BVSEError(f"{structure.composition.reduced_formula} holds no {mobile_ion}")
    disordered = not structure.is_ordered
    if disordered:
        from superionic.defects.library import ordered

        structure = ordered(structure, seed=seed)
    s = _decorated(structure)
    calc = Lain(verbose=False)
    with warnings.catch_warnings(), open(os.devnull, "w") as devnull:
        warnings.simplefilter("ignore")
        with contextlib.redirect_stdout(devnull):  # bvlain prints parameter misses
            calc.read_structure(s, oxi_check=False)
            try:
                calc.bvse_distribution(mobile_ion=f"{mobile_ion}{ION_CHARGES[mobile_ion]}+",
                                       resolution=resolution_A)
            except (KeyError, IndexError) as exc:
                raise BVSEError(f"{s.composition.reduced_formula}: no BVSE parameters for "
                                f"{exc}") from None
            energies = calc.percolation_barriers(encut=encut_eV)
    vals = [float(energies[f"E_{d}D"]) for d in (1, 2, 3)]
    barriers = [round(v, 3) if math.isfinite(v) else None for v in vals]
    first, dim = _dim(barriers)
    return BVSEResult(mobile_ion, first, dim, *barriers, resolution_A=resolution_A,
                      n_sites=len(s), ordered_from_disorder=disordered)


class BVSECache:
    """BVSE results on disk, one JSON file per :func:`structure_key` (errors are cached too,
    as ``{"error": ...}``, so a structure without parameters is not retried)."""

    def __init__(self, root: str | Path | None) -> None:
        self.root = Path(root) if root else None
        self.hits = self.misses = 0

    def _path(self, key: str) -> Path | None:
        return self.root / f"{key[:32]}.json" if self.root else None

    def get(self, structure: Structure, mobile_ion: str = "Li",
            resolution_A: float = RESOLUTION_A, encut_eV: float = ENCUT_EV
            ) -> BVSEResult | BVSEError:
        """The cached or freshly computed result (a :class:`BVSEError` is returned, not raised)."""
        key = structure_key(structure, mobile_ion, resolution_A, encut_eV)
        path = self._path(key)
        if path is not None and path.is_file():
            doc = json.loads(path.read_text())
            self.hits += 1
            return BVSEError(doc["error"]) if "error" in doc else BVSEResult(**doc)
        self.misses += 1
        try:
            out: BVSEResult | BVSEError = bvse_barriers(structure, mobile_ion, resolution_A,
                                                        encut_eV)
        except BVSEError as exc:
            out = exc
        except (ValueError, RuntimeError, MemoryError) as exc:
            out = BVSEError(f"{structure.composition.reduced_formula}: "
                            f"{type(exc).__name__}: {exc}")
        if path is not None:
            doc = {"error": str(out)} if isinstance(out, BVSEError) else out.to_dict()
            from superionic.fileio import atomic_write_json

            atomic_write_json(path, doc, indent=None)
        return out
