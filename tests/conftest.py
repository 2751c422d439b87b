"""Project-wide test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared data directory (``SUPERIONIC_DATA`` or ../shared/data beside the checkout)."""
    from superionic.config import default_data_dir

    path = default_data_dir()
    if not (path / "obelix").is_dir():
        pytest.fail(f"shared data not found at {path}; set SUPERIONIC_DATA")
    return path
