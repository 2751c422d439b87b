"""The MP composition tables (``mp_e_hull`` / ``mp_gap`` / ``mp_e_form``, Matbench via CrabNet)
as pool property sources: merged into the offline pool, and filling the properties a user CSV or
CIF folder lacks, by reduced formula."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from superionic.config import default_data_dir
from superionic.records import Rejection, content_key
from superionic.screen.pool.base import E_FORM, E_HULL, GAP, PROPERTIES, _material_frame

TABLE_LABELS = {E_HULL: "mp_e_hull", GAP: "mp_gap", E_FORM: "mp_e_form"}
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
