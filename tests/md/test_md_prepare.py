"""MD cell preparation (a thin call of superionic.defects.cell), ASE conversion and relaxation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from pymatgen.analysis.ewald import EwaldSummation
from pymatgen.core import Composition, Lattice, Structure

from superionic.defects.cell import check_neutral, choose_supercell, cubicness
from superionic.md.prepare import prepare_structure, relax, to_atoms, to_structure


def li3clo() -> Structure:
    """Antiperovskite Li3ClO at the MP (mp-985585) lattice constant."""
    return Structure(Lattice.cubic(3.908), ["Li", "Li", "Li", "Cl", "O"],
                     [[0, .5, .5], [.5, 0, .5], [.5, .5, 0], [0, 0, 0], [.5, .5, .5]])


def rocksalt(cation: dict[str, float]) -> Structure:
    """Conventional rock-salt cell (4 cation + 4 Cl sites) with a partially occupied cation site."""
    return Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.4), [cation, "Cl"],
                                     [[0, 0, 0], [.5, .5, .5]])


def _ewald(structure: Structure, oxi: dict[str, int]) -> float:
    s = structure.copy()
    s.add_oxidation_state_by_element(oxi)
    return EwaldSummation(s).total_energy


def test_cubicness_of_cube_and_slab() -> None:
    assert cubicness(np.eye(3) * 4.0) == pytest.approx(1.0)
    assert cubicness(np.diag([1.0, 1.0, 4.0])) == pytest.approx(4 ** (-1 / 3))


def test_default_cell_of_li3clo_is_the_3x3x3_cube() -> None:
    out = prepare_structure(li3clo())
    assert len(out) == 135 and 60 <= len(out) <= 160  # the only cube in 60-160
    assert out.properties["prepare"]["supercell"] == [3, 3, 3]
    assert cubicness(out.lattice.matrix) == pytest.approx(1.0)
    assert len(prepare_structure(li3clo(), atom_range=(30, 50))) == 40


def test_supercell_prefers_cubic_shape_for_tetragonal_cell() -> None:
    s = Structure(Lattice.tetragonal(4.0, 8.0), ["Li", "Cl"], [[0, 0, 0], [.5, .5, .5]])
    _, choice = choose_supercell(s, (8, 20))
    assert choice.multiplier == (2, 2, 1)  # 8 x 8 x 8 Angstrom
    assert choice.min_width_A == pytest.approx(8.0)


def test_order_picks_lowest_ewald_energy_and_keeps_composition() -> None:
    s = rocksalt({"Li": 0.5, "Na": 0.5})
    out = prepare_structure(s, atom_range=(8, 8))
    assert out.is_ordered and out.composition == Composition("Li2Na2Cl4")
    assert out.properties["prepare"]["ordering"]["method"] == "exhaustive"
    # brute force over the same cell: every placement of the Li/Na atoms on the cation sites
    cat = [i for i, site in enumerate(out) if site.specie.symbol in ("Li", "Na")]
    energies = []
    for li in itertools.combinations(cat, 2):
        species = [("Li" if i in li else "Na") if i in cat else "Cl" for i in range(len(out))]
        energies.append(_ewald(Structure(out.lattice, species, out.frac_coords),
                               {"Li": 1, "Na": 1, "Cl": -1}))
    assert _ewald(out, {"Li": 1, "Na": 1, "Cl": -1}) == pytest.approx(min(energies), abs=1e-6)


def test_prepare_orders_vacancy_disorder_with_exact_composition() -> None:
    # cation site 1/2 Li, 1/4 Mg, 1/4 empty: Li2 Mg Cl4 per conventional cell (neutral)
    out = prepare_structure(rocksalt({"Li": 0.5, "Mg": 0.25}), atom_range=(20, 60))
    assert out.is_ordered
    assert 20 <= len(out) <= 60
    assert out.composition.reduced_composition == Composition("Li2MgCl4")
    assert abs(check_neutral(out, {"Li": 1, "Mg": 2, "Cl": -1})) < 1e-9


def test_sampled_ordering_is_reproducible_by_seed() -> None:
    s = rocksalt({"Li": 0.5, "Na": 0.5})
    a = prepare_structure(s, atom_range=(64, 64), max_orderings=3, seed=1)
    b = prepare_structure(s, atom_range=(64, 64), max_orderings=3, seed=1)
    assert a.properties["prepare"]["ordering"]["method"] == "sampled"
    assert a.composition.reduced_composition == Composition("LiNaCl2")
    assert a == b


def test_vacancy_with_schottky_compensation_separated_by_default() -> None:
    out = prepare_structure(li3clo(), atom_range=(40, 40), n_vacancies=1, seed=3)
    assert out.composition == Composition("Li23Cl7O8")
    note = out.properties["prepare"]["vacancies"]
    # the Cl vacancy is as far from the Li vacancy as the 2x2x2 cell allows
    full = li3clo() * (2, 2, 2)
    li_vac = full[0]  # all Li sites are equivalent
    far = max(site.distance(li_vac) for site in full if site.specie.symbol == "Cl")
    assert note["separation_A"] == pytest.approx(far, abs=1e-3)


def test_vacancy_with_schottky_compensation_lowest_ewald_pair() -> None:
    out = prepare_structure(li3clo(), atom_range=(40, 40), n_vacancies=1, seed=3,
                            placement="lowest_ewald")
    assert out.composition == Composition("Li23Cl7O8")  # Li3-xOCl1-x with x = 1/8
    oxi = {"Li": 1, "Cl": -1, "O": -2}
    assert abs(check_neutral(out, oxi)) < 1e-9
    assert out.properties["prepare"]["vacancies"]["mechanism"] == "anion_vacancy"
    # brute force: every (Li, Cl) vacancy pair of the pristine 2x2x2 cell
    full = li3clo() * (2, 2, 2)
    li = [i for i, site in enumerate(full) if site.specie.symbol == "Li"]
    cl = [i for i, site in enumerate(full) if site.specie.symbol == "Cl"]
    best = np.inf
    for i, j in itertools.product(li, cl):
        trial = full.copy()
        trial.remove_sites([i, j])
        best = min(best, _ewald(trial, oxi))
    assert _ewald(out, oxi) == pytest.approx(best, abs=1e-6)


def test_vacancy_without_compensation_and_errors() -> None:
    out = prepare_structure(li3clo(), atom_range=(10, 10), n_vacancies=2, compensate=None)
    assert out.composition == Composition("Li4Cl2O2")
    with pytest.raises(ValueError, match="only 6 in the cell"):
        prepare_structure(li3clo(), atom_range=(10, 10), n_vacancies=7)


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
