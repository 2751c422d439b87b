"""Materials Project adapter (needs ``MP_API_KEY``) through the official ``mp-api`` client.

* :meth:`MPSource.compounds` -> Material records (structure, energy above hull eV/atom, PBE band
  gap eV, formation energy eV/atom, space group) of every MP material containing the mobile ion:
  ``MPRester.materials.summary.search(elements=[ion], fields=...)``, i.e. ``GET
  <endpoint>/materials/summary/?elements=Li&_fields=...&_limit=...``.
* :meth:`MPSource.entries_in_chemsys` -> ComputedStructureEntry objects of a chemical system and
  all its subsystems for ``PhaseDiagram``: ``MPRester.get_entries_in_chemsys`` with the GGA/GGA+U
  (MP2020-corrected) thermo type, which the client serves from ``GET <endpoint>/materials/thermo/``.
  (The client's default mixed GGA/GGA+U/r2SCAN type is served as a pre-built phase diagram object
  instead; GGA/GGA+U is the type the project's stability code and fixtures use.)

Responses are cached as JSON (``monty.json.jsanitize``: pymatgen objects become their
``as_dict()`` and decode back with ``MontyDecoder``) under ``cache_dir``
(``Settings.cache_dir / "mp"`` via :meth:`MPSource.from_settings`), one file per query keyed by
sha256 of (endpoint, route, query); a cached query never touches the network. The endpoint is a
setting (``SUPERIONIC_MP_ENDPOINT``; None = the client's default), which is also how the tests
point the real client at a local replay server.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from monty.json import MontyDecoder, jsanitize
from pymatgen.core import Structure

from superionic.config import MOBILE_IONS
from superionic.records import Material, Provenance, content_key

SUMMARY_FIELDS = ("material_id", "formula_pretty", "structure", "energy_above_hull", "band_gap",
                  "formation_energy_per_atom", "symmetry")
THERMO_TYPE = "GGA_GGA+U"
DATASET = "materials_project"


class MPSource:
    """Live Materials Project data for one API key and endpoint (``None``: mp-api's default)."""

    def __init__(self, api_key: str, endpoint: str | None = None,
                 cache_dir: str | Path | None = None, chunk_size: int = 1000):
        if not api_key:
            raise ValueError("the Materials Project API needs a key: set MP_API_KEY")
        self.api_key = api_key
        self.endpoint = endpoint
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.chunk_size = chunk_size

    @classmethod
    def from_settings(cls, settings: Any) -> MPSource:
        """From :class:`superionic.config.Settings`: ``mp_api_key``, ``mp_endpoint`` and the cache
        under ``settings.cache_dir / "mp"``."""
        return cls(settings.mp_api_key or "", settings.mp_endpoint, settings.cache_dir / "mp")

    def _rester(self) -> Any:
        from mp_api.client import MPRester

        kwargs: dict[str, Any] = {"use_document_model": False, "mute_progress_bars": True}
        if self.endpoint:
            kwargs["endpoint"] = self.endpoint if self.endpoint.endswith("/") else self.endpoint + "/"
        return MPRester(self.api_key, **kwargs)

    def cache_path(self, route: str, query: dict[str, Any]) -> Path | None:
        """The cache file of ``query`` on ``route`` (None without a cache directory)."""
        if self.cache_dir is None:
            return None
        key = content_key([self.endpoint, route, query])
        return self.cache_dir / f"{route.replace('/', '_')}-{key[:32]}.json"

    def _cached(self, route: str, query: dict[str, Any], fetch: Callable[[], list[Any]]) -> list[Any]:
        path = self.cache_path(route, query)
        if path is not None and path.is_file():
            return json.loads(path.read_text())
        docs = jsanitize([_json_safe_entry(d) for d in fetch()], strict=True,
                         recursive_msonable=True)
        if path is not None:
            from superionic.fileio import atomic_write_json

            atomic_write_json(path, docs, indent=None)
        return docs

    def compound_docs(self, mobile_ion: str = "Li", e_hull_max: float | None = None) -> list[dict]:
        """The raw summary documents (plain JSON) of MP materials containing ``mobile_ion``."""
        if mobile_ion not in MOBILE_IONS:
            raise ValueError(f"mobile_ion must be one of {MOBILE_IONS}, got {mobile_ion!r}")
        query: dict[str, Any] = {"elements": [mobile_ion], "fields": list(SUMMARY_FIELDS)}
        if e_hull_max is not None:
            query["energy_above_hull"] = (0.0, e_hull_max)

        def fetch() -> list[dict]:
            with self._rester() as mpr:
                return mpr.materials.summary.search(**query, chunk_size=self.chunk_size)

        return self._cached("materials/summary", query, fetch)

    def compounds(self, mobile_ion: str = "Li", e_hull_max: float | None = None) -> list[Material]:
        """Material records of MP compounds containing ``mobile_ion`` (energies eV/atom, gap eV);
        ``e_hull_max`` (eV/atom) filters on the server."""
        return [doc_to_material(doc, i, self.endpoint)
                for i, doc in enumerate(self.compound_docs(mobile_ion, e_hull_max), start=1)]

    def entries_in_chemsys(self, elements: list[str]) -> list[Any]:
        """Every MP GGA/GGA+U entry (MP2020 corrections) of the chemical system of ``elements``
        and its subsystems, sorted by entry id: ready for ``PhaseDiagram``."""
        els = sorted(set(elements))
        query = {"elements": els, "thermo_types": [THERMO_TYPE]}

        def fetch() -> list[Any]:
            with self._rester() as mpr:
                return mpr.get_entries_in_chemsys(
                    els, additional_criteria={"thermo_types": [THERMO_TYPE]})

        decoder = MontyDecoder()
        entries = [decoder.process_decoded(d) for d in self._cached("entries_in_chemsys", query, fetch)]
        return sorted(entries, key=lambda e: (str(e.entry_id), e.energy_per_atom))


def _str_keys(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _str_keys(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_str_keys(v) for v in obj]
    return obj


def _json_safe_entry(obj: Any) -> Any:
    """An entry whose ``data``/``parameters`` dicts have str keys. The client builds entries
    through emmet's pydantic types, which key ``data["oxidation_states"]`` by Element; pymatgen's
    ``ComputedEntry.as_dict`` then cannot serialise them."""
    for attr in ("data", "parameters"):
        value = getattr(obj, attr, None)
        if isinstance(value, dict):
            setattr(obj, attr, _str_keys(value))
    return obj


def doc_to_material(doc: dict, row: int, endpoint: str | None = None) -> Material:
    """A summary document -> Material (provenance: materials_project, route, 1-based position)."""
    raw = doc.get("structure")
    structure = None
    if isinstance(raw, Structure):
        structure = raw
    elif raw:
        structure = Structure.from_dict(raw)
    sym = doc.get("symmetry") or {}
    red = structure.composition.reduced_formula if structure else doc.get("formula_pretty") or ""
    return Material(
        formula=doc.get("formula_pretty") or red, reduced_formula=red,
        material_id=str(doc["material_id"]), structure=structure,
        e_above_hull_eV_per_atom=doc.get("energy_above_hull"), band_gap_eV=doc.get("band_gap"),
        e_form_eV_per_atom=doc.get("formation_energy_per_atom"),
        space_group_number=sym.get("number") if isinstance(sym, dict) else None,
        provenance=Provenance(DATASET, file="materials/summary", row=row,
                              version=endpoint or "mp-api default endpoint"))
