"""The ``mp`` pool: the Materials Project API through :mod:`superionic.data.mp` (needs an API
key, ``MP_API_KEY``, unless the response is cached), with structures for every row."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from superionic.records import content_key
from superionic.screen.pool.base import (
    E_FORM,
    E_HULL,
    GAP,
    PROPERTIES,
    Pool,
    _check_ion,
    _dedupe,
    _empty_frame,
    _finish,
)


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
