"""Real MP ComputedStructureEntries (MP2020 corrections) of the C-Cl-K-Li-Mn-Na-O-Y space, a
phase-diagram fixture (GENESIS-EFRC/y2mn2o7-selectivity, MP data CC BY 4.0), and the MP elemental
reference entries of 2023-02-07 (matbench-discovery, MIT)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from monty.json import MontyDecoder

from superionic.data.base import LoadResult
from superionic.records import Material, Provenance, Rejection

NAME = "mp_entries_fixture_CClKLiMnNaOY"
FILE = "computed_entries_C_Cl_K_Li_Mn_Na_O_Y_08_08_21.json.gz"
VERSION = "GENESIS-EFRC/y2mn2o7-selectivity@d017ab632dd80a459a0adc130835e197dbe7f347"
REFS_NAME = "mp_elemental_refs"
REFS_FILE = "2023-02-07-mp-elemental-reference-entries.json.gz"
REFS_VERSION = "janosh/matbench-discovery@2c7f9fc42d018711dc2f5df573d225ea6d2d17b2"


def _decode(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def load_entries(data_dir: Path) -> tuple[list[Any], list[Rejection]]:
    """The fixture's ComputedStructureEntry objects; an undecodable item is a rejection."""
    path = data_dir / NAME / FILE
    decoder = MontyDecoder()
    entries, rejected = [], []
    for i, item in enumerate(_decode(path), start=1):
        try:
            entries.append(decoder.process_decoded(item))
        except Exception as exc:  # noqa: BLE001
            rejected.append(Rejection(str(path), i, f"entry does not decode: {exc}"))
    return entries, rejected


def load(data_dir: Path) -> LoadResult:
    """Material records (with structures) of the fixture entries."""
    result = LoadResult(NAME)
    entries, result.rejected = load_entries(data_dir)
    result.rows = len(entries) + len(result.rejected)
    for i, entry in enumerate(entries, start=1):
        comp = entry.composition
        result.records.append(Material(
            formula=comp.formula.replace(" ", ""), reduced_formula=comp.reduced_formula,
            material_id=str(entry.entry_id), structure=getattr(entry, "structure", None),
            provenance=Provenance(NAME, file=FILE, row=i, version=VERSION)))
    result.extras["entries"] = entries
    return result


def load_elemental_refs(data_dir: Path) -> dict[str, Any]:
    """Element symbol -> its MP ground-state ComputedEntry (uncorrected energy, eV)."""
    raw = _decode(data_dir / REFS_NAME / REFS_FILE)
    decoder = MontyDecoder()
    return {el: decoder.process_decoded(d) for el, d in raw.items()}


def load_refs(data_dir: Path) -> LoadResult:
    result = LoadResult(REFS_NAME)
    refs = load_elemental_refs(data_dir)
    result.rows = len(refs)
    for i, (el, entry) in enumerate(sorted(refs.items()), start=1):
        result.records.append(Material(
            formula=el, reduced_formula=entry.composition.reduced_formula,
            material_id=str(entry.entry_id),
            provenance=Provenance(REFS_NAME, file=REFS_FILE, row=i, version=REFS_VERSION,
                                  note=f"energy_per_atom_eV={entry.energy_per_atom:.6f}")))
    return result
