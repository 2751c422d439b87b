"""Van Hove correlation functions of the mobile ions (Van Hove, Phys. Rev. 95, 249 (1954)).

Self part (a probability density in 3D, Angstrom^-3):

    Gs(r, t) = 1/N < sum_i delta(r - |r_i(t0 + t) - r_i(t0)|) > / (4 pi r^2)

so that the integral of 4 pi r^2 Gs(r, t) dr over r is 1 (``radial_self`` is 4 pi r^2 Gs, in
Angstrom^-1). For a 3D random walk Gs is the Gaussian (2 pi s^2)^(-3/2) exp(-r^2 / 2 s^2) with
s^2 = 2 D t = MSD(t) / 3.

Distinct part, dimensionless (1 at large r, the mobile-ion pair distribution g(r) at t = 0):

    gd(r, t) = 1/(N rho) < sum_i sum_{j != i} delta(r - |r_j(t0 + t) - r_i(t0)|_mic) > / (4 pi r^2)

with rho = N / V and minimum-image distances, valid up to half the smallest cell width.
Histograms use exact shell volumes (4 pi / 3)(r_hi^3 - r_lo^3); averages run over up to
``max_origins`` evenly spaced time origins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from superionic.transport.trajectory import Trajectory


@dataclass(frozen=True, eq=False)
class VanHove:
    """Van Hove functions on a (t, r) grid.

    r_A: (n_r,) bin centres, Angstrom; r_edges_A: (n_r + 1,) bin edges.
    t_ps: (n_t,) lag times, ps.
    self_A3: (n_t, n_r) Gs(r, t), Angstrom^-3.
    self_overflow: (n_t,) fraction of self displacements beyond the last bin.
    distinct: (n_t, n_r) gd(r, t) (dimensionless), or None.
    """

    r_A: np.ndarray
    r_edges_A: np.ndarray
    t_ps: np.ndarray
    self_A3: np.ndarray
    self_overflow: np.ndarray
    distinct: np.ndarray | None

    @property
    def radial_self(self) -> np.ndarray:
        """4 pi r^2 Gs(r, t) (Angstrom^-1), integrating to 1 - overflow over r."""
        return self.self_A3 * self.shell_volumes_A3 / np.diff(self.r_edges_A)

    @property
    def shell_volumes_A3(self) -> np.ndarray:
        e = self.r_edges_A
        return 4.0 / 3.0 * np.pi * (e[1:] ** 3 - e[:-1] ** 3)


def _half_min_width(cell: np.ndarray) -> float:
    """Half the smallest perpendicular width of a cell (Angstrom): the minimum-image limit."""
    a, b, c = cell
    vol = abs(np.linalg.det(cell))
    widths = [vol / np.linalg.norm(np.cross(b, c)), vol / np.linalg.norm(np.cross(c, a)),
              vol / np.linalg.norm(np.cross(a, b))]
    return 0.5 * min(widths)


def _origins(n_frames: int, lag: int, max_origins: int) -> np.ndarray:
    n = n_frames - lag
    return np.unique(np.linspace(0, n - 1, min(n, max_origins)).astype(int))


def van_hove(traj: Trajectory, lags_ps: np.ndarray | None = None, n_lags: int = 40,
             r_max_A: float | None = None, dr_A: float = 0.05, distinct: bool = True,
             max_origins: int = 200) -> VanHove:
    """Self (and distinct) van Hove functions of the mobile ions of ``traj``.

    ``lags_ps`` defaults to ``n_lags`` lags from 0 to half the run; ``r_max_A`` to half the
    smallest cell width (the distinct part's limit).
    """
    dt = traj.timestep_ps
    if lags_ps is None:
        lag_frames = np.unique(np.linspace(0, (traj.n_frames - 1) // 2, n_lags).astype(int))
    else:
        lag_frames = np.unique(np.rint(np.asarray(lags_ps, dtype=float) / dt).astype(int))
        if lag_frames.min() < 0 or lag_frames.max() >= traj.n_frames:
            raise ValueError(f"lags must lie within 0-{traj.duration_ps:g} ps")
    cell = traj.cells[0]
    limit = _half_min_width(cell)
    r_max = limit if r_max_A is None else float(r_max_A)
    if distinct and r_max > limit + 1e-9:
        raise ValueError(f"r_max {r_max:g} A exceeds half the smallest cell width ({limit:.3f} A),"
                         " where minimum-image distances stop being valid; lower it or set "
                         "distinct=False")
    edges = np.arange(0.0, r_max + 0.5 * dr_A, dr_A)
    shell = 4.0 / 3.0 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    pos = traj.positions
    n = traj.n_ions
    inv_cell = np.linalg.inv(cell)
    rho = n / traj.volume_A3
    gs = np.zeros((lag_frames.size, edges.size - 1))
    over = np.zeros(lag_frames.size)
    gd = np.zeros_like(gs) if distinct else None
    off_diag = ~np.eye(n, dtype=bool)
    for k, lag in enumerate(lag_frames):
        t0 = _origins(traj.n_frames, int(lag), max_origins)
        disp = np.linalg.norm(pos[t0 + lag] - pos[t0], axis=-1).ravel()
        counts, _ = np.histogram(disp, bins=edges)
        gs[k] = counts / (disp.size * shell)
        over[k] = np.count_nonzero(disp >= edges[-1]) / disp.size
        if gd is not None and n > 1:
            counts = np.zeros(edges.size - 1)
            chunk = max(1, 2_000_000 // (n * n))  # bounds memory to ~50 MB
            for c in range(0, t0.size, chunk):
                o = t0[c:c + chunk]
                d = (pos[o + lag][:, None, :, :] - pos[o][:, :, None, :]) @ inv_cell
                d -= np.round(d)
                r = np.linalg.norm(d @ cell, axis=-1)[:, off_diag].ravel()
                counts += np.histogram(r, bins=edges)[0]
            gd[k] = counts / (t0.size * n * rho * shell)
    centres = 0.5 * (edges[1:] + edges[:-1])
    return VanHove(r_A=centres, r_edges_A=edges, t_ps=lag_frames * dt, self_A3=gs,
                   self_overflow=over, distinct=gd)
