"""Atomic file writes and file hashing: the one home for both.

Every writer here writes to a temporary file in the target's folder, flushes and fsyncs it,
then moves it into place with :func:`os.replace`, so a reader (or a user after a crash or a
failed run) sees either the old file, untouched, or the complete new one, never half of one.
The temporary file is removed when the write fails.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_csv",
    "atomic_write_json",
    "atomic_write_parquet",
    "atomic_write_text",
    "sha256_bytes",
    "code_digest",
    "sha256_file",
]


@contextlib.contextmanager
def atomic_path(path: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on a clean exit it is fsynced and moved onto
    ``path``, on an exception it is deleted and ``path`` is left as it was.

    ``suffix`` (default: ``path``'s own) keeps writers that look at the extension happy.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=(path.suffix if suffix is None else suffix) + ".tmp",
        dir=path.parent,
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: str | Path) -> None:
    """Make a rename or unlink in ``folder`` durable (where the platform allows)."""
    with contextlib.suppress(OSError):  # not every platform lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_with(path: str | Path, mode: str, writer: Callable[[IO[Any]], None],
                encoding: str | None = None) -> Path:
    with atomic_path(path) as tmp, open(tmp, mode, encoding=encoding) as fh:
        writer(fh)
        fh.flush()
    return Path(path)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return _write_with(path, "wb", lambda fh: fh.write(data))


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically."""
    return _write_with(path, "w", lambda fh: fh.write(text), encoding=encoding)


def atomic_write_json(path: str | Path, obj: Any, indent: int | None = 2, **kwargs: Any) -> Path:
    """Write ``obj`` as JSON (``json.dumps(obj, indent=indent, **kwargs)``) atomically."""
    return atomic_write_text(path, json.dumps(obj, indent=indent, **kwargs) + "\n")


def atomic_write_parquet(path: str | Path, frame: Any, **kwargs: Any) -> Path:
    """``frame.to_parquet`` (a pandas DataFrame) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, **kwargs)
    return Path(path)


def atomic_write_csv(path: str | Path, frame: Any, index: bool = False, **kwargs: Any) -> Path:
    """``frame.to_csv`` (a pandas DataFrame) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=index, **kwargs)
    return Path(path)


def code_digest(*modules: Any, length: int = 16) -> str:
    """sha256 over the source files of ``modules`` (first ``length`` hex digits): cache keys
    that die with the code that made the cached values."""
    h = hashlib.sha256()
    for mod in modules:
        path = getattr(mod, "__file__", None)
        if path and Path(path).is_file():
            h.update(Path(path).read_bytes())
    return h.hexdigest()[:length]


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path, block_size: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes, read in blocks (any file size)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(block_size), b""):
            h.update(block)
    return h.hexdigest()
