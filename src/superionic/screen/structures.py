"""Structures for screened candidates, and where each one came from.

For a candidate (formula, MP id, the pool's own structure reference) the resolver tries, in
order, and records the source as a string (``structure_source``) and the MP id used
(``material_id``):

1. the pool's structure: a user CIF (``"user CIF <path>"``), an MP API pool structure
   (``"MP API mp-..."``) or the MP entries fixture (``"MP fixture mp-..."``);
2. with an MP API key, the structure of the candidate's MP id fetched from the API
   (``"MP API mp-..."``; responses cached by :class:`superionic.data.mp.MPSource`);
3. offline, the lowest-energy polymorph of the formula in the MP entries fixture
   (``"MP fixture mp-..."``), then the reference structure library (``"structure library"``);
4. for composition-only candidates, prototype substitution over the library and the fixture
   (:func:`superionic.defects.prototype.predict_structures`;
   ``"prototype substitution from <prototype>"``), relaxed with the ML potential only when
   ``relax=True`` (CHGNet costs ~seconds to minutes per structure).

A candidate none of these gives a structure to keeps ``structure_source = None``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pymatgen.core import Composition, Structure


@dataclass(frozen=True)
class ResolvedStructure:
    """A candidate's structure and its provenance."""

    formula: str
    structure: Structure
    source: str
    material_id: str | None = None


def mp_structures(material_ids: Sequence[str], api_key: str, endpoint: str | None = None,
                  cache_dir: str | Path | None = None) -> dict[str, Structure]:
    """Structures of ``material_ids`` from the MP summary endpoint (cached on disk by
    :class:`~superionic.data.mp.MPSource`); ids the API does not return are absent."""
    from superionic.data.mp import MPSource

    ids = sorted(set(material_ids))
    if not ids:
        return {}
    source = MPSource(api_key, endpoint, cache_dir)
    query = {"material_ids": ids, "fields": ["material_id", "structure"]}

    def fetch() -> list[dict]:
        with source._rester() as mpr:
            return mpr.materials.summary.search(**query)

    out: dict[str, Structure] = {}
    for doc in source._cached("materials/summary", query, fetch):
        mid = str(doc.get("material_id"))
        if mid in ids and doc.get("structure"):  # keep only what was asked for
            s = doc["structure"]
            out[mid] = s if isinstance(s, Structure) else Structure.from_dict(s)
    return out


class StructureResolver:
    """Resolves structures for candidates (module docstring); one instance per screen."""

    def __init__(self, data_dir: str | Path | None = None, api_key: str | None = None,
                 endpoint: str | None = None, mp_cache_dir: str | Path | None = None,
                 prototypes: bool = True, relax: bool = False, seed: int = 0,
                 cache_dir: str | Path | None = None) -> None:
        self.data_dir = Path(data_dir) if data_dir else None
        self.api_key = api_key if api_key is not None else os.environ.get("MP_API_KEY")
        self.endpoint = endpoint
        self.mp_cache_dir = mp_cache_dir
        self.prototypes = prototypes
        self.relax = relax
        self.seed = seed
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.errors: dict[str, str] = {}

    @cached_property
    def _fixture_best(self) -> dict[str, Any]:
        """Reduced formula -> lowest-energy fixture entry with a structure."""
        from superionic.stability.hull import fixture_path, load_fixture_entries

        if not fixture_path(self.data_dir).is_file():
            return {}
        best: dict[str, Any] = {}
        for e in load_fixture_entries(self.data_dir):
            f = e.composition.reduced_formula
            if getattr(e, "structure", None) is not None and (
                    f not in best or e.energy_per_atom < best[f].energy_per_atom):
                best[f] = e
        return best

    @cached_property
    def _library(self) -> dict[str, str]:
        """Reduced formula -> library entry name (entries with coordinates)."""
        from superionic.defects.library import get_reference, has_structure, names

        out: dict[str, str] = {}
        for name in names():
            if has_structure(name):
                f = Composition(get_reference(name).formula).reduced_formula
                out.setdefault(f, name)
        return out

    @cached_property
    def _prototypes(self) -> list[dict[str, Any]]:
        from superionic.defects.prototype import library_prototypes

        return library_prototypes(self.seed)

    def fetch_mp(self, material_ids: Sequence[str]) -> dict[str, Structure]:
        """MP API structures of ``material_ids`` (empty without a key; errors recorded)."""
        ids = [m for m in material_ids if isinstance(m, str) and m.startswith("mp-")]
        if not self.api_key or not ids:
            return {}
        try:
            return mp_structures(ids, self.api_key, self.endpoint, self.mp_cache_dir)
        except Exception as exc:  # noqa: BLE001 - network / client errors: recorded, offline path
            self.errors["mp_api"] = f"{type(exc).__name__}: {exc}"
            return {}

    def resolve(self, formula: str, material_id: str | None = None,
                pool_structure: Structure | None = None, pool_ref: str | None = None,
                mp_fetched: dict[str, Structure] | None = None,
                allow_prototype: bool = True) -> ResolvedStructure | None:
        """The best available structure of one candidate, or None (also for a formula that does
        not parse; the problem is kept in :attr:`errors`)."""
        try:
            red = Composition(formula).reduced_formula
        except (ValueError, KeyError) as exc:
            self.errors[str(formula)] = f"formula: {exc}"
            return None
        mid = material_id if isinstance(material_id, str) and material_id else None
        if pool_structure is not None:
            ref = pool_ref or ""
            if ref.startswith("cif:"):
                return ResolvedStructure(red, pool_structure, f"user CIF {ref[4:]}", mid)
            if ref.startswith("mp:"):
                return ResolvedStructure(red, pool_structure, f"MP API {ref[3:]}", ref[3:])
            if ref.startswith("fixture:"):
                return ResolvedStructure(red, pool_structure, f"MP fixture {ref[8:]}", ref[8:])
            return ResolvedStructure(red, pool_structure, ref or "pool", mid)
        if mid and mp_fetched and mid in mp_fetched:
            return ResolvedStructure(red, mp_fetched[mid], f"MP API {mid}", mid)
        entry = self._fixture_best.get(red)
        if entry is not None:
            eid = str(entry.entry_id)
            return ResolvedStructure(red, entry.structure, f"MP fixture {eid}", eid)
        name = self._library.get(red)
        if name is not None:
            from superionic.defects.library import get_structure

            return ResolvedStructure(red, get_structure(name), "structure library", mid)
        if allow_prototype and self.prototypes:
            return self._prototype(red, mid)
        return None

    def _cache_path(self, formula: str) -> Path | None:
        if self.cache_dir is None:
            return None
        import superionic.defects.library as library
        import superionic.defects.prototype as prototype
        from superionic.records import content_key
        from superionic.screen.cache import code_digest

        key = content_key(["prototype", formula, self.relax, self.seed,
                           code_digest(prototype, library)])
        return self.cache_dir / f"{key[:32]}.json"

    def _prototype(self, formula: str, mid: str | None) -> ResolvedStructure | None:
        """Prototype substitution, cached on disk (structure and source, or the failure)."""
        import json

        path = self._cache_path(formula)
        if path is not None and path.is_file():
            doc = json.loads(path.read_text())
            if "error" in doc:
                self.errors[formula] = doc["error"]
                return None
            if doc.get("structure") is None:
                return None
            return ResolvedStructure(formula, Structure.from_dict(doc["structure"]),
                                     doc["source"], mid)
        out = self._substitute(formula, mid)
        if path is not None:
            doc = {"error": self.errors[formula]} if formula in self.errors else \
                {"structure": out.structure.as_dict() if out else None,
                 "source": out.source if out else None}
            from superionic.fileio import atomic_write_json

            atomic_write_json(path, doc, indent=None)
        return out

    def _substitute(self, formula: str, mid: str | None) -> ResolvedStructure | None:
        from superionic.defects.prototype import evaluate, predict_structures

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cands = predict_structures(formula, prototypes=self._prototypes,
                                           max_candidates=1)
                if cands and self.relax:
                    evaluate(cands[:1], relax=True, data_dir=self.data_dir)
        except (ValueError, KeyError, RuntimeError) as exc:
            self.errors[formula] = f"prototype substitution: {type(exc).__name__}: {exc}"
            return None
        if not cands:
            return None
        c = cands[0]
        how = "relaxed with CHGNet" if c.relaxed else "unrelaxed"
        return ResolvedStructure(formula, c.structure,
                                 f"prototype substitution from {c.source or 'library'} "
                                 f"(p={c.probability:.2g}, {how})", mid)
