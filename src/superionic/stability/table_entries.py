"""APPROXIMATE hull entries from the composition-level MP formation-energy table.

``mp_matbench_composition/mp_e_form.csv.gz`` gives one formation energy per composition
(eV/atom, Matbench ``mp_e_form``). Each row becomes a ``PDEntry`` with total energy
``e_form * n_atoms`` (eV per reduced formula unit) and every element gets a reference ``PDEntry`` at
0 eV, so hulls and windows are formation-energy hulls relative to the elements.

Labelled "composition-table approximation" wherever it is used, because:

* polymorphs were averaged into one row per composition by CrabNet, biasing energies upward
  where several polymorphs exist (the ground state is lower than the row);
* the data are MP ~2019 with the legacy (pre-MP2020) correction scheme, so these entries must never
  be mixed with MP2020-corrected ``ComputedEntry`` objects (e.g. the MP fixture);
* single-element rows (e.g. ``O2`` +0.64 eV/atom, a non-ground-state polymorph) are dropped and
  replaced by the 0 eV references.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import pandas as pd
from pymatgen.analysis.phase_diagram import PDEntry
from pymatgen.core import Composition

from superionic.config import default_data_dir
from superionic.stability.hull import (
    EmptyChemsysError,
    MissingElementError,
    chemsys_of,
    elemental_pdentries,
)

APPROX_SOURCE = "composition-table approximation"
TABLE_SET = "mp_matbench_composition"
TABLE_FILE = "mp_e_form.csv.gz"
_SYMBOL = re.compile(r"[A-Z][a-z]?")


def table_path(data_dir: str | Path | None = None) -> Path:
    """Path of the composition-level formation-energy table in the data directory."""
    return Path(data_dir or default_data_dir()) / TABLE_SET / TABLE_FILE


class FormationEnergyTable:
    """The e_form table indexed by chemical system, handing out ``PDEntry`` lists per system."""

    label = APPROX_SOURCE
    caveat = ("APPROXIMATION: polymorph-averaged MP ~2019 formation energies with legacy "
              "corrections, elements at 0 eV")

    def __init__(self, frame: pd.DataFrame, origin: str = "") -> None:
        need = {"reduced_formula", "e_form_eV_per_atom"}
        if not need <= set(frame.columns):
            raise ValueError(f"{origin or 'table'}: needs columns {sorted(need)}, "
                             f"has {list(frame.columns)}")
        frame = frame.dropna(subset=["reduced_formula", "e_form_eV_per_atom"])
        self.origin = origin
        self._formulas = frame["reduced_formula"].astype(str).to_numpy()
        self._e_form = frame["e_form_eV_per_atom"].astype(float).to_numpy()
        self._by_chemsys: dict[str, list[int]] = {}
        self.elements: set[str] = set()
        for i, f in enumerate(self._formulas):
            els = set(_SYMBOL.findall(f))
            self.elements |= els
            if len(els) > 1:  # elemental rows are replaced by 0 eV references
                self._by_chemsys.setdefault(chemsys_of(els), []).append(i)

    @classmethod
    def from_file(cls, path: str | Path | None = None) -> FormationEnergyTable:
        path = Path(path) if path else table_path()
        return _load_table(str(path))

    def entries_for(self, elements: Iterable[str], mobile_ion: str | None = None
                    ) -> list[PDEntry]:
        """PDEntries of every composition inside ``elements`` plus 0 eV elemental references.
        Raises when none (:class:`EmptyChemsysError`) or some (:class:`MissingElementError`) of the
        elements other than ``mobile_ion`` occur anywhere in the table."""
        elements = sorted(set(elements))
        own = [e for e in elements if e != mobile_ion] or elements
        missing = [e for e in elements if e not in self.elements]
        if set(own) <= set(missing):
            raise EmptyChemsysError(f"no rows in chemical system {chemsys_of(own)} "
                                    f"of {self.origin or 'the formation-energy table'}")
        if missing:
            raise MissingElementError(f"element(s) {', '.join(missing)} occur in no row of "
                                      f"{self.origin or 'the formation-energy table'}")
        out = elemental_pdentries(elements)
        for k in range(2, len(elements) + 1):
            for sub in combinations(elements, k):
                for i in self._by_chemsys.get("-".join(sub), ()):
                    comp = Composition(self._formulas[i])
                    out.append(PDEntry(comp, float(self._e_form[i]) * comp.num_atoms,
                                       name=self._formulas[i], attribute="mp_e_form"))
        return out


@lru_cache(maxsize=2)
def _load_table(path: str) -> FormationEnergyTable:
    if not Path(path).is_file():
        raise FileNotFoundError(f"formation-energy table not found: {path}")
    return FormationEnergyTable(pd.read_csv(path), origin=path)
