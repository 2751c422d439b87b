"""Structure descriptors for a pymatgen Structure (ordered or with partial occupancies).

Per structure, with the mobile ion M (Li by default; Na, K the same way):

- ``space_group_number``, ``crystal_system`` (and ``crystal_system_number``, 1 = triclinic ...
  7 = cubic): spglib through pymatgen ``SpacegroupAnalyzer`` with ``symprec`` 0.1 Angstrom and
  ``angle_tolerance`` 5 degrees (pymatgen's defaults are 0.01 / 5; 0.1 absorbs the rounding of
  experimental CIFs; 1/10 and 1/100 of it are tried when spglib finds no group). Partially
  occupied sites are typed by their whole occupancy, so sites with the same mixture are
  symmetry-equivalent, as pymatgen does.
- ``density_g_cm3`` (pymatgen ``Structure.density``; occupancy-weighted mass / cell volume);
- ``volume_per_atom_A3``: cell volume / occupancy-weighted number of atoms;
- ``packing_fraction``: sum over sites and species of occupancy x 4/3 pi r^3 over the cell volume,
  r the empirical (Slater 1964) atomic radius, pymatgen ``Element.atomic_radius`` (Angstrom) -
  the same radii and formula as matminer's ``DensityFeatures`` for ordered structures. Metal
  radii are large (Li 1.45), so ionic compounds can exceed 1 (antifluorite Li2O: 1.07);
- ``mobile_ion_nn_distance_A``: shortest distance between two sites hosting M (any occupancy,
  periodic images included), skipping pairs closer than 1.5 Angstrom (split sites of a
  disordered structure, never occupied together);
- ``mobile_ion_coordination``: for each M site, the anion neighbours within (1 + ``cn_tolerance``)
  x its nearest M-anion distance, counted with their anion occupancy; averaged over M sites
  weighted by M occupancy (a minimum-distance cutoff method, tolerance 0.2; fast, unlike
  CrystalNN). Rock-salt LiCl gives 6, antifluorite Li2O gives 4;
- ``volume_per_anion_A3``: cell volume / occupancy-weighted number of anions.

Anions are the elements with a negative oxidation state in the compound's best charge-balanced
guess (:func:`superionic.features.oxidation.guessed_oxidation_range` on the reduced formula); when
pymatgen finds none (non-integral occupancies, large cells), in the single-state-per-element
assignment closest to neutral (:func:`nearest_balanced_states`). The M-specific values are NaN
when the structure has no M.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pymatgen.core import Composition, Element, Structure
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from superionic.config import MOBILE_IONS
from superionic.features.oxidation import (
    guessed_oxidation_range,
    icsd_occurrence,
    integer_composition,
)

CRYSTAL_SYSTEMS = (
    "triclinic",
    "monoclinic",
    "orthorhombic",
    "tetragonal",
    "trigonal",
    "hexagonal",
    "cubic",
)
STRUCTURE_FEATURES = (
    "space_group_number",
    "crystal_system",
    "crystal_system_number",
    "density_g_cm3",
    "volume_per_atom_A3",
    "packing_fraction",
    "mobile_ion_nn_distance_A",
    "mobile_ion_coordination",
    "volume_per_anion_A3",
)


def anion_symbols(comp: Composition) -> set[str]:
    """Elements with a negative oxidation state in the compound (see the module docstring)."""
    comp = comp.element_composition
    icomp = integer_composition(comp)
    ranges = guessed_oxidation_range(icomp.reduced_composition) if icomp is not None else None
    if ranges and any(lo < 0 for lo, _ in ranges.values()):
        return {sym for sym, (lo, _) in ranges.items() if lo < 0}
    states = nearest_balanced_states(comp)
    return {sym for sym, q in states.items() if q < 0}


def nearest_balanced_states(comp: Composition, max_assignments: int = 20_000) -> dict[str, int]:
    """One oxidation state per element (ICSD/common lists) minimising |total charge|.

    For compositions pymatgen cannot guess (non-integral occupancies, large cells): among all
    single-state-per-element assignments the one closest to neutral, ties broken by the ICSD
    occurrence of the states. Elements without states get 0.
    """
    occurrence = icsd_occurrence()
    elements = [el.symbol for el in comp.element_composition]
    amounts = [comp.element_composition[el] for el in elements]
    choices = []
    for sym in elements:
        el = Element(sym)
        states = sorted(
            set(el.icsd_oxidation_states or el.common_oxidation_states) or {0},
            key=lambda q, s=sym: -occurrence.get((s, float(q)), 0.0),
        )
        choices.append(states)
    while math.prod(len(c) for c in choices) > max_assignments:
        longest = max(range(len(choices)), key=lambda i: len(choices[i]))
        choices[longest] = choices[longest][:-1]
    best: tuple[float, float] | None = None
    best_states: tuple[int, ...] = ()
    for states in itertools.product(*choices):
        charge = abs(sum(a * q for a, q in zip(amounts, states, strict=True)))
        prior = sum(
            a * occurrence.get((s, float(q)), 0.0)
            for s, a, q in zip(elements, amounts, states, strict=True)
        )
        key = (round(charge, 6), -prior)
        if best is None or key < best:
            best, best_states = key, states
    return dict(zip(elements, best_states, strict=True))


def atomic_radius_A(symbol: str) -> float:
    """Empirical atomic radius (Angstrom), calculated radius as fallback, NaN if neither."""
    el = Element(symbol)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = el.atomic_radius or el.atomic_radius_calculated
    return float(r) if r else math.nan


def _site_amounts(structure: Structure, symbols: set[str]) -> np.ndarray:
    """Per site, the total occupancy of the given elements."""
    return np.array(
        [
            sum(amt for el, amt in site.species.get_el_amt_dict().items() if el in symbols)
            for site in structure
        ]
    )


def symmetry(structure: Structure, symprec: float = 0.1, angle_tolerance: float = 5.0) -> dict:
    """Space group number and crystal system (spglib via pymatgen).

    When spglib finds no group at ``symprec`` (overlapping split sites can defeat a loose
    tolerance), ``symprec / 10`` and ``symprec / 100`` are tried before giving up.
    """
    error: Exception | None = None
    for prec in (symprec, symprec / 10, symprec / 100):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # spglib's API notice
                sga = SpacegroupAnalyzer(structure, symprec=prec, angle_tolerance=angle_tolerance)
                number = int(sga.get_space_group_number())
                system = sga.get_crystal_system()
        except Exception as exc:  # noqa: BLE001 - spglib's SymmetryUndeterminedError and kin
            error = exc
            continue
        return {
            "space_group_number": number,
            "crystal_system": system,
            "crystal_system_number": CRYSTAL_SYSTEMS.index(system) + 1,
        }
    raise ValueError(f"no space group found down to symprec={symprec / 100:g}: {error}")


def packing_fraction(structure: Structure) -> float:
    """Occupancy-weighted sum of atomic sphere volumes (Slater radii) / cell volume."""
    total = sum(
        amt * 4.0 / 3.0 * math.pi * atomic_radius_A(el) ** 3
        for site in structure
        for el, amt in site.species.get_el_amt_dict().items()
    )
    return total / structure.volume


def mobile_ion_nn_distance(
    structure: Structure, mobile_ion: str, min_pair_A: float = 1.5, r_max: float = 12.0
) -> float:
    """Shortest distance (Angstrom) between two sites hosting the mobile ion, NaN if none.

    Pairs closer than ``min_pair_A`` are split sites of a disordered structure (they cannot be
    occupied together) and are skipped.
    """
    occ = _site_amounts(structure, {mobile_ion})
    if not occ.any():
        return math.nan
    for r in (6.0, r_max):
        centers, neighbors, _, dist = structure.get_neighbor_list(r)
        keep = (occ[centers] > 0) & (occ[neighbors] > 0) & (dist >= min_pair_A)
        if keep.any():
            return float(dist[keep].min())
    return math.nan


def mobile_ion_coordination(
    structure: Structure,
    mobile_ion: str,
    anions: set[str],
    tolerance: float = 0.2,
    r: float = 6.0,
) -> float:
    """Mean anion coordination of the mobile ion (cutoff (1 + tolerance) x nearest distance)."""
    occ = _site_amounts(structure, {mobile_ion})
    anion_occ = _site_amounts(structure, anions)
    if not occ.any() or not anion_occ.any():
        return math.nan
    centers, neighbors, _, dist = structure.get_neighbor_list(r)
    keep = (occ[centers] > 0) & (anion_occ[neighbors] > 0)
    centers, neighbors, dist = centers[keep], neighbors[keep], dist[keep]
    cn = np.zeros(len(structure))
    for site in np.unique(centers):
        mine = centers == site
        d_site = dist[mine]
        close = d_site <= (1.0 + tolerance) * d_site.min()
        cn[site] = anion_occ[neighbors[mine][close]].sum()
    has_neighbors = np.isin(np.arange(len(structure)), centers)
    weights = occ * has_neighbors
    return float((cn * weights).sum() / weights.sum()) if weights.any() else math.nan


def structure_features(
    structure: Structure,
    mobile_ion: str = "Li",
    symprec: float = 0.1,
    angle_tolerance: float = 5.0,
    cn_tolerance: float = 0.2,
) -> dict[str, float | int | str]:
    """All :data:`STRUCTURE_FEATURES` of one structure (see the module docstring for units)."""
    if mobile_ion not in MOBILE_IONS:
        raise ValueError(f"mobile_ion must be one of {MOBILE_IONS}, got {mobile_ion!r}")
    if len(structure) == 0 or structure.volume <= 0:
        raise ValueError("empty structure or non-positive cell volume")
    anions = anion_symbols(structure.composition)
    volume = structure.volume
    n_anions = float(_site_amounts(structure, anions).sum())
    out: dict[str, float | int | str] = symmetry(structure, symprec, angle_tolerance)
    out.update(
        density_g_cm3=float(structure.density),
        volume_per_atom_A3=volume / structure.composition.num_atoms,
        packing_fraction=packing_fraction(structure),
        mobile_ion_nn_distance_A=mobile_ion_nn_distance(structure, mobile_ion),
        mobile_ion_coordination=mobile_ion_coordination(
            structure, mobile_ion, anions, cn_tolerance
        ),
        volume_per_anion_A3=volume / n_anions if n_anions > 0 else math.nan,
    )
    return out


def _structure_task(payload: tuple[Structure | None, str, dict]) -> dict:
    structure, mobile_ion, kwargs = payload
    return {} if structure is None else structure_features(structure, mobile_ion, **kwargs)


def structure_table(
    structures: Sequence[Structure | None],
    mobile_ion: str = "Li",
    mapper: Callable[[Callable[[Any], Any], Iterable[Any]], list[Any]] | None = None,
    **kwargs: float,
) -> tuple[pd.DataFrame, list[str | None]]:
    """Descriptors for many structures (None -> NaN row) and each row's problem (None if fine).

    ``mapper`` (e.g. ``Executor.map``; failed tasks come back as objects with an ``error``)
    spreads the work; default serial in this process.
    """
    payloads = [(s, mobile_ion, kwargs) for s in structures]
    if mapper is None:
        results: list[Any] = []
        for p in payloads:
            try:
                results.append(_structure_task(p))
            except Exception as exc:  # noqa: BLE001 - reported for this row, the batch continues
                results.append(exc)
    else:
        results = mapper(_structure_task, payloads)
    rows: list[dict] = []
    problems: list[str | None] = []
    for res in results:
        if isinstance(res, dict):
            rows.append(res)
            problems.append(None)
        else:
            reason = getattr(res, "error", None) or f"{type(res).__name__}: {res}"
            rows.append({})
            problems.append(f"structure descriptors failed: {reason}")
    return pd.DataFrame(rows, columns=list(STRUCTURE_FEATURES)), problems
