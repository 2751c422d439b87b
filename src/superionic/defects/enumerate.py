"""Defect configurations in a supercell: enumerated or sampled, deduplicated by symmetry, ranked by
Ewald energy (then optionally by an ML potential's energy), best few written for MD.

The supercell and the site changes (:class:`~superionic.defects.li_defects.Operation`: vacancies,
interstitials on Voronoi sites, substitutions, valence changes) define groups of candidate sites;
a configuration chooses which sites of each group change. Energies use one Ewald matrix of the
supercell with every candidate site present (see :mod:`superionic.defects.ordering`), so scoring a
configuration costs one quadratic form.

- Every configuration is scored when there are at most ``max_enumerate``; otherwise
  ``n_samples`` seeded random configurations are each relaxed by greedy swaps.
- Symmetry: the space-group operations of the defect-free supercell (``SpacegroupAnalyzer``,
  translations included) are turned into permutations of the candidate sites; configurations
  with the same canonical form (lexicographically smallest image) are one class, whose size is
  the multiplicity. A single vacancy or substitution uses the equivalent-atom orbits directly.
  No enumlib; :func:`verify_distinct` cross-checks the kept variants with pymatgen's
  ``StructureMatcher`` (used in the tests).
- ``rank`` 1 is the lowest Ewald energy; with ``mlip=True`` the kept variants get a CHGNet
  single-point energy (eV/atom) and ``mlip_rank``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pymatgen.analysis.ewald import EwaldSummation
from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Element, Species, Structure
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from superionic.defects import ordering
from superionic.defects.interstitials import interstitial_orbits
from superionic.defects.li_defects import Operation


@dataclass
class Variant:
    """One distinct defect configuration (energies eV; ``multiplicity`` among those scored)."""

    structure: Structure
    ewald_energy_eV: float
    rank: int
    multiplicity: int
    charge: float
    changed_sites: dict[str, list[int]] = field(default_factory=dict)
    mlip_energy_eV_per_atom: float | None = None
    mlip_rank: int | None = None
    path: str | None = None

    def to_dict(self, e_min: float | None = None) -> dict[str, Any]:
        out = {"formula": self.structure.composition.formula.replace(" ", ""),
               "reduced_formula": self.structure.composition.reduced_formula,
               "n_atoms": len(self.structure), "charge": round(self.charge, 6),
               "charge_balanced": abs(self.charge) < 1e-6,
               "ewald_energy_eV": round(self.ewald_energy_eV, 6), "rank": self.rank,
               "multiplicity": self.multiplicity, "path": self.path}
        if e_min is not None:
            out["ewald_energy_rel_eV"] = round(self.ewald_energy_eV - e_min, 6)
        if self.mlip_energy_eV_per_atom is not None:
            out["mlip_energy_eV_per_atom"] = round(self.mlip_energy_eV_per_atom, 6)
            out["mlip_rank"] = self.mlip_rank
        return out


@dataclass
class Enumeration:
    """Result of :func:`enumerate_configurations`."""

    variants: list[Variant]
    method: str  # "orbits" | "exhaustive" | "sampled"
    n_considered: int
    n_combinations: float
    n_distinct: int
    dedupe: str
    interstitial_sites: int = 0


class _Scorer:
    """Ewald quadratic form over candidate sites; charges looked up by species key."""

    def __init__(self, structure: Structure, q_ref: np.ndarray, charges: dict[str, float]):
        self.structure = structure
        self.oxi = charges
        self.q_ref = np.where(q_ref == 0, 1.0, q_ref)
        self.M = ordering.ewald_matrix(structure, self.q_ref)

    def factor(self, i: int, key: str | None) -> float:
        return 0.0 if key is None else self.oxi[key] / self.q_ref[i]

    def energy(self, f: np.ndarray) -> float:
        return float(f @ self.M @ f)


def _key(element: str, charge: float) -> str:
    return f"{element}@{charge:g}"


def _decorate(structure: Structure) -> Structure:
    s = structure.copy()
    if not ordering._decorated(s):
        s.add_oxidation_state_by_element(ordering.oxidation_states_of(s))
    return s


def _candidates(supercell: Structure, operations: Sequence[Operation],
                interstitial_min_distance_A: float, interstitial_orbits_max: int):
    """Candidate structure, groups and charge table for the operations."""
    sup = _decorate(supercell)
    charges: dict[str, float] = {}
    for site in sup:
        charges[_key(site.specie.symbol, site.specie.oxi_state)] = float(site.specie.oxi_state)
    species = [Species(s.specie.symbol, s.specie.oxi_state) for s in sup]
    coords = [s.frac_coords for s in sup]
    q_ref = [float(s.specie.oxi_state) for s in sup]
    groups: list[ordering._Group] = []
    add_ops = [op for op in operations if op.kind == "add"]
    n_inter = 0
    if add_ops:
        sites = [site for orbit in interstitial_orbits(
            sup, min_distance_A=interstitial_min_distance_A, max_orbits=interstitial_orbits_max)
            for site in orbit]
        if not sites:
            raise ValueError("no interstitial site with clearance >= "
                             f"{interstitial_min_distance_A} A in the supercell")
        start = len(species)
        q0 = add_ops[0].charge
        for site in sites:
            species.append(Species(add_ops[0].element, q0))
            coords.append(np.array(site.frac_coords))
            q_ref.append(float(q0))
        n_inter = len(sites)
        counts: dict[str, int] = {}
        for op in add_ops:
            k = _key(op.element, op.charge)
            charges[k] = float(op.charge)
            counts[k] = counts.get(k, 0) + op.count
        if sum(counts.values()) > n_inter:
            raise ValueError(f"{sum(counts.values())} interstitials requested but only {n_inter} "
                             "interstitial sites found")
        groups.append(ordering._Group(indices=list(range(start, start + n_inter)), counts=counts))
    by_element: dict[str, list[int]] = {}
    for i, s in enumerate(sup):
        by_element.setdefault(s.specie.symbol, []).append(i)
    used: set[str] = set()
    for op in operations:
        if op.kind == "add":
            continue
        if op.element in used:
            raise ValueError(f"two operations on {op.element} sites")
        used.add(op.element)
        idx = by_element.get(op.element, [])
        if op.count > len(idx):
            raise ValueError(f"{op.count} changes requested on {len(idx)} {op.element} sites")
        orig = _key(op.element, op.charge)
        charges.setdefault(orig, float(op.charge))
        if op.kind == "remove":
            counts = {orig: len(idx) - op.count}
        else:
            new = _key(op.new_element or op.element, op.new_charge)  # type: ignore[arg-type]
            charges[new] = float(op.new_charge)  # type: ignore[arg-type]
            counts = {orig: len(idx) - op.count, new: op.count}
        groups.append(ordering._Group(indices=list(idx), counts=counts))
    cand = Structure(sup.lattice, species, coords)
    return cand, groups, charges, np.array(q_ref), n_inter


def _build(cand: Structure, assignment: dict[int, str | None], touched: set[int]) -> Structure:
    species, coords = [], []
    for i, site in enumerate(cand):
        if i in touched:
            key = assignment.get(i)
            if key is None:
                continue
            el, q = key.split("@")
            qv = float(q)
            species.append(Species(el, qv) if qv else Element(el))
        else:
            species.append(site.specie)
        coords.append(site.frac_coords)
    return Structure(cand.lattice, species, coords)


def _original(cand: Structure, i: int, n_sup: int) -> str | None:
    """Species key of site ``i`` in the defect-free supercell (None for interstitial sites)."""
    return _key(cand[i].specie.symbol, cand[i].specie.oxi_state) if i < n_sup else None


def _changed(assignment: dict[int, str | None], groups: list[ordering._Group],
             cand: Structure, n_sup: int) -> dict[str, list[int]]:
    """'new:old' -> site indices that differ from the defect-free supercell."""
    out: dict[str, list[int]] = {}
    for g in groups:
        for i in g.indices:
            key, orig = assignment.get(i), _original(cand, i, n_sup)
            if key != orig:
                label = f"{'vacancy' if key is None else key}:{'interstitial' if orig is None else orig}"
                out.setdefault(label, []).append(i)
    return out


def _orbit_classes(cand: Structure, groups: list[ordering._Group], scorer: _Scorer,
                   base_f: np.ndarray, n_sup: int) -> list[tuple[float, int, dict]] | None:
    """Exact classes for one vacancy or substitution: space-group orbits of the changed site."""
    if len(groups) != 1 or any(i >= n_sup for i in groups[0].indices):
        return None
    g = groups[0]
    orig = _original(cand, g.indices[0], n_sup)
    n_changed = len(g.indices) - g.counts.get(orig, 0)  # type: ignore[arg-type]
    if n_changed != 1:
        return None
    new = next((k for k in g.counts if k != orig), None)
    eq = SpacegroupAnalyzer(cand, symprec=1e-3).get_symmetry_dataset().equivalent_atoms
    orbits: dict[int, list[int]] = {}
    for i in g.indices:
        orbits.setdefault(int(eq[i]), []).append(i)
    out = []
    for members in orbits.values():
        i = members[0]
        assignment: dict[int, str | None] = {j: orig for j in g.indices}
        assignment[i] = new
        f = base_f.copy()
        f[i] = scorer.factor(i, new)
        out.append((scorer.energy(f), len(members), assignment))
    return out


def site_permutations(cand: Structure, n_sup: int, symprec: float = 1e-3,
                      tol_A: float = 0.05) -> list[np.ndarray]:
    """Space-group operations of the defect-free supercell as permutations of candidate sites
    (interstitial candidates included; operations that do not map every candidate onto a
    candidate of the same species are dropped, which can only under-merge)."""
    sup = Structure(cand.lattice, [cand[i].specie for i in range(n_sup)],
                    cand.frac_coords[:n_sup])
    ops = SpacegroupAnalyzer(sup, symprec=symprec).get_symmetry_operations(cartesian=False)
    keys = [_key(site.specie.symbol, site.specie.oxi_state) if i < n_sup else "interstitial"
            for i, site in enumerate(cand)]
    frac = cand.frac_coords
    perms = []
    for op in ops:
        moved = op.operate_multi(frac)
        d = cand.lattice.get_all_distances(moved, frac)
        j = np.argmin(d, axis=1)
        if np.any(d[np.arange(len(j)), j] > tol_A) or len(set(j.tolist())) != len(j):
            continue
        if any(keys[a] != keys[b] for a, b in enumerate(j)):
            continue
        perms.append(j)
    return perms


def _canonical(assignment: dict[int, str | None], changed_idx: list[int],
               perms: list[np.ndarray]) -> tuple:
    best = None
    for perm in perms:
        form = tuple(sorted((int(perm[i]), str(assignment[i])) for i in changed_idx))
        if best is None or form < best:
            best = form
    return best if best is not None else tuple(sorted((i, str(assignment[i])) for i in changed_idx))


def _classes(cand: Structure, groups: list[ordering._Group],
             scored: list[tuple[float, dict[int, str | None]]], n_sup: int,
             perms: list[np.ndarray]) -> list[tuple[float, int, dict]]:
    """Symmetry classes of scored configurations (canonical form under ``perms``)."""
    classes: dict[tuple, list[Any]] = {}
    for energy, assignment in scored:
        changed = [i for g in groups for i in g.indices
                   if assignment.get(i) != _original(cand, i, n_sup)]
        key = _canonical(assignment, changed, perms)
        if key in classes:
            classes[key][1] += 1
        else:
            classes[key] = [energy, 1, assignment]
    return [tuple(v) for v in classes.values()]  # type: ignore[misc]


def verify_distinct(structures: Sequence[Structure]) -> bool:
    """True when no two structures match under pymatgen's StructureMatcher."""
    matcher = StructureMatcher(primitive_cell=False, scale=False, attempt_supercell=False)
    groups = matcher.group_structures(list(structures))
    return len(groups) == len(structures)


def enumerate_configurations(supercell: Structure, operations: Sequence[Operation], *,
                             n_configs: int = 5, seed: int = 0, max_enumerate: int = 5000,
                             n_samples: int = 200, min_distance_A: float = 1.6,
                             interstitial_min_distance_A: float = 1.6,
                             interstitial_orbits_max: int = 2,
                             dedupe: bool = True) -> Enumeration:
    """Distinct configurations of ``operations`` in ``supercell``, lowest Ewald energy first."""
    cand, groups, charges, q_ref, n_inter = _candidates(
        supercell, operations, interstitial_min_distance_A, interstitial_orbits_max)
    scorer = _Scorer(cand, q_ref, charges)
    n_sup = len(supercell)
    base_f = np.ones(len(cand))
    base_f[n_sup:] = 0.0
    touched = {i for g in groups for i in g.indices}
    core = set(range(n_sup, len(cand)))  # hard core only for atoms put on interstitial sites
    n_comb = ordering._n_combinations(groups)
    classes = _orbit_classes(cand, groups, scorer, base_f, n_sup) if n_inter == 0 else None
    perms = site_permutations(cand, n_sup) if classes is None and dedupe else []
    how = f"symmetry ({len(perms)} operations of the supercell)" if dedupe else "none"
    if classes is not None:
        method, n_considered, how = "orbits", len(groups[0].indices), "space-group orbits"
    elif n_comb <= max_enumerate:
        scored = _all(scorer, groups, base_f)
        method, n_considered = "exhaustive", len(scored)
        classes = _classes(cand, groups, scored, n_sup, perms)
    else:
        rng = np.random.default_rng(seed)
        scored = []
        tries = 0
        while len(scored) < n_samples and tries < n_samples * 10:
            tries += 1
            assignment = ordering._rsa(cand, groups, rng, min_distance_A, core=core,
                                       occupied=range(n_sup))
            if assignment is None:
                continue
            f = base_f.copy()
            for i, key in assignment.items():
                f[i] = scorer.factor(i, key)
            scored.append(ordering._greedy(scorer, groups, f, assignment,  # type: ignore[arg-type]
                                           min_distance_A, core=core))
        if not scored:
            raise ValueError("could not place the defects; lower min_distance_A")
        method, n_considered = "sampled", len(scored)
        classes = _classes(cand, groups, scored, n_sup, perms)
    classes.sort(key=lambda c: c[0])
    variants = []
    for rank, (energy, mult, assignment) in enumerate(classes[:n_configs], start=1):
        s = _build(cand, assignment, touched)
        q = float(sum(site.specie.oxi_state for site in s))
        variants.append(Variant(structure=s, ewald_energy_eV=float(energy), rank=rank,
                                multiplicity=int(mult), charge=q,
                                changed_sites=_changed(assignment, groups, cand, n_sup)))
    return Enumeration(variants=variants, method=method, n_considered=n_considered,
                       n_combinations=n_comb, n_distinct=len(classes), dedupe=how,
                       interstitial_sites=n_inter)


def _all(scorer: _Scorer, groups: list[ordering._Group],
         base_f: np.ndarray) -> list[tuple[float, dict[int, str | None]]]:
    import itertools

    out = []
    for parts in itertools.product(*[list(ordering._group_assignments(g)) for g in groups]):
        f = base_f.copy()
        assignment: dict[int, str | None] = {}
        for g, part in zip(groups, parts, strict=True):
            for i in g.indices:
                key = part.get(i)
                assignment[i] = key
                f[i] = scorer.factor(i, key)
        out.append((scorer.energy(f), assignment))
    return out


# --- ranking and output ------------------------------------------------------------------------

def canonical_key(structure: Structure) -> str:
    """Order-independent fingerprint: formula plus sorted species/fractional coordinates."""
    rows = sorted((site.specie.symbol, *np.round(site.frac_coords % 1.0, 4).tolist())
                  for site in structure)
    return structure.composition.formula + "|" + ";".join(
        f"{r[0]}:{r[1]:.4f},{r[2]:.4f},{r[3]:.4f}" for r in rows)


def ewald_energy(structure: Structure) -> float:
    """Ewald energy (eV) with formal charges (guessed when the structure carries none)."""
    return float(EwaldSummation(_decorate(structure)).total_energy)


def rank_by_ewald(structures: Sequence[Structure]) -> list[tuple[int, float]]:
    """(input index, Ewald energy eV) sorted by energy; ties broken by :func:`canonical_key`,
    so the ranking of a set does not depend on the order it is given in."""
    scored = [(ewald_energy(s), canonical_key(s), i) for i, s in enumerate(structures)]
    scored.sort(key=lambda r: (round(r[0], 8), r[1]))
    return [(i, e) for e, _, i in scored]


def add_mlip_energies(variants: Sequence[Variant], model: Any | None = None) -> None:
    """CHGNet single-point energies (eV/atom) and ``mlip_rank`` for each variant, in place."""
    from superionic.defects.potential import single_point_energies

    energies = single_point_energies([v.structure for v in variants], model=model)
    for v, e in zip(variants, energies, strict=True):
        v.mlip_energy_eV_per_atom = e
    order = sorted(range(len(variants)), key=lambda i: (variants[i].mlip_energy_eV_per_atom
                                                        if variants[i].mlip_energy_eV_per_atom
                                                        is not None else math.inf))
    for r, i in enumerate(order, start=1):
        variants[i].mlip_rank = r


def write_variants(variants: Sequence[Variant], out_dir: str | Path, stem: str,
                   formats: Sequence[str] = ("cif", "poscar")) -> list[str]:
    """Write each variant (oxidation states dropped) as CIF and/or POSCAR; returns CIF paths
    (or the first format's) and sets ``Variant.path``."""
    from pymatgen.io.cif import CifWriter
    from pymatgen.io.vasp import Poscar

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for v in variants:
        s = v.structure.copy()
        s.remove_oxidation_states()
        s = s.get_sorted_structure()
        s.relabel_sites()
        base = f"{stem}_rank{v.rank}"
        first = None
        for fmt in formats:
            if fmt == "cif":
                p = out / f"{base}.cif"
                CifWriter(s).write_file(str(p))
            elif fmt == "poscar":
                p = out / f"{base}.POSCAR"
                Poscar(s, comment=f"{stem} rank {v.rank}").write_file(str(p))
            else:
                raise ValueError(f"unknown format {fmt!r}")
            first = first or p
        v.path = str(first)
        paths.append(str(first))
    return paths
