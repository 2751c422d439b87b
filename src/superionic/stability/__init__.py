"""Stability funnel: hull and band-gap filters, convex hulls per chemical system, the
electrochemical stability window vs the mobile-ion metal, and its ML surrogate.

Modules: :mod:`.filters` (e_hull / gap filters with reason codes), :mod:`.hull` (phase diagrams,
energy above hull, caching, errors), :mod:`.sources` and :mod:`.table_entries` (where entries come
from), :mod:`.window` (grand-potential window), :mod:`.surrogate` (ML window).
"""

from superionic.stability.filters import FilterResult, filter_frame, filter_materials
from superionic.stability.hull import (
    EmptyChemsysError,
    FormulaError,
    HullResult,
    MissingElementError,
    PhaseDiagramCache,
    StabilityInputError,
    e_above_hull,
    load_fixture_entries,
)
from superionic.stability.sources import EntryList, MPAPIEntries, default_source
from superionic.stability.table_entries import APPROX_SOURCE, FormationEnergyTable
from superionic.stability.window import (
    WindowError,
    WindowResult,
    compute_window,
    compute_windows,
    compute_windows_default,
    window_from_phase_diagram,
)

__all__ = [
    "APPROX_SOURCE",
    "EmptyChemsysError",
    "EntryList",
    "FilterResult",
    "FormationEnergyTable",
    "FormulaError",
    "HullResult",
    "MPAPIEntries",
    "MissingElementError",
    "PhaseDiagramCache",
    "StabilityInputError",
    "WindowError",
    "WindowResult",
    "compute_window",
    "compute_windows",
    "compute_windows_default",
    "default_source",
    "e_above_hull",
    "filter_frame",
    "filter_materials",
    "load_fixture_entries",
    "window_from_phase_diagram",
]
