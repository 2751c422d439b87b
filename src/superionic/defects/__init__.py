"""Defect engineering and structure generation for solid electrolytes.

- :mod:`~superionic.defects.library`: published reference structures (``get_structure``,
  ``list_structures``, ``ordered``);
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

from superionic.defects.kroger_vink import PointDefect, interstitial, lattice, substitution, vacancy
from superionic.defects.li_defects import (
    MECHANISMS,
    ChargeBalanceError,
    DefectError,
    DefectPlan,
    plan_composition,
    plan_defects,
)
from superionic.defects.library import get_structure, list_structures, ordered
from superionic.defects.workflow import DefectResult, build_variants

__all__ = [
    "MECHANISMS", "ChargeBalanceError", "DefectError", "DefectPlan", "DefectResult", "PointDefect",
    "build_variants",
    "get_structure", "interstitial", "lattice", "list_structures", "ordered",
    "plan_composition", "plan_defects", "substitution", "vacancy",
]
