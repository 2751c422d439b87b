"""The report as a PDF: headless Chromium prints ``index.html`` with the page's print stylesheet
(A4 landscape, navigation hidden, collapsed tables opened)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable, or None."""
    env = os.environ.get("SUPERIONIC_CHROMIUM")
    if env and Path(env).is_file():
        return env
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def write_pdf(index: str | Path, pdf: str | Path, timeout_s: float = 120.0) -> Path:
    """Print ``index`` (the report's HTML) to ``pdf`` with headless Chromium; atomic.

    Raises RuntimeError naming the problem when Chromium is missing or fails.
    """
    exe = find_chromium()
    if exe is None:
        raise RuntimeError("the PDF needs Chromium (Debian: apt-get install chromium; or set "
                           "SUPERIONIC_CHROMIUM to a Chrome/Chromium executable)")
    index, pdf = Path(index).resolve(), Path(pdf).resolve()
    from superionic.fileio import atomic_path

    # a print copy beside the page (relative image paths hold) with every <details> open:
    # headless --print-to-pdf fires no beforeprint event
    fd, printed = tempfile.mkstemp(dir=index.parent, prefix=".print-", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(index.read_text(encoding="utf-8").replace("<details>", "<details open>"))
    try:
        with atomic_path(pdf) as tmp:  # the old PDF stays until the new one is whole
            proc = _print(exe, Path(printed), str(tmp), timeout_s)
            if proc.returncode != 0 or tmp.stat().st_size == 0:
                tail = (proc.stderr or "").strip().splitlines()[-3:]
                raise RuntimeError(f"Chromium could not print {index} (exit {proc.returncode}): "
                                   + " | ".join(tail))
    finally:
        Path(printed).unlink(missing_ok=True)
    return pdf


def _print(exe: str, page: Path, tmp: str, timeout_s: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="superionic-chromium-") as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--disable-background-networking", "--disable-sync",
               "--disable-component-update", f"--user-data-dir={profile}",
               "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
               "--virtual-time-budget=5000", f"--print-to-pdf={tmp}", page.as_uri()]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            Path(tmp).unlink(missing_ok=True)
            raise RuntimeError(f"Chromium did not print {page} within {timeout_s:.0f} s") from None
