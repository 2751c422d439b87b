"""Hop counting on a lattice-gas trajectory with known hops."""

from __future__ import annotations

import numpy as np
import pytest

from superionic.transport import Trajectory
from superionic.transport.hops import count_hops


def test_counts_known_hops_and_jump_diffusion() -> None:
    rng = np.random.default_rng(0)
    a, dt, n_frames, n_ions = 2.8, 0.02, 1000, 6  # site spacing A, ps between frames
    hop_times = {0: [100, 400, 700], 1: [250], 2: [], 3: [500, 520 + 200], 4: [900], 5: []}
    sites = np.zeros((n_frames, n_ions, 3))
    for ion, times in hop_times.items():
        for t in times:
            direction = np.eye(3)[rng.integers(3)] * rng.choice([-1, 1])
            sites[t:, ion] += a * direction
    pos = sites + rng.normal(0, 0.15, sites.shape) + rng.uniform(0, 20, (1, n_ions, 3))
    traj = Trajectory(positions=pos, cell=np.eye(3) * 30, timestep_ps=dt)
    hops = count_hops(traj, threshold_A=1.5, smooth_ps=0.1)
    expected = np.array([len(hop_times[i]) for i in range(n_ions)])
    np.testing.assert_array_equal(hops.hops_per_ion, expected)
    assert hops.fraction_hopped == pytest.approx(4 / 6)
    np.testing.assert_allclose(np.linalg.norm(hops.vectors_A, axis=1), a, atol=0.25)
    # jump diffusion: sum a^2 / (6 N t); A^2/ps -> cm^2/s is 1e-4
    D_hop = 7 * a**2 / (6 * n_ions * traj.duration_ps) * 1e-4
    assert hops.D_hop_cm2_s == pytest.approx(D_hop, rel=0.08)
    first = hops.time_ps[hops.ion_index == 0]
    np.testing.assert_allclose(first, np.array([100, 400, 700]) * dt, atol=0.1)


def test_vibration_alone_is_not_a_hop() -> None:
    rng = np.random.default_rng(1)
    pos = rng.normal(0, 0.3, (2000, 10, 3)) + rng.uniform(0, 10, (1, 10, 3))
    hops = count_hops(Trajectory(positions=pos, cell=np.eye(3) * 10, timestep_ps=0.02))
    assert hops.n_hops == 0 and hops.rate_per_ion_ps == 0.0
