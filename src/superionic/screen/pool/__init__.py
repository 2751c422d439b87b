"""The candidate pool of a screen: compounds containing the mobile ion with their computed
properties (energy above hull eV/atom, PBE band gap eV, formation energy eV/atom), the source of
each property, and a structure reference where one exists.

One adapter module per source, each returning a :class:`~superionic.screen.pool.base.Pool`;
:func:`load_pool` is the one dispatcher from a pool spec to its adapter:

* ``"offline"`` -> :mod:`~superionic.screen.pool.offline` (:func:`offline_pool`): IonNet's MP
  list united by reduced formula with the MP composition tables ``mp_e_hull`` / ``mp_gap`` /
  ``mp_e_form`` (:mod:`~superionic.screen.pool.tables`); structures from the MP entries fixture.
* ``"mp"`` -> :mod:`~superionic.screen.pool.mp_api` (:func:`mp_pool`): the Materials Project API
  through :mod:`superionic.data.mp` (needs ``MP_API_KEY``).
* a CSV file -> :mod:`~superionic.screen.pool.user_csv` (:func:`csv_pool`): ``formula`` column
  plus optional ``e_above_hull_eV_per_atom``, ``band_gap_eV``, ``material_id``, ``cif`` (path
  relative to the CSV), ``sigma_e_S_cm``.
* a folder -> :mod:`~superionic.screen.pool.cifs` (:func:`cif_folder_pool`): every ``*.cif``.

For a CSV or a CIF folder, missing e_hull / gap / e_form are filled from the MP composition
tables by reduced formula where they have the compound (:func:`fill_missing_from_tables`, source
``... (filled by reduced formula)``).

Shared by all (:mod:`~superionic.screen.pool.base`): polymorphs share a composition and therefore
every composition-based prediction, so a pool keeps one row per reduced formula, the polymorph
with the lowest e_hull (``n_polymorphs`` counts them, ``polymorph_ids`` lists their ids). A row
or file that cannot be used becomes a :class:`~superionic.records.Rejection` (file, 1-based data
row, reason) and the rest is kept. Formulas are parsed by :mod:`superionic.formula`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from superionic.screen.pool.base import (
    E_FORM,
    E_HULL,
    E_HULL_NEG_TOL,
    GAP,
    POOL_COLUMNS,
    PROPERTIES,
    SIGMA_E,
    Pool,
    sha256_file,
)
from superionic.screen.pool.cifs import cif_folder_pool
from superionic.screen.pool.mp_api import mp_pool
from superionic.screen.pool.offline import IONNET_LABEL, fixture_index, merge_offline, offline_pool
from superionic.screen.pool.tables import TABLE_FILES, TABLE_LABELS, fill_missing_from_tables
from superionic.screen.pool.user_csv import csv_pool

__all__ = [
    "E_FORM", "E_HULL", "E_HULL_NEG_TOL", "GAP", "IONNET_LABEL", "POOL_COLUMNS", "PROPERTIES",
    "SIGMA_E", "TABLE_FILES", "TABLE_LABELS", "Pool", "cif_folder_pool", "csv_pool",
    "fill_missing_from_tables", "fixture_index", "load_pool", "merge_offline", "mp_pool",
    "offline_pool", "sha256_file",
]


def load_pool(spec: str, mobile_ion: str = "Li", data_dir: str | Path | None = None,
              api_key: str | None = None, endpoint: str | None = None,
              cache: Any = None) -> Pool:
    """``"offline"``, ``"mp"``, a CSV path or a folder of CIFs -> :class:`Pool` (``cache`` keeps
    the merged offline pool between runs)."""
    if spec == "offline":
        return offline_pool(data_dir, mobile_ion, cache=cache)
    if spec == "mp":
        return mp_pool(mobile_ion, api_key, endpoint)
    path = Path(spec).expanduser()
    if path.is_dir():
        return cif_folder_pool(path, mobile_ion, data_dir, cache=cache)
    if path.is_file():
        return csv_pool(path, mobile_ion, data_dir, cache=cache)
    raise ValueError(f"pool {spec!r}: not 'offline', 'mp', a CSV file or a folder of CIFs")
