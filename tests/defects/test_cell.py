"""One home for cell preparation: supercell search, ordering in the whole supercell, vacancies,
and the library's MD-ready cells (composition, neutrality, atom count, distances, density)."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from pymatgen.core import Composition, Lattice, Structure

from superionic.defects import library
from superionic.defects.cell import (
    check_neutral,
    choose_supercell,
    diagonal_multipliers,
    integral_occupancies,
    perpendicular_widths,
    prepare_cell,
)


@functools.cache
def _md(name: str, lo: int = 50, hi: int = 110):
    return library.md_cell(name, atom_range=(lo, hi), seed=0)


def li3clo() -> Structure:
    return Structure(Lattice.cubic(3.908), ["Li", "Li", "Li", "Cl", "O"],
                     [[0, .5, .5], [.5, 0, .5], [.5, .5, 0], [0, 0, 0], [.5, .5, .5]])


def test_diagonal_multipliers_are_ordered_by_size_then_isotropy():
    m = diagonal_multipliers(3, max_cells=8)
    assert m[0] == (1, 1, 1)
    sizes = [a * b * c for a, b, c in m]
    assert sizes == sorted(sizes) and max(sizes) == 8
    # among the 4-cell multipliers the isotropic (1, 2, 2) family precedes (1, 1, 4)-like ones
    four = [x for x in m if x[0] * x[1] * x[2] == 4]
    assert four[0] in {(1, 2, 2), (2, 1, 2), (2, 2, 1)}


def test_perpendicular_widths_of_a_hexagonal_cell():
    lat = Lattice.hexagonal(4.0, 6.0).matrix
    w = perpendicular_widths(lat)
    assert sorted(w) == pytest.approx(sorted([4.0 * np.sqrt(3) / 2] * 2 + [6.0]))


@pytest.mark.parametrize("name", library.MD_BENCHMARK)
def test_md_cells_are_ordered_neutral_and_in_range(name):
    p = _md(name)
    s = p.structure
    assert s.is_ordered
    assert 50 <= len(s) <= 110
    assert abs(check_neutral(s)) < 1e-9
    ref = library.get_reference(name)
    nominal = Composition(ref.md_model.formula if ref.md_model else ref.formula)
    assert s.composition.fractional_composition.almost_equals(nominal.fractional_composition)
    d = s.distance_matrix
    np.fill_diagonal(d, np.inf)
    assert d.min() > 1.5  # no split-site pair filled twice
    if ref.md_model is None:  # same density as the published (disordered) cell, within 1 %
        rho_pub = library.density_g_cm3(ref.structure())
        assert library.density_g_cm3(s) == pytest.approx(rho_pub, rel=0.01)


def test_md_cell_is_reproducible_by_seed():
    a = library.md_cell("Li6PS5Cl", seed=4).structure
    b = library.md_cell("Li6PS5Cl", seed=4).structure
    assert a == b


def test_md_cell_prefers_the_larger_minimum_image_distance():
    """Li6PS5Cl: the 104-atom 2x2x2 primitive supercell (width 2a/sqrt(3)) beats the 52-atom
    cubic cell (width a)."""
    p = _md("Li6PS5Cl")
    a = library.get_reference("Li6PS5Cl").lattice["a"]
    assert p.supercell.base == "primitive" and p.n_atoms == 104
    assert p.supercell.min_width_A == pytest.approx(2 * a / np.sqrt(3), rel=1e-3)


def test_large_cell_option_for_a_finite_size_check():
    p = library.md_cell("beta-Li3PS4", atom_range=library.MD_LARGE_ATOM_RANGE)
    assert 150 <= p.n_atoms <= 260
    assert p.supercell.min_width_A > _md("beta-Li3PS4").supercell.min_width_A


def test_llzo_model_is_ta_doped_and_charge_balanced():
    p = _md("Li7La3Zr2O12")
    comp = p.structure.composition
    assert comp == Composition("Li26La12Zr6Ta2O48")  # Li6.5La3Zr1.5Ta0.5O12, 96-site primitive
    assert p.vacancies["mechanism"] == "aliovalent"
    assert set(p.vacancies["kroger_vink"]) == {"V_Li'", "Ta_Zr^."}


def test_integral_occupancies_round_the_refined_lgps_composition():
    s = integral_occupancies(library.get_structure("LGPS"))
    assert s.composition.element_composition == Composition("Li20Ge2P4S24")
    assert abs(check_neutral(s, {"Li": 1, "Ge": 4, "P": 5, "S": -2})) < 1e-9


def test_vacancy_with_schottky_compensation_is_neutral():
    p = prepare_cell(li3clo(), atom_range=(40, 40), n_vacancies=1, seed=3)
    assert p.structure.composition == Composition("Li23Cl7O8")  # Li3-xOCl1-x, x = 1/8
    assert abs(check_neutral(p.structure)) < 1e-9
    assert p.vacancies["mechanism"] == "anion_vacancy"


def test_vacancy_without_compensation_leaves_a_charged_cell():
    p = prepare_cell(li3clo(), atom_range=(40, 40), n_vacancies=2, compensate=None)
    assert p.structure.composition == Composition("Li22Cl8O8")
    assert check_neutral(p.structure, {"Li": 1, "Cl": -1, "O": -2}) == pytest.approx(-2)
    with pytest.raises(ValueError, match="only 24"):
        prepare_cell(li3clo(), atom_range=(40, 40), n_vacancies=25)


def test_oversized_cell_is_used_as_is():
    s = li3clo() * (4, 4, 4)
    base, choice = choose_supercell(s, (60, 160), allow_primitive=False)
    assert choice.multiplier == (1, 1, 1) and "above range" in choice.base
