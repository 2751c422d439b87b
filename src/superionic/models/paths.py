"""Where trained models live: ``$SUPERIONIC_MODEL_DIR`` or ``<cache_dir>/models``, one folder
per target (``log10_sigma``, ``Ea`` ...; suffixed ``_Na`` / ``_K`` for other mobile ions)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def default_model_dir(settings: Any = None) -> Path:
    """``$SUPERIONIC_MODEL_DIR``, else ``<Settings.cache_dir>/models``."""
    env = os.environ.get("SUPERIONIC_MODEL_DIR")
    if env:
        return Path(env).expanduser().resolve()
    if settings is None:
        from superionic.config import load_settings

        settings = load_settings()
    return Path(settings.cache_dir) / "models"


def model_path(root: str | Path, target: str, mobile_ion: str = "Li") -> Path:
    """The folder of the saved model for ``target`` and ``mobile_ion`` under ``root``."""
    return Path(root) / (target if mobile_ion == "Li" else f"{target}_{mobile_ion}")
