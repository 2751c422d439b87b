"""Shared fixtures of the transport tests: synthetic random walks and the real CHGNet fixture."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from superionic.transport import Trajectory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transport"
LI3CLO = FIXTURES / "li3clo_vac_1500K.extxyz"


def random_walk(n_ions: int, n_frames: int, D_A2_ps: float, dt_ps: float, box_A: float,
                seed: int, n_framework: int = 0) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """WRAPPED positions (n_frames, n_atoms, 3) of independent 3D Gaussian walkers with diffusion
    coefficient ``D_A2_ps`` in a cubic box, plus ``n_framework`` atoms vibrating about fixed
    sites; the whole cell drifts by a common random walk (removed by drift correction)."""
    rng = np.random.default_rng(seed)
    steps = rng.normal(0.0, np.sqrt(2 * D_A2_ps * dt_ps), (n_frames, n_ions, 3))
    steps[0] = rng.uniform(0, box_A, (n_ions, 3))
    mobile = np.cumsum(steps, axis=0)
    sites = rng.uniform(0, box_A, (n_framework, 3))
    framework = sites + rng.normal(0, 0.1, (n_frames, n_framework, 3))
    pos = np.concatenate([mobile, framework], axis=1)
    if n_framework:
        drift = np.cumsum(rng.normal(0, 0.05, (n_frames, 1, 3)), axis=0)
        pos = pos + drift
    species = ["Li"] * n_ions + ["O"] * n_framework
    return np.mod(pos, box_A), np.eye(3) * box_A, species


@pytest.fixture(scope="session")
def walk() -> Callable[..., Trajectory]:
    """Factory: a Trajectory of independent random walkers (wrapped, then unwrapped by the code)."""

    def make(n_ions: int = 400, n_frames: int = 2000, D_A2_ps: float = 0.5, dt_ps: float = 0.01,
             box_A: float = 12.0, seed: int = 0, n_framework: int = 0) -> Trajectory:
        pos, cell, species = random_walk(n_ions, n_frames, D_A2_ps, dt_ps, box_A, seed,
                                         n_framework)
        return Trajectory.from_frames(pos, cell, species, "Li", dt_ps, temperature_K=1000.0)

    return make


@pytest.fixture(scope="session")
def li3clo_path() -> Path:
    if not LI3CLO.is_file():
        pytest.fail(f"missing fixture {LI3CLO}; make it with bench/make_md_fixture.py")
    return LI3CLO
