"""The candidate pool of a screen: compounds containing the mobile ion with their computed
properties (energy above hull eV/atom, PBE band gap eV, formation energy eV/atom), the source of
each property, and a structure reference where one exists.

Pools:

* ``offline``: IonNet's MP list (MP id, e_hull, gap; pre-filtered by its authors to
  e_hull <= 0.1 eV/atom and gap >= 0.5 eV) united by reduced formula with the composition-level
  MP tables ``mp_e_hull`` / ``mp_gap`` / ``mp_e_form`` (Matbench via CrabNet). IonNet values win
  where both exist (one MP entry, not a polymorph average); each property keeps its source in
  ``<property>_source``. Structures: the MP entries fixture's structures, matched by MP id.
* ``mp``: the Materials Project API through :mod:`superionic.data.mp` (needs ``MP_API_KEY``).
* a CSV file (``formula`` column plus optional ``e_above_hull_eV_per_atom``, ``band_gap_eV``,
  ``material_id``, ``cif`` (path relative to the CSV), ``sigma_e_S_cm``) or a folder of CIFs.
  Missing e_hull / gap are filled from the MP composition tables by reduced formula where they
  have the compound (source ``... (filled by reduced formula)``).

Polymorphs share a composition and therefore every composition-based prediction: the pool keeps
one row per reduced formula, the polymorph with the lowest e_hull (``n_polymorphs`` counts them,
``polymorph_ids`` lists their ids). A row or file that cannot be used becomes a
:class:`~superionic.records.Rejection` (file, 1-based data row, reason) and the rest is kept.
"""

from __future__ import annotations

import math
import os
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pymatgen.core import Composition, Element, Structure

from superionic.config import MOBILE_IONS, default_data_dir
from superionic.records import Rejection, content_key

E_HULL = "e_above_hull_eV_per_atom"
GAP = "band_gap_eV"
E_FORM = "e_form_eV_per_atom"
SIGMA_E = "sigma_e_S_cm"
PROPERTIES = (E_HULL, GAP, E_FORM)

#: Columns of every pool frame, in order.
POOL_COLUMNS = (
    "formula", "reduced_formula", "material_id", "source_id", "origin",
    E_HULL, f"{E_HULL}_source", GAP, f"{GAP}_source", E_FORM, f"{E_FORM}_source",
    SIGMA_E, "structure_ref", "structure_key", "n_polymorphs", "polymorph_ids",
)

IONNET_LABEL = "IonNet Li-MP-final"
_SYMBOL = re.compile(r"[A-Z][a-z]?")
TABLE_LABELS = {E_HULL: "mp_e_hull", GAP: "mp_gap", E_FORM: "mp_e_form"}
#: Tolerance under which a negative e_hull (eV/atom) is numerical noise rather than an error.
E_HULL_NEG_TOL = 1e-6


@dataclass
class Pool:
    """Candidate compounds (``frame``, one row per reduced formula, columns
    :data:`POOL_COLUMNS`), what was rejected while reading, and in-memory structures keyed by
    ``structure_ref`` (others are loaded on demand by ``structure_loader``)."""

    frame: pd.DataFrame
    rejected: list[Rejection] = field(default_factory=list)
    mobile_ion: str = "Li"
    origin: str = ""
    structures: dict[str, Structure] = field(default_factory=dict, repr=False)
    structure_loader: Callable[[Sequence[str]], dict[str, Structure]] | None = field(
        default=None, repr=False)

    def __len__(self) -> int:
        return len(self.frame)

    def get_structures(self, refs: Sequence[str | None]) -> list[Structure | None]:
        """Structures for ``refs`` (None where a row has none or loading failed)."""
        want = sorted({r for r in refs if r and r not in self.structures})
        if want and self.structure_loader is not None:
            self.structures.update(self.structure_loader(want))
        return [self.structures.get(r) if r else None for r in refs]


# ------------------------------------------------------------------------------ helpers --


from superionic.fileio import sha256_file  # noqa: E402,F401 - one home (fileio)


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in POOL_COLUMNS})


def _parse(formula: Any, mobile_ion: str) -> tuple[Composition | None, str | None]:
    """(composition, None) or (None, reason) for one formula cell."""
    if not isinstance(formula, str) or not formula.strip():
        return None, "empty formula"
    from superionic.formula import parse_composition

    try:  # the one parser, with its limits (superionic.formula)
        comp = parse_composition(formula)
    except ValueError as exc:
        return None, str(exc)
    if Element(mobile_ion) not in comp.elements:
        return None, f"{formula}: contains no {mobile_ion} (the mobile ion)"
    if len(comp.elements) < 2:
        return None, f"{formula}: the bare {mobile_ion} metal is not an electrolyte"
    return comp, None


def _number(value: Any, name: str, lower: float | None = None) -> tuple[float, str | None]:
    """(float or NaN when blank, None) or (NaN, reason) for a numeric cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan, None
    if isinstance(value, str) and not value.strip():
        return math.nan, None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return math.nan, f"{name} {value!r} is not a number"
    if not math.isfinite(x):
        return math.nan, f"{name} {value!r} is not finite"
    if lower is not None and x < lower:
        return math.nan, f"{name} {x:g} is below {lower:g}"
    return x, None


def _check_ion(mobile_ion: str) -> None:
    if mobile_ion not in MOBILE_IONS:
        raise ValueError(f"mobile_ion must be one of {MOBILE_IONS}, got {mobile_ion!r}")


def _dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per reduced formula: the lowest e_hull polymorph (NaN last, then input order)."""
    if frame.empty:
        return frame
    frame = frame.copy()
    frame["_order"] = np.arange(len(frame))
    frame["_e"] = pd.to_numeric(frame[E_HULL], errors="coerce").fillna(np.inf)
    frame = frame.sort_values(["reduced_formula", "_e", "_order"], kind="stable")
    ids = frame.groupby("reduced_formula", sort=False)["material_id"].agg(
        lambda s: ";".join(str(x) for x in s if isinstance(x, str) and x))
    counts = frame.groupby("reduced_formula", sort=False).size()
    best = frame.drop_duplicates("reduced_formula", keep="first").set_index("reduced_formula")
    best["n_polymorphs"] = counts
    best["polymorph_ids"] = ids
    best = best.reset_index().sort_values("_order", kind="stable")
    return best.drop(columns=["_order", "_e"]).reset_index(drop=True)


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    for c in POOL_COLUMNS:
        if c not in frame:
            frame[c] = np.nan if c in (*PROPERTIES, SIGMA_E) else None
    for c in (*PROPERTIES, SIGMA_E):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    frame["n_polymorphs"] = (pd.to_numeric(frame["n_polymorphs"], errors="coerce")
                             .fillna(1).astype(int))
    frame["source_id"] = [sid if isinstance(sid, str) and sid else
                          (mid if isinstance(mid, str) and mid else f"{org}:{rf}")
                          for sid, mid, org, rf in zip(frame["source_id"], frame["material_id"],
                                                       frame["origin"], frame["reduced_formula"],
                                                       strict=True)]
    return frame[list(POOL_COLUMNS)].reset_index(drop=True)


# ------------------------------------------------------------------------ offline pool --


def _material_frame(records: Sequence[Any], columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` of the :class:`~superionic.records.Material` records among ``records``."""
    from superionic.records import Material

    rows = [[getattr(r, c) for c in columns] for r in records if isinstance(r, Material)]
    return pd.DataFrame(rows, columns=list(columns))


def _ionnet_frame(data_dir: Path) -> tuple[pd.DataFrame, list[Rejection], str]:
    """IonNet's MP list (:func:`superionic.data.ionnet.load`) as ``material_id, formula,
    e_above_hull_eV_per_atom, band_gap_eV``; its rejections."""
    from superionic.data import ionnet

    result = ionnet.load(data_dir)
    frame = _material_frame(result.records, ("material_id", "formula", E_HULL, GAP))
    mp_list = [r for r in result.rejected if Path(r.file).name == "Li-MP-final.csv"]
    return frame, mp_list, IONNET_LABEL


#: Composition-table file of each property (:data:`superionic.data.mp_composition.TABLES`).
TABLE_FILES = {E_HULL: "mp_e_hull.csv.gz", GAP: "mp_gap.csv.gz", E_FORM: "mp_e_form.csv.gz"}


def _table_frames(data_dir: Path, cache: Any = None
                  ) -> tuple[dict[str, pd.DataFrame], list[Rejection]]:
    """The MP composition tables (:func:`superionic.data.mp_composition.load`) as
    ``reduced_formula, <property>`` frames, and their rejections; kept in ``cache`` (a
    :class:`~superionic.screen.cache.ScreenCache`) keyed by the files and the loader code."""
    from superionic.data import base, mp_composition
    from superionic.screen.cache import code_digest

    frames: dict[str, pd.DataFrame] = {}
    rejected: list[Rejection] = []
    for prop, fname in TABLE_FILES.items():
        path = data_dir / mp_composition.NAME / fname
        key = None
        if cache is not None and path.is_file():
            st = path.stat()
            key = "table-" + content_key([fname, st.st_size, st.st_mtime_ns,
                                          code_digest(base, mp_composition)])[:32]
            frame, rej = cache.get_frame(key), cache.get_frame(f"{key}-rejected")
            if frame is not None and rej is not None:
                frames[prop] = frame
                rejected += [Rejection(r.file, int(r.row), r.reason) for r in rej.itertuples()]
                continue
        result = mp_composition.load(data_dir, tables=(fname,))
        frames[prop] = _material_frame(result.records, ("reduced_formula", prop))
        rejected += list(result.rejected)
        if key:
            cache.put_frame(key, frames[prop])
            cache.put_frame(f"{key}-rejected", pd.DataFrame(
                [(r.file, r.row, r.reason) for r in result.rejected],
                columns=["file", "row", "reason"]))
    return frames, rejected


def merge_offline(ionnet: pd.DataFrame | None, tables: dict[str, pd.DataFrame],
                  mobile_ion: str = "Li", ionnet_label: str = IONNET_LABEL) -> pd.DataFrame:
    """Union of IonNet rows and composition-table rows containing ``mobile_ion``, merged by
    reduced formula (pool columns). ``ionnet``: ``material_id, formula, e_above_hull_eV_per_atom,
    band_gap_eV``; ``tables[prop]``: ``reduced_formula`` (or ``formula``) and ``prop``."""
    _check_ion(mobile_ion)
    rows: list[pd.DataFrame] = []
    if ionnet is not None and len(ionnet):
        df = ionnet.copy()
        comps = [_parse(f, mobile_ion)[0] for f in df["formula"]]
        df["reduced_formula"] = [c.reduced_formula if c else None for c in comps]
        df = df[df["reduced_formula"].notna()]
        df["origin"] = ionnet_label
        for prop in (E_HULL, GAP):
            df[f"{prop}_source"] = [f"{ionnet_label} ({m})" if np.isfinite(v) else None
                                    for m, v in zip(df["material_id"],
                                                    pd.to_numeric(df[prop], errors="coerce"),
                                                    strict=True)]
        rows.append(_dedupe(df))
    base = pd.concat(rows, ignore_index=True) if rows else _empty_frame()
    base = base.set_index("reduced_formula", drop=False)
    ion = Element(mobile_ion)
    for prop, table in tables.items():
        label = TABLE_LABELS.get(prop, prop)
        t = table.copy()
        if "reduced_formula" not in t:
            t["reduced_formula"] = [Composition(f).reduced_formula for f in t["formula"]]
        keep = [isinstance(f, str) and _has_ion(f, ion) for f in t["reduced_formula"]]
        t = t[keep].drop_duplicates("reduced_formula").set_index("reduced_formula")
        vals = pd.to_numeric(t[prop], errors="coerce")
        new = vals.index.difference(base.index)
        if len(new):
            add = pd.DataFrame({"reduced_formula": new, "formula": new,
                                "origin": f"MP composition tables ({label})"}, index=new)
            base = pd.concat([base, add])
        if prop not in base:
            base[prop] = np.nan
            base[f"{prop}_source"] = None
        cur = pd.to_numeric(base[prop], errors="coerce")
        fill = cur.isna() & base.index.isin(vals.index)
        idx = base.index[fill]
        base.loc[idx, prop] = vals.reindex(idx).to_numpy()
        has = base.loc[idx, prop].notna()
        base.loc[idx[has.to_numpy()], f"{prop}_source"] = f"{label} (Matbench/CrabNet, by reduced formula)"
    base = base.reset_index(drop=True)
    return _finish(base)


def _has_ion(formula: str, ion: Element) -> bool:
    """Whether the element symbol ``ion`` occurs in ``formula`` (a regex, no parsing)."""
    return ion.symbol in _SYMBOL.findall(formula)


def _fixture_structures(data_dir: Path) -> dict[str, str]:
    """MP id -> structure_key of the fixture entries that carry a structure."""
    from superionic.stability.hull import FIXTURE_FILE, fixture_path

    path = fixture_path(data_dir)
    if not path.is_file():
        return {}
    ids, _ = fixture_index(path)
    digest = f"{FIXTURE_FILE}:{path.stat().st_size}"
    return {mid: f"{digest}:{mid}" for mid in ids}


def _fixture_loader(data_dir: Path) -> Callable[[Sequence[str]], dict[str, Structure]]:
    """Loads the structures of ``fixture:<mp-id>`` refs from the MP entries fixture."""

    def load(refs: Sequence[str]) -> dict[str, Structure]:
        from superionic.stability.hull import load_fixture_entries

        wanted = {r.split(":", 1)[1]: r for r in refs if r.startswith("fixture:")}
        out: dict[str, Structure] = {}
        for e in load_fixture_entries(data_dir):
            mid = str(getattr(e, "entry_id", ""))
            if mid in wanted and getattr(e, "structure", None) is not None:
                out[wanted[mid]] = e.structure
        return out

    return load


def fixture_index(path: str | Path) -> tuple[frozenset[str], frozenset[str]]:
    """(MP ids of the entries with a structure, elements) of an entries file, read as plain JSON
    without building pymatgen objects (0.4 s instead of ~5 s); cached per file version."""
    p = Path(path)
    st = p.stat()
    return _fixture_index(str(p.resolve()), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=4)
def _fixture_index(path: str, size: int, mtime_ns: int) -> tuple[frozenset[str], frozenset[str]]:
    import gzip
    import json

    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as fh:
        doc = json.load(fh)
    ids = frozenset(str(d.get("entry_id")) for d in doc if d.get("structure") is not None)
    elements = frozenset(el for d in doc for el in (d.get("composition") or {}))
    return ids, elements


def _offline_key(data_dir: Path, mobile_ion: str, structures: bool) -> str:
    """Cache key of the merged offline pool: the data files' sizes and mtimes, the code of this
    module and of the loaders, the ion."""
    from superionic.data import base, ionnet, mp_composition
    from superionic.screen.cache import code_digest
    from superionic.stability.hull import fixture_path

    files = [data_dir / "ionnet" / "Li-MP-final.csv", fixture_path(data_dir),
             *(data_dir / mp_composition.NAME / f for f in TABLE_FILES.values())]
    stats = [(f.name, f.stat().st_size, f.stat().st_mtime_ns) if f.is_file() else (f.name, None)
             for f in files]
    return content_key(["offline-pool", mobile_ion, structures, stats,
                        code_digest(sys.modules[__name__], base, ionnet, mp_composition)])[:32]


def offline_pool(data_dir: str | Path | None = None, mobile_ion: str = "Li",
                 structures: bool = True, cache: Any = None) -> Pool:
    """The offline pool from the data directory (see the module docstring). ``cache`` (a
    :class:`~superionic.screen.cache.ScreenCache`) keeps the merged table between runs."""
    _check_ion(mobile_ion)
    data_dir = Path(data_dir or default_data_dir())
    key = _offline_key(data_dir, mobile_ion, structures) if cache is not None else None
    frame = cache.get_frame(f"pool-{key}") if key else None
    rejected: list[Rejection] = []
    if frame is not None:
        rej = cache.get_frame(f"pool-rejected-{key}")
        rejected = [Rejection(r.file, None if pd.isna(r.row) else int(r.row), r.reason)
                    for r in rej.itertuples()] if rej is not None else []
    else:
        ionnet = None
        if mobile_ion == "Li":  # IonNet's list holds Li compounds only
            ionnet, rej, _ = _ionnet_frame(data_dir)
            rejected += rej
        tables, rej = _table_frames(data_dir, cache)
        rejected += rej
        frame = merge_offline(ionnet, tables, mobile_ion)
        if structures:
            keys = _fixture_structures(data_dir)
            refs = [f"fixture:{m}" if isinstance(m, str) and m in keys else None
                    for m in frame["material_id"]]
            frame["structure_ref"] = refs
            frame["structure_key"] = [keys[r.split(":", 1)[1]] if r else None for r in refs]
        if key:
            cache.put_frame(f"pool-{key}", _object_as_str(frame))
            cache.put_frame(f"pool-rejected-{key}", pd.DataFrame(
                [(r.file, r.row, r.reason) for r in rejected], columns=["file", "row", "reason"]))
    loader = _fixture_loader(data_dir) if structures else None
    return Pool(frame, rejected, mobile_ion, "offline", structure_loader=loader)


def _object_as_str(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as str-or-None (one Parquet type per column)."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = [v if v is None or isinstance(v, str) else
                      (None if isinstance(v, float) and math.isnan(v) else str(v)) for v in out[c]]
    return out


# ------------------------------------------------------------------------- user pools --

_ALIASES = {"formula": ("formula", "composition", "reduced_formula"),
            E_HULL: (E_HULL, "e_above_hull", "e_hull", "energy_above_hull"),
            GAP: (GAP, "band_gap", "gap"),
            "material_id": ("material_id", "id", "mp_id"),
            "cif": ("cif", "cif_path"),
            SIGMA_E: (SIGMA_E, "sigma_e")}


def _column(df: pd.DataFrame, name: str) -> str | None:
    lower = {str(c).strip().lower(): c for c in df.columns}
    for alias in _ALIASES[name]:
        if alias.lower() in lower:
            return lower[alias.lower()]
    return None


def _read_cif(path: Path) -> Structure:
    """The structure in a CIF; pymatgen's parse warnings become the exception's message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        structure = Structure.from_file(str(path))
    if len(structure) == 0:
        raise ValueError("no sites")
    return structure


def csv_pool(path: str | Path, mobile_ion: str = "Li", data_dir: str | Path | None = None,
             fill_from_tables: bool = True, cache: Any = None) -> Pool:
    """Pool from a CSV (see the module docstring). Raises ``ValueError`` when the file is
    unreadable or has no formula column; a bad row is a Rejection (1-based data row)."""
    _check_ion(mobile_ion)
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:  # noqa: BLE001 - pandas raises several types
        raise ValueError(f"{path}: cannot read as CSV: {exc}") from None
    fcol = _column(df, "formula")
    if fcol is None:
        raise ValueError(f"{path}: no formula column (columns: {', '.join(map(str, df.columns))})")
    cols = {k: _column(df, k) for k in _ALIASES}
    rows, rejected, structures = [], [], {}
    for i, rec in enumerate(df.to_dict("records"), start=1):
        comp, problem = _parse(rec[fcol], mobile_ion)
        values: dict[str, float] = {}
        for key, lower in ((E_HULL, -E_HULL_NEG_TOL), (GAP, 0.0), (SIGMA_E, 0.0)):
            if problem is None and cols[key]:
                values[key], problem = _number(rec[cols[key]], key, lower)
        ref = skey = None
        if problem is None and cols["cif"] and str(rec[cols["cif"]]).strip():
            cif = (path.parent / str(rec[cols["cif"]]).strip()).resolve()
            try:
                structure = _read_cif(cif)
            except Exception as exc:  # noqa: BLE001 - pymatgen raises several types
                problem = f"CIF {cif.name}: {type(exc).__name__}: {exc}"
            else:
                if structure.composition.reduced_formula != comp.reduced_formula:
                    problem = (f"CIF {cif.name} has composition "
                               f"{structure.composition.reduced_formula}, row says "
                               f"{comp.reduced_formula}")
                ref, skey = f"cif:{cif}", sha256_file(cif)
                structures[ref] = structure
        if problem is not None:
            rejected.append(Rejection(str(path), i, problem))
            continue
        mid = str(rec[cols["material_id"]]).strip() if cols["material_id"] else ""
        row = {"formula": str(rec[fcol]).strip(), "reduced_formula": comp.reduced_formula,
               "material_id": mid or None, "source_id": mid or f"{path.name}:{i}",
               "origin": path.name, "structure_ref": ref, "structure_key": skey, **values}
        for key in (E_HULL, GAP, SIGMA_E):
            if np.isfinite(values.get(key, np.nan)):
                row[f"{key}_source"] = f"{path.name} row {i}"
        rows.append(row)
    frame = pd.DataFrame(rows) if rows else _empty_frame()
    frame = _finish(_dedupe(_finish(frame)))
    if fill_from_tables:
        frame = fill_missing_from_tables(frame, data_dir, cache)
    return Pool(frame, rejected, mobile_ion, str(path), structures=structures)


def cif_folder_pool(folder: str | Path, mobile_ion: str = "Li",
                    data_dir: str | Path | None = None, fill_from_tables: bool = True,
                    cache: Any = None) -> Pool:
    """Pool from every ``*.cif`` in ``folder`` (material id = file stem); a file that does not
    parse, or holds no mobile ion, is a Rejection with ``row=None``."""
    _check_ion(mobile_ion)
    folder = Path(folder)
    rows, rejected, structures = [], [], {}
    for cif in sorted(folder.glob("*.cif")):
        try:
            structure = _read_cif(cif)
        except Exception as exc:  # noqa: BLE001 - pymatgen raises several types
            rejected.append(Rejection(str(cif), None, f"{type(exc).__name__}: {exc}"))
            continue
        comp = structure.composition
        _, problem = _parse(comp.reduced_formula, mobile_ion)
        if problem is not None:
            rejected.append(Rejection(str(cif), None, problem))
            continue
        ref = f"cif:{cif.resolve()}"
        structures[ref] = structure
        rows.append({"formula": comp.reduced_formula, "reduced_formula": comp.reduced_formula,
                     "material_id": cif.stem, "source_id": cif.name, "origin": folder.name,
                     "structure_ref": ref, "structure_key": sha256_file(cif)})
    if not rows and not rejected:
        raise ValueError(f"{folder}: no *.cif files")
    frame = pd.DataFrame(rows) if rows else _empty_frame()
    frame = _finish(_dedupe(_finish(frame)))
    if fill_from_tables:
        frame = fill_missing_from_tables(frame, data_dir, cache)
    return Pool(frame, rejected, mobile_ion, str(folder), structures=structures)


def fill_missing_from_tables(frame: pd.DataFrame, data_dir: str | Path | None = None,
                             cache: Any = None) -> pd.DataFrame:
    """Fill NaN e_hull / gap / e_form from the MP composition tables by reduced formula;
    the source column says so. The tables are read only when something is missing; tables
    that cannot be read are skipped."""
    if frame.empty or not frame[list(PROPERTIES)].isna().any().any():
        return frame
    try:
        tables, _ = _table_frames(Path(data_dir or default_data_dir()), cache)
    except (OSError, ImportError, ValueError):
        return frame
    out = frame.copy()
    for prop, table in tables.items():
        label = TABLE_LABELS[prop]
        vals = pd.to_numeric(table.drop_duplicates("reduced_formula")
                             .set_index("reduced_formula")[prop], errors="coerce")
        missing = out[prop].isna()
        filled = out.loc[missing, "reduced_formula"].map(vals)
        out.loc[missing, prop] = filled
        got = missing & out[prop].notna()
        out.loc[got, f"{prop}_source"] = f"{label} (filled by reduced formula)"
    return out


# ------------------------------------------------------------------------------ MP API --


def mp_pool(mobile_ion: str = "Li", api_key: str | None = None, endpoint: str | None = None,
            mp_cache_dir: str | Path | None = None) -> Pool:
    """The MP API pool with structures: every MP material containing ``mobile_ion``
    (:class:`superionic.data.mp.MPSource`, responses cached under ``mp_cache_dir``, default
    ``<user cache>/mp``). Needs an API key (``MP_API_KEY``) unless the response is cached."""
    from superionic.config import user_cache_dir
    from superionic.data.mp import MPSource

    _check_ion(mobile_ion)
    api_key = api_key or os.environ.get("MP_API_KEY")
    if not api_key:
        raise ValueError("pool 'mp' needs a Materials Project API key (api_key=, or set MP_API_KEY)")
    source = MPSource(api_key, endpoint, cache_dir=mp_cache_dir or user_cache_dir() / "mp")
    records = source.compounds(mobile_ion)
    rows, structures = [], {}
    for rec in records:
        row = {"formula": rec.formula, "reduced_formula": rec.reduced_formula,
               "material_id": rec.material_id, "origin": "Materials Project API",
               E_HULL: rec.e_above_hull_eV_per_atom, GAP: rec.band_gap_eV,
               E_FORM: rec.e_form_eV_per_atom}
        for prop in PROPERTIES:
            if row[prop] is not None:
                row[f"{prop}_source"] = f"Materials Project API ({rec.material_id})"
        if rec.structure is not None:
            ref = f"mp:{rec.material_id}"
            structures[ref] = rec.structure
            row["structure_ref"] = ref
            row["structure_key"] = content_key(rec.structure.as_dict())
        rows.append(row)
    frame = pd.DataFrame(rows) if rows else _empty_frame()
    frame = _finish(_dedupe(_finish(frame)))
    return Pool(frame, [], mobile_ion, "mp", structures=structures)


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
