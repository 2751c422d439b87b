"""A molten framework is recognised: its anions diffuse, and such a run never enters Arrhenius."""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.io import write

from superionic.transport import analyze_trajectory, read_trajectory
from superionic.transport.significance import DiffusionStatus, classify, framework_check

DT_PS = 0.02  # between frames
N_FRAMES = 400


def _walk(rng: np.random.Generator, n: int, D_cm2_s: float) -> np.ndarray:
    """Random-walk displacements (A) with 6 D t = <r^2>: per-axis step variance 2 D dt."""
    sd = np.sqrt(2 * D_cm2_s * 1e16 * DT_PS * 1e-12)  # cm^2/s -> A^2/ps
    return np.cumsum(rng.normal(0, sd, (N_FRAMES, n, 3)), axis=0)


def _write(path, mobile: dict[str, float], rng) -> None:
    """16 sites each of Li, K and Cl on a 12 A cube; species in ``mobile`` random-walk with that
    D (cm^2/s), the others vibrate (0.1 A) around their sites."""
    sites = rng.uniform(0, 12, (48, 3))
    symbols = ["Li"] * 16 + ["K"] * 16 + ["Cl"] * 16
    moves = np.zeros((N_FRAMES, 48, 3))
    for k, sp in enumerate(("Li", "K", "Cl")):
        sl = slice(16 * k, 16 * (k + 1))
        moves[:, sl] = (_walk(rng, 16, mobile[sp]) if sp in mobile
                        else rng.normal(0, 0.1, (N_FRAMES, 16, 3)))
    frames = [Atoms(symbols, positions=sites + moves[i], cell=[12, 12, 12], pbc=True)
              for i in range(N_FRAMES)]
    write(str(path), frames, format="extxyz")


def test_solid_framework_with_mobile_li(tmp_path) -> None:
    path = tmp_path / "solid.extxyz"
    _write(path, {"Li": 1e-5}, np.random.default_rng(1))
    check = framework_check(read_trajectory(path, "Li", DT_PS, 1000.0)).to_dict()
    assert check["flowing_species"] == [] and not check["framework_molten"]
    assert all(abs(d) < 1e-6 for d, _ in check["framework_D_cm2_s"].values())


def test_a_second_mobile_cation_is_reported_but_not_melting(tmp_path) -> None:
    path = tmp_path / "k.extxyz"
    _write(path, {"Li": 1e-5, "K": 4e-5}, np.random.default_rng(2))
    check = framework_check(read_trajectory(path, "Li", DT_PS, 1000.0)).to_dict()
    assert check["flowing_species"] == ["K"] and not check["framework_molten"]
    D_K = check["framework_D_cm2_s"]["K"][0]
    assert 3e-5 < D_K < 5e-5  # the random walk's D, recovered


def test_anions_hopping_through_vacancies_are_not_a_melt(tmp_path) -> None:
    """Cl moving at 2e-6 cm^2/s (a defective crystal, e.g. Li23Cl7O8 at 1500 K) is measured but
    is far below a liquid's 1e-5 to 1e-4."""
    path = tmp_path / "hop.extxyz"
    _write(path, {"Li": 1e-5, "Cl": 2e-6}, np.random.default_rng(4))
    check = framework_check(read_trajectory(path, "Li", DT_PS, 1000.0)).to_dict()
    assert 1e-6 < check["framework_D_cm2_s"]["Cl"][0] < 3e-6
    assert check["flowing_species"] == [] and not check["framework_molten"]


def test_a_liquid_is_a_melt_and_never_an_arrhenius_point(tmp_path) -> None:
    """Anions and framework cations both flow: the crystal melted."""
    path = tmp_path / "melt.extxyz"
    _write(path, {"Li": 1e-4, "K": 3e-5, "Cl": 4e-5}, np.random.default_rng(3))
    traj = read_trajectory(path, "Li", DT_PS, 1000.0)
    check = framework_check(traj)
    assert set(check.flowing_species) == {"K", "Cl"} and check.molten
    result = classify(analyze_trajectory(traj), check)
    # Li diffuses clearly (1e-4 cm^2/s over 8 ps: 29 A^2 across the fit window), yet the run is molten: no D, no sigma, no fit
    assert result.status is DiffusionStatus.MOLTEN and not result.usable
    assert result.D_cm2_s is None and result.sigma_S_cm is None and result.D_upper_cm2_s is None
    solid = classify(analyze_trajectory(traj), framework_check(traj.__class__(
        positions=traj.positions, cell=traj.cell, timestep_ps=traj.timestep_ps, ion="Li",
        temperature_K=1000.0)))
    assert solid.status is DiffusionStatus.SIGNIFICANT and solid.usable


def test_anions_moving_around_fixed_cations_are_not_a_melt(tmp_path) -> None:
    """Cl flows while the K cations stay on their sites (a rotating polyanion, an anion
    sublattice conducting): reported, not a melt (CHGNet LGPS at 900 K: S moves up to 2 A while
    P and Ge stay within 0.8 A)."""
    path = tmp_path / "rot.extxyz"
    _write(path, {"Li": 1e-5, "Cl": 4e-5}, np.random.default_rng(3))
    check = framework_check(read_trajectory(path, "Li", DT_PS, 1000.0))
    assert check.flowing_species == ("Cl",) and not check.molten
