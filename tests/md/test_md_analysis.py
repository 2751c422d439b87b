"""The bridge from MD runs to superionic.transport: D per temperature, the fit and the verdict."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from ase.io import write

from superionic.md.protocol import MDRunResult
from superionic.md.workflow import ArrheniusProtocol, Verdict, analyse_temperature

KB_EV = 8.617333262e-5


def random_walk_run(tmp: Path, T: float, D_A2_ps: float, seed: int) -> MDRunResult:
    """Frames of 32 Li random walkers (Gaussian steps, <dx^2> = 2 D dt per axis) in a 12 A cell
    with 8 immobile O, written the way superionic.md writes them (unwrapped, time_ps)."""
    rng = np.random.default_rng(seed)
    n_frames, dt = 600, 0.02
    steps = rng.normal(0.0, np.sqrt(2 * D_A2_ps * dt), (n_frames - 1, 32, 3))
    li = np.concatenate([rng.uniform(0, 12, (1, 32, 3)), steps]).cumsum(axis=0)
    o = np.stack(np.meshgrid([3, 9], [3, 9], [3, 9]), -1).reshape(-1, 3).astype(float)
    run_dir = tmp / f"T{T:g}K"
    run_dir.mkdir()
    frames = []
    for k in range(n_frames):
        a = Atoms(["Li"] * 32 + ["O"] * 8, positions=np.vstack([li[k], o]), cell=[12] * 3,
                  pbc=True)
        a.info = {"step": k, "time_ps": k * dt}
        frames.append(a)
    write(run_dir / "frames.extxyz", frames, format="extxyz")
    return MDRunResult(run_dir=run_dir, temperature_K=T, n_frames=n_frames, timestep_ps=dt,
                       model="synthetic", seed=seed, frames_path=run_dir / "frames.extxyz")


def test_workflow_analysis_recovers_arrhenius_activation_energy(tmp_path: Path) -> None:
    Ea, D0 = 0.30, 200.0  # eV, A^2/ps: at 600 K D = 0.6 A^2/ps, the MSD gains ~26 A^2 in the window
    temps = [600.0, 800.0, 1000.0, 1200.0]
    runs = [random_walk_run(tmp_path, T, D0 * np.exp(-Ea / (KB_EV * T)), seed=i)
            for i, T in enumerate(temps)]
    proto = ArrheniusProtocol()
    results = [analyse_temperature(r, proto) for r in runs]
    for r, T in zip(results, temps, strict=True):
        want = D0 * np.exp(-Ea / (KB_EV * T)) * 1e-4  # A^2/ps -> cm^2/s
        # within 4 stated errors: for 32 walkers the GLS error is ~10 % and calibrated to ~30 %
        # (z-scores over 12 seeds: std 1.3; seed 3 here is a -3.3 z outlier at 1200 K)
        assert abs(r.D_cm2_s - want) < 4 * r.D_err_cm2_s and r.D_err_cm2_s < 0.2 * want
    fit, verdict = proto.judge(results)
    assert verdict.value is Verdict.ARRHENIUS, verdict.reasons
    assert fit.Ea_eV == pytest.approx(Ea, abs=3 * fit.Ea_err_eV)
    assert fit.sigma300_low_S_cm < fit.sigma300_S_cm < fit.sigma300_high_S_cm
