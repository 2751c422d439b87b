"""Nernst-Einstein conductivity by hand and against pymatgen; Haven ratio of known systems."""

from __future__ import annotations

import numpy as np
import pytest
from pymatgen.analysis.diffusion.analyzer import get_conversion_factor
from pymatgen.core import Lattice, Structure

from superionic.transport import Trajectory, analyze_trajectory, conductivity, nernst_einstein_sigma
from superionic.transport.conductivity import number_density_per_cm3


def test_nernst_einstein_by_hand() -> None:
    # n = 1e22 cm^-3, D = 1e-5 cm^2/s, T = 300 K, z = 1 (SI-exact e and k_B):
    # sigma = 1e22 * (1.602176634e-19)^2 * 1e-5 / (1.380649e-23 * 300) S/cm
    by_hand = 1e22 * 1.602176634e-19**2 * 1e-5 / (1.380649e-23 * 300.0)
    assert by_hand == pytest.approx(0.61975, rel=1e-4)
    assert nernst_einstein_sigma(1e-5, 1e22, 300.0) == pytest.approx(by_hand, rel=1e-12)
    # a divalent ion carries 4x the conductivity at equal n and D
    assert nernst_einstein_sigma(1e-5, 1e22, 300.0, charge=2) == pytest.approx(4 * by_hand)
    # 23 Li in a 7.82 A cube (Li3ClO 2x2x2 with one vacancy)
    assert number_density_per_cm3(23, 7.82**3) == pytest.approx(23 / (7.82**3 * 1e-24))


def test_conductivity_matches_pymatgen_conversion_factor() -> None:
    s = Structure(Lattice.cubic(3.908), ["Li", "Li", "Li", "Cl", "O"],
                  [[0, .5, .5], [.5, 0, .5], [.5, .5, 0], [0, 0, 0], [.5, .5, .5]]) * 2
    s.add_oxidation_state_by_element({"Li": 1, "Cl": -1, "O": -2})
    factor_mS = get_conversion_factor(s, "Li+", 1200.0)  # mS/cm per cm^2/s
    sig = conductivity(2e-5, 1e-6, 24, s.volume, 1200.0, charge=1)
    assert sig.sigma_S_cm == pytest.approx(2e-5 * factor_mS / 1000.0, rel=1e-6)
    assert sig.sigma_err_S_cm == pytest.approx(1e-6 * factor_mS / 1000.0, rel=1e-6)


def test_haven_ratio_is_one_for_independent_walkers(walk) -> None:  # noqa: ANN001
    # the collective MSD has a single "particle": a long run and a short window pin it down
    traj = walk(n_ions=16, n_frames=20000, box_A=10.0, seed=1)
    res = analyze_trajectory(traj, start_ps=0.1, end_ps=2.0)
    assert res.haven.value == pytest.approx(1.0, abs=0.12)
    assert abs(res.haven.value - 1.0) < 3 * res.haven.err
    assert res.sigma_collective.sigma_S_cm == pytest.approx(res.sigma.sigma_S_cm, rel=0.12)


def test_haven_ratio_of_fully_concerted_motion_is_one_over_n() -> None:
    # every ion takes the same step: |sum dr|^2 / N = N |dr|^2, so D_sigma = N D and H = 1/N
    rng = np.random.default_rng(3)
    n = 8
    common = np.cumsum(rng.normal(0, 0.1, (3000, 1, 3)), axis=0)
    pos = common + rng.uniform(0, 10, (1, n, 3))
    traj = Trajectory(positions=pos, cell=np.eye(3) * 10, timestep_ps=0.01, temperature_K=900.0)
    res = analyze_trajectory(traj, start_ps=0.1, end_ps=3.0)
    assert res.haven.value == pytest.approx(1.0 / n, rel=1e-9)
