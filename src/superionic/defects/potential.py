"""Optional ML-potential energies for ranking and relaxing defect variants (CHGNet).

CHGNet (Deng et al., Nat. Mach. Intell. 5, 1031 (2023)) predicts energies (eV/atom) on the scale
of the Materials Project GGA/GGA+U calculations it was trained on, before MP2020 corrections.
Loaded lazily and once per process (the pretrained weights ship with the ``chgnet`` wheel).
Everything here is optional: callers catch :class:`PotentialUnavailable`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

from pymatgen.core import Structure

from superionic._extras import optional_import


class PotentialUnavailable(RuntimeError):
    """The ML potential cannot be imported or loaded."""


@functools.cache
def load_chgnet(threads: int | None = None) -> Any:
    """The pretrained CHGNet model on CPU (``threads`` torch threads; default: OMP setting)."""
    try:
        import torch
        from chgnet.model import CHGNet
    except ImportError as exc:  # chgnet and torch come with the [md] extra
        raise PotentialUnavailable(
            f"chgnet is not importable ({exc}): pip install 'superionic[md]'") from exc
    n = threads or int(os.environ.get("OMP_NUM_THREADS", "0") or 0)
    if n:
        torch.set_num_threads(n)
    return CHGNet.load(verbose=False)


def _clean(structure: Structure) -> Structure:
    s = structure.copy()
    s.remove_oxidation_states()
    return s


def single_point_energies(structures: Sequence[Structure], model: Any | None = None,
                          batch_size: int = 8) -> list[float]:
    """CHGNet energies (eV/atom) of ordered structures, no relaxation."""
    model = model or load_chgnet()
    preds = model.predict_structure([_clean(s) for s in structures], task="e",
                                    batch_size=batch_size)
    if isinstance(preds, dict):
        preds = [preds]
    return [float(p["e"]) for p in preds]


def relax(structure: Structure, *, steps: int = 100, fmax_eV_A: float = 0.1,
          relax_cell: bool = True, model: Any | None = None) -> tuple[Structure, float, int]:
    """CHGNet relaxation (FIRE, at most ``steps``); returns (structure, energy eV/atom, steps)."""
    StructOptimizer = optional_import("chgnet.model", "CHGNet relaxation").StructOptimizer

    model = model or load_chgnet()
    opt = StructOptimizer(model=model, optimizer_class="FIRE")
    result = opt.relax(_clean(structure), fmax=fmax_eV_A, steps=steps, relax_cell=relax_cell,
                       verbose=False)
    final = result["final_structure"]
    traj = result["trajectory"]
    energy_total = float(traj.energies[-1])
    return final, energy_total / len(final), len(traj.energies)
