"""Convex hulls from the real MP fixture: e_above_hull against a hand-computed reaction energy,
coverage errors, and the phase-diagram cache."""

from __future__ import annotations

import pytest

from superionic.stability.hull import (
    EmptyChemsysError,
    FormulaError,
    MissingElementError,
    PhaseDiagramCache,
    e_above_hull,
    entries_in_chemsys,
    hull_entry,
    parse_formula,
)

from .util import lowest_energy_per_fu


def test_licl_on_hull_and_li3clo_above_by_its_decomposition_energy(mp_source) -> None:
    entries = mp_source.entries
    assert e_above_hull(entries, "LiCl").e_above_hull_eV_per_atom == pytest.approx(0, abs=1e-9)
    res = e_above_hull(entries, "Li3ClO")
    # Li3ClO -> Li2O + LiCl: decomposition energy per atom of Li3ClO (5 atoms), by hand
    by_hand = (lowest_energy_per_fu(entries, "Li3ClO") - lowest_energy_per_fu(entries, "Li2O")
               - lowest_energy_per_fu(entries, "LiCl")) / 5
    assert res.e_above_hull_eV_per_atom == pytest.approx(by_hand, abs=1e-9)
    assert res.e_above_hull_eV_per_atom == pytest.approx(0.028, abs=0.001)  # SOURCE.md table
    # atomic fractions of the products: Li2O 3/5, LiCl 2/5
    assert res.decomposition == pytest.approx({"Li2O": 0.6, "LiCl": 0.4})
    assert res.material_id == "mp-985585"
    assert not res.is_stable


def test_coverage_errors_are_specific(mp_source) -> None:
    entries = mp_source.entries
    with pytest.raises(FormulaError, match="malformed"):
        parse_formula("Li(Cl")
    with pytest.raises(FormulaError, match="not an element"):
        parse_formula("Xx2O")
    with pytest.raises(MissingElementError, match="In"):
        e_above_hull(entries, "Li3InCl6")        # Li, Cl present, In absent
    with pytest.raises(EmptyChemsysError, match="Ge-S"):
        mp_source.entries_for(["Ge", "Li", "S"], mobile_ion="Li")


def test_cache_builds_once_and_disk_copy_is_identical(mp_source, tmp_path) -> None:
    sub = entries_in_chemsys(mp_source.entries, ["Li", "Mn", "O"])
    cache = PhaseDiagramCache(tmp_path)
    pd1 = cache.get(sub)
    assert cache.get(list(reversed(sub))) is pd1      # key is order-free
    assert (cache.misses, cache.hits) == (1, 1)
    assert len(list(tmp_path.glob("pd_*.json.gz"))) == 1
    pd2 = PhaseDiagramCache(tmp_path).get(sub)          # fresh memory, read from disk
    assert pd2 is not pd1
    e1 = sorted(round(pd1.get_e_above_hull(e), 10) for e in pd1.all_entries)
    e2 = sorted(round(pd2.get_e_above_hull(e), 10) for e in pd2.all_entries)
    assert e1 == e2
    # the structure-free copy keeps the corrected energy exactly
    assert all(hull_entry(e).energy == pytest.approx(e.energy, abs=1e-12) for e in sub)
