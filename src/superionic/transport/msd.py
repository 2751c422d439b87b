"""Mean squared displacements by FFT, averaged over every time origin.

For a coordinate x(t) sampled at F frames, the all-origin MSD at lag m is

    MSD(m) = 1/(F-m) sum_{t=0}^{F-m-1} (x(t+m) - x(t))^2 = (S1(m) - 2 S2(m)) / (F-m)

with S1 from prefix sums of x^2 and S2(m) = sum_t x(t) x(t+m) the autocorrelation, computed by FFT
(Wiener-Khinchin) in O(F log F) instead of O(F^2) (Kneller et al., Comput. Phys. Commun. 91, 191
(1995); Calandrini et al., Collection SFN 12, 201 (2011)).

Three MSDs come out of one pass:
- tracer MSD <|r_i(t0+t) - r_i(t0)|^2>, averaged over ions and origins, and its x/y/z parts;
- collective (charge) MSD <|sum_i (r_i(t0+t) - r_i(t0))|^2> / N of the summed displacement of all
  N mobile ions, whose slope gives the conductivity diffusion coefficient D_sigma.

Counting observations: at lag m there are F - m overlapping time origins, but only
(F - 1) / m non-overlapping (statistically independent, for a random walk) ones per ion. The
latter sets the variance of the MSD in :mod:`superionic.transport.diffusion`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.fft import irfft, next_fast_len, rfft

from superionic.transport.trajectory import Trajectory, TrajectoryError


def msd_fft(x: np.ndarray) -> np.ndarray:
    """All-origin MSD of every column of ``x`` (n_frames, ...), same units squared.

    Returns an array of the shape of ``x``; row m is the MSD at lag m (row 0 is zero).
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    # time along the last (contiguous) axis; centring (MSD is shift-invariant) limits cancellation
    cols = np.ascontiguousarray(x.reshape(n, -1).T)
    cols -= cols.mean(axis=1, keepdims=True)
    n_fft = next_fast_len(2 * n, real=True)
    spec = rfft(cols, n=n_fft, axis=-1)
    s2 = irfft(spec.real**2 + spec.imag**2, n=n_fft, axis=-1)[:, :n]
    prefix = np.zeros((cols.shape[0], n + 1))
    np.cumsum(cols**2, axis=1, out=prefix[:, 1:])
    m = np.arange(n)
    s1 = prefix[:, n - m] + (prefix[:, -1:] - prefix[:, m])
    out = (s1 - 2.0 * s2) / (n - m)
    out[:, 0] = 0.0
    np.maximum(out, 0.0, out=out)
    return out.T.reshape(x.shape)


@dataclass(frozen=True, eq=False)
class MSDResult:
    """MSDs of the mobile ions at every lag 0 .. n_frames-1.

    lag_ps: (n_lags,) lag times, ps.
    tracer_A2: (n_lags,) tracer MSD averaged over ions and time origins, Angstrom^2.
    tracer_xyz_A2: (n_lags, 3) its Cartesian x, y, z parts, Angstrom^2 (they sum to tracer_A2).
    collective_A2: (n_lags,) collective MSD |sum_i dr_i|^2 / n_ions, Angstrom^2.
    n_ions, n_frames, timestep_ps: as in the trajectory.
    """

    lag_ps: np.ndarray
    tracer_A2: np.ndarray
    tracer_xyz_A2: np.ndarray
    collective_A2: np.ndarray
    n_ions: int
    n_frames: int
    timestep_ps: float

    @property
    def lag_frames(self) -> np.ndarray:
        return np.arange(self.n_frames)

    @property
    def n_origins(self) -> np.ndarray:
        """Overlapping time origins per lag, n_frames - lag."""
        return self.n_frames - self.lag_frames

    @property
    def n_independent(self) -> np.ndarray:
        """Non-overlapping (independent) time origins per lag and ion, (n_frames - 1) / lag
        (n_frames - 1 at lag 0)."""
        return (self.n_frames - 1) / np.maximum(self.lag_frames, 1)


def mean_squared_displacement(traj: Trajectory) -> MSDResult:
    """Tracer (total and x/y/z) and collective MSD of the mobile ions of ``traj`` (Angstrom^2)."""
    if not isinstance(traj, Trajectory):
        raise TrajectoryError(f"expected a Trajectory, got {type(traj).__name__}")
    pos = traj.positions
    per_ion = msd_fft(pos)  # (F, N, 3)
    xyz = per_ion.mean(axis=1)
    collective = msd_fft(pos.sum(axis=1)).sum(axis=1) / traj.n_ions
    return MSDResult(lag_ps=traj.times_ps, tracer_A2=xyz.sum(axis=1), tracer_xyz_A2=xyz,
                     collective_A2=collective, n_ions=traj.n_ions, n_frames=traj.n_frames,
                     timestep_ps=traj.timestep_ps)
