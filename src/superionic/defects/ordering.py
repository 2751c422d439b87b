"""Order partial occupancies by electrostatic (Ewald) energy, exhaustively or by seeded sampling.

A disordered cell is first repeated into the smallest diagonal supercell in which every group of
partially occupied sites holds a whole number of atoms per species (within ``tol``; the split
between groups uses the largest-remainder rule so that every species total is an integer and the
cell stays neutral). Each candidate ordering is then scored with one precomputed Ewald matrix
``M`` of the supercell (pymatgen :class:`~pymatgen.analysis.ewald.EwaldSummation`, all sites
present with their formal charges): with ``f_i = q_i(config)/q_i(reference)`` (0 for a vacancy),
``E = f^T M f`` is the Ewald energy (eV) of the ordered cell, exactly as in pymatgen's
:class:`~pymatgen.analysis.ewald.EwaldMinimizer`.

- ``exhaustive``: every combination is scored when there are at most ``max_enumerate`` of them
  (pymatgen's ``OrderDisorderedStructureTransformation`` gives the same minimum; tested);
- ``sampled``: otherwise ``n_samples`` random sequential-addition orderings (seeded, with a
  hard-core distance ``min_distance_A`` between atoms placed on partial sites, so split-site
  pairs such as the 96h pairs of garnets or the 48h pairs of argyrodites are never both filled)
  are each relaxed by greedy pair swaps that lower ``E``; the lowest are kept. This is a
  heuristic: it finds low, not provably lowest, Ewald orderings of cells such as LLZO
  (~10^40 orderings) in seconds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pymatgen.analysis.ewald import EwaldSummation
from pymatgen.core import Composition, Element, Species, Structure

#: Default hard-core distance (Angstrom) between atoms placed on partially occupied sites.
DEFAULT_MIN_DISTANCE_A = 1.65


@dataclass
class Ordering:
    """One ordered cell with its Ewald energy (eV, whole cell) and how it was found."""

    structure: Structure
    ewald_energy_eV: float
    method: str
    supercell: tuple[int, int, int]
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Group:
    """Sites sharing one partial-occupancy pattern: indices and species -> count to place."""

    indices: list[int]
    counts: dict[str, int]  # species string -> number of sites that get it (rest: vacancies)


def oxidation_states_of(structure: Structure) -> dict[str, float]:
    """Element -> formal charge: from the structure's species when decorated, else the first
    pymatgen guess for its composition (raises ValueError when there is none)."""
    found: dict[str, float] = {}
    for site in structure:
        for sp in site.species:
            q = getattr(sp, "oxi_state", None)
            if q is not None:
                found[sp.symbol] = float(q)
    elements = {el.symbol for el in structure.composition.elements}
    if elements <= set(found):
        return found
    comp = Composition({el.symbol: amt for el, amt in
                        structure.composition.element_composition.items()})
    guesses = comp.oxi_state_guesses(max_sites=-50)
    if not guesses:
        raise ValueError(f"{comp.reduced_formula}: no charge-balanced oxidation-state guess; "
                         "decorate the structure with oxidation states")
    return {k: float(v) for k, v in guesses[0].items()}


def _species_key(site: Any) -> tuple:
    label = site.properties.get("label") if hasattr(site, "properties") else None
    occ = tuple(sorted((sp.symbol, round(float(o), 4)) for sp, o in site.species.items()))
    return (label, occ)


def _groups(structure: Structure) -> dict[tuple, list[int]]:
    """Partially occupied sites grouped by (label, species occupancies)."""
    out: dict[tuple, list[int]] = {}
    for i, site in enumerate(structure):
        if site.is_ordered:
            continue
        out.setdefault(_species_key(site), []).append(i)
    return out


def _integer_counts(structure: Structure, tol: float,
                    oxi: dict[str, float] | None = None) -> list[_Group] | None:
    """Per-group integer counts whose species totals are integers within ``tol`` atoms and keep
    the cell neutral (when ``oxi`` is given), or None if not possible."""
    groups = _groups(structure)
    targets: dict[str, list[tuple[tuple, float]]] = {}
    for key, idx in groups.items():
        for el, occ in key[1]:
            targets.setdefault(el, []).append((key, occ * len(idx)))
    counts: dict[tuple, dict[str, int]] = {key: {} for key in groups}
    for el, parts in targets.items():
        total = sum(v for _, v in parts)
        if abs(total - round(total)) > tol:
            return None
        floors = [(key, math.floor(v + 1e-9), v - math.floor(v + 1e-9)) for key, v in parts]
        missing = int(round(total)) - sum(f for _, f, _ in floors)
        order = sorted(range(len(floors)), key=lambda i: -floors[i][2])
        for rank, i in enumerate(order):
            key, f, _ = floors[i]
            counts[key][el] = f + (1 if rank < missing else 0)
    out = []
    for key, idx in groups.items():
        if sum(counts[key].values()) > len(idx):
            return None
        out.append(_Group(indices=list(idx), counts={k: v for k, v in counts[key].items()}))
    if oxi is not None:
        charge = sum(oxi[site.specie.symbol] for site in structure if site.is_ordered)
        charge += sum(oxi[el] * c for g in out for el, c in g.counts.items())
        if abs(charge) > 1e-6:
            return None
    return out


def integral_supercell(structure: Structure, *, max_cells: int = 16,
                       tol: float = 0.25) -> tuple[int, int, int]:
    """Smallest (then most isotropic) diagonal multiplier making partial occupancies integral
    and the ordered cell neutral.

    ``tol``: largest allowed deviation of a species total from an integer, in atoms per input
    cell (refined compositions such as Li10.1Ge1.03P1.97S12 then round to Li10GeP2S12). Raises
    ValueError when no supercell of at most ``max_cells`` cells works.
    """
    if structure.is_ordered:
        return (1, 1, 1)
    from superionic.defects.cell import diagonal_multipliers

    oxi = oxidation_states_of(structure)
    for mult in diagonal_multipliers(max_cells, max_cells=max_cells):
        n = mult[0] * mult[1] * mult[2]
        if _integer_counts(structure * mult, tol * n, oxi) is not None:
            return mult
    raise ValueError(f"{structure.composition.reduced_formula}: partial occupancies are not "
                     f"integral in any supercell of <= {max_cells} cells (tol {tol} atoms)")


def ewald_matrix(structure: Structure, charges: Sequence[float]) -> np.ndarray:
    """Pairwise Ewald energy matrix (eV) of ``structure`` with the given site charges (e)."""
    species = [site.specie.symbol if site.is_ordered else next(iter(site.species)).symbol
               for site in structure]
    decorated = Structure(structure.lattice,
                          [Species(el, 0) if q == 0 else Species(el, q)
                           for el, q in zip(species, charges, strict=True)],
                          structure.frac_coords)
    return EwaldSummation(decorated, compute_forces=False).total_energy_matrix


def _reference_charges(structure: Structure, oxi: dict[str, float]) -> np.ndarray:
    q = []
    for site in structure:
        sp = next(iter(site.species)) if not site.is_ordered else site.specie
        q.append(oxi[sp.symbol])
    return np.array(q, dtype=float)


def _n_combinations(groups: list[_Group]) -> float:
    total = 1.0
    for g in groups:
        n = len(g.indices)
        ways = 1.0
        for c in g.counts.values():
            ways *= math.comb(n, c)
            n -= c
        total *= ways
    return total


def _group_assignments(group: _Group):
    """All ways to assign the group's species counts to its sites (dict site -> species)."""
    species = list(group.counts)

    def rec(free: list[int], k: int):
        if k == len(species):
            yield {}
            return
        for chosen in itertools.combinations(free, group.counts[species[k]]):
            rest = [i for i in free if i not in chosen]
            for tail in rec(rest, k + 1):
                yield {**{i: species[k] for i in chosen}, **tail}

    yield from rec(list(group.indices), 0)


class _Scorer:
    """E = f^T M f over a fixed supercell; f_i = q_i / q_ref_i (0 for a vacancy)."""

    def __init__(self, structure: Structure, oxi: dict[str, float]):
        self.structure = structure
        self.oxi = oxi
        self.q_ref = _reference_charges(structure, oxi)
        safe = np.where(self.q_ref == 0, 1.0, self.q_ref)
        self.q_ref = safe
        self.M = ewald_matrix(structure, safe)

    def factor(self, i: int, species: str | None) -> float:
        return 0.0 if species is None else self.oxi[species] / self.q_ref[i]

    def energy(self, f: np.ndarray) -> float:
        return float(f @ self.M @ f)


def _build(structure: Structure, assignment: dict[int, str | None],
           oxi: dict[str, float]) -> Structure:
    species, coords = [], []
    for i, site in enumerate(structure):
        if site.is_ordered:
            el = site.specie.symbol
        else:
            el = assignment.get(i)
            if el is None:
                continue
        species.append(Species(el, oxi[el]) if oxi.get(el, 0) else Element(el))
        coords.append(site.frac_coords)
    return Structure(structure.lattice, species, coords)


def _exhaustive(scorer: _Scorer, groups: list[_Group], base_f: np.ndarray,
                keep: int) -> list[tuple[float, dict[int, str | None]]]:
    results: list[tuple[float, dict[int, str | None]]] = []
    for parts in itertools.product(*[list(_group_assignments(g)) for g in groups]):
        f = base_f.copy()
        assignment: dict[int, str | None] = {}
        for g, part in zip(groups, parts, strict=True):
            for i in g.indices:
                el = part.get(i)
                assignment[i] = el
                f[i] = scorer.factor(i, el)
        results.append((scorer.energy(f), assignment))
    results.sort(key=lambda r: r[0])
    return results[: max(keep * 20, keep)]


def _rsa(structure: Structure, groups: list[_Group], rng: np.random.Generator,
         min_distance: float, core: set[int] | None = None,
         occupied: Sequence[int] = ()) -> dict[int, str | None] | None:
    """Random sequential addition. Atoms put on ``core`` sites (default: every site of a group
    with vacancies) keep ``min_distance`` from the atoms already placed and from ``occupied``."""
    placed: list[int] = list(occupied)
    assignment: dict[int, str | None] = {}
    dist = structure.distance_matrix
    for g in groups:
        labels: list[str | None] = [el for el, c in g.counts.items() for _ in range(c)]
        has_vacancy = len(labels) < len(g.indices)
        labels += [None] * (len(g.indices) - len(labels))
        order = [int(i) for i in rng.permutation(g.indices)]
        constrained = has_vacancy and (core is None or any(i in core for i in g.indices))
        if not constrained:
            for i, el in zip(order, rng.permutation(np.array(labels, dtype=object)), strict=True):
                assignment[i] = el
            continue
        n_need = sum(g.counts.values())
        chosen: list[int] = []
        for i in order:
            if len(chosen) == n_need:
                break
            if all(dist[i, j] >= min_distance for j in placed + chosen):
                chosen.append(i)
        if len(chosen) < n_need:
            return None
        occupants = [el for el, c in g.counts.items() for _ in range(c)]
        for i, el in zip(chosen, rng.permutation(np.array(occupants, dtype=object)), strict=True):
            assignment[i] = el
        for i in g.indices:
            assignment.setdefault(i, None)
        placed += chosen
    return assignment


def _greedy(scorer: _Scorer, groups: list[_Group], f: np.ndarray,
            assignment: dict[int, str | None], min_distance: float, max_iter: int = 400,
            core: set[int] | None = None) -> tuple[float, dict[int, str | None]]:
    """Steepest-descent pair swaps inside each group (sites of one group share q_ref, so a swap
    exchanges their f values) that lower E. An atom moving onto a vacant ``core`` site (default:
    every group site) must have no other occupied site within ``min_distance`` there; with
    ``core`` given, every occupied site counts, otherwise only occupied group sites do."""
    M = scorer.M
    dist = scorer.structure.distance_matrix
    n = len(f)
    group_sites = np.zeros(n, dtype=bool)
    group_sites[[i for g in groups for i in g.indices]] = True
    in_core = group_sites.copy() if core is None else np.isin(np.arange(n), list(core))
    counted = group_sites if core is None else np.ones(n, dtype=bool)
    close = (dist < min_distance) & ~np.eye(n, dtype=bool)
    f = f.copy()
    g_vec = M @ f
    occupied = (f != 0) & counted
    n_close = close[:, occupied].sum(axis=1)
    assignment = dict(assignment)
    for _ in range(max_iter):
        best_dE, best = -1e-9, None
        for grp in groups:
            idx = np.array(grp.indices)
            fi = f[idx]
            D = fi[None, :] - fi[:, None]  # change at row site a when it takes b's value
            if not np.any(D):
                continue
            Gd = g_vec[idx][:, None] - g_vec[idx][None, :]
            Mi = M[np.ix_(idx, idx)]
            diag = np.diag(Mi)
            dE = 2 * D * Gd + D * D * (diag[:, None] + diag[None, :] - 2 * Mi)
            occ = fi != 0
            cl = close[np.ix_(idx, idx)]
            core_i = in_core[idx]
            free_a = ~core_i[:, None] | ((n_close[idx][:, None] - cl) == 0)
            free_b = ~core_i[None, :] | ((n_close[idx][None, :] - cl.T) == 0)
            oa, ob = occ[:, None], occ[None, :]
            allowed = (D != 0) & ((oa & ob) | (~oa & ob & free_a) | (oa & ~ob & free_b))
            dE = np.where(allowed, dE, np.inf)
            k = int(np.argmin(dE))
            if dE.flat[k] < best_dE:
                best_dE, best = float(dE.flat[k]), (int(idx[k // len(idx)]), int(idx[k % len(idx)]))
        if best is None:
            break
        a, b = best
        da = f[b] - f[a]
        f[a], f[b] = f[b], f[a]
        g_vec += da * M[:, a] - da * M[:, b]
        assignment[a], assignment[b] = assignment[b], assignment[a]
        for site in (a, b):
            now = bool(f[site] != 0) and bool(counted[site])
            if now != occupied[site]:
                n_close += close[:, site] * (1 if now else -1)
                occupied[site] = now
    return float(f @ M @ f), assignment


def order_structure(structure: Structure, *, supercell: Sequence[int] | None = None,
                    n_structures: int = 1, seed: int = 0, max_enumerate: float = 2.0e4,
                    n_samples: int = 60, min_distance_A: float = DEFAULT_MIN_DISTANCE_A,
                    tol: float = 0.25, max_cells: int = 16) -> list[Ordering]:
    """The ``n_structures`` lowest-Ewald orderings of a disordered structure (see module doc).

    ``supercell`` defaults to :func:`integral_supercell`. Returned structures carry oxidation
    states; energies are eV per ordered supercell.
    """
    if structure.is_ordered:
        s = structure.copy()
        if not _decorated(s):
            s.add_oxidation_state_by_element(oxidation_states_of(s))
        return [Ordering(s, float(EwaldSummation(s).total_energy), "already-ordered", (1, 1, 1))]
    oxi = oxidation_states_of(structure)
    mult = tuple(supercell) if supercell is not None else integral_supercell(
        structure, max_cells=max_cells, tol=tol)
    big = structure * mult
    groups = _integer_counts(big, tol * mult[0] * mult[1] * mult[2], oxi)
    if groups is None:
        raise ValueError(f"{structure.composition.reduced_formula}: occupancies not integral "
                         f"in the {mult} supercell")
    scorer = _Scorer(big, oxi)
    base_f = np.ones(len(big))
    n_comb = _n_combinations(groups)
    if n_comb <= max_enumerate:
        ranked = _exhaustive(scorer, groups, base_f, n_structures)
        method = "exhaustive"
        d = min_distance_A
    else:
        rng = np.random.default_rng(seed)
        ranked = []
        d = min_distance_A
        tries = 0
        while len(ranked) < n_samples and tries < n_samples * 20:
            tries += 1
            assignment = _rsa(big, groups, rng, d)
            if assignment is None:
                if tries % 20 == 0:
                    d *= 0.9  # jammed: soften the hard core
                continue
            f = base_f.copy()
            for i, el in assignment.items():
                f[i] = scorer.factor(i, el)
            ranked.append(_greedy(scorer, groups, f, assignment, d))
        if not ranked:
            raise ValueError(f"{structure.composition.reduced_formula}: random sequential "
                             "addition failed; lower min_distance_A")
        ranked.sort(key=lambda r: r[0])
        method = "sampled"
    out: list[Ordering] = []
    seen: list[float] = []
    for energy, assignment in ranked:
        if any(abs(energy - e) < 1e-6 for e in seen):
            continue
        seen.append(energy)
        s = _build(big, assignment, oxi)
        out.append(Ordering(s, energy, method, mult,  # type: ignore[arg-type]
                            {"n_combinations": n_comb, "min_distance_A": round(d, 3)}))
        if len(out) == n_structures:
            break
    return out


def _decorated(structure: Structure) -> bool:
    return all(getattr(sp, "oxi_state", None) is not None
               for site in structure for sp in site.species)
