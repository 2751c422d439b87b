"""Real MP ComputedStructureEntries (MP2020 corrections) of the C-Cl-K-Li-Mn-Na-O-Y space, a
phase-diagram fixture (GENESIS-EFRC/y2mn2o7-selectivity, MP data CC BY 4.0, downloaded
2021-08-08), and the MP elemental reference entries of 2023-02-07 (matbench-discovery, MIT).

Both are JSON written by pymatgen/monty and decoded with ``MontyDecoder``; an item that does not
decode is a Rejection (file, 1-based item number, reason) and the rest load. Energies are eV per
cell (``energy``) and eV/atom (``energy_per_atom``); corrected energies are ready for
``PhaseDiagram``.
"""

from __future__ import annotations

import gzip
import json
import warnings
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


def _read_json(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _decode(decoder: MontyDecoder, item: Any) -> Any:
    obj = decoder.process_decoded(item)
    if not hasattr(obj, "composition") or not hasattr(obj, "energy"):
        raise ValueError(f"not a ComputedEntry ({type(obj).__name__})")
    return obj


def load_entries(data_dir: Path, path: Path | None = None) -> tuple[list[Any], list[Rejection]]:
    """The fixture's ComputedStructureEntry objects; an undecodable item is a rejection."""
    path = path or data_dir / NAME / FILE
    decoder = MontyDecoder()
    entries, rejected = [], []
    for i, item in enumerate(_read_json(path), start=1):
        try:
            entries.append(_decode(decoder, item))
        except Exception as exc:  # noqa: BLE001 - monty/pymatgen raise many kinds
            rejected.append(Rejection(str(path), i, f"entry does not decode: {exc}"))
    return entries, rejected


def load(data_dir: Path) -> LoadResult:
    """Material records (with structures, MP ids) of the fixture entries; the entries themselves
    in ``extras["entries"]``."""
    result = LoadResult(NAME)
    path = data_dir / NAME / FILE
    decoder = MontyDecoder()
    entries = []
    for i, item in enumerate(_read_json(path), start=1):
        result.rows += 1
        try:
            entry = _decode(decoder, item)
        except Exception as exc:  # noqa: BLE001
            result.reject(path, i, f"entry does not decode: {exc}")
            continue
        entries.append(entry)
        comp = entry.composition
        result.records.append(Material(
            formula=comp.formula.replace(" ", ""), reduced_formula=comp.reduced_formula,
            material_id=str(entry.entry_id), structure=getattr(entry, "structure", None),
            provenance=Provenance(NAME, file=FILE, row=i, version=VERSION,
                                  note=f"run_type={entry.parameters.get('run_type', '')}")))
    result.extras["entries"] = entries
    return result


def load_elemental_refs(data_dir: Path) -> dict[str, Any]:
    """Element symbol -> its MP ground-state ComputedEntry (uncorrected energy, eV)."""
    raw = _read_json(data_dir / REFS_NAME / REFS_FILE)
    decoder = MontyDecoder()
    return {el: _decode(decoder, d) for el, d in raw.items()}


def load_refs(data_dir: Path) -> LoadResult:
    """One Material per element (note ``energy_per_atom_eV=``); entries in ``extras["refs"]``."""
    result = LoadResult(REFS_NAME)
    path = data_dir / REFS_NAME / REFS_FILE
    decoder = MontyDecoder()
    refs = {}
    for i, (el, item) in enumerate(sorted(_read_json(path).items()), start=1):
        result.rows += 1
        try:
            with warnings.catch_warnings():  # noble gases have no Pauling electronegativity
                warnings.filterwarnings("ignore", message="No Pauling electronegativity")
                entry = _decode(decoder, item)
            if {e.symbol for e in entry.composition.elements} != {el}:
                raise ValueError(f"entry of {el} is {entry.composition.reduced_formula}")
        except Exception as exc:  # noqa: BLE001
            result.reject(path, i, f"{el}: {exc}")
            continue
        refs[el] = entry
        result.records.append(Material(
            formula=el, reduced_formula=entry.composition.reduced_formula,
            material_id=str(entry.entry_id),
            provenance=Provenance(REFS_NAME, file=REFS_FILE, row=i, version=REFS_VERSION,
                                  note=f"energy_per_atom_eV={entry.energy_per_atom:.6f}")))
    result.extras["refs"] = refs
    return result
