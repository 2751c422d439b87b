"""Hop counting: an ion hops when it moves farther than a threshold from its current site.

Positions are first averaged over a short moving window (``smooth_ps``) to remove thermal
vibration. Each ion's site starts at its smoothed position in the first frame; whenever the
smoothed position is more than ``threshold_A`` from the site, a hop is counted and the site moves
to the position where the ion settles: the mean smoothed position over ``smooth_ps`` starting
``smooth_ps`` after the crossing (clipped at the end of the run). The threshold should sit between the vibration amplitude
(~0.5 Angstrom) and the site-to-site distance (2-3 Angstrom for Li); the default 1.5 Angstrom
suits Li in oxides, halides and sulfides.

The hop vectors give a jump-diffusion estimate D_hop = sum |hop|^2 / (6 N t_total) (cm^2/s),
which ignores correlations between successive hops (it equals the tracer D only for
uncorrelated hops).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from superionic.transport.diffusion import A2_PER_PS_TO_CM2_PER_S
from superionic.transport.trajectory import Trajectory


@dataclass(frozen=True, eq=False)
class HopResult:
    """Hops of the mobile ions.

    hops_per_ion: (n_ions,) number of hops of each ion.
    ion_index, time_ps: (n_hops,) which ion hopped and when (ps).
    vectors_A: (n_hops, 3) site-to-site hop vectors, Angstrom.
    """

    hops_per_ion: np.ndarray
    ion_index: np.ndarray
    time_ps: np.ndarray
    vectors_A: np.ndarray
    threshold_A: float
    duration_ps: float

    @property
    def n_hops(self) -> int:
        return int(self.hops_per_ion.sum())

    @property
    def rate_per_ion_ps(self) -> float:
        """Mean hops per ion per ps."""
        return self.n_hops / (self.hops_per_ion.size * self.duration_ps)

    @property
    def fraction_hopped(self) -> float:
        """Fraction of mobile ions that hopped at least once."""
        return float(np.mean(self.hops_per_ion > 0))

    @property
    def mean_hop_length_A(self) -> float:
        return float(np.linalg.norm(self.vectors_A, axis=1).mean()) if self.n_hops else 0.0

    @property
    def D_hop_cm2_s(self) -> float:
        """Uncorrelated jump-diffusion estimate sum |hop|^2 / (6 N t), cm^2/s."""
        sq = float(np.sum(self.vectors_A**2))
        return sq / (6.0 * self.hops_per_ion.size * self.duration_ps) * A2_PER_PS_TO_CM2_PER_S


def _moving_average(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average along axis 0 with edge-shrinking windows."""
    if width <= 1:
        return x.copy()
    c = np.concatenate([np.zeros((1, *x.shape[1:])), np.cumsum(x, axis=0)])
    n = x.shape[0]
    idx = np.arange(n)
    lo = np.clip(idx - width // 2, 0, n)
    hi = np.clip(idx + (width - width // 2), 0, n)
    return (c[hi] - c[lo]) / (hi - lo).reshape(-1, *([1] * (x.ndim - 1)))


def count_hops(traj: Trajectory, threshold_A: float = 1.5, smooth_ps: float = 0.1) -> HopResult:
    """Count hops of the mobile ions of ``traj`` (see the module docstring)."""
    if not threshold_A > 0:
        raise ValueError(f"threshold must be positive (Angstrom), got {threshold_A!r}")
    width = max(1, int(round(smooth_ps / traj.timestep_ps)))
    s = _moving_average(traj.positions, width)
    n_frames, n_ions, _ = s.shape
    site = s[0].copy()
    ions, times, vecs = [], [], []
    for t in range(1, n_frames):
        moved = np.flatnonzero(np.linalg.norm(s[t] - site, axis=1) > threshold_A)
        if moved.size == 0:
            continue
        lo = min(t + width, n_frames - 1)
        settled = s[lo:min(n_frames, lo + width), moved].mean(axis=0)
        vecs.append(settled - site[moved])
        site[moved] = settled
        ions.append(moved)
        times.append(np.full(moved.size, t * traj.timestep_ps))
    ion_index = np.concatenate(ions) if ions else np.zeros(0, dtype=int)
    return HopResult(hops_per_ion=np.bincount(ion_index, minlength=n_ions),
                     ion_index=ion_index,
                     time_ps=np.concatenate(times) if times else np.zeros(0),
                     vectors_A=np.concatenate(vecs) if vecs else np.zeros((0, 3)),
                     threshold_A=float(threshold_A), duration_ps=traj.duration_ps)
