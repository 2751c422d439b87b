"""Cached featurisation of a pool: composition features of every compound (132 Magpie + 20
Eng_max/Eng_min, :func:`superionic.features.featurize` on the reduced formula) and structure
descriptors where the pool has a structure (:func:`superionic.features.structure_table`).

Rows are cached one per compound under a key of (reduced formula or structure digest, mobile
ion, the source of the feature code, pymatgen's version). A structure whose descriptors fail only
leaves its structure columns NaN (noted in ``structure_note``); a composition that cannot be
featurised is reported with its reason and gets no predictions.
"""

from __future__ import annotations

import importlib.metadata as md
from collections.abc import Sequence

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from superionic.records import content_key
from superionic.screen.cache import ScreenCache, code_digest
from superionic.screen.pool import Pool

COMPOSITION_TABLE = "features"
STRUCTURE_TABLE = "structure_features"
REJECTION = "_rejection"
#: Rows featurised per call (one progress-bar step).
CHUNK = 1000


def feature_digest() -> str:
    """Digest of the feature code and pymatgen's version (the features' own inputs)."""
    import superionic.features as feats
    from superionic.features import composition, magpie, oxidation, stats, structure

    return content_key([code_digest(feats, composition, magpie, oxidation, stats, structure),
                        md.version("pymatgen")])[:16]


def _composition_rows(formulas: Sequence[str], mobile_ion: str) -> pd.DataFrame:
    """Feature rows (index = formula) with ``_rejection`` ('' when fine)."""
    from superionic.features import featurize

    frame, rejected = featurize(list(formulas), mobile_ion=mobile_ion, source="pool")
    frame = frame.drop(columns=["formula"])
    frame.index = [formulas[i - 1] for i in frame.index]
    frame[REJECTION] = ""
    bad = pd.DataFrame({REJECTION: [r.reason for r in rejected]},
                       index=[formulas[r.row - 1] for r in rejected])
    return pd.concat([frame, bad]) if len(bad) else frame


def composition_features(formulas: Sequence[str], mobile_ion: str, cache: ScreenCache,
                         progress: bool = False) -> pd.DataFrame:
    """Composition features for ``formulas`` (reduced formulas) in input order, with
    ``_rejection``; cached rows are read back, the others computed in chunks of :data:`CHUNK`."""
    digest = feature_digest()
    unique = list(dict.fromkeys(formulas))
    keys = {f: content_key(["composition", f, mobile_ion, digest]) for f in unique}
    cached = cache.get(COMPOSITION_TABLE, list(keys.values()))
    todo = [f for f in unique if keys[f] not in cached.index]
    parts = []
    with tqdm(total=len(unique), desc="features", disable=not progress, leave=False) as bar:
        bar.update(len(unique) - len(todo))
        for s in range(0, len(todo), CHUNK):
            chunk = todo[s:s + CHUNK]
            rows = _composition_rows(chunk, mobile_ion)
            rows.index = [keys[f] for f in rows.index]
            parts.append(rows)
            bar.update(len(chunk))
    if parts:
        new = pd.concat(parts)
        cache.put(COMPOSITION_TABLE, new)
        cached = pd.concat([cached, new]) if len(cached) else new
    out = cached.reindex([keys[f] for f in formulas])
    out.index = pd.RangeIndex(len(formulas))
    out[REJECTION] = out[REJECTION].fillna("")
    return out


def structure_features(pool: Pool, cache: ScreenCache) -> pd.DataFrame:
    """Structure descriptors per pool row (NaN where none) and ``structure_note``."""
    from superionic.features import STRUCTURE_FEATURES, structure_table

    frame = pool.frame
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)), columns=[*STRUCTURE_FEATURES,
                                                                  "structure_note"])
    has = [i for i, k in enumerate(frame["structure_key"]) if isinstance(k, str) and k]
    if not has:
        return out.drop(columns=list(STRUCTURE_FEATURES))
    digest = feature_digest()
    keys = {i: content_key(["structure", frame.at[i, "structure_key"], pool.mobile_ion, digest])
            for i in has}
    cached = cache.get(STRUCTURE_TABLE, list(set(keys.values())))
    todo = [i for i in has if keys[i] not in cached.index]
    if todo:
        structures = pool.get_structures([frame.at[i, "structure_ref"] for i in todo])
        table, problems = structure_table(
            [s for s in structures if s is not None], pool.mobile_ion)
        new_rows, k = [], 0
        for i, s in zip(todo, structures, strict=True):
            if s is None:
                row = {"structure_note": "structure could not be loaded"}
            else:
                row = table.iloc[k].to_dict()
                row["structure_note"] = problems[k] or ""
                k += 1
            new_rows.append(pd.Series(row, name=keys[i]))
        new = pd.DataFrame(new_rows)
        new["crystal_system"] = new["crystal_system"].astype(object)
        cache.put(STRUCTURE_TABLE, new)
        cached = pd.concat([cached, new]) if len(cached) else new
    for i in has:
        row = cached.loc[keys[i]]
        for c in out.columns:
            if c in row.index:
                out.at[i, c] = row[c]
    numeric = [c for c in STRUCTURE_FEATURES if c != "crystal_system"]
    out[numeric] = out[numeric].apply(pd.to_numeric, errors="coerce")
    return out


def pool_features(pool: Pool, cache: ScreenCache, progress: bool = False) -> pd.DataFrame:
    """Every feature of every pool row (index = pool position): composition features,
    ``_rejection`` and, when the pool has structures, the structure columns."""
    comp = composition_features(pool.frame["reduced_formula"].tolist(), pool.mobile_ion, cache,
                                progress)
    struct = structure_features(pool, cache)
    out = pd.concat([comp, struct], axis=1)
    out.attrs["mobile_ion"] = pool.mobile_ion
    return out


def feature_matrix_ok(features: pd.DataFrame) -> np.ndarray:
    """Boolean mask of rows whose composition featurisation succeeded."""
    return (features[REJECTION].fillna("") == "").to_numpy()
