"""One home for simulation-cell preparation: supercell search, ordering, vacancies.

Every caller that needs an ordered supercell (the MD workflow through
:func:`superionic.md.prepare.prepare_structure`, the defect planner, the library's
:func:`~superionic.defects.library.md_cell`) goes through this module:

- :func:`diagonal_multipliers` enumerates diagonal supercell multipliers, smallest and most
  isotropic first (the defect planner's realisable-concentration search and the ordering's
  integral-cell search use it);
- :func:`choose_supercell` picks the supercell of an MD cell: among diagonal multiples of the
  given cell *and of its primitive cell* whose atom count is in ``atom_range``, the one with the
  largest minimum-image distance (smallest perpendicular width, which bounds it), then the most
  cubic, then the fewest atoms;
- :func:`prepare_cell` orders partial occupancies **in the whole supercell** (no imposed
  periodicity of the ordering) with :func:`superionic.defects.ordering.order_structure`
  (exhaustive Ewald minimum when there are at most ``max_enumerate`` orderings, else the
  lowest of ``n_samples`` seeded hard-core random orderings relaxed by Ewald pair swaps), then
  optionally removes mobile ions with charge compensation planned by
  :func:`superionic.defects.li_defects.plan_defects` and placed by
  :func:`superionic.defects.enumerate.enumerate_configurations` (the lowest-Ewald
  configuration).

The result is a :class:`PreparedCell`: the ordered, neutral structure and a typed record of
how it was made (``to_dict()`` is JSON-safe and ends up in MD parameter files).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pymatgen.core import Structure

#: Default target atom-count range of MD supercells (the seed paper's AIMD cells: 60-160 atoms).
DEFAULT_ATOM_RANGE = (60, 160)

#: Two candidate cells whose minimum widths differ by less than this fraction count as equal
#: (then the more cubic, then the smaller one wins).
WIDTH_TIE = 0.02


# --- supercell search ---------------------------------------------------------------------------

def diagonal_multipliers(max_mult: int, *, max_cells: int | None = None) -> list[tuple[int, int, int]]:
    """All ``(i, j, k)`` with entries in ``1..max_mult`` (and ``i*j*k <= max_cells``), ordered by
    number of cells, then anisotropy (``max - min``), then lexicographically."""
    out = [m for m in itertools.product(range(1, max_mult + 1), repeat=3)
           if max_cells is None or math.prod(m) <= max_cells]
    return sorted(out, key=lambda m: (math.prod(m), max(m) - min(m), m))


def perpendicular_widths(lattice_matrix: np.ndarray) -> np.ndarray:
    """Distances between opposite faces of a cell (Angstrom); the smallest bounds the minimum
    image distance (half of it is the largest sphere that fits)."""
    m = np.asarray(lattice_matrix, dtype=float)
    volume = abs(np.linalg.det(m))
    return np.array([volume / np.linalg.norm(np.cross(m[(i + 1) % 3], m[(i + 2) % 3]))
                     for i in range(3)])


def cubicness(lattice_matrix: np.ndarray) -> float:
    """Smallest perpendicular width of a cell over ``V**(1/3)`` (1 for a cube, < 1 otherwise)."""
    m = np.asarray(lattice_matrix, dtype=float)
    return float(perpendicular_widths(m).min() / abs(np.linalg.det(m)) ** (1 / 3))


@dataclass(frozen=True)
class SupercellChoice:
    """A diagonal multiple of a base cell ("conventional" = the cell given, or "primitive")."""

    base: str
    multiplier: tuple[int, int, int]
    n_atoms: int
    min_width_A: float
    cubicness: float

    def to_dict(self) -> dict[str, Any]:
        return {"base": self.base, "multiplier": list(self.multiplier), "n_atoms": self.n_atoms,
                "min_width_A": round(self.min_width_A, 3), "cubicness": round(self.cubicness, 3)}


def _n_atoms(structure: Structure) -> int:
    """Atoms of the ordered cell (occupancies summed and rounded)."""
    return int(round(structure.composition.num_atoms))


def _check_range(atom_range: tuple[int, int]) -> tuple[int, int]:
    lo, hi = int(atom_range[0]), int(atom_range[1])
    if lo > hi or hi < 1:
        raise ValueError(f"bad atom range {tuple(atom_range)}: need 1 <= low <= high")
    return lo, hi


def supercell_candidates(structure: Structure, atom_range: tuple[int, int] = DEFAULT_ATOM_RANGE,
                         *, base: str = "conventional") -> list[SupercellChoice]:
    """Diagonal multiples of ``structure`` with an (occupancy-rounded) atom count in
    ``atom_range``, best first: largest minimum width (ties within :data:`WIDTH_TIE`), then most
    cubic, then fewest atoms."""
    lo, hi = _check_range(atom_range)
    n0 = _n_atoms(structure)
    if n0 < 1:
        raise ValueError(f"{structure.composition.formula}: empty cell")
    nmax = max(1, hi // n0)
    cands = []
    for mult in itertools.product(range(1, nmax + 1), repeat=3):
        n = n0 * math.prod(mult)
        if lo <= n <= hi:
            mat = structure.lattice.matrix * np.array(mult)[:, None]
            cands.append(SupercellChoice(base, tuple(mult), n,  # type: ignore[arg-type]
                                         float(perpendicular_widths(mat).min()), cubicness(mat)))
    return _rank(cands)


def _rank(cands: list[SupercellChoice]) -> list[SupercellChoice]:
    if not cands:
        return []
    # bucket widths so that near-equal widths tie (relative WIDTH_TIE)
    def key(c: SupercellChoice) -> tuple:
        return (-math.floor(math.log(c.min_width_A) / math.log1p(WIDTH_TIE)),
                -round(c.cubicness, 3), c.n_atoms, c.base != "conventional", c.multiplier)
    return sorted(cands, key=key)


def primitive_of(structure: Structure) -> Structure:
    """The primitive cell of a (possibly disordered) structure, site properties kept; the input
    itself when it is already primitive."""
    try:
        prim = structure.get_primitive_structure(tolerance=0.01, use_site_props=True)
    except Exception:  # noqa: BLE001 - pymatgen raises several errors on odd cells
        return structure
    return prim if len(prim) < len(structure) else structure


def choose_supercell(structure: Structure, atom_range: tuple[int, int] = DEFAULT_ATOM_RANGE,
                     *, allow_primitive: bool = True) -> tuple[Structure, SupercellChoice]:
    """The base cell (``structure`` or its primitive cell) and the diagonal multiplier to use.

    When no multiple lies in ``atom_range``: the cell itself if it is already above the range
    (``SupercellChoice.base`` then says so), else the largest multiple below it.
    """
    lo, hi = _check_range(atom_range)
    bases = [("conventional", structure)]
    if allow_primitive:
        prim = primitive_of(structure)
        if prim is not structure:
            bases.append(("primitive", prim))
    cands = []
    for name, cell in bases:
        cands += [(c, cell) for c in supercell_candidates(cell, (lo, hi), base=name)]
    if cands:
        best = _rank([c for c, _ in cands])[0]
        return next(cell for c, cell in cands if c == best), best
    smallest = min((cell for _, cell in bases), key=_n_atoms)
    n0 = _n_atoms(smallest)
    if n0 >= lo:
        mat = smallest.lattice.matrix
        name = next(n for n, cell in bases if cell is smallest)
        return smallest, SupercellChoice(f"{name} (above range)", (1, 1, 1), n0,
                                         float(perpendicular_widths(mat).min()), cubicness(mat))
    below = []
    for name, cell in bases:
        below += [(c, cell) for c in supercell_candidates(cell, (1, hi), base=name)]
    top = max(c.n_atoms for c, _ in below)
    best = _rank([c for c, _ in below if c.n_atoms == top])[0]
    return next(cell for c, cell in below if c == best), best


# --- the prepared cell ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PreparedCell:
    """An ordered, charge-neutral simulation cell and how it was made (energies eV)."""

    structure: Structure
    source_formula: str
    supercell: SupercellChoice
    ordering_method: str  # "already ordered" | "exhaustive" | "sampled"
    ordering_seed: int
    ewald_energy_eV: float | None
    n_orderings: float | None
    vacancies: dict[str, Any] = field(default_factory=dict)

    @property
    def n_atoms(self) -> int:
        return len(self.structure)

    @property
    def formula(self) -> str:
        return self.structure.composition.formula

    def to_dict(self) -> dict[str, Any]:
        out = {"source_formula": self.source_formula, "formula": self.formula,
               "n_atoms": self.n_atoms, "supercell": list(self.supercell.multiplier),
               "supercell_base": self.supercell.base,
               "min_width_A": round(self.supercell.min_width_A, 3),
               "ordering": {"method": self.ordering_method, "seed": self.ordering_seed,
                            "ewald_eV": None if self.ewald_energy_eV is None
                            else round(self.ewald_energy_eV, 6),
                            "n_orderings": None if self.n_orderings is None
                            else float(f"{self.n_orderings:.4g}")}}
        if self.vacancies:
            out["vacancies"] = dict(self.vacancies)
        return out


def integral_occupancies(structure: Structure, *, tol: float = 0.25) -> Structure:
    """The disordered ``structure`` repeated to its smallest integral, neutral cell
    (:func:`superionic.defects.ordering.integral_supercell`) with the occupancies of every group
    of equivalent sites rounded to whole atoms (largest-remainder rule, neutral with the formal
    charges): refined compositions such as Li20.2Ge2.06P3.94S24 become Li20Ge2P4S24, so that
    every multiple of the returned cell orders to the same composition."""
    from pymatgen.core import Species

    from superionic.defects.ordering import _integer_counts, integral_supercell, oxidation_states_of

    if structure.is_ordered:
        return structure.copy()
    mult = integral_supercell(structure, tol=tol)
    big = structure * mult
    oxi = oxidation_states_of(structure)
    groups = _integer_counts(big, tol * math.prod(mult), oxi)
    if groups is None:  # integral_supercell found one, so this cannot happen
        raise ValueError(f"{structure.composition.reduced_formula}: occupancies not integral")
    empty = []
    for g in groups:
        n = len(g.indices)
        occ = {Species(el, oxi[el]): c / n for el, c in g.counts.items() if c}
        for i in g.indices:
            if occ:
                big.replace(i, occ, properties=big[i].properties)
            else:
                empty.append(i)
    if empty:
        big.remove_sites(empty)
    return big


def _plain(structure: Structure) -> Structure:
    """Species without oxidation states or site properties, sorted by electronegativity."""
    s = Structure(structure.lattice, [site.specie.symbol for site in structure],
                  structure.frac_coords)
    return s.get_sorted_structure()


def prepare_cell(structure: Structure, *, atom_range: tuple[int, int] = DEFAULT_ATOM_RANGE,
                 n_vacancies: int = 0, ion: str = "Li", compensate: str | None = "auto",
                 dopant: str | None = None, placement: str = "separated", seed: int = 0,
                 max_enumerate: float = 2.0e4, n_samples: int = 40,
                 allow_primitive: bool = True) -> PreparedCell:
    """Ordered supercell of ``structure`` in ``atom_range`` with optional ``ion`` vacancies.

    ``compensate``: ``"auto"`` (the default mechanism of
    :func:`~superionic.defects.li_defects.plan_defects`: a Schottky anion vacancy, or donor
    substitution in oxides), an anion symbol (vacancies of that anion), a mechanism name of
    :data:`~superionic.defects.li_defects.MECHANISMS`, or ``None`` (no compensation: a charged
    cell); ``dopant`` names the substituting element of the ``aliovalent`` mechanism (default:
    chosen by ionic radius). ``placement``: ``"separated"`` (default: among the
    :data:`N_PLACEMENTS` lowest-Ewald distinct configurations, the one whose compensating defects
    are farthest from the ion vacancies: free carriers, e.g. a separated Schottky pair in
    Li3-xOCl1-x) or ``"lowest_ewald"`` (the lowest Ewald energy: in Li3ClO the bound nearest-
    neighbour V_Li'-V_Cl^. pair). The same ``seed`` gives the same cell.
    """
    from superionic.defects.ordering import order_structure

    if n_vacancies < 0:
        raise ValueError("number of vacancies must be >= 0")
    if placement not in PLACEMENTS:
        raise ValueError(f"placement must be one of {', '.join(PLACEMENTS)}; got {placement!r}")
    work = integral_occupancies(structure)
    base_cell, choice = choose_supercell(work, atom_range, allow_primitive=allow_primitive)
    mult = choice.multiplier
    if structure.is_ordered:
        cell = _plain(base_cell * mult)
        method, energy, count = "already ordered", None, None
    else:
        try:
            best = order_structure(base_cell, supercell=mult, n_structures=1, seed=seed,
                                   max_enumerate=max_enumerate, n_samples=n_samples)[0]
        except ValueError as exc:
            raise ValueError(f"{structure.composition.reduced_formula}: cannot order the "
                             f"{mult} supercell of the {choice.base} cell ({exc}); widen "
                             "atom_range") from exc
        cell = _plain(best.structure)
        method, energy = best.method, best.ewald_energy_eV
        count = best.info.get("n_combinations")
    vac: dict[str, Any] = {}
    if n_vacancies:
        cell, vac = _remove_ions(cell, n_vacancies, ion, compensate, dopant, placement, seed)
    return PreparedCell(structure=cell, source_formula=structure.composition.formula,
                        supercell=choice, ordering_method=method, ordering_seed=seed,
                        ewald_energy_eV=energy, n_orderings=count, vacancies=vac)


def _mechanism_for(compensate: str | None, oxi: dict[str, float]) -> tuple[str | None, str | None, bool]:
    """(mechanism, host element, force) for plan_defects from a ``compensate`` argument."""
    from superionic.defects.li_defects import MECHANISMS

    if compensate is None or compensate == "none":
        return "none", None, True
    if compensate == "auto":
        return None, None, False
    if compensate in MECHANISMS:
        return compensate, None, False
    if oxi.get(compensate, 0) < 0:
        return "anion_vacancy", compensate, False
    raise ValueError(f"compensate must be 'auto', None, an anion of the compound or one of "
                     f"{', '.join(MECHANISMS)}; got {compensate!r}")


def _remove_ions(cell: Structure, n: int, ion: str, compensate: str | None,
                 dopant: str | None, placement: str, seed: int) -> tuple[Structure, dict[str, Any]]:
    """``n`` ``ion`` vacancies in ``cell`` (planned and placed by superionic.defects)."""
    from superionic.defects.enumerate import enumerate_configurations
    from superionic.defects.li_defects import plan_defects
    from superionic.defects.ordering import oxidation_states_of

    n_ion = sum(1 for site in cell if site.specie.symbol == ion)
    if n > n_ion:
        raise ValueError(f"cannot remove {n} {ion}: only {n_ion} in the cell")
    oxi = oxidation_states_of(cell)
    mechanism, host, force = _mechanism_for(compensate, oxi)
    decorated = cell.copy()
    decorated.add_oxidation_state_by_element(oxi)
    z = int(round(cell.composition.get_reduced_composition_and_factor()[1]))
    plan = plan_defects(decorated, mode="vacancy", x=n / z, mechanism=mechanism, ion=ion,
                        oxidation_states=oxi, formula_units=z, host=host, dopant=dopant, force=force,
                        supercell=(1, 1, 1), x_tol=1e-9)
    enum = enumerate_configurations(decorated, plan.operations, seed=seed,
                                    n_configs=1 if placement == "lowest_ewald" else N_PLACEMENTS)
    if not enum.variants:
        raise ValueError(f"{cell.composition.reduced_formula}: no configuration of {n} {ion} "
                         "vacancies found")
    best = enum.variants[0]
    separation = _separation(decorated, best.changed_sites, ion)
    if placement == "separated":
        scored = [(_separation(decorated, v.changed_sites, ion), -k, v)
                  for k, v in enumerate(enum.variants)]
        separation, _, best = max(scored, key=lambda t: (-1.0 if t[0] is None else round(t[0], 3),
                                                         t[1]))
    note = {"ion": ion, "n_vacancies": n, "mechanism": plan.mechanism,
            "default_reason": plan.default_reason, "kroger_vink": plan.kroger_vink,
            "formula": plan.formula, "charge_balanced": plan.charge_balanced,
            "placement": placement if placement == "lowest_ewald" else
            f"separated (most separated of the {len(enum.variants)} lowest-Ewald configurations)",
            "separation_A": None if separation is None else round(separation, 3),
            "ewald_eV": round(best.ewald_energy_eV, 6),
            "changed_sites": {k: list(v) for k, v in best.changed_sites.items()}}
    return _plain(best.structure), note


#: How vacancies and their compensating defects are placed (see :func:`prepare_cell`).
PLACEMENTS = ("separated", "lowest_ewald")
#: Distinct lowest-Ewald configurations among which ``placement="separated"`` chooses.
N_PLACEMENTS = 30


def _separation(cell: Structure, changed: dict[str, list[int]], ion: str) -> float | None:
    """Smallest distance (Angstrom) between an ion vacancy and a compensating defect site
    (None when there is no compensating defect on a lattice site)."""
    ion_sites = [i for label, idx in changed.items() if label.startswith("vacancy:")
                 and label.split(":", 1)[1].split("@")[0] == ion for i in idx]
    other = [i for label, idx in changed.items() for i in idx
             if i not in ion_sites and i < len(cell)]
    if not ion_sites or not other:
        return None
    return float(cell.distance_matrix[np.ix_(ion_sites, other)].min())


def check_neutral(structure: Structure, oxidation_states: dict[str, float] | None = None) -> float:
    """Net formal charge (e) of an ordered cell with the given (or guessed) oxidation states."""
    from superionic.defects.ordering import oxidation_states_of

    oxi = oxidation_states or oxidation_states_of(structure)
    comp = structure.composition.element_composition
    return float(sum(oxi[el.symbol] * amt for el, amt in comp.items()))


__all__ = ["DEFAULT_ATOM_RANGE", "PreparedCell", "SupercellChoice", "check_neutral",
           "choose_supercell", "cubicness", "diagonal_multipliers", "perpendicular_widths",
           "prepare_cell", "primitive_of", "supercell_candidates"]

