"""Defect engineering and structure generation for solid electrolytes.

- :mod:`~superionic.defects.library`: published reference structures (``get_structure``,
  ``list_structures``, ``ordered``, ``md_cell``: MD-ready ordered cells);
- :mod:`~superionic.defects.cell`: the one home of cell preparation (``prepare_cell``:
  supercell search, ordering, vacancies with compensation; ``choose_supercell``);
- :mod:`~superionic.defects.ordering`: Ewald ordering of partial occupancies;
- :mod:`~superionic.defects.kroger_vink`: Kröger-Vink notation;
- :mod:`~superionic.defects.charge`: charge balance of off-stoichiometric compositions;
- :mod:`~superionic.defects.li_defects`: excess/vacancy plans with a compensation mechanism;
- :mod:`~superionic.defects.interstitials`: Voronoi interstitial sites;
- :mod:`~superionic.defects.enumerate`: symmetry-distinct configurations ranked by Ewald energy;
- :mod:`~superionic.defects.prototype`: structures for compositions without one;
- :mod:`~superionic.defects.potential`: optional CHGNet energies;
- :mod:`~superionic.defects.workflow`: parent -> written, ranked variants in one call.
"""

from superionic.defects.cell import PreparedCell, choose_supercell, prepare_cell
from superionic.defects.kroger_vink import PointDefect, interstitial, lattice, substitution, vacancy
from superionic.defects.li_defects import (
    MECHANISM_TABLE,
    MECHANISMS,
    ChargeBalanceError,
    DefectError,
    DefectPlan,
    plan_composition,
    plan_defects,
)
from superionic.defects.library import get_structure, list_structures, md_cell, ordered
from superionic.defects.workflow import DefectResult, build_variants

__all__ = [
    "MECHANISMS", "MECHANISM_TABLE", "ChargeBalanceError", "DefectError", "DefectPlan",
    "DefectResult",
    "PointDefect", "PreparedCell", "build_variants", "choose_supercell", "get_structure",
    "interstitial", "lattice", "list_structures", "md_cell", "ordered", "plan_composition",
    "plan_defects", "prepare_cell", "substitution", "vacancy",
]
