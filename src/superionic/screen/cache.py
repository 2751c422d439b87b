"""On-disk cache of the screen's per-compound work (features, windows), keyed by content hash.

Each cached kind is one Parquet table ``<root>/<name>.parquet`` with a ``key`` column (sha256 of
what the row was computed from: formula, mobile ion, structure digest, the code that computes it
and its inputs' versions), so a second run of the same pool reads every row back and a changed
pool computes only its new rows. Small JSON documents (surrogate metrics) live in
``<root>/blobs/<key>.json``. Writes are atomic (temporary file, then rename); two concurrent
screens can at worst recompute each other's rows, never corrupt a table.

``hits`` / ``misses`` count rows served from / missing in the cache, per table, so callers and
tests can see that a second run recomputed nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from superionic.fileio import atomic_write_parquet, atomic_write_text
from superionic.fileio import code_digest as code_digest  # one home (fileio); re-exported
from superionic.records import jsonable


class ScreenCache:
    """Keyed Parquet tables and JSON blobs under ``root`` (created on first write)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._tables: dict[str, pd.DataFrame] = {}
        self.hits: dict[str, int] = {}
        self.misses: dict[str, int] = {}

    def _path(self, name: str) -> Path:
        return self.root / f"{name}.parquet"

    def _table(self, name: str) -> pd.DataFrame:
        if name not in self._tables:
            path = self._path(name)
            frame = pd.DataFrame({"key": pd.Series(dtype=str)})
            if path.is_file():
                try:
                    frame = pd.read_parquet(path)
                except Exception:  # noqa: BLE001 - a damaged cache is recomputed, not fatal
                    frame = pd.DataFrame({"key": pd.Series(dtype=str)})
            self._tables[name] = frame.drop_duplicates("key", keep="last").set_index("key")
        return self._tables[name]

    def get(self, name: str, keys: Sequence[str]) -> pd.DataFrame:
        """Rows of table ``name`` for the ``keys`` present (indexed by key); counts hits/misses."""
        table = self._table(name)
        found = table.index.intersection(pd.Index(keys).unique())
        n_hit = int(pd.Index(keys).isin(found).sum())
        self.hits[name] = self.hits.get(name, 0) + n_hit
        self.misses[name] = self.misses.get(name, 0) + len(keys) - n_hit
        return table.loc[found]

    def put(self, name: str, rows: pd.DataFrame) -> None:
        """Add ``rows`` (indexed by key) to table ``name`` and write it atomically."""
        if rows.empty:
            return
        table = self._table(name)
        rows = rows[~rows.index.duplicated(keep="last")]
        merged = pd.concat([table[~table.index.isin(rows.index)], rows])
        merged.index.name = "key"
        self._tables[name] = merged
        atomic_write_parquet(self._path(name), merged.reset_index(), index=False)

    def get_frame(self, key: str) -> pd.DataFrame | None:
        """A whole DataFrame stored under ``key`` (None when absent or unreadable)."""
        path = self.root / "frames" / f"{key}.parquet"
        if not path.is_file():
            self.misses["frames"] = self.misses.get("frames", 0) + 1
            return None
        try:
            frame = pd.read_parquet(path)
        except Exception:  # noqa: BLE001 - a damaged cache is recomputed, not fatal
            return None
        self.hits["frames"] = self.hits.get("frames", 0) + 1
        return frame

    def put_frame(self, key: str, frame: pd.DataFrame) -> None:
        atomic_write_parquet(self.root / "frames" / f"{key}.parquet", frame, index=False)

    def get_blob(self, key: str) -> dict[str, Any] | None:
        path = self.root / "blobs" / f"{key}.json"
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return None

    def put_blob(self, key: str, doc: dict[str, Any]) -> None:
        atomic_write_text(self.root / "blobs" / f"{key}.json", json.dumps(jsonable(doc)))

    def stats(self) -> dict[str, dict[str, int]]:
        """``{table: {"hits": n, "misses": m}}`` since this object was made."""
        names: Iterable[str] = sorted(set(self.hits) | set(self.misses))
        return {n: {"hits": self.hits.get(n, 0), "misses": self.misses.get(n, 0)} for n in names}


class NullCache(ScreenCache):
    """A cache that stores nothing (``--no-cache``): every row is a miss."""

    def __init__(self) -> None:
        super().__init__(Path(os.devnull))

    def _table(self, name: str) -> pd.DataFrame:
        return pd.DataFrame({"key": pd.Series(dtype=str)}).set_index("key")

    def put(self, name: str, rows: pd.DataFrame) -> None:
        return None

    def get_blob(self, key: str) -> dict[str, Any] | None:
        return None

    def get_frame(self, key: str) -> pd.DataFrame | None:
        return None

    def put_frame(self, key: str, frame: pd.DataFrame) -> None:
        return None

    def put_blob(self, key: str, doc: dict[str, Any]) -> None:
        return None
