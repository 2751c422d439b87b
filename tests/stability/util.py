"""Helpers of the stability tests."""

from __future__ import annotations


def lowest_energy_per_fu(entries, formula: str) -> float:  # noqa: ANN001
    """Energy (eV) per reduced formula unit of the lowest-energy entry of ``formula``."""
    from pymatgen.core import Composition

    comp = Composition(formula)
    same = [e for e in entries if e.composition.reduced_formula == comp.reduced_formula]
    assert same, f"{formula} not in the fixture"
    return min(e.energy_per_atom for e in same) * comp.num_atoms
