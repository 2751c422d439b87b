"""Symmetry-distinct defect configurations, Ewald ranking, interstitials, written files."""

from __future__ import annotations

import random

import numpy as np
import pytest
from pymatgen.analysis.ewald import EwaldSummation
from pymatgen.core import Structure
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from superionic.defects import library
from superionic.defects.enumerate import (
    enumerate_configurations,
    rank_by_ewald,
    verify_distinct,
    write_variants,
)
from superionic.defects.li_defects import Operation, plan_defects


@pytest.fixture(scope="module")
def li3ocl() -> Structure:
    return library.get_structure("Li3ClO")


def test_one_li_vacancy_in_2x2x2_antiperovskite_has_one_configuration(li3ocl):
    res = enumerate_configurations(li3ocl * (2, 2, 2), [Operation("remove", "Li", 1, 1)])
    assert res.n_distinct == 1
    assert res.variants[0].multiplicity == 24  # every Li site is equivalent
    comp = res.variants[0].structure.composition.element_composition
    assert (comp["Li"], comp["Cl"], comp["O"]) == (23, 8, 8)
    assert abs(res.variants[0].charge + 1) < 1e-9  # uncompensated: -1 e


@pytest.fixture(scope="module")
def schottky(li3ocl):
    plan = plan_defects(li3ocl, mode="vacancy", x=0.125)
    return plan, enumerate_configurations(li3ocl * plan.supercell, plan.operations, n_configs=10)


def test_schottky_pair_classes_equal_cl_orbits_around_a_li_vacancy(li3ocl, schottky):
    """Independent count: inequivalent Cl sites of the cell with one Li vacancy."""
    _, res = schottky
    one_vac = li3ocl * (2, 2, 2)
    one_vac.remove_sites([next(i for i, s in enumerate(one_vac) if s.specie.symbol == "Li")])
    sym = SpacegroupAnalyzer(one_vac, symprec=1e-3).get_symmetrized_structure()
    n_cl_orbits = sum(1 for g in sym.equivalent_sites if g[0].specie.symbol == "Cl")
    assert res.n_distinct == n_cl_orbits == 2
    assert sum(v.multiplicity for v in res.variants) == res.n_considered == 24 * 8
    assert verify_distinct([v.structure for v in res.variants])


def test_schottky_variants_are_neutral_and_opposite_charges_attract(schottky):
    plan, res = schottky
    for v in res.variants:
        assert v.charge == pytest.approx(0.0, abs=1e-9)
        assert v.structure.composition.reduced_formula == "Li23Cl7O8"
        assert v.ewald_energy_eV == pytest.approx(EwaldSummation(v.structure).total_energy,
                                                  abs=1e-6)

    def pair_distance(v):
        sup = v.structure.lattice
        (li_idx,) = v.changed_sites["vacancy:Li@1"]
        (cl_idx,) = v.changed_sites["vacancy:Cl@-1"]
        parent = library.get_structure("Li3ClO") * plan.supercell
        return sup.get_distance_and_image(parent[li_idx].frac_coords,
                                          parent[cl_idx].frac_coords)[0]

    d = [pair_distance(v) for v in res.variants]
    assert res.variants[0].ewald_energy_eV < res.variants[1].ewald_energy_eV
    assert d[0] < d[1]  # V_Li' and V_Cl^. bind: the nearest pair is lowest in energy


def test_ewald_ranking_does_not_depend_on_input_order(schottky):
    _, res = schottky
    structs = [v.structure for v in res.variants] * 2 + [library.get_structure("LiCl")]
    ref = rank_by_ewald(structs)
    ref_energies = [e for _, e in ref]
    assert ref_energies == sorted(ref_energies)
    for seed in range(3):
        order = list(range(len(structs)))
        random.Random(seed).shuffle(order)
        shuffled = [structs[i] for i in order]
        got = rank_by_ewald(shuffled)
        assert [e for _, e in got] == pytest.approx(ref_energies, abs=1e-9)
        assert [structs[order[i]].composition for i, _ in got] == [
            structs[i].composition for i, _ in ref]


def test_lgps_excess_puts_li_on_roomy_interstitials(ordered_lib):
    parent = ordered_lib("Li10GeP2S12")
    plan = plan_defects(parent, mode="excess", x=0.5)
    res = enumerate_configurations(parent * plan.supercell, plan.operations, n_configs=3)
    assert res.interstitial_sites > 0 and res.n_distinct >= 1
    for v in res.variants:
        assert v.charge == pytest.approx(0.0, abs=1e-9)
        comp = v.structure.composition.element_composition
        assert comp["Li"] == 21 and comp["Ge"] == 3 and comp["P"] == 3
        d = v.structure.distance_matrix
        np.fill_diagonal(d, np.inf)
        assert d.min() > 1.5


def test_written_files_read_back(schottky, tmp_path):
    _, res = schottky
    paths = write_variants(res.variants[:2], tmp_path, "Li3OCl_vac")
    for p, v in zip(paths, res.variants, strict=False):
        back = Structure.from_file(p)
        assert back.composition.reduced_formula == "Li23Cl7O8"
        assert len(back) == len(v.structure)
        assert (tmp_path / p.replace(".cif", ".POSCAR").split("/")[-1]).is_file()
