"""D from synthetic random walks of known D: value, error bar, directions, fit window."""

from __future__ import annotations

import numpy as np
import pytest

from superionic.transport import (
    FitWindowError,
    Trajectory,
    analyze_trajectory,
    fit_msd,
    mean_squared_displacement,
)

D_TRUE_A2_PS = 0.5
D_TRUE_CM2_S = D_TRUE_A2_PS * 1e-4


def test_random_walk_D_recovered_within_5_percent(walk) -> None:  # noqa: ANN001
    # wrapped positions in a 6 A box with a drifting, vibrating framework: unwrapping and drift
    # correction are both exercised. 2000 walkers x 200 frames: expected error ~1.3 %, so the
    # 5 % tolerance is > 3 sigma.
    traj = walk(n_ions=2000, n_frames=200, D_A2_ps=D_TRUE_A2_PS, box_A=6.0, n_framework=50,
                seed=11)
    assert traj.drift_corrected
    res = analyze_trajectory(traj)
    assert res.tracer.D_cm2_s == pytest.approx(D_TRUE_CM2_S, rel=0.05)
    assert abs(res.tracer.D_cm2_s - D_TRUE_CM2_S) < 3 * res.tracer.D_err_cm2_s
    assert res.tracer.D_err_cm2_s < 0.02 * D_TRUE_CM2_S
    # default window: 10 % - 70 % of the 1.99 ps run
    assert res.tracer.fit_start_ps == pytest.approx(0.1 * traj.duration_ps, abs=0.011)
    assert res.tracer.fit_end_ps == pytest.approx(0.7 * traj.duration_ps, abs=0.011)


def test_error_bar_is_calibrated_over_independent_runs(walk) -> None:  # noqa: ANN001
    z = []
    for seed in range(24):
        msd = mean_squared_displacement(walk(n_ions=40, n_frames=400, seed=100 + seed))
        fit = fit_msd(msd)
        z.append((fit.D_cm2_s - D_TRUE_CM2_S) / fit.D_err_cm2_s)
    z = np.asarray(z)
    assert abs(z.mean()) < 0.7  # unbiased
    assert 0.6 < z.std() < 1.6  # the estimated sigma matches the observed scatter


def test_gls_error_not_larger_than_ols_error(walk) -> None:  # noqa: ANN001
    msd = mean_squared_displacement(walk(n_ions=50, n_frames=500, seed=5))
    gls, ols, wls = (fit_msd(msd, method=m) for m in ("gls", "ols", "wls"))
    # Gauss-Markov: GLS is the minimum-variance linear unbiased estimator under the model
    assert gls.D_err_cm2_s <= ols.D_err_cm2_s * (1 + 1e-9)
    assert gls.D_err_cm2_s <= wls.D_err_cm2_s * (1 + 1e-9)


def test_anisotropic_walk_gives_directional_D() -> None:
    rng = np.random.default_rng(8)
    d_xyz = np.array([0.2, 0.5, 1.0])  # A^2/ps
    dt = 0.01
    pos = np.cumsum(rng.normal(0, np.sqrt(2 * d_xyz * dt), (200, 3000, 3)), axis=0)
    traj = Trajectory(positions=pos, cell=np.eye(3) * 20, timestep_ps=dt, temperature_K=800.0)
    res = analyze_trajectory(traj)
    got = np.array([c.D_cm2_s for c in res.components])
    np.testing.assert_allclose(got, d_xyz * 1e-4, rtol=0.06)
    assert res.tracer.D_cm2_s == pytest.approx(d_xyz.mean() * 1e-4, rel=0.05)


def test_user_window_and_too_short_window(walk) -> None:  # noqa: ANN001
    msd = mean_squared_displacement(walk(n_ions=20, n_frames=300, seed=2))
    fit = fit_msd(msd, start_ps=0.5, end_ps=1.5)
    assert (fit.fit_start_ps, fit.fit_end_ps) == pytest.approx((0.5, 1.5))
    assert fit.n_points == 101
    with pytest.raises(FitWindowError, match="at least 3"):
        fit_msd(msd, start_ps=0.5, end_ps=0.515)
    with pytest.raises(FitWindowError, match="after the end"):
        fit_msd(msd, start_ps=5.0, end_ps=8.0)
