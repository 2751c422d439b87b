"""superionic: find superionic solid-state electrolytes (Li, Na, K).

The entry points of a Python session, importable from the top level::

    from superionic import featurize, analyze_trajectory, fit_arrhenius

    frame, rejected = featurize(["Li7La3Zr2O12", "Li3PS4"])      # features: Magpie + Eng
    result = analyze_trajectory(read_trajectory("vasprun.xml", ion="Li", temperature_K=600.0))
    fit = fit_arrhenius([500.0, 600.0, 700.0], [1e-7, 4e-7, 1.2e-6])  # D (cm^2/s) vs T (K)

- features: :func:`featurize`
- models: :func:`build_target_data`, :func:`train_best`, :func:`load_model`, :func:`save_model`
  (a :class:`~superionic.models.FittedModel` has ``predict`` and ``predict_interval``)
- screen: :func:`load_pool`, :func:`load_predictors`, :class:`ScreenOptions`, :func:`run_screen`
- MD: :func:`prepare_structure`, :func:`run_md`, :func:`run_temperatures`,
  :class:`ArrheniusProtocol` (the MD workflow: cell -> runs at several T -> Arrhenius)
- transport: :func:`read_trajectory`, :func:`analyze_trajectory`, :func:`fit_arrhenius`
- experiment: :func:`read_spectrum`, :func:`analyze_spectrum`, :func:`analyze_file`,
  :class:`Pellet`
- defects: :func:`build_variants`; stability: :func:`e_above_hull`, :func:`compute_window`
- active learning: :class:`ActiveLoop`; settings: :class:`Settings`, :func:`load_settings`

Every name is resolved on first access (PEP 562), so ``import superionic`` loads none of numpy,
pymatgen or torch; the optional stacks (``superionic[md]``, ``[ml]``, ``[scale]``) load only
when a function that needs them runs.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

__version__ = "0.1.0"

#: public name -> module that defines it (imported on first access)
_EXPORTS: dict[str, str] = {
    # configuration
    "Settings": "superionic.config",
    "load_settings": "superionic.config",
    # features
    "featurize": "superionic.features",
    # models: train / predict
    "build_target_data": "superionic.models.dataset",
    "train_best": "superionic.models.train",
    "load_model": "superionic.models.persist",
    "save_model": "superionic.models.persist",
    "FittedModel": "superionic.models.fitted",
    # screening
    "load_pool": "superionic.screen.pool",
    "load_predictors": "superionic.screen.predict",
    "ScreenOptions": "superionic.screen.funnel",
    "run_screen": "superionic.screen.funnel",
    # molecular dynamics (the MD workflow is superionic.md.workflow.ArrheniusProtocol)
    "prepare_structure": "superionic.md.prepare",
    "run_md": "superionic.md.protocol",
    "run_temperatures": "superionic.md.protocol",
    "ArrheniusProtocol": "superionic.md.workflow",
    # transport
    "read_trajectory": "superionic.transport.io",
    "analyze_trajectory": "superionic.transport.analysis",
    "fit_arrhenius": "superionic.transport.arrhenius",
    # experiment (EIS)
    "Pellet": "superionic.experiment.pellet",
    "read_spectrum": "superionic.experiment.eis",
    "analyze_spectrum": "superionic.experiment.eis",
    "analyze_file": "superionic.experiment.eis",
    # stability
    "e_above_hull": "superionic.stability.hull",
    "compute_window": "superionic.stability.window",
    # defects
    "build_variants": "superionic.defects.workflow",
    # active learning
    "ActiveLoop": "superionic.active.job",
}



def _shipped(module: str) -> bool:
    """Whether ``module``'s file is in this installation (a file check: nothing is imported)."""
    rel = Path(*module.split(".")[1:])
    root = Path(__file__).parent
    return (root / rel).with_suffix(".py").is_file() or (root / rel / "__init__.py").is_file()


__all__ = sorted(name for name, module in _EXPORTS.items() if _shipped(module))


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'superionic' has no attribute {name!r}")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise  # a missing dependency: its message names the extra to install
        raise AttributeError(f"superionic.{name}: {module} is not part of this version") from exc
    value = getattr(mod, name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
