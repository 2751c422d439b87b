"""Calculators for MD: SevenNet-0 by default, CHGNet, or any ASE calculator.

The default is SevenNet-0 because it is the potential whose diffusion agrees with experiment
in our benchmark (docs/benchmarks.md, "MD against experiment"): on Li6PS5Cl it gives Ea 0.28
+/- 0.08 eV (measured 0.30), CHGNet 0.17 +/- 0.02 eV; on Li3YCl6 its D(T) has a slope near the
measured 0.40 eV, CHGNet's is flat. CHGNet is 2.7x cheaper per step on CPU.

``make_calculator("chgnet")`` loads the pretrained CHGNet 0.3.0 weights that ship inside the
``chgnet`` wheel (no network). ``"chgnet:r2scan"`` and ``"chgnet:0.2.0"`` pick the other bundled
weights. ``"sevennet"`` (``"sevennet:7net-0"``...) uses ``sevenn.calculator.SevenNetCalculator``
whose weights (SevenNet-0, ``7net-0``) also ship in its wheel; both are in the ``[md]`` extra.

CHGNet's ASE calculator evaluates energy, forces, stress and magnetic moments on every call
(task ``"efsm"``). NVT MD needs only energy and forces, and skipping the stress/magmom heads
halves the cost of a step on CPU (measured: 65 vs 128 ms for 10 atoms, 240 vs 486 ms for 40),
so :class:`CHGNetMDCalculator` asks the model for exactly the properties ASE requests.

References: Deng et al., Nat. Mach. Intell. 5, 1031 (2023) (CHGNet); Park et al., J. Chem.
Theory Comput. 20, 4857 (2024) (SevenNet).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ase.calculators.calculator import Calculator

from superionic._extras import optional_import
from superionic.config import MD_POTENTIAL

#: Model name used when none is given (why SevenNet-0: the module doc).
DEFAULT_MODEL = MD_POTENTIAL

CalculatorLike = str | Calculator | Callable[[], Calculator]


@dataclass(frozen=True)
class ModelInfo:
    """Name and version of the potential behind a calculator (recorded in every run)."""

    name: str
    version: str | None
    package_version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "package_version": self.package_version}


def set_threads(n_threads: int | None) -> int:
    """Set torch's intra-op thread count (and OMP_NUM_THREADS for children); returns it.

    ``None`` keeps torch's current setting (0 is returned when torch is not loaded). Call it
    before building a calculator.
    """
    if n_threads is None:
        torch = sys.modules.get("torch")  # no import just to ask (torch takes seconds to load)
        return torch.get_num_threads() if torch is not None else 0
    torch = optional_import("torch", "MD threads")

    n = max(1, int(n_threads))
    os.environ["OMP_NUM_THREADS"] = str(n)
    torch.set_num_threads(n)
    return torch.get_num_threads()


def available_models() -> list[str]:
    """Universal potentials importable in this environment (``chgnet``, ``sevennet``)."""
    found = []
    if importlib.util.find_spec("chgnet") is not None:
        found.append("chgnet")
    if importlib.util.find_spec("sevenn") is not None:
        found.append("sevennet")
    return found


@functools.cache
def _chgnet_class() -> type:
    CHGNetCalculator = optional_import("chgnet.model.dynamics", "MD with CHGNet").CHGNetCalculator

    class CHGNetMDCalculator(CHGNetCalculator):
        """CHGNet calculator that computes only the requested properties (no stress in NVT)."""

        def calculate(self, atoms=None, properties=None, system_changes=None, task=None):  # type: ignore[override]
            if task is None:
                props = set(properties or ("energy", "forces"))
                task = "e" + ("f" if props & {"forces", "stress"} else "")
                task += "s" if "stress" in props else ""
                task += "m" if "magmoms" in props else ""
            super().calculate(atoms, properties, system_changes, task=task)

    return CHGNetMDCalculator


def _make_chgnet(variant: str | None, device: str) -> Calculator:
    CHGNet = optional_import("chgnet.model", "MD with CHGNet").CHGNet

    # torch warns on every call from inside CHGNet's volume computation; harmless.
    warnings.filterwarnings("ignore", message="Converting a tensor with requires_grad",
                            category=UserWarning)
    # CHGNet prints "CHGNet will run on cpu" on stdout; stdout is reserved for --json output.
    with contextlib.redirect_stdout(sys.stderr):
        model = CHGNet.load(model_name=variant or "0.3.0", use_device=device, verbose=False)
        return _chgnet_class()(model=model, use_device=device)


def _make_sevennet(variant: str | None, device: str) -> Calculator:
    if importlib.util.find_spec("sevenn") is None:
        raise ImportError("model 'sevennet' needs the optional package sevenn (pip install 'superionic[md]')")
    from sevenn.calculator import SevenNetCalculator

    # sevenn warns that no tensor-product accelerator (cuEquivariance, flashTP) is enabled; those
    # are CUDA kernels, so on the CPU there is nothing to enable.
    with contextlib.redirect_stdout(sys.stderr), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No tensor product accelerator")
        calc = SevenNetCalculator(model=variant or "7net-0", device=device)
    calc.model_variant = variant or "7net-0"
    return calc


_FACTORIES: dict[str, Callable[[str | None, str], Calculator]] = {
    "chgnet": _make_chgnet,
    "sevennet": _make_sevennet,
}


def parse_model(model: str) -> tuple[str, str | None]:
    """``"chgnet:r2scan"`` -> ``("chgnet", "r2scan")``, ``"SevenNet"`` -> ``("sevennet", None)``:
    the name :func:`model_info` records for a calculator built from ``model``, and its variant."""
    name, _, variant = str(model).partition(":")
    return name.strip().lower(), variant or None


def make_calculator(model: CalculatorLike = DEFAULT_MODEL, *, device: str = "cpu",
                    n_threads: int | None = None) -> Calculator:
    """An ASE calculator from a model name (``"chgnet"``, ``"chgnet:r2scan"``, ``"sevennet"``),
    a zero-argument factory, or a ready calculator (returned as is).

    ``n_threads`` sets torch's thread count first (see :func:`set_threads`).
    """
    set_threads(n_threads)
    if isinstance(model, Calculator):
        return model
    if callable(model):
        calc = model()
        if not isinstance(calc, Calculator):
            raise TypeError(f"calculator factory returned {type(calc).__name__}, not an ASE Calculator")
        return calc
    name, variant = parse_model(model)
    if name not in _FACTORIES:
        raise ValueError(f"unknown model {model!r}; choose one of {sorted(_FACTORIES)} "
                         "or pass an ASE calculator")
    return _FACTORIES[name](variant, device)


def model_info(calc: Calculator) -> ModelInfo:
    """Name and version of the model behind ``calc`` (class name for generic calculators)."""
    from importlib.metadata import PackageNotFoundError, version

    module = type(calc).__module__.split(".")[0]
    chgnet_dyn = sys.modules.get("chgnet.model.dynamics")
    if chgnet_dyn is not None and isinstance(calc, chgnet_dyn.CHGNetCalculator):
        return ModelInfo("chgnet", str(calc.model.version), version("chgnet"))
    if module == "sevenn":
        return ModelInfo("sevennet", getattr(calc, "model_variant", None), version("sevenn"))
    pkg_version = None
    with contextlib.suppress(PackageNotFoundError):
        pkg_version = version(module)
    return ModelInfo(str(getattr(calc, "name", "") or type(calc).__name__), None, pkg_version)
