"""Kröger-Vink strings and defect reactions for textbook cases."""

from __future__ import annotations

import pytest

from superionic.defects import kroger_vink as kv


@pytest.mark.parametrize("defect,text", [
    (kv.vacancy("Li", 1), "V_Li'"),
    (kv.vacancy("Cl", -1), "V_Cl^."),
    (kv.vacancy("O", -2), "V_O^.."),
    (kv.interstitial("Li", 1), "Li_i^."),
    (kv.interstitial("O", -2), "O_i''"),
    (kv.substitution("Zr", 4, "Y", 3), "Zr_Y^."),
    (kv.substitution("Ga", 3, "Ge", 4), "Ga_Ge'"),
    (kv.substitution("Ti", 3, "Ti", 4), "Ti_Ti'"),
    (kv.substitution("Ta", 5, "Zr", 4), "Ta_Zr^."),
    (kv.lattice("Li", 1), "Li_Li^x"),
])
def test_notation(defect, text):
    assert str(defect) == text


def test_effective_charge_is_occupant_minus_site():
    assert kv.vacancy("O", -2).effective_charge == 2
    assert kv.interstitial("O", -2).effective_charge == -2
    assert kv.substitution("Mg", 2, "Li", 1).effective_charge == 1


def test_frenkel_reaction_of_the_seed_paper():
    left = [(1, str(kv.lattice("Li", 1)))]
    right = [(1, str(kv.vacancy("Li", 1))), (1, str(kv.interstitial("Li", 1)))]
    assert kv.reaction(left, right) == "Li_Li^x -> V_Li' + Li_i^."


def test_schottky_pairs_are_neutral():
    assert kv.net_effective_charge([(1, kv.vacancy("Li", 1)), (1, kv.vacancy("Cl", -1))]) == 0
    assert kv.net_effective_charge([(2, kv.vacancy("Li", 1)), (1, kv.vacancy("O", -2))]) == 0
    assert kv.net_effective_charge([(1, kv.vacancy("Li", 1))]) == -1


def test_latex():
    assert kv.to_latex(kv.vacancy("Li", 1)) == r"\mathrm{V}_{\mathrm{Li}}^{\prime}"
    assert kv.to_latex(kv.lattice("O", -2)) == r"\mathrm{O}_{\mathrm{O}}^{\times}"
