"""Electrochemical stability windows from the real MP fixture.

Literature: Zhu, He & Mo, ACS Appl. Mater. Interfaces 7, 23685 (2015), Table 1 (grand-potential
windows with MP data): LiCl 0-4.26 V, Li2O 0-2.91 V, Li3OCl 0-2.55 V vs Li/Li+.
"""

from __future__ import annotations

import math

import pytest

from superionic.parallel import Executor
from superionic.stability.hull import phase_diagram
from superionic.stability.table_entries import APPROX_SOURCE, FormationEnergyTable
from superionic.stability.window import (
    WindowError,
    WindowResult,
    compute_windows,
    grand_potential_exchange,
    window_from_phase_diagram,
)

from .util import lowest_energy_per_fu

ZHU_2015 = {"LiCl": (0.00, 4.26), "Li2O": (0.00, 2.91)}
PUBLISHED_TOL_V = 0.05


@pytest.fixture(scope="module")
def windows(mp_source) -> dict[str, WindowResult]:
    names = ["LiCl", "Li2O", "Li2CO3", "Li3ClO", "Li2MnCl4"]
    res = compute_windows(names, mp_source)
    assert all(isinstance(r, WindowResult) for r in res), res
    return {r.formula: r for r in res}


@pytest.mark.parametrize("formula", sorted(ZHU_2015))
def test_binary_windows_match_zhu_2015(windows, formula: str) -> None:
    red, ox = ZHU_2015[formula]
    w = windows[formula]
    assert w.reduction_V == pytest.approx(red, abs=PUBLISHED_TOL_V)
    assert w.oxidation_V == pytest.approx(ox, abs=PUBLISHED_TOL_V)
    assert w.width_V == pytest.approx(w.oxidation_V - w.reduction_V)
    assert w.reduction_products == ()                       # stable against Li metal
    assert w.e_above_hull_eV_per_atom == pytest.approx(0.0, abs=1e-9)


def test_li3ocl_reduction_matches_zhu_2015(windows) -> None:
    """Zhu 2015 (and shared/reference/esw_published.csv): Li3OCl 0.00-2.55 V. Only the reduction
    limit is compared: the oxidation limit here (2.87 V, LiClO4 + LiCl) differs with MP data
    vintage (docs/stability.md)."""
    assert windows["Li3ClO"].reduction_V == pytest.approx(0.00, abs=PUBLISHED_TOL_V)


def test_sign_convention_is_the_reaction_free_energy_per_li(windows, mp_source) -> None:
    """phi = -dE_rxn / (n e) for the limiting reaction, energies by hand from the entries."""
    e = lambda f: lowest_energy_per_fu(mp_source.entries, f)  # noqa: E731
    # LiCl -> Li + 1/2 Cl2 (oxidation): phi = E(Li) + E(Cl2)/2 - E(LiCl) per Li released
    assert windows["LiCl"].oxidation_V == pytest.approx(e("Li") + e("Cl2") / 2 - e("LiCl"),
                                                        abs=1e-6)
    # Li2CO3 + 4 Li -> 3 Li2O + C (reduction): phi = -(3E(Li2O) + E(C) - E(Li2CO3) - 4E(Li))/4
    dE = 3 * e("Li2O") + e("C") - e("Li2CO3") - 4 * e("Li")
    assert windows["Li2CO3"].reduction_V == pytest.approx(-dE / 4, abs=1e-6)
    # MnCl2 + 2 Li -> Mn + 2 LiCl sets the reduction of the Li2MnCl4 phase equilibrium
    dE = e("Mn") + 2 * e("LiCl") - e("MnCl2") - 2 * e("Li")
    assert windows["Li2MnCl4"].reduction_V == pytest.approx(-dE / 2, abs=1e-6)


def test_li2co3_window_and_products(windows) -> None:
    w = windows["Li2CO3"]
    assert (w.reduction_V, w.oxidation_V) == pytest.approx((1.27, 4.09), abs=0.01)  # SOURCE.md
    assert w.reduction_products == ("C", "Li2O")
    assert w.oxidation_products == ("CO2", "O2")


def test_metastable_li3clo_reported_as_its_decomposition(windows) -> None:
    w, li2o, licl = windows["Li3ClO"], windows["Li2O"], windows["LiCl"]
    assert w.is_metastable and w.e_above_hull_eV_per_atom == pytest.approx(0.028, abs=0.001)
    assert w.phase_equilibrium == ("Li2O", "LiCl")
    assert "metastable" in w.note and "Li2O + LiCl" in w.note
    # a mixture can be no more stable than each of its phases
    assert w.reduction_V >= max(li2o.reduction_V, licl.reduction_V)
    assert w.oxidation_V <= min(li2o.oxidation_V, licl.oxidation_V)
    assert "LiClO4" in w.oxidation_products


def test_li2mncl4_present_and_reported(windows) -> None:
    w = windows["Li2MnCl4"]
    assert w.material_id == "mp-34148" and w.is_metastable
    assert w.phase_equilibrium == ("LiCl", "MnCl2")
    assert w.reduction_products == ("LiCl", "Mn")
    # its oxidation is the LiCl -> Cl2 step of the phase equilibrium
    assert w.oxidation_V == pytest.approx(windows["LiCl"].oxidation_V, abs=1e-9)


@pytest.mark.parametrize("formula", ["LiCl", "Li2CO3", "Li3ClO", "Li2MnCl4"])
def test_grand_potential_diagram_confirms_limits(windows, mp_source, formula) -> None:
    """Independent check: GrandPotentialPhaseDiagram with Li open at fixed potentials."""
    w = windows[formula]
    els = w.chemsys.split("-")
    pd = phase_diagram(mp_source.entries, els)
    mid = (w.reduction_V + w.oxidation_V) / 2
    assert grand_potential_exchange(pd, formula, "Li", mid)[1] == pytest.approx(0, abs=1e-6)
    if w.reduction_V > 0:
        assert grand_potential_exchange(pd, formula, "Li", w.reduction_V - 0.02)[1] > 0.1
    products, uptake = grand_potential_exchange(pd, formula, "Li", w.oxidation_V + 0.02)
    assert uptake < -0.1
    assert set(products) == set(w.oxidation_products)


def test_mobile_ion_is_a_parameter(mp_source) -> None:
    """Na open: NaCl is stable against Na metal and is first oxidised to the polychloride
    NaCl3 (3 NaCl -> NaCl3 + 2 Na), below the full NaCl -> Na + 1/2 Cl2 step."""
    (w,) = compute_windows(["NaCl"], mp_source, mobile_ion="Na")
    e = lambda f: lowest_energy_per_fu(mp_source.entries, f)  # noqa: E731
    assert w.mobile_ion == "Na" and w.reduction_V == 0.0
    assert w.oxidation_products == ("NaCl3",)
    assert w.oxidation_V == pytest.approx((e("NaCl3") + 2 * e("Na") - 3 * e("NaCl")) / 2,
                                          abs=1e-6)
    assert w.oxidation_V < e("Na") + e("Cl2") / 2 - e("NaCl")


def test_composition_table_approximation_is_labelled_and_close(windows, data_dir) -> None:
    """The table's LiCl formation energy (legacy MP corrections) against the exact MP2020 hull.
    Tolerance 0.1 V = 0.05 eV/atom on a 2-atom formula unit, the size of the difference between
    correction schemes for chlorides."""
    table = FormationEnergyTable.from_file(data_dir / "mp_matbench_composition"
                                           / "mp_e_form.csv.gz")
    (w,) = compute_windows(["LiCl"], table)
    assert w.source == APPROX_SOURCE and "APPROXIMATION" in w.note
    assert w.reduction_V == 0.0
    assert w.oxidation_V == pytest.approx(windows["LiCl"].oxidation_V, abs=0.1)


def test_batch_reports_bad_compounds_and_completes(windows, mp_source, tmp_path) -> None:
    batch = ["LiCl", "Li(", "Xx2O", "Li3InCl6", "LiF", "Li2O"]
    serial = compute_windows(batch, mp_source)
    parallel = compute_windows(batch, mp_source, executor=Executor("local", 2, progress=False),
                               cache_dir=tmp_path)
    assert serial == parallel
    kinds = [r.kind if isinstance(r, WindowError) else "ok" for r in serial]
    assert kinds == ["ok", "malformed formula", "malformed formula", "element with no entries",
                     "chemical system with no entries", "ok"]
    assert "In" in serial[3].error and "chemical system F" in serial[4].error
    assert serial[0] == windows["LiCl"] and serial[5] == windows["Li2O"]
    assert len(list(tmp_path.glob("pd_*.json.gz"))) == 2     # Cl-Li and Li-O hulls cached


def test_compound_without_mobile_ion_has_no_oxidation_limit(mp_source) -> None:
    (w,) = compute_windows(["Y2O3"], mp_source)
    assert math.isinf(w.oxidation_V) and "no oxidation limit" in w.note


def test_direct_phase_diagram_call_matches_batch(windows, mp_source) -> None:
    pd = phase_diagram(mp_source.entries, ["Cl", "Li", "O"])   # a larger system also works
    w = window_from_phase_diagram(pd, "LiCl", "Li", source=mp_source.label)
    assert w.oxidation_V == pytest.approx(windows["LiCl"].oxidation_V, abs=1e-9)
