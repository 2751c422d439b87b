"""Download a data set's files from their public origin, verified by sha256, written atomically.

* The URL of a file is its registry ``origin`` (raw GitHub at the commit named in SOURCE.md), or
  ``<base_url>/<folder>/<file>`` when ``base_url`` is given (a mirror, or a local test server).
* A file already present with the registry's sha256 is skipped; one present with another checksum
  is downloaded again and replaced.
* A download streams into a temporary file beside the target, is hashed on the way, and is moved
  into place with ``os.replace`` only when the sha256 matches; otherwise :class:`ChecksumError`
  and nothing is written. An HTTP or network failure is a :class:`FetchError` naming the URL.
* Files derived here (parsed or concatenated upstream files) have no single origin: without a
  ``base_url`` they are reported in ``derived`` and not fetched.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from superionic.data.registry import DataFile, file_sha256, get_spec


class FetchError(ConnectionError):
    """A file could not be downloaded (HTTP error, refused connection, timeout)."""


class ChecksumError(RuntimeError):
    """A downloaded file's sha256 differs from the registry's; the file was not written."""


@dataclass
class FetchReport:
    """What :func:`fetch` did for one set (file names)."""

    name: str
    dest: Path
    downloaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["dest"] = str(self.dest)
        return d


def sha256_file(path: Path) -> str:
    """sha256 hex digest of a file (memoised, :func:`superionic.data.registry.file_sha256`)."""
    return file_sha256(Path(path))


def file_url(folder: str, f: DataFile, base_url: str | None) -> str | None:
    """Where ``f`` is downloaded from: the mirror path under ``base_url``, else its origin."""
    if base_url is not None:
        return f"{base_url.rstrip('/')}/{folder}/{f.name}"
    return f.origin


def download(url: str, dest: Path, expected_sha256: str, timeout_s: float = 60.0) -> None:
    """Stream ``url`` to ``dest`` atomically if its sha256 is ``expected_sha256``."""
    from superionic.fileio import atomic_path

    h = hashlib.sha256()
    with atomic_path(dest, suffix=".part") as tmp:  # moved onto dest only if all went well
        try:
            with open(tmp, "wb") as out, urllib.request.urlopen(url, timeout=timeout_s) as resp:
                for block in iter(lambda: resp.read(1 << 20), b""):
                    h.update(block)
                    out.write(block)
        except urllib.error.HTTPError as exc:
            raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise FetchError(f"{url}: download failed ({exc})") from None
        if h.hexdigest() != expected_sha256:
            raise ChecksumError(f"{url}: sha256 {h.hexdigest()} differs from the registry's "
                                f"{expected_sha256}; {dest} not written")


def fetch(name: str, dest_dir: str | Path, base_url: str | None = None, timeout_s: float = 60.0,
          progress: Callable[[str], None] | None = None) -> FetchReport:
    """Fetch every downloadable file of set ``name`` into ``dest_dir/<folder>/``.

    ``progress`` is called with a short message per file (the CLI prints it on stderr).
    Raises :class:`FetchError` / :class:`ChecksumError` on the first failing file; files fetched
    before it stay (each one verified).
    """
    spec = get_spec(name)
    report = FetchReport(name, Path(dest_dir) / spec.folder)
    for f in spec.files:
        target = report.dest / f.name
        if target.is_file() and sha256_file(target) == f.sha256:
            report.skipped.append(f.name)
            continue
        url = file_url(spec.folder, f, base_url)
        if url is None:
            report.derived.append(f"{f.name} (derived from {f.derived_from})")
            continue
        if progress:
            progress(f"{name}: {url}")
        download(url, target, f.sha256, timeout_s)
        report.downloaded.append(f.name)
    return report
