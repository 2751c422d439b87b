"""Materials Project adapter (needs ``MP_API_KEY``): compounds of the mobile ion and computed
entries for phase diagrams, through the official ``mp-api`` client, cached on disk.

* :meth:`MPSource.compounds` -> Material records (structure, e_above_hull, band gap, formation
  energy) of every MP material containing the mobile ion (``materials/summary``).
* :meth:`MPSource.entries_in_chemsys` -> ComputedStructureEntry objects (GGA/GGA+U mixing scheme,
  MP2020 corrections) of a chemical system and all its subsystems (``materials/thermo``), ready
  for ``PhaseDiagram``. We query the thermo route rather than ``get_entries_in_chemsys`` (which
  reads a bulk S3 snapshot) so that the configurable API endpoint serves every request.

Responses are cached as JSON under ``cache_dir`` keyed by (endpoint, route, query); a cached
query never touches the network. The endpoint is a setting (``SUPERIONIC_MP_ENDPOINT``), which is
also how tests point the client at a local replay server.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from monty.json import MontyDecoder
from pymatgen.core import Structure

from superionic.records import Material, Provenance, content_key

SUMMARY_FIELDS = ("material_id", "formula_pretty", "structure", "energy_above_hull", "band_gap",
                  "formation_energy_per_atom", "symmetry")
THERMO_TYPE = "GGA_GGA+U"


class MPSource:
    """Live Materials Project data for one API key and endpoint (``None``: mp-api's default)."""

    def __init__(self, api_key: str, endpoint: str | None = None, cache_dir: str | Path | None = None):
        if not api_key:
            raise ValueError("the Materials Project API needs a key: set MP_API_KEY")
        self.api_key = api_key
        self.endpoint = endpoint
        self.cache_dir = Path(cache_dir) if cache_dir else None

    def _rester(self) -> Any:
        from mp_api.client import MPRester

        kwargs = {"use_document_model": False, "mute_progress_bars": True}
        if self.endpoint:
            kwargs["endpoint"] = self.endpoint if self.endpoint.endswith("/") else self.endpoint + "/"
        return MPRester(self.api_key, **kwargs)

    def _cached(self, route: str, query: dict[str, Any], fetch: Any) -> list[dict[str, Any]]:
        key = content_key([self.endpoint, route, query])
        path = self.cache_dir / f"{route.replace('/', '_')}-{key[:32]}.json" if self.cache_dir else None
        if path is not None and path.is_file():
            return json.loads(path.read_text())
        docs = [_plain(d) for d in fetch()]
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w") as fh:
                json.dump(docs, fh)
            os.replace(tmp, path)
        return docs

    def compound_docs(self, mobile_ion: str = "Li", e_hull_max: float | None = None) -> list[dict]:
        query: dict[str, Any] = {"elements": [mobile_ion], "fields": list(SUMMARY_FIELDS)}
        if e_hull_max is not None:
            query["energy_above_hull"] = (0.0, e_hull_max)

        def fetch() -> list[dict]:
            with self._rester() as mpr:
                return mpr.materials.summary.search(**query)

        return self._cached("materials/summary", query, fetch)

    def compounds(self, mobile_ion: str = "Li", e_hull_max: float | None = None) -> list[Material]:
        """Material records of MP compounds containing ``mobile_ion``."""
        out = []
        for i, doc in enumerate(self.compound_docs(mobile_ion, e_hull_max), start=1):
            structure = Structure.from_dict(doc["structure"]) if doc.get("structure") else None
            sym = doc.get("symmetry") or {}
            formula = doc.get("formula_pretty") or (structure.composition.reduced_formula if structure else "")
            out.append(Material(
                formula=formula, reduced_formula=structure.composition.reduced_formula if structure else formula,
                material_id=str(doc["material_id"]), structure=structure,
                e_above_hull_eV_per_atom=doc.get("energy_above_hull"), band_gap_eV=doc.get("band_gap"),
                e_form_eV_per_atom=doc.get("formation_energy_per_atom"),
                space_group_number=sym.get("number"),
                provenance=Provenance("materials_project", file="materials/summary", row=i,
                                      version=self.endpoint or "mp-api default endpoint")))
        return out

    def entries_in_chemsys(self, elements: list[str]) -> list[Any]:
        """Every MP entry of the chemical system of ``elements`` and its subsystems."""
        els = sorted(set(elements))
        systems = ["-".join(c) for n in range(1, len(els) + 1) for c in itertools.combinations(els, n)]
        query = {"chemsys": systems, "thermo_types": [THERMO_TYPE], "fields": ["material_id", "entries"]}

        def fetch() -> list[dict]:
            with self._rester() as mpr:
                return mpr.materials.thermo.search(**query)

        decoder = MontyDecoder()
        entries = []
        for doc in self._cached("materials/thermo", query, fetch):
            for entry in (doc.get("entries") or {}).values():
                entries.append(decoder.process_decoded(entry))
        return entries


def _plain(doc: Any) -> Any:
    """A response document as plain JSON (pymatgen objects -> their as_dict())."""
    if hasattr(doc, "as_dict"):
        return _plain(doc.as_dict())
    if isinstance(doc, dict):
        return {str(k): _plain(v) for k, v in doc.items()}
    if isinstance(doc, list | tuple):
        return [_plain(v) for v in doc]
    return doc
