"""Our D and its correlated-MSD error against kinisi's (McCluskey et al., the reference
implementation of the error model transport.diffusion follows) on one random-walk trajectory
of known D. kinisi samples D by MCMC from the same kind of covariance; the two estimators agree
within kinisi's error and their errors within 30 %."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms

from superionic.transport import fit_msd, mean_squared_displacement, trajectory_from_atoms

kinisi_analyze = pytest.importorskip("kinisi.analyze")
sc = pytest.importorskip("scipp")


def test_D_and_error_agree_with_kinisi() -> None:
    rng = np.random.default_rng(0)
    n, n_frames, dt_ps, D_A2_ps, box = 32, 400, 0.02, 0.5, 12.0
    steps = rng.normal(0, np.sqrt(2 * D_A2_ps * dt_ps), (n_frames, n, 3))
    steps[0] = rng.uniform(0, box, (n, 3))
    li = np.cumsum(steps, axis=0)
    o = np.stack(np.meshgrid([3, 9], [3, 9], [3, 9]), -1).reshape(-1, 3).astype(float)
    frames = [Atoms(["Li"] * n + ["O"] * 8, positions=np.vstack([np.mod(li[k], box), o]),
                    cell=[box] * 3, pbc=True) for k in range(n_frames)]
    start_ps = 0.1 * (n_frames - 1) * dt_ps

    ka = kinisi_analyze.DiffusionAnalyzer.from_ase(
        frames, specie="Li", time_step=dt_ps * sc.Unit("ps"),
        step_skip=1 * sc.Unit("dimensionless"), progress=False)
    ka.diffusion(start_ps * sc.Unit("ps"), progress=False, random_state=np.random.RandomState(0))
    assert str(ka.D.unit) == "cm^2/s"
    D_k, err_k = float(np.mean(ka.D.values)), float(np.std(ka.D.values))

    msd = mean_squared_displacement(trajectory_from_atoms(frames, ion="Li", timestep_ps=dt_ps,
                                                          temperature_K=1000.0))
    ours = fit_msd(msd, start_ps=start_ps, end_ps=(n_frames - 1) * dt_ps)  # kinisi's window
    assert abs(ours.D_cm2_s - D_k) < err_k
    assert 0.7 < ours.D_err_cm2_s / err_k < 1.3
    # and both contain the true D (5e-5 cm^2/s) within two of their errors
    assert abs(D_k - D_A2_ps * 1e-4) < 2 * err_k
    assert abs(ours.D_cm2_s - D_A2_ps * 1e-4) < 2 * ours.D_err_cm2_s
