"""Charge-balanced excess/vacancy plans: formulas, Kröger-Vink bookkeeping, supercells, refusals."""

from __future__ import annotations

import pytest
from pymatgen.core import Structure

from superionic.defects import library
from superionic.defects.charge import analyze_composition, net_charge
from superionic.defects.li_defects import (
    ChargeBalanceError,
    DefectError,
    plan_composition,
    plan_defects,
    realisable_supercell,
)


@pytest.fixture(scope="module")
def li3ocl() -> Structure:
    return library.get_structure("Li3ClO")


def _realised_charge(plan) -> float:
    amounts = {}
    import re

    for el, n in re.findall(r"([A-Z][a-z]?)([0-9.]*)", plan.formula):
        amounts[el] = float(n) if n else 1.0
    return net_charge(amounts, plan.oxidation_states)


def test_li3ocl_vacancy_default_is_a_cl_vacancy(li3ocl):
    plan = plan_defects(li3ocl, mode="vacancy", x=0.125, element_order=["Li", "O", "Cl"])
    assert plan.mechanism == "anion_vacancy" and plan.default_reason
    assert plan.general_formula == "Li3-xOCl1-x"
    assert plan.formula == "Li2.875OCl0.875"
    assert plan.kroger_vink == ["V_Li'", "V_Cl^."]
    assert plan.reaction == "Li_Li^x + Cl_Cl^x -> V_Li' + V_Cl^. + LiCl"
    assert plan.supercell == (2, 2, 2) and plan.formula_units == 8
    assert plan.charge_balanced and abs(_realised_charge(plan)) < 1e-9


@pytest.mark.parametrize("name", [n for n in library.names() if library.has_structure(n)])
@pytest.mark.parametrize("mode", ["vacancy", "excess"])
def test_default_mechanisms_are_charge_balanced(name, mode, ordered_lib):
    parent = ordered_lib(name)
    plan = plan_defects(parent, mode=mode, x=0.25)
    assert plan.charge_balanced
    assert abs(_realised_charge(plan)) < 1e-4  # formula printed to 6 significant digits
    assert abs(plan.x_realised - 0.25) <= 0.05 * 0.25


def test_oxide_vacancy_defaults_to_donor_substitution(ordered_lib):
    plan = plan_defects(ordered_lib("Li7La3Zr2O12"), mode="vacancy", x=0.25)
    assert plan.mechanism == "aliovalent"
    assert plan.kroger_vink == ["V_Li'", "Ta_Zr^."]
    assert plan.general_formula == "Li7-xLa3Zr2-xTaxO12"


def test_lgps_excess_defaults_to_the_known_ge_for_p_solid_solution(ordered_lib):
    plan = plan_defects(ordered_lib("Li10GeP2S12"), mode="excess", x=0.5)
    assert plan.mechanism == "aliovalent"
    assert plan.kroger_vink == ["Li_i^.", "Ge_P'"]
    assert plan.general_formula == "Li10+xGe1+xP2-xS12"


def test_oxygen_vacancy_compensation_needs_pairs_of_li_vacancies(ordered_lib):
    li2o_like = ordered_lib("Li2S")  # S2-: two V_Li' per V_S^..
    plan = plan_defects(li2o_like, mode="vacancy", x=0.125, mechanism="anion_vacancy")
    n_li = next(op.count for op in plan.operations if op.element == "Li")
    n_s = next(op.count for op in plan.operations if op.element == "S")
    assert n_li == 2 * n_s and n_li % 2 == 0
    assert plan.reaction == "2 Li_Li^x + S_S^x -> 2 V_Li' + V_S^.. + Li2S"


def test_reduction_only_if_the_element_has_that_state(ordered_lib):
    plan = plan_defects(ordered_lib("Li3InCl6"), mode="excess", x=0.25,
                        mechanism="reduction")  # In3+ -> In2+ exists (ICSD)
    assert plan.kroger_vink == ["Li_i^.", "In_In'"]
    with pytest.raises(DefectError, match="Y"):
        plan_defects(ordered_lib("Li3YCl6"), mode="excess", x=0.25, mechanism="reduction")


@pytest.mark.parametrize("kw,match", [
    ({"mode": "vacancy", "x": -0.1}, "positive"),
    ({"mode": "vacancy", "x": 0.0}, "positive"),
    ({"mode": "vacancy", "x": 3.5}, "exceed the 3 Li sites"),
    ({"mode": "vacancy", "x": 0.001}, "not realisable"),
    ({"mode": "excess", "x": 0.1, "mechanism": "anion_vacancy"}, "cannot compensate an excess"),
    ({"mode": "vacancy", "x": 0.1, "mechanism": "anion_interstitial"}, "cannot compensate"),
    ({"mode": "vacancy", "x": 0.1, "mechanism": "bogus"}, "unknown compensation"),
])
def test_bad_requests_are_refused_with_a_reason(li3ocl, kw, match):
    with pytest.raises(DefectError, match=match):
        plan_defects(li3ocl, **kw)


def test_compensation_none_on_a_charged_change_is_refused_unless_forced(li3ocl):
    with pytest.raises(ChargeBalanceError, match="uncompensated"):
        plan_defects(li3ocl, mode="vacancy", x=0.125, mechanism="none")
    forced = plan_defects(li3ocl, mode="vacancy", x=0.125, mechanism="none", force=True)
    assert not forced.charge_balanced and forced.charge_per_fu == pytest.approx(-0.125)


def test_frenkel_is_stoichiometric(li3ocl):
    plan = plan_defects(li3ocl, mode="vacancy", x=0.125, mechanism="frenkel")
    assert plan.reaction == "Li_Li^x -> V_Li' + Li_i^."
    assert plan.formula == "Li3ClO" and plan.charge_balanced


def test_smallest_supercell_is_chosen():
    assert realisable_supercell(0.125, 1, 5)[:2] == ((2, 2, 2), 1)
    assert realisable_supercell(0.25, 1, 5)[:2] == ((1, 2, 2), 1)
    assert realisable_supercell(0.5, 1, 5)[:2] == ((1, 1, 2), 1)
    with pytest.raises(DefectError, match="nearest realisable"):
        realisable_supercell(0.003, 1, 5, max_atoms=400)


def test_li45tio325_is_not_charge_balanced_and_neighbours_are():
    report = analyze_composition("Li4.5TiO3.25", "Li4TiO4", {"Li": 1, "Ti": 4, "O": -2})
    assert report.net_charge_per_fu == pytest.approx(2.0)  # 4.5 + 4 - 6.5
    formulas = [n["formula"] for n in report.neighbours]
    assert "Li4.5TiO4.25" in formulas  # O interstitials
    assert "Li4.5TiO4 with Ti+3.5" in formulas  # Ti reduction
    for n in report.neighbours:
        if n["formula"] == "Li4.5TiO4.25":
            assert net_charge({"Li": 4.5, "Ti": 1, "O": 4.25}, report.oxidation_states) == 0
    assert "0.5 Li_i^." in report.defects and "0.75 V_O^.." in report.defects


def test_target_composition_refused_then_forced(li3ocl):
    with pytest.raises(ChargeBalanceError, match=r"\+1 e per formula unit"):
        plan_composition(li3ocl, "Li3.5ClO0.75")
    plan = plan_composition(li3ocl, "Li3.5ClO0.75", force=True)
    assert plan.charge_per_fu == pytest.approx(1.0) and plan.forced
    balanced = plan_composition(li3ocl, "Li2.75Cl0.75O")
    assert balanced.charge_balanced and balanced.kroger_vink == ["V_Li'", "V_Cl^."]


def test_mobile_ion_is_a_parameter():
    nacl = Structure.from_spacegroup("Fm-3m", [[5.64, 0, 0], [0, 5.64, 0], [0, 0, 5.64]],
                                     ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    nacl.add_oxidation_state_by_element({"Na": 1, "Cl": -1})
    plan = plan_defects(nacl, mode="vacancy", x=0.25, ion="Na")
    assert plan.reaction == "Na_Na^x + Cl_Cl^x -> V_Na' + V_Cl^. + NaCl"
    with pytest.raises(DefectError, match="contains no Li"):
        plan_defects(nacl, mode="vacancy", x=0.25, ion="Li")


def test_mechanism_table_drives_refusals_and_balanced_plans(li3ocl):
    """Each row of the table: refused (with its stated reason) for the mode it cannot
    compensate; charge balanced for Li3OCl in every mode it accepts (where applicable)."""
    from superionic.defects.li_defects import MECHANISM_TABLE, MECHANISMS, mechanism_table

    assert MECHANISMS == tuple(r["mechanism"] for r in mechanism_table())
    balanced = {("anion_vacancy", "vacancy"), ("anion_interstitial", "excess"),
                ("frenkel", "vacancy"), ("frenkel", "excess")}
    for name, mech in MECHANISM_TABLE.items():
        for mode in ("vacancy", "excess"):
            if mode not in mech.modes:
                with pytest.raises(DefectError) as err:
                    plan_defects(li3ocl, mode=mode, x=0.125, mechanism=name)
                assert str(err.value) == mech.refused
            elif (name, mode) in balanced:
                plan = plan_defects(li3ocl, mode=mode, x=0.125, mechanism=name)
                assert plan.charge_balanced and abs(_realised_charge(plan)) < 1e-9


def test_default_rules_pick_donor_doping_in_oxides_and_schottky_in_halides():
    from superionic.defects.li_defects import choose_mechanism

    llzo = {"Li": 1, "La": 3, "Zr": 4, "O": -2}
    assert choose_mechanism("vacancy", llzo, list(llzo), "Li")[0] == "aliovalent"
    li3ocl = {"Li": 1, "O": -2, "Cl": -1}
    assert choose_mechanism("vacancy", li3ocl, list(li3ocl), "Li")[0] == "anion_vacancy"
    assert choose_mechanism("excess", li3ocl, list(li3ocl), "Li")[0] == "anion_interstitial"
    with pytest.raises(DefectError, match="no anion or framework cation"):
        choose_mechanism("vacancy", {"Li": 1}, ["Li"], "Li")
