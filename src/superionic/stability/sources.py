"""Where hull entries come from: a list of entries (the MP fixture, a user file), the MP API, or
the composition-level formation-energy table (approximation). Each source has a ``label`` and
``entries_for(elements)`` returning the entries of that chemical system (sub-systems included) or
raising a :class:`~superionic.stability.hull.StabilityInputError` that names the problem."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from superionic.stability.hull import (
    check_coverage,
    entries_in_chemsys,
    entry_elements,
    fixture_path,
    load_entries,
    load_fixture_entries,
    parse_formula,
)
from superionic.stability.table_entries import FormationEnergyTable

MP_FIXTURE_SOURCE = "MP computed entries (fixture)"
MP_API_SOURCE = "MP computed entries (API)"


class EntrySource(Protocol):
    label: str

    def entries_for(self, elements: Iterable[str], mobile_ion: str | None = None) -> list[Any]:
        """Entries of the chemical system ``elements`` (sub-systems included); ``mobile_ion``
        only sharpens the error when none of the other elements has entries."""
        ...


class EntryList:
    """A fixed list of pymatgen entries (energies must be mutually compatible)."""

    def __init__(self, entries: Sequence[Any], label: str = "user entries") -> None:
        self.entries = list(entries)
        self.label = label
        self.elements = frozenset().union(*(entry_elements(e) for e in self.entries))

    @classmethod
    def from_file(cls, path: str | Path) -> EntryList:
        """Entries from a monty JSON(.gz) file; the label names the file."""
        return cls(load_entries(path), label=f"entries file {Path(path).name}")

    @classmethod
    def mp_fixture(cls, data_dir: str | Path | None = None) -> EntryList:
        """The MP2020-corrected C-Cl-K-Li-Mn-Na-O-Y fixture from the data directory."""
        return cls(load_fixture_entries(data_dir),
                   label=f"{MP_FIXTURE_SOURCE}: {fixture_path(data_dir).name}")

    def covers(self, elements: Iterable[str]) -> bool:
        return set(elements) <= self.elements

    def entries_for(self, elements: Iterable[str], mobile_ion: str | None = None) -> list[Any]:
        elements = sorted(set(elements))
        sub = entries_in_chemsys(self.entries, elements)
        check_coverage(sub, elements, mobile_ion=mobile_ion)
        return sub


class MPAPIEntries:
    """MP2020-compatible ``ComputedStructureEntry`` lists fetched per chemical system from the
    Materials Project API (``mp_api``; needs an API key and network), cached in memory."""

    label = MP_API_SOURCE

    def __init__(self, api_key: str | None = None, endpoint: str | None = None) -> None:
        self.api_key = api_key or os.environ.get("MP_API_KEY")
        if not self.api_key:
            raise ValueError("MP API access needs an API key (set MP_API_KEY)")
        self.endpoint = endpoint
        self._cache: dict[str, list[Any]] = {}

    def entries_for(self, elements: Iterable[str], mobile_ion: str | None = None) -> list[Any]:
        from mp_api.client import MPRester

        elements = sorted(set(elements))
        key = "-".join(elements)
        if key not in self._cache:
            kwargs = {"endpoint": self.endpoint} if self.endpoint else {}
            with MPRester(self.api_key, mute_progress_bars=True, **kwargs) as mpr:
                self._cache[key] = list(mpr.get_entries_in_chemsys(elements))
        sub = self._cache[key]
        check_coverage(sub, elements, mobile_ion=mobile_ion)
        return sub


def default_source(formula: str, mobile_ion: str = "Li", data_dir: str | Path | None = None,
                   approximate: bool = False) -> EntrySource:
    """The entry source the CLI uses for ``formula``: the MP fixture when the chemical system
    (with the mobile ion) lies inside it, else the MP API when ``MP_API_KEY`` is set, else the
    composition-table approximation. ``approximate=True`` forces the approximation."""
    if approximate:
        return FormationEnergyTable.from_file(
            Path(data_dir) / "mp_matbench_composition" / "mp_e_form.csv.gz" if data_dir else None)
    elements = {e.symbol for e in parse_formula(formula).elements} | {mobile_ion}
    if fixture_path(data_dir).is_file():
        fixture = EntryList.mp_fixture(data_dir)
        if fixture.covers(elements):
            return fixture
    if os.environ.get("MP_API_KEY"):
        return MPAPIEntries()
    return default_source(formula, mobile_ion, data_dir, approximate=True)
