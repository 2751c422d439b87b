"""Calculator factory: SevenNet-0 (the default) and CHGNet from their wheels' weights, energy/forces-only evaluation."""

from __future__ import annotations

import numpy as np
import pytest
from ase.calculators.emt import EMT
from pymatgen.core import Lattice, Structure

from superionic.md.engine import available_models, make_calculator, model_info
from superionic.md.prepare import to_atoms


@pytest.fixture(scope="module")
def chgnet():
    import os

    import torch

    threads, omp = torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS")
    yield make_calculator("chgnet", n_threads=1)
    torch.set_num_threads(threads)  # leave the session's settings as they were
    if omp is None:
        os.environ.pop("OMP_NUM_THREADS", None)
    else:
        os.environ["OMP_NUM_THREADS"] = omp


def test_chgnet_loads_offline_with_version(chgnet) -> None:
    info = model_info(chgnet)
    assert info.name == "chgnet" and info.version == "0.3.0"
    assert "chgnet" in available_models()


def test_forces_only_evaluation_matches_full_chgnet(chgnet) -> None:
    """Skipping the stress/magmom heads changes nothing in the energy and forces."""
    from chgnet.model.dynamics import CHGNetCalculator

    s = Structure(Lattice.cubic(3.908), ["Li", "Li", "Li", "Cl", "O"],
                  [[0, .5, .5], [.5, 0, .5], [.5, .5, 0], [0, 0, 0], [.5, .5, .5]]) * (2, 1, 1)
    atoms = to_atoms(s)
    atoms.rattle(0.05, seed=1)
    atoms.calc = chgnet
    forces, energy = atoms.get_forces(), atoms.get_potential_energy()
    assert "stress" not in chgnet.results  # MD steps never pay for the stress
    stress = atoms.get_stress()  # computed on demand
    full = CHGNetCalculator(model=chgnet.model, use_device="cpu")
    ref = atoms.copy()
    ref.calc = full
    np.testing.assert_allclose(forces, ref.get_forces(), atol=1e-5)
    assert energy == pytest.approx(ref.get_potential_energy(), abs=1e-5)
    np.testing.assert_allclose(stress, ref.get_stress(), atol=1e-6)
    np.testing.assert_allclose(forces.sum(axis=0), 0.0, atol=1e-4)  # translation invariance


def test_factory_accepts_calculators_and_rejects_unknown_names() -> None:
    emt = EMT()
    assert make_calculator(emt) is emt
    assert isinstance(make_calculator(EMT), EMT)  # a zero-argument factory
    with pytest.raises(ValueError, match="unknown model"):
        make_calculator("no-such-potential")
    if "sevennet" not in available_models():
        with pytest.raises(ImportError, match="sevenn"):
            make_calculator("sevennet")


def test_default_potential_is_sevennet0_with_conservative_forces() -> None:
    """SevenNet-0 is the default (docs/md.md, "Which potential"); the CLI shows the same name.
    Its forces are the negative gradient of its energy (central differences, 0.01 A) and sum
    to zero: what NVE/NVT integration relies on."""
    import os

    import torch

    from superionic.config import MD_POTENTIAL
    from superionic.md.engine import DEFAULT_MODEL
    from superionic.md.workflow import ArrheniusProtocol

    assert DEFAULT_MODEL == MD_POTENTIAL == ArrheniusProtocol().potential == "sevennet"
    threads, omp = torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS")
    try:
        calc = make_calculator(n_threads=1)
    finally:
        torch.set_num_threads(threads)
        if omp is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = omp
    info = model_info(calc)
    assert info.name == "sevennet" and info.version == "7net-0" and info.package_version
    s = Structure(Lattice.cubic(3.908), ["Li", "Li", "Li", "Cl", "O"],
                  [[0, .5, .5], [.5, 0, .5], [.5, .5, 0], [0, 0, 0], [.5, .5, .5]]) * (2, 1, 1)
    atoms = to_atoms(s)
    atoms.rattle(0.05, seed=1)
    atoms.calc = calc
    forces = atoms.get_forces()
    np.testing.assert_allclose(forces.sum(axis=0), 0.0, atol=1e-4)
    h = 1e-2  # the energy is float32 (~1e-5 eV at 40 eV): smaller steps drown in rounding
    for i, k in ((0, 0), (3, 1), (9, 2)):
        e = []
        for sign in (1, -1):
            moved = atoms.copy()
            moved.positions[i, k] += sign * h
            moved.calc = calc
            e.append(moved.get_potential_energy())
        assert -(e[0] - e[1]) / (2 * h) == pytest.approx(forces[i, k], abs=2e-3)
