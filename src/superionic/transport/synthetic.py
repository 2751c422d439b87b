"""Synthetic trajectories of known dynamics, for calibrating the transport analysis.

- :func:`caged_positions`: ions rattling in harmonic cages and never hopping (an
  Ornstein-Uhlenbeck process per axis, relaxation time ``tau_ps``, mean square amplitude per axis
  ``u2`` ~ T by equipartition). Its MSD rises to a plateau and stays there:

      MSD(t) = 6 u2 (1 - exp(-t / tau))

  so any D read from it is an artefact of the fit window.
- :func:`lattice_hops`: uncorrelated hops of length ``a`` along +-x, +-y or +-z at a Poisson
  rate ``rate_per_ps`` per ion, whose tracer D is exactly ``rate a^2 / 6``.

Their sum is a caged hopper with a known long-time D (``tests/transport`` and
``bench/md_hop_calibration.py``).
"""

from __future__ import annotations

import numpy as np

from superionic.transport.trajectory import Trajectory

__all__ = ["caged_positions", "lattice_hops", "caged_hopper"]


def caged_positions(n_ions: int, n_frames: int, dt_ps: float, u2_A2: float, tau_ps: float,
                    rng: np.random.Generator) -> np.ndarray:
    """(n_frames, n_ions, 3) displacements (Angstrom) from the cage centres, stationary OU."""
    rho = float(np.exp(-dt_ps / tau_ps))
    x = np.empty((n_frames, n_ions, 3))
    x[0] = rng.normal(0.0, np.sqrt(u2_A2), (n_ions, 3))
    kick = np.sqrt(u2_A2 * (1.0 - rho**2))
    for i in range(1, n_frames):
        x[i] = rho * x[i - 1] + rng.normal(0.0, kick, (n_ions, 3))
    return x


def lattice_hops(n_ions: int, n_frames: int, dt_ps: float, rate_per_ps: float, a_A: float,
                 rng: np.random.Generator) -> np.ndarray:
    """(n_frames, n_ions, 3) cumulative hop displacements (Angstrom), zero at frame 0."""
    counts = rng.poisson(rate_per_ps * dt_ps, (n_frames - 1, n_ions))
    steps = np.zeros((n_frames - 1, n_ions, 3))
    for k in range(1, int(counts.max(initial=0)) + 1):
        mask = counts >= k
        m = int(mask.sum())
        v = np.zeros((m, 3))
        v[np.arange(m), rng.integers(0, 3, m)] = rng.choice([-a_A, a_A], m)
        steps[mask] += v
    return np.concatenate([np.zeros((1, n_ions, 3)), np.cumsum(steps, axis=0)])


def caged_hopper(n_ions: int, n_frames: int, dt_ps: float, *, temperature_K: float,
                 D_A2_ps: float = 0.0, a_A: float = 2.5, tau_ps: float = 0.15,
                 u2_A2_at_600K: float = 0.25, box_A: float = 12.0, seed: int = 0) -> Trajectory:
    """Ions in harmonic cages (amplitude ~ T) whose cage centres hop on a lattice with tracer D
    ``D_A2_ps`` (0: they never hop). Cage plateau of the MSD: 6 u2 = 1.5 A^2 at 600 K."""
    rng = np.random.default_rng(seed)
    sites = rng.uniform(0.0, box_A, (n_ions, 3))
    pos = sites + caged_positions(n_ions, n_frames, dt_ps, u2_A2_at_600K * temperature_K / 600.0,
                                  tau_ps, rng)
    if D_A2_ps > 0:
        pos = pos + lattice_hops(n_ions, n_frames, dt_ps, 6.0 * D_A2_ps / a_A**2, a_A, rng)
    return Trajectory(positions=pos, cell=np.eye(3) * box_A, timestep_ps=dt_ps, ion="Li",
                      temperature_K=temperature_K)
