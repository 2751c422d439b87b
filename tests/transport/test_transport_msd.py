"""Unwrapping, drift correction and the FFT MSD against the direct O(N^2) definition."""

from __future__ import annotations

import numpy as np
import pytest

from superionic.transport import Trajectory, TrajectoryError, mean_squared_displacement
from superionic.transport.msd import msd_fft
from superionic.transport.trajectory import remove_drift, unwrap


def direct_msd(x: np.ndarray) -> np.ndarray:
    """Reference: MSD(m) = mean over all origins t of (x[t+m] - x[t])^2, per column."""
    n = x.shape[0]
    return np.array([np.mean((x[m:] - x[: n - m]) ** 2, axis=0) for m in range(n)])


def test_fft_msd_equals_direct_definition() -> None:
    rng = np.random.default_rng(1)
    x = np.cumsum(rng.normal(size=(301, 7, 3)), axis=0) + 50.0  # offset: tests cancellation
    np.testing.assert_allclose(msd_fft(x), direct_msd(x), rtol=1e-9, atol=1e-9)


def test_tracer_and_collective_msd_match_direct(walk) -> None:  # noqa: ANN001
    traj = walk(n_ions=6, n_frames=200, seed=3)
    res = mean_squared_displacement(traj)
    pos = traj.positions
    per_ion = direct_msd(pos)  # (F, N, 3)
    np.testing.assert_allclose(res.tracer_xyz_A2, per_ion.mean(axis=1), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(res.tracer_A2, per_ion.mean(axis=1).sum(axis=1), rtol=1e-9,
                               atol=1e-12)
    coll = direct_msd(pos.sum(axis=1)).sum(axis=1) / traj.n_ions
    np.testing.assert_allclose(res.collective_A2, coll, rtol=1e-9, atol=1e-12)
    # origins: F - m overlapping, (F - 1)/m independent
    assert res.n_origins[10] == 190 and res.n_independent[10] == pytest.approx(19.9)


def test_unwrap_recovers_continuous_path_across_periodic_images() -> None:
    rng = np.random.default_rng(2)
    cell = np.array([[8.0, 0.0, 0.0], [2.0, 7.5, 0.0], [1.0, 1.5, 9.0]])  # triclinic
    true = np.cumsum(rng.normal(0, 0.6, (1000, 5, 3)), axis=0)
    frac = true @ np.linalg.inv(cell)
    wrapped = np.mod(frac, 1.0) @ cell
    out = unwrap(wrapped, cell)
    np.testing.assert_allclose(out - out[0], true - true[0], atol=1e-9)
    assert np.abs(true - true[0]).max() > 2 * 9.0  # the walk really crossed several cells


def test_drift_correction_removes_common_translation() -> None:
    rng = np.random.default_rng(4)
    own = np.cumsum(rng.normal(0, 0.2, (300, 4, 3)), axis=0)
    framework = np.zeros((300, 6, 3)) + rng.uniform(0, 10, (6, 3))
    drift = np.cumsum(rng.normal(0, 0.3, (300, 1, 3)), axis=0)
    pos = np.concatenate([own, framework], axis=1) + drift
    mask = np.array([False] * 4 + [True] * 6)
    fixed = remove_drift(pos, mask)
    np.testing.assert_allclose(fixed[:, :4] - fixed[0, :4], own - own[0], atol=1e-12)
    traj = Trajectory.from_frames(np.mod(pos, 10.0), np.eye(3) * 10, ["Li"] * 4 + ["O"] * 6,
                                  "Li", 0.01)
    assert traj.drift_corrected
    np.testing.assert_allclose(traj.positions - traj.positions[0], own - own[0], atol=1e-9)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"timestep_ps": None}, "timestep_ps"),
    ({"timestep_ps": -0.02}, "positive"),
    ({"ion": "Na"}, "not found"),
    ({"cell": np.zeros((3, 3))}, "zero volume"),
])
def test_bad_input_errors_clearly(kwargs: dict, message: str) -> None:
    pos = np.random.default_rng(0).uniform(0, 5, (10, 3, 3))
    args = {"positions_A": pos, "cell_A": np.eye(3) * 5, "species": ["Li", "Li", "O"],
            "ion": "Li", "timestep_ps": 0.01}
    args.update({("cell_A" if k == "cell" else k): v for k, v in kwargs.items()})
    with pytest.raises(TrajectoryError, match=message):
        Trajectory.from_frames(**args)


def test_nan_positions_and_single_frame_are_rejected() -> None:
    pos = np.ones((5, 2, 3))
    pos[3, 1, 0] = np.nan
    with pytest.raises(TrajectoryError, match="NaN"):
        Trajectory.from_frames(pos, np.eye(3) * 5, ["Li", "Li"], "Li", 0.01)
    with pytest.raises(TrajectoryError, match="at least 2 frames"):
        Trajectory.from_frames(np.ones((1, 2, 3)), np.eye(3) * 5, ["Li", "Li"], "Li", 0.01)
