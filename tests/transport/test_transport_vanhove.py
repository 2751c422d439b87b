"""Van Hove self/distinct functions: normalisation, the random-walk Gaussian, ideal-gas limit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from superionic.transport.vanhove import van_hove

D = 0.5  # A^2/ps


def test_self_part_integrates_to_one_and_matches_random_walk_gaussian(walk) -> None:  # noqa: ANN001
    traj = walk(n_ions=2000, n_frames=201, D_A2_ps=D, box_A=8.0, seed=4)
    vh = van_hove(traj, lags_ps=[0.1, 0.3, 0.6], r_max_A=6.0, dr_A=0.1, distinct=False)
    widths = np.diff(vh.r_edges_A)
    integral = (vh.radial_self * widths).sum(axis=1)
    np.testing.assert_allclose(integral + vh.self_overflow, 1.0, rtol=1e-12)
    assert vh.self_overflow.max() < 1e-3
    for k, t in enumerate(vh.t_ps):
        # 3D Gaussian walk: |dr| / s follows a chi distribution with 3 dof, s^2 = 2 D t
        s = np.sqrt(2 * D * t)
        expected = np.diff(stats.chi(3).cdf(vh.r_edges_A / s)) / widths
        err = np.abs(vh.radial_self[k] - expected).max() / expected.max()
        assert err < 0.05, f"t = {t} ps: max deviation {err:.3f} of the peak"
        # second moment of Gs is the MSD = 6 D t
        msd = np.sum(vh.radial_self[k] * vh.r_A**2 * widths)
        assert msd == pytest.approx(6 * D * t, rel=0.03)


def test_distinct_part_of_independent_walkers_is_flat_at_one(walk) -> None:  # noqa: ANN001
    traj = walk(n_ions=60, n_frames=101, box_A=10.0, seed=5)
    vh = van_hove(traj, lags_ps=[0.0, 0.5], dr_A=0.25, max_origins=50)
    assert vh.r_A[-1] < 5.0  # default r_max: half the 10 A cell
    inner = vh.r_A > 1.0  # small shells hold too few pairs to average
    assert vh.distinct[:, inner].mean() == pytest.approx(1.0, abs=0.03)
    with pytest.raises(ValueError, match="half the smallest cell width"):
        van_hove(traj, r_max_A=7.0)
