"""The ``offline`` pool: IonNet's MP list (MP id, e_hull, gap; pre-filtered by its authors to
e_hull <= 0.1 eV/atom and gap >= 0.5 eV) united by reduced formula with the MP composition tables
(:mod:`superionic.screen.pool.tables`). IonNet values win where both exist (one MP entry, not a
polymorph average); each property keeps its source in ``<property>_source``. Structures: the MP
entries fixture's structures, matched by MP id."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pymatgen.core import Composition, Element, Structure

from superionic.config import default_data_dir
from superionic.records import Rejection, content_key
from superionic.screen.pool.base import (
    E_HULL,
    GAP,
    Pool,
    _check_ion,
    _dedupe,
    _empty_frame,
    _finish,
    _material_frame,
    _parse,
)
from superionic.screen.pool.tables import TABLE_FILES, TABLE_LABELS, _table_frames

IONNET_LABEL = "IonNet Li-MP-final"
_SYMBOL = re.compile(r"[A-Z][a-z]?")


def _ionnet_frame(data_dir: Path) -> tuple[pd.DataFrame, list[Rejection], str]:
    """IonNet's MP list (:func:`superionic.data.ionnet.load`) as ``material_id, formula,
    e_above_hull_eV_per_atom, band_gap_eV``; its rejections."""
    from superionic.data import ionnet

    result = ionnet.load(data_dir)
    frame = _material_frame(result.records, ("material_id", "formula", E_HULL, GAP))
    mp_list = [r for r in result.rejected if Path(r.file).name == "Li-MP-final.csv"]
    return frame, mp_list, IONNET_LABEL


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
    """Cache key of the merged offline pool: the data files' sizes and mtimes, the code of the
    pool modules that build it (base, tables, this one) and of the loaders, the ion."""
    from superionic.data import base, ionnet, mp_composition
    from superionic.screen.cache import code_digest
    from superionic.screen.pool import base as pool_base
    from superionic.screen.pool import tables
    from superionic.stability.hull import fixture_path

    files = [data_dir / "ionnet" / "Li-MP-final.csv", fixture_path(data_dir),
             *(data_dir / mp_composition.NAME / f for f in TABLE_FILES.values())]
    stats = [(f.name, f.stat().st_size, f.stat().st_mtime_ns) if f.is_file() else (f.name, None)
             for f in files]
    return content_key(["offline-pool", mobile_ion, structures, stats,
                        code_digest(pool_base, tables, sys.modules[__name__], base, ionnet,
                                    mp_composition)])[:32]


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
