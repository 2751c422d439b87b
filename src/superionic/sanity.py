"""Physical sanity checks on user inputs: refuse what cannot be meant, flag what is implausible.

Refusals raise :class:`~superionic.errors.BadValue` (the CLI prints one JSON object, exit 2):
overlapping atoms, a structure without the mobile ion, a charged cell where a neutral one is
needed, energies that are not finite. Implausible values return a warning text (the caller adds it
to its output, or refuses unless the user passes ``force``): conductivities above
:data:`MAX_PLAUSIBLE_SIGMA_S_CM`. The policy table is docs/errors.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from superionic.errors import BadValue, Implausible

__all__ = [
    "MAX_PLAUSIBLE_SIGMA_S_CM",
    "MIN_DISTANCE_A",
    "check_charge_neutral",
    "check_entries_finite",
    "check_structure",
    "closest_pair",
    "implausible_conductivity",
    "refuse_implausible_conductivity",
]

#: Interatomic distance (Angstrom) below which two atoms overlap (the shortest real bond, H-H in
#: H2, is 0.74 A; Ewald and MLIP energies of closer pairs are meaningless).
MIN_DISTANCE_A = 0.5
#: Conductivity (S/cm) above which a value is called implausible: the best solid electrolytes
#: reach ~0.01-0.1 S/cm at room temperature, molten salts ~1-5 S/cm.
MAX_PLAUSIBLE_SIGMA_S_CM = 10.0


def closest_pair(structure: Any, cutoff_A: float) -> tuple[int, int, float] | None:
    """(i, j, distance in A) of the closest pair of sites (periodic images included) closer than
    ``cutoff_A``, or None. Cost: one neighbour search with radius ``cutoff_A``."""
    if len(structure) == 0:
        return None
    centers, neighbors, _images, distances = structure.get_neighbor_list(cutoff_A)
    if len(distances) == 0:
        return None
    k = int(np.argmin(distances))
    return int(centers[k]), int(neighbors[k]), float(distances[k])


def check_structure(structure: Any, mobile_ion: str | None = None, *,
                    min_distance_A: float = MIN_DISTANCE_A, require_neutral: bool = False,
                    name: str = "structure") -> None:
    """Refuse a structure that cannot be simulated as meant (:class:`BadValue`, naming ``name``):

    - no sites, or a non-positive cell volume;
    - two atoms closer than ``min_distance_A`` (periodic images included);
    - ``mobile_ion`` given and absent from the structure;
    - ``require_neutral`` and every site carries an oxidation state, and the cell is charged
      (:func:`check_charge_neutral`).

    For the MD and defects entry points (``md run``, ``defects``), before any expensive work.
    """
    if len(structure) == 0:
        raise BadValue(f"{name}: no atoms", option="structure", value=name)
    volume = float(structure.lattice.volume)
    if not math.isfinite(volume) or volume <= 0:
        raise BadValue(f"{name}: cell volume {volume} A^3 is not positive", option="structure",
                       value=name)
    if mobile_ion is not None:
        symbols = {el.symbol for el in structure.composition.elements}
        if mobile_ion not in symbols:
            raise BadValue(f"{name} ({structure.composition.reduced_formula}) contains no "
                           f"{mobile_ion}, the mobile ion; nothing would diffuse",
                           option="mobile_ion", value=mobile_ion)
    pair = closest_pair(structure, min_distance_A)
    if pair is not None:
        i, j, d = pair
        raise BadValue(
            f"{name}: atoms {i} ({structure[i].species_string}) and {j} "
            f"({structure[j].species_string}) are {d:.3f} A apart (overlapping; minimum "
            f"{min_distance_A:g} A); check the coordinates or the occupancies",
            option="structure", value=name)
    if require_neutral:
        check_charge_neutral(structure, name=name)


def check_charge_neutral(structure: Any, name: str = "structure", tol: float = 1e-4) -> None:
    """Refuse a structure whose sites all carry oxidation states that do not sum to zero.

    A structure without oxidation states is not judged here (the caller's guess decides)."""
    charges: list[float] = []
    for site in structure:
        for sp, occ in site.species.items():
            q = getattr(sp, "oxi_state", None)
            if q is None:
                return
            charges.append(float(q) * float(occ))
    total = float(sum(charges))
    if abs(total) > tol:
        comp = structure.composition
        states = ", ".join(sorted({str(sp) for sp in comp}))
        raise BadValue(
            f"{name} ({comp.element_composition.reduced_formula}) is a charged cell: its "
            f"oxidation states ({states}) sum to {total:+.4g} e per cell; a parent must be "
            "charge neutral", option="structure", value=name)


def check_entries_finite(entries: Sequence[Any], source: str = "entries") -> None:
    """Refuse entries whose energy (eV) is NaN or infinite, naming the item and its formula."""
    for i, entry in enumerate(entries):
        try:
            energy = float(entry.energy)
        except (TypeError, ValueError, AttributeError):
            energy = math.nan
        if not math.isfinite(energy):
            formula = getattr(getattr(entry, "composition", None), "reduced_formula", "?")
            raise BadValue(f"{source}: item {i} ({formula}) has energy {energy} eV; every "
                           "entry needs a finite energy", option="entries", file=source,
                           row=i, value=str(energy))


def implausible_conductivity(sigma_S_cm: float, what: str = "sigma") -> str | None:
    """A warning calling ``sigma_S_cm`` implausible (> :data:`MAX_PLAUSIBLE_SIGMA_S_CM`), else
    None. NaN and non-positive values are not judged here."""
    if sigma_S_cm is None or not math.isfinite(sigma_S_cm):
        return None
    if sigma_S_cm > MAX_PLAUSIBLE_SIGMA_S_CM:
        return (f"{what} = {sigma_S_cm:.3g} S/cm is implausible for a solid electrolyte "
                f"(> {MAX_PLAUSIBLE_SIGMA_S_CM:g} S/cm): check the pellet thickness (mm) and "
                "area (cm^2) and the spectrum's units")
    return None


def refuse_implausible_conductivity(values: Iterable[tuple[str, float]],
                                    force: bool = False) -> list[str]:
    """The warnings of :func:`implausible_conductivity` for each (name, value); with any and
    not ``force``, :class:`~superionic.errors.Implausible` (for a label that would be stored)."""
    warnings = [w for name, v in values if (w := implausible_conductivity(v, name))]
    if warnings and not force:
        raise Implausible("; ".join(warnings) + "; not stored as a label (force=True to store)",
                          option="force")
    return warnings
