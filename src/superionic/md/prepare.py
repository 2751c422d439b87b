"""From a pymatgen Structure to a relaxed MD cell: ordering, supercell, vacancies, relaxation.

Order of operations in :func:`prepare_structure`:

1. choose the supercell multiplier ``M`` (diagonal, in the target atom range, as cubic as
   possible: the largest ratio of the smallest perpendicular cell width to ``V**(1/3)``);
2. if the structure has partial occupancies, order it in the largest diagonal sub-cell ``M0``
   dividing ``M`` whose occupancies are integers and whose number of distinct orderings is at
   most ``max_orderings`` (pymatgen's Ewald minimiser is exhaustive branch-and-bound: 12,870
   orderings of LiNaCl2 take 0.9 s, 6e8 did not finish in 5 min), rank the orderings by Ewald
   energy (oxidation states added by guess) and keep the lowest; when no sub-cell is small
   enough a seeded random ordering is used instead and the choice is recorded;
3. tile the ordered ``M0`` cell to ``M``;
4. optionally remove mobile ions (with charge-compensating anion vacancies).

What was done is recorded in ``structure.properties["prepare"]`` (JSON-safe) so that it ends up
in the run's params file.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator
from pymatgen.core import Composition, Structure
from pymatgen.io.ase import AseAtomsAdaptor

#: Default target atom-count range of MD supercells (the paper's AIMD cells: 60-160 atoms).
DEFAULT_ATOM_RANGE = (60, 160)

MP_FIXTURE = "mp_entries_fixture_CClKLiMnNaOY"


# --- conversion -----------------------------------------------------------------------------

def to_atoms(structure: Structure) -> Atoms:
    """ASE Atoms of an ordered pymatgen Structure (oxidation states and site properties dropped)."""
    if not structure.is_ordered:
        raise ValueError("structure has partial occupancies; order it first (order_structure)")
    clean = Structure(structure.lattice, [site.specie.symbol for site in structure],
                      structure.frac_coords)
    return AseAtomsAdaptor.get_atoms(clean)


def to_structure(atoms: Atoms) -> Structure:
    """pymatgen Structure of ASE Atoms (positions, cell and species only)."""
    return Structure(atoms.cell[:], atoms.get_chemical_symbols(), atoms.get_positions(),
                     coords_are_cartesian=True)


def load_structure(spec: str | Path, data_dir: Path | None = None) -> Structure:
    """A Structure from a file (CIF, POSCAR, any pymatgen-readable format) or an MP id.

    MP ids (``mp-985585``) are looked up in the MP entries fixture of the data directory
    (``superionic.config.default_data_dir()``). Raises ``FileNotFoundError``/``ValueError``
    naming the file and the problem.
    """
    text = str(spec)
    path = Path(text)
    if path.exists():
        try:
            return Structure.from_file(path)
        except Exception as exc:  # noqa: BLE001 - re-raised with the file name
            raise ValueError(f"{path}: not a readable structure ({type(exc).__name__}: {exc})") from exc
    if text.startswith(("mp-", "mvc-")):
        return _structure_from_mp_fixture(text, data_dir)
    raise FileNotFoundError(f"{text}: no such file, and not an MP id (mp-NNNN)")


def _structure_from_mp_fixture(mp_id: str, data_dir: Path | None) -> Structure:
    from monty.json import MontyDecoder

    from superionic.config import default_data_dir

    folder = (data_dir or default_data_dir()) / MP_FIXTURE
    files = sorted(folder.glob("*.json.gz"))
    if not files:
        raise FileNotFoundError(f"{folder}: MP entries fixture not found (set SUPERIONIC_DATA)")
    with gzip.open(files[0], "rt") as fh:
        raw = json.load(fh)
    for item in raw:
        if str(item.get("entry_id", "")).split("-GGA")[0] == mp_id:
            return MontyDecoder().process_decoded(item).structure
    raise ValueError(f"{files[0]}: no entry with id {mp_id}")


# --- supercell ------------------------------------------------------------------------------

def cubicness(lattice_matrix: np.ndarray) -> float:
    """Smallest perpendicular width of a cell over ``V**(1/3)`` (1 for a cube, < 1 otherwise).

    The smallest width bounds the minimum-image distance, which is what a supercell buys.
    """
    m = np.asarray(lattice_matrix, dtype=float)
    volume = abs(np.linalg.det(m))
    widths = [volume / np.linalg.norm(np.cross(m[(i + 1) % 3], m[(i + 2) % 3])) for i in range(3)]
    return float(min(widths) / volume ** (1 / 3))


def supercell_candidates(structure: Structure,
                         atom_range: tuple[int, int] = DEFAULT_ATOM_RANGE) -> list[tuple[int, int, int]]:
    """Diagonal multipliers with an atom count in ``atom_range``, best first (most cubic, then
    fewest atoms). The count uses occupancies (``composition.num_atoms``)."""
    lo, hi = atom_range
    if lo > hi or hi < 1:
        raise ValueError(f"bad atom range {atom_range}")
    n0 = structure.composition.num_atoms
    nmax = max(1, int(hi // n0))
    cands = []
    for mult in itertools.product(range(1, nmax + 1), repeat=3):
        n = n0 * math.prod(mult)
        if lo - 1e-6 <= n <= hi + 1e-6:
            m = structure.lattice.matrix * np.array(mult)[:, None]
            cands.append((-round(cubicness(m), 3), n, mult))
    return [c[2] for c in sorted(cands)]


def choose_supercell(structure: Structure,
                     atom_range: tuple[int, int] = DEFAULT_ATOM_RANGE) -> tuple[int, int, int]:
    """The most cubic diagonal multiplier within ``atom_range``; ``(1, 1, 1)`` (with a warning)
    when the cell alone already exceeds the range, and the largest multiple below it when even
    one more repeat would overshoot."""
    cands = supercell_candidates(structure, atom_range)
    if cands:
        return cands[0]
    n0 = structure.composition.num_atoms
    if n0 >= atom_range[0]:
        warnings.warn(f"cell has {n0:g} atoms, above the range {atom_range}; using it as is",
                      stacklevel=2)
        return (1, 1, 1)
    below = supercell_candidates(structure, (1, atom_range[1]))
    return below[-1] if below else (1, 1, 1)


# --- ordering -------------------------------------------------------------------------------

def _disorder_groups(structure: Structure) -> list[tuple[int, dict[str, float]]]:
    """Groups of sites sharing the same partial occupancy: ``(n_sites, {species: occupancy})``
    with ``"X"`` for the vacancy fraction."""
    groups: dict[tuple, int] = {}
    for site in structure:
        if site.is_ordered:
            continue
        occ = {str(sp): round(float(v), 6) for sp, v in site.species.items()}
        vac = round(1.0 - sum(occ.values()), 6)
        if vac > 1e-6:
            occ["X"] = vac
        key = tuple(sorted(occ.items()))
        groups[key] = groups.get(key, 0) + 1
    return [(n, dict(key)) for key, n in groups.items()]


def n_orderings(structure: Structure, mult: Sequence[int] = (1, 1, 1),
                tol: float = 1e-3) -> float | None:
    """Number of distinct orderings of ``structure * mult`` (product of multinomials over groups
    of equivalent partially occupied sites), or ``None`` if occupancies are not integral there."""
    factor = math.prod(mult)
    log_total = 0.0
    for n_sites, occ in _disorder_groups(structure):
        n = n_sites * factor
        counts = [v * n for v in occ.values()]
        if any(abs(c - round(c)) > tol * n for c in counts):
            return None
        log_total += math.lgamma(n + 1) - sum(math.lgamma(round(c) + 1) for c in counts)
    return math.exp(min(log_total, 700.0))


def _with_oxidation_states(structure: Structure) -> Structure | None:
    """Copy decorated with guessed oxidation states, or ``None`` if no guess exists."""
    s = structure.copy()
    if all(getattr(sp, "oxi_state", None) is not None for sp in s.composition):
        return s
    try:
        guesses = Composition(s.composition.reduced_formula).oxi_state_guesses(max_sites=-1)
    except Exception:  # noqa: BLE001 - treated as "no guess"
        guesses = []
    if not guesses:
        return None
    s.add_oxidation_state_by_element(guesses[0])
    return s


def order_structure(structure: Structure, *, max_orderings: float = 2.0e4, ranked: int = 3,
                    seed: int = 0) -> tuple[Structure, dict[str, Any]]:
    """Ordered copy of ``structure`` (in the same cell) and a note of how it was ordered.

    The orderings are ranked by Ewald energy with guessed oxidation states (pymatgen
    ``OrderDisorderedStructureTransformation``, ``return_ranked_list=ranked``) and the lowest is
    kept. When the number of orderings exceeds ``max_orderings`` or no oxidation states can be
    guessed, a seeded random ordering is returned instead (recorded in the note).
    """
    from pymatgen.transformations.standard_transformations import (
        OrderDisorderedStructureTransformation as Order,
    )

    if structure.is_ordered:
        return structure.copy(), {"method": "already ordered"}
    count = n_orderings(structure)
    if count is None:
        raise ValueError("partial occupancies are not integral in this cell; "
                         "use prepare_structure, which picks a cell where they are")
    decorated = _with_oxidation_states(structure)
    if decorated is not None and count <= max_orderings:
        ranked_list = Order(algo=Order.ALGO_FAST).apply_transformation(
            decorated, return_ranked_list=max(1, ranked))
        best = ranked_list[0]["structure"]
        note = {"method": "ewald", "n_orderings": count,
                "ewald_eV": [float(r["energy"]) for r in ranked_list]}
    else:
        best = _random_ordering(structure, seed)
        why = "no oxidation-state guess" if decorated is None else f"{count:.3g} > {max_orderings:g}"
        note = {"method": "random", "reason": why, "n_orderings": count, "seed": seed}
    best.remove_oxidation_states()
    return best.get_sorted_structure(), note


def _random_ordering(structure: Structure, seed: int) -> Structure:
    """A seeded random ordering that keeps the exact rounded count of each species per group."""
    rng = np.random.default_rng(seed)
    keep: list[int] = []
    species: dict[int, str] = {}
    by_group: dict[tuple, list[int]] = {}
    for i, site in enumerate(structure):
        if site.is_ordered:
            keep.append(i)
            continue
        key = tuple(sorted((str(sp), round(float(v), 6)) for sp, v in site.species.items()))
        by_group.setdefault(key, []).append(i)
    for key, idx in by_group.items():
        n = len(idx)
        labels: list[str] = []
        for sp, v in key:
            labels += [sp] * round(v * n)
        perm = rng.permutation(idx)
        for i, label in zip(perm, labels, strict=False):  # sites beyond the labels: vacancies
            species[int(i)] = label
            keep.append(int(i))
    keep.sort()
    lat = structure.lattice
    return Structure(lat, [species.get(i) or structure[i].specie for i in keep],
                     structure.frac_coords[keep])


# --- vacancies ------------------------------------------------------------------------------

def create_vacancies(structure: Structure, n: int, ion: str = "Li", *,
                     compensate: str | None = "auto", seed: int = 0) -> tuple[Structure, dict[str, Any]]:
    """Remove ``n`` ``ion`` sites (seeded random choice) and, by default, compensate the charge.

    ``compensate="auto"`` removes the anion with the smallest |oxidation state| (guessed) whose
    charge divides the removed charge, choosing the anion sites farthest from the new
    vacancies (a separated Schottky pair, e.g. Li3-xOCl1-x from Li3OCl); a species symbol picks
    the anion; ``None`` leaves the cell charged (a hole in a charge-agnostic potential).
    """
    if n < 0:
        raise ValueError("number of vacancies must be >= 0")
    s = structure.copy()
    s.remove_oxidation_states()
    ion_idx = [i for i, site in enumerate(s) if site.specie.symbol == ion]
    if n > len(ion_idx):
        raise ValueError(f"cannot remove {n} {ion}: only {len(ion_idx)} in the cell")
    if n == 0:
        return s, {"n_vacancies": 0}
    rng = np.random.default_rng(seed)
    removed = sorted(int(i) for i in rng.choice(ion_idx, size=n, replace=False))
    note: dict[str, Any] = {"ion": ion, "n_vacancies": n, "ion_sites": removed}
    anion_removed: list[int] = []
    if compensate is not None:
        anion, k = _compensating_anion(structure, ion, n, None if compensate == "auto" else compensate)
        cand = [i for i, site in enumerate(s) if site.specie.symbol == anion]
        dist = s.distance_matrix[np.ix_(cand, removed)].min(axis=1)
        anion_removed = [cand[j] for j in np.argsort(-dist, kind="stable")[:k]]
        note.update({"compensating_anion": anion, "anion_sites": sorted(anion_removed)})
    s.remove_sites(removed + anion_removed)
    return s, note


def _compensating_anion(structure: Structure, ion: str, n: int, anion: str | None) -> tuple[str, int]:
    guesses = Composition(structure.composition.reduced_formula).oxi_state_guesses(max_sites=-1)
    if not guesses:
        raise ValueError(f"{structure.composition.reduced_formula}: no oxidation-state guess; "
                         "pass compensate=None or an anion symbol")
    oxi = guesses[0]
    charge = n * round(oxi.get(ion, 1))
    anions = sorted((el for el, q in oxi.items() if q < 0), key=lambda el: abs(oxi[el]))
    if anion is not None:
        anions = [anion]
    for el in anions:
        q = abs(round(oxi.get(el, 0)))
        if q and charge % q == 0:
            return el, charge // q
    raise ValueError(f"cannot compensate {n} {ion} vacancies with anions {anions}")


# --- the whole preparation ------------------------------------------------------------------

def prepare_structure(structure: Structure, *, atom_range: tuple[int, int] = DEFAULT_ATOM_RANGE,
                      n_vacancies: int = 0, ion: str = "Li", compensate: str | None = "auto",
                      max_orderings: float = 2.0e4, seed: int = 0) -> Structure:
    """Ordered supercell in ``atom_range`` with optional ``ion`` vacancies (see module doc).

    The returned structure's ``properties["prepare"]`` records the multiplier, the ordering
    method and the vacancies.
    """
    mult = choose_supercell(structure, atom_range)
    note: dict[str, Any] = {"source_formula": structure.composition.formula,
                            "supercell": list(mult)}
    if structure.is_ordered:
        ordered = structure * mult
    else:
        sub = _ordering_cell(structure, mult, max_orderings)
        if sub is None:
            raise ValueError(f"{structure.composition.formula}: partial occupancies are not "
                             f"integral in the {mult} supercell; widen the atom range")
        cell, order_note = order_structure(structure * sub, max_orderings=max_orderings, seed=seed)
        ordered = cell * tuple(m // s for m, s in zip(mult, sub, strict=True))
        note.update({"ordering_cell": list(sub), "ordering": order_note})
    ordered.remove_oxidation_states()
    if n_vacancies:
        ordered, vac_note = create_vacancies(ordered, n_vacancies, ion, compensate=compensate,
                                             seed=seed)
        note["vacancies"] = vac_note
    out = ordered.get_sorted_structure()
    note["formula"] = out.composition.formula
    note["n_atoms"] = len(out)
    out.properties = {"prepare": note}
    return out


def _ordering_cell(structure: Structure, mult: Sequence[int],
                   max_orderings: float) -> tuple[int, int, int] | None:
    """The largest diagonal divisor of ``mult`` with integral occupancies and at most
    ``max_orderings`` orderings; else the smallest integral one (ordered at random)."""
    divisors = [[d for d in range(1, m + 1) if m % d == 0] for m in mult]
    integral = []
    for sub in itertools.product(*divisors):
        count = n_orderings(structure, sub)
        if count is not None:
            integral.append((count <= max_orderings, math.prod(sub), sub))
    if not integral:
        return None
    small = [c for c in integral if c[0]]
    return max(small)[2] if small else min(integral, key=lambda c: c[1])[2]


# --- relaxation -----------------------------------------------------------------------------

def relax(atoms: Atoms, calculator: Calculator, *, fmax: float = 0.1, steps: int = 200,
          optimizer: str = "FIRE", relax_cell: bool = False) -> tuple[Atoms, dict[str, Any]]:
    """Short relaxation: positions (and the cell with ``relax_cell``) until max force ``fmax``
    (eV/Angstrom) or ``steps`` optimiser steps. Returns a relaxed copy and a note (energy eV,
    final max force eV/Angstrom, steps, converged)."""
    from ase.filters import FrechetCellFilter
    from ase.optimize import BFGS, FIRE

    opt_cls = {"FIRE": FIRE, "BFGS": BFGS}.get(optimizer.upper())
    if opt_cls is None:
        raise ValueError(f"optimizer must be FIRE or BFGS, got {optimizer!r}")
    work = atoms.copy()
    work.calc = calculator
    target = FrechetCellFilter(work) if relax_cell else work
    opt = opt_cls(target, logfile=None)
    converged = bool(opt.run(fmax=fmax, steps=steps)) if steps > 0 else False
    forces = work.get_forces()
    note = {"optimizer": opt_cls.__name__, "fmax_eV_A": fmax, "steps": int(opt.nsteps),
            "converged": converged, "energy_eV": float(work.get_potential_energy()),
            "max_force_eV_A": float(np.linalg.norm(forces, axis=1).max()),
            "relax_cell": relax_cell}
    out = work.copy()
    out.calc = None
    return out, note
