"""Optional dependencies: which extra installs each, and an import that says so when missing.

``pip install superionic`` installs the core (data, features, transport, experiment, stability);
the heavy stacks are extras: ``[md]`` (torch, SevenNet, CHGNet), ``[ml]`` (XGBoost, LightGBM, CatBoost,
SHAP, skops), ``[scale]`` (Dask, dask-jobqueue, psycopg); ``[all]`` is all of
them. Code that needs one imports it inside the function, through :func:`optional_import`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: top-level module -> the extra that installs it
EXTRAS: dict[str, str] = {
    "torch": "md",
    "chgnet": "md",
    "xgboost": "ml",
    "lightgbm": "ml",
    "catboost": "ml",
    "shap": "ml",
    "skops": "ml",
    "dask": "scale",
    "distributed": "scale",
    "dask_jobqueue": "scale",
    "psycopg": "scale",
    "sevenn": "md",
}


class MissingExtraError(ImportError):
    """An optional dependency is not installed; the message names the extra that installs it."""


def missing_extra_message(module: str, purpose: str | None = None) -> str:
    top = module.split(".")[0]
    extra = EXTRAS.get(top, "all")
    what = f" (needed for {purpose})" if purpose else ""
    return (f"the optional package {top!r} is not installed{what}: "
            f"pip install 'superionic[{extra}]'")


def optional_import(module: str, purpose: str | None = None) -> ModuleType:
    """``importlib.import_module(module)``, or :class:`MissingExtraError` naming the extra."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        if exc.name is not None and exc.name.split(".")[0] != top:
            raise  # the package is there but one of its own dependencies is broken
        raise MissingExtraError(missing_extra_message(module, purpose)) from exc
