"""superionic.fileio: a failed write leaves the old file byte for byte; hashes are sha256's."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from superionic.fileio import (
    atomic_path,
    atomic_write_json,
    atomic_write_parquet,
    atomic_write_text,
    sha256_file,
)


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    path.write_bytes(b"old")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), atomic_path(path) as tmp:
        tmp.write_bytes(b"half")
        raise Boom
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out.parquet"]


def test_writes_replace_whole_files(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1.5, 2.5]})
    atomic_write_parquet(tmp_path / "t.parquet", frame)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), frame)
    atomic_write_json(tmp_path / "d" / "x.json", {"k": 1})  # creates the folder
    assert (tmp_path / "d" / "x.json").read_text() == '{\n  "k": 1\n}\n'
    atomic_write_text(tmp_path / "d" / "x.json", "short")
    assert (tmp_path / "d" / "x.json").read_text() == "short"


def test_sha256_file_matches_hashlib_across_blocks(tmp_path: Path) -> None:
    data = bytes(range(256)) * 5000  # 1.28 MB: two 1 MiB blocks
    (tmp_path / "b").write_bytes(data)
    assert sha256_file(tmp_path / "b") == hashlib.sha256(data).hexdigest()
    assert sha256_file(tmp_path / "b", block_size=7) == hashlib.sha256(data).hexdigest()
