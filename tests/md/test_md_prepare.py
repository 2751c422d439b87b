"""Supercell builder, ordering of partial occupancies, vacancies and relaxation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from pymatgen.analysis.ewald import EwaldSummation
from pymatgen.core import Composition, Lattice, Structure

from superionic.md.prepare import (
    choose_supercell,
    create_vacancies,
    cubicness,
    n_orderings,
    order_structure,
    prepare_structure,
    relax,
    supercell_candidates,
    to_atoms,
    to_structure,
)


def li3clo() -> Structure:
    """Antiperovskite Li3ClO at the MP (mp-985585) lattice constant."""
    return Structure(Lattice.cubic(3.908), ["Li", "Li", "Li", "Cl", "O"],
                     [[0, .5, .5], [.5, 0, .5], [.5, .5, 0], [0, 0, 0], [.5, .5, .5]])


def rocksalt(cation: dict[str, float]) -> Structure:
    """Conventional rock-salt cell (4 cation + 4 Cl sites) with a partially occupied cation site."""
    return Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.4), [cation, "Cl"],
                                     [[0, 0, 0], [.5, .5, .5]])


def test_cubicness_of_cube_and_slab() -> None:
    assert cubicness(np.eye(3) * 4.0) == pytest.approx(1.0)
    # a 1x1x4 slab: smallest width 1, V^(1/3) = 4^(1/3)
    assert cubicness(np.diag([1.0, 1.0, 4.0])) == pytest.approx(4 ** (-1 / 3))


def test_supercell_hits_default_range_and_is_cubic() -> None:
    s = li3clo()
    mult = choose_supercell(s)
    assert mult == (3, 3, 3)  # 135 atoms: the only cube in 60-160
    assert 60 <= 5 * np.prod(mult) <= 160
    for cand in supercell_candidates(s):
        assert 60 <= 5 * np.prod(cand) <= 160
    assert choose_supercell(s, (30, 50)) == (2, 2, 2)


def test_supercell_prefers_cubic_shape_for_tetragonal_cell() -> None:
    s = Structure(Lattice.tetragonal(4.0, 8.0), ["Li", "Cl"], [[0, 0, 0], [.5, .5, .5]])
    mult = choose_supercell(s, (8, 20))
    assert mult == (2, 2, 1)  # 8 x 8 x 8 Angstrom
    big = s * mult
    assert cubicness(big.lattice.matrix) == pytest.approx(1.0)
    assert 8 <= len(big) <= 20


def test_supercell_of_oversized_cell_is_the_cell_with_warning() -> None:
    s = li3clo() * (4, 4, 4)  # 320 atoms
    with pytest.warns(UserWarning, match="above the range"):
        assert choose_supercell(s) == (1, 1, 1)


def test_order_picks_lowest_ewald_energy_and_keeps_composition() -> None:
    s = rocksalt({"Li": 0.5, "Na": 0.5})
    assert n_orderings(s) == pytest.approx(6)  # C(4, 2)
    ordered, note = order_structure(s)
    assert ordered.is_ordered
    assert ordered.composition == Composition("Li2Na2Cl4")
    assert note["method"] == "ewald"
    # brute force: every placement of 2 Li on the 4 cation sites, Ewald energy with Li+ Na+ Cl-
    cation_idx = [i for i, site in enumerate(s) if not site.is_ordered]
    energies = []
    for li in itertools.combinations(cation_idx, 2):
        species = ["Li+" if i in li else ("Na+" if i in cation_idx else "Cl-") for i in range(len(s))]
        energies.append(EwaldSummation(Structure(s.lattice, species, s.frac_coords)).total_energy)
    chosen = ordered.copy()
    chosen.add_oxidation_state_by_element({"Li": 1, "Na": 1, "Cl": -1})
    assert EwaldSummation(chosen).total_energy == pytest.approx(min(energies), abs=1e-6)
    assert note["ewald_eV"] == sorted(note["ewald_eV"])


def test_prepare_orders_vacancy_disorder_with_exact_composition() -> None:
    # cation site 1/2 Li, 1/4 Mg, 1/4 empty: Li2 Mg Cl4 per conventional cell (neutral)
    s = rocksalt({"Li": 0.5, "Mg": 0.25})
    assert n_orderings(s) == pytest.approx(12)  # 4! / (2! 1! 1!)
    out = prepare_structure(s, atom_range=(20, 60))
    assert out.is_ordered
    assert 20 <= len(out) <= 60
    red = out.composition.reduced_composition
    assert red == Composition("Li2MgCl4")
    note = out.properties["prepare"]
    assert note["ordering"]["method"] == "ewald"


def test_prepare_falls_back_to_seeded_random_ordering() -> None:
    s = rocksalt({"Li": 0.5, "Na": 0.5})
    a = prepare_structure(s, atom_range=(30, 40), max_orderings=3, seed=1)
    b = prepare_structure(s, atom_range=(30, 40), max_orderings=3, seed=1)
    assert a.properties["prepare"]["ordering"]["method"] == "random"
    assert a.composition.reduced_composition == Composition("LiNaCl2")
    assert a == b  # seeded


def test_vacancy_with_schottky_compensation() -> None:
    s = li3clo() * (2, 2, 2)
    out, note = create_vacancies(s, 1, "Li", seed=3)
    assert out.composition == Composition("Li23Cl7O8")  # Li3-xOCl1-x with x = 1/8
    guesses = out.composition.oxi_state_guesses()
    assert guesses and guesses[0]["Li"] == 1  # charge neutral with Li+ Cl- O2-
    # the Cl vacancy is the Cl site farthest from the Li vacancy
    li_vac = s[note["ion_sites"][0]]
    cl = [site for site in s if site.specie.symbol == "Cl"]
    far = max(site.distance(li_vac) for site in cl)
    assert s[note["anion_sites"][0]].distance(li_vac) == pytest.approx(far)


def test_vacancy_without_compensation_and_errors() -> None:
    s = li3clo() * (2, 1, 1)
    out, _ = create_vacancies(s, 2, "Li", compensate=None)
    assert out.composition == Composition("Li4Cl2O2")
    with pytest.raises(ValueError, match="only 6 in the cell"):
        create_vacancies(s, 7, "Li")


def test_atoms_roundtrip_and_relaxation_lowers_energy() -> None:
    s = li3clo()
    assert to_structure(to_atoms(s)).matches(s)
    atoms = bulk("Cu", "fcc", a=3.61, cubic=True) * (2, 2, 1)
    atoms.rattle(0.1, seed=0)
    atoms.calc = EMT()
    e0 = atoms.get_potential_energy()
    relaxed, note = relax(atoms, EMT(), fmax=0.02, steps=300)
    assert note["converged"] and note["max_force_eV_A"] < 0.02
    assert note["energy_eV"] < e0
