"""One settings object: defaults < TOML file < environment < explicit overrides (the CLI).

Environment variables are ``SUPERIONIC_<FIELD>`` in upper case (``SUPERIONIC_DATA`` for the data
directory, ``SUPERIONIC_DATABASE_URL``, ``SUPERIONIC_MOBILE_ION`` ...). A TOML file is read from
``$SUPERIONIC_CONFIG`` or ``<workspace>/superionic.toml`` when present.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Mobile ions supported by every stage; potentials are quoted vs the metal of that ion.
MOBILE_IONS = ("Li", "Na", "K")

#: The MD potential used when none is given: SevenNet-0, the one whose diffusion agrees with
#: experiment in docs/benchmarks.md (docs/md.md, "Which potential"). Kept here, not in
#: superionic.md.engine, so that the CLI can show it without importing the MD stack.
MD_POTENTIAL = "sevennet"

_PACKAGE_ROOT = Path(__file__).resolve().parent


def default_data_dir() -> Path:
    """The library's data directory when a function is given none: ``$SUPERIONIC_DATA``, else
    ``shared/data`` beside the checkout of an editable install, else the user cache
    (``$XDG_CACHE_HOME/superionic/data``). It never depends on the working directory: the
    one lookup relative to it is :func:`settings_data_dir`, the default of :class:`Settings`."""
    env = os.environ.get("SUPERIONIC_DATA")
    if env:
        return Path(env).expanduser().resolve()
    # src/superionic -> repo root -> ../shared/data (editable installs)
    beside = _PACKAGE_ROOT.parents[2] / "shared" / "data"
    if beside.is_dir():
        return beside.resolve()
    return user_cache_dir() / "data"


def settings_data_dir() -> Path:
    """Default ``data_dir`` of :class:`Settings` (what the CLI uses): ``$SUPERIONIC_DATA``, else
    ``shared/data`` beside or below the working directory, else :func:`default_data_dir`."""
    if os.environ.get("SUPERIONIC_DATA"):
        return default_data_dir()
    for cand in (Path.cwd().parent / "shared" / "data", Path.cwd() / "shared" / "data"):
        if cand.is_dir():
            return cand.resolve()
    return default_data_dir()


def user_cache_dir() -> Path:
    """Per-user cache directory for downloads, MP responses and trained models."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "superionic"


@dataclass(frozen=True)
class Thresholds:
    """Funnel thresholds. Energies eV/atom, gaps eV, potentials V vs the mobile-ion metal."""

    e_above_hull_max_eV_per_atom: float = 0.03
    band_gap_min_eV: float = 1.5
    esw_width_min_V: float = 0.0
    oxidation_min_V: float = 0.0
    reduction_max_V: float = 5.0


@dataclass(frozen=True)
class ScoreWeights:
    """Weights (w1..w4, non-negative) of the composite score
    S = w_sigma*sigma + w_esw*ESW - w_ea*Ea - w_sigma_e*sigma_e (:mod:`superionic.screen.score`)."""

    sigma: float = 1.0
    esw: float = 1.0
    ea: float = 1.0
    sigma_e: float = 1.0

    def __post_init__(self) -> None:
        for name, w in vars(self).items():
            if not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
                raise ValueError(f"weight {name} must be a finite non-negative number, got {w}")

    @classmethod
    def parse(cls, text: str) -> ScoreWeights:
        """``"1,1,1,1"`` -> ScoreWeights(sigma, esw, ea, sigma_e)."""
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 4:
            raise ValueError(f"weights need 4 comma-separated numbers (sigma,esw,ea,sigma_e), "
                             f"got {text!r}")
        try:
            return cls(*(float(p) for p in parts))
        except ValueError as exc:
            raise ValueError(f"weights {text!r}: {exc}") from None


@dataclass(frozen=True)
class Settings:
    """Everything a campaign needs to know; immutable, build a new one with :meth:`replace`."""

    data_dir: Path = field(default_factory=settings_data_dir)
    workspace: Path = field(default_factory=lambda: Path("workspace").resolve())
    database_url: str | None = None  # default: sqlite:///<workspace>/campaign.db
    mobile_ion: str = "Li"
    seed: int = 0
    executor: str = "local"  # "local" (process pool) or "dask"
    n_workers: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    dask_address: str | None = None
    mp_api_key: str | None = None
    mp_endpoint: str | None = None  # None: the mp-api client's default
    thresholds: Thresholds = field(default_factory=Thresholds)
    weights: ScoreWeights = field(default_factory=ScoreWeights)

    def __post_init__(self) -> None:
        if self.mobile_ion not in MOBILE_IONS:
            raise ValueError(f"mobile_ion must be one of {MOBILE_IONS}, got {self.mobile_ion!r}")
        if self.executor not in ("local", "dask"):
            raise ValueError(f"executor must be 'local' or 'dask', got {self.executor!r}")

    @property
    def store_url(self) -> str:
        """Database URL of the campaign store (SQLite file in the workspace by default)."""
        return self.database_url or f"sqlite:///{self.workspace / 'campaign.db'}"

    @property
    def cache_dir(self) -> Path:
        return user_cache_dir()

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


_ENV_FIELDS = {
    "data_dir": "SUPERIONIC_DATA",
    "workspace": "SUPERIONIC_WORKSPACE",
    "database_url": "SUPERIONIC_DATABASE_URL",
    "mobile_ion": "SUPERIONIC_MOBILE_ION",
    "seed": "SUPERIONIC_SEED",
    "executor": "SUPERIONIC_EXECUTOR",
    "n_workers": "SUPERIONIC_N_WORKERS",
    "dask_address": "SUPERIONIC_DASK_ADDRESS",
    "mp_api_key": "MP_API_KEY",
    "mp_endpoint": "SUPERIONIC_MP_ENDPOINT",
}


def _coerce(name: str, value: Any) -> Any:
    if name in ("data_dir", "workspace"):
        return Path(value).expanduser().resolve()
    if name in ("seed", "n_workers"):
        return int(value)
    return value


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build :class:`Settings` from defaults, a TOML file, the environment and ``overrides``.

    ``overrides`` whose value is ``None`` are ignored so CLI options can be passed straight in.
    """
    values: dict[str, Any] = {}
    workspace = overrides.get("workspace") or os.environ.get("SUPERIONIC_WORKSPACE")
    path = config_file or os.environ.get("SUPERIONIC_CONFIG")
    if path is None and workspace is not None and (Path(workspace) / "superionic.toml").exists():
        path = Path(workspace) / "superionic.toml"
    if path is not None:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
        for key, val in doc.items():
            if key == "thresholds":
                values["thresholds"] = Thresholds(**val)
            elif key == "weights":
                values["weights"] = ScoreWeights(**val)
            elif key in _ENV_FIELDS:
                values[key] = _coerce(key, val)
            else:
                raise ValueError(f"{path}: unknown setting {key!r}")
    for name, env in _ENV_FIELDS.items():
        if os.environ.get(env):
            values[name] = _coerce(name, os.environ[env])
    for name, val in overrides.items():
        if val is not None:
            values[name] = _coerce(name, val) if name in _ENV_FIELDS else val
    return Settings(**values)
