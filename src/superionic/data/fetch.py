"""Download a data set's files from their public origin, verified by sha256, written atomically.

Files already present with the right checksum are skipped. ``base_url`` replaces the origin host
and commit path with ``<base_url>/<set>/<file>`` (a mirror, or a local test server). Files derived
here (parsed/concatenated from upstream) have no single origin and are reported, not fetched.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from superionic.data.registry import DataFile, get_spec


class ChecksumError(RuntimeError):
    """A downloaded file's sha256 differs from the registry's."""


@dataclass
class FetchReport:
    name: str
    dest: Path
    downloaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _url(set_name: str, f: DataFile, base_url: str | None) -> str | None:
    if base_url is not None:
        return f"{base_url.rstrip('/')}/{set_name}/{f.name}"
    return f.origin


def _download(url: str, dest: Path, expected_sha256: str, timeout_s: float) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    h = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout_s) as resp:
            for block in iter(lambda: resp.read(1 << 20), b""):
                h.update(block)
                out.write(block)
        if h.hexdigest() != expected_sha256:
            raise ChecksumError(f"{url}: sha256 {h.hexdigest()} differs from the registry's "
                                f"{expected_sha256}; file not written")
        os.replace(tmp, dest)
    except urllib.error.URLError as exc:
        raise ConnectionError(f"{url}: download failed ({exc})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def fetch(name: str, dest_dir: str | Path, base_url: str | None = None,
          timeout_s: float = 60.0) -> FetchReport:
    """Fetch every downloadable file of set ``name`` into ``dest_dir/<name>/``."""
    spec = get_spec(name)
    report = FetchReport(name, Path(dest_dir) / name)
    for f in spec.files:
        target = report.dest / f.name
        if target.is_file() and sha256_file(target) == f.sha256:
            report.skipped.append(f.name)
            continue
        if f.origin is None and base_url is None:
            report.derived.append(f"{f.name} (derived from {f.derived_from})")
            continue
        _download(_url(name, f, base_url), target, f.sha256, timeout_s)
        report.downloaded.append(f.name)
    return report
