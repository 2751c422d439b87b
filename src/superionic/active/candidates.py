"""Candidates for the loop: a CSV of formulas (with optional structures) or a folder of CIFs.

CSV columns: ``formula`` (or derived from the structure), optional ``id`` (default: the formula,
or the structure spec), optional ``n_vacancies`` (mobile-ion vacancies of this candidate's MD cell,
overriding the oracle's setting) and optional ``structure`` (alias ``cif``): a CIF/POSCAR path relative to the
CSV, CIF text, an MP id of the MP entries fixture (``mp-985585``, read by
:func:`superionic.md.prepare.load_structure`) or a name in the defects library
(``superionic.defects.library.get_structure``) when that module exists. A folder is read as one
candidate per ``*.cif`` file, id = file stem. Structures are needed by the MD oracle only; a bad
row becomes a :class:`~superionic.records.Rejection` and the others are kept.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from superionic.records import Rejection


@dataclass
class Candidates:
    """Candidate ids, their formulas, the structures known for them, and the rejected rows."""

    ids: list[str] = field(default_factory=list)
    formulas: list[str] = field(default_factory=list)
    structures: dict[str, Any] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    md_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, cid: str, formula: str, structure: Any = None,
            md_overrides: dict[str, Any] | None = None) -> None:
        if cid in self.structures or cid in self.ids:
            raise ValueError(f"duplicate candidate id {cid!r}")
        self.ids.append(cid)
        self.formulas.append(formula)
        if structure is not None:
            self.structures[cid] = structure
        if md_overrides:
            self.md_overrides[cid] = dict(md_overrides)


def resolve_structure(spec: str, base: Path, data_dir: Path | None = None) -> Any:
    """A pymatgen Structure from a path (relative to ``base``), CIF text, an MP id or a
    defects-library name; raises ``ValueError``/``FileNotFoundError`` naming the problem."""
    from pymatgen.core import Structure

    text = spec.strip()
    if "_cell_length_a" in text or text.startswith("data_"):
        return Structure.from_str(text, fmt="cif")
    path = Path(text).expanduser()
    path = path if path.is_absolute() else base / path
    if path.is_file():
        return Structure.from_file(path)
    if text.startswith(("mp-", "mvc-")):
        from superionic.md.prepare import load_structure

        return load_structure(text, data_dir)
    try:
        from superionic.defects.library import get_structure  # type: ignore[import-not-found]
    except ImportError:
        get_structure = None
    if get_structure is not None:
        return get_structure(text)
    raise FileNotFoundError(f"structure {text!r}: no such file, not an MP id, and no defects "
                            "library to look it up in")


def read_candidates(path: str | Path, data_dir: Path | None = None,
                    need_structures: bool = False) -> Candidates:
    """Candidates from a CSV or a folder of CIFs (see the module doc)."""
    path = Path(path)
    if path.is_dir():
        return _from_folder(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: candidates file or folder not found")
    out = Candidates()
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        cols = set(reader.fieldnames or [])
        scol = "structure" if "structure" in cols else ("cif" if "cif" in cols else None)
        if "formula" not in cols and scol is None:
            raise ValueError(f"{path}: needs a formula column or a structure/cif column; "
                             f"found {sorted(cols)}")
        if need_structures and scol is None:
            raise ValueError(f"{path}: the MD oracle needs a structure (or cif) column")
        for row_no, row in enumerate(reader, start=2):
            try:
                structure = None
                spec = (row.get(scol) or "").strip() if scol else ""
                if spec:
                    structure = resolve_structure(spec, path.parent, data_dir)
                elif need_structures:
                    raise ValueError("no structure given")
                formula = (row.get("formula") or "").strip()
                if not formula:
                    if structure is None:
                        raise ValueError("neither a formula nor a structure")
                    formula = structure.composition.reduced_formula
                cid = (row.get("id") or "").strip() or (formula if not spec or "\n" in spec
                                                        else f"{formula}_{Path(spec).stem}")
                out.add(cid, formula, structure, _md_overrides(row))
            except Exception as exc:  # noqa: BLE001 - one bad row is reported, the rest go on
                out.rejected.append(Rejection(str(path), row_no, f"{type(exc).__name__}: {exc}"))
    return out


def _md_overrides(row: dict[str, str]) -> dict[str, Any]:
    """Per-candidate MD settings from the optional ``n_vacancies`` column."""
    text = (row.get("n_vacancies") or "").strip()
    if not text:
        return {}
    if not text.isdigit():
        raise ValueError(f"n_vacancies must be a whole number >= 0, got {text!r}")
    return {"n_vacancies": int(text)}


def _from_folder(folder: Path) -> Candidates:
    from pymatgen.core import Structure

    out = Candidates()
    files = sorted(folder.glob("*.cif"))
    if not files:
        raise FileNotFoundError(f"{folder}: no *.cif files")
    for f in files:
        try:
            s = Structure.from_file(f)
            out.add(f.stem, s.composition.reduced_formula, s)
        except Exception as exc:  # noqa: BLE001
            out.rejected.append(Rejection(str(f), None, f"{type(exc).__name__}: {exc}"))
    return out
