"""The trajectory every transport analysis reads: unwrapped mobile-ion positions in Angstrom.

Unwrapping takes the frame-to-frame displacement in fractional coordinates to its minimum image
(``d - round(d)``) and accumulates it, so it works on wrapped and on already-unwrapped input
alike, provided no ion moves more than half a cell length between two stored frames. Displacements
are turned into Cartesian ones with the cell of the later frame (exact for NVT, where the cell is
constant; NPT cells are accepted as in pymatgen's DiffusionAnalyzer but not treated rigorously).

Drift correction subtracts, frame by frame, the mean (unweighted) displacement of the framework
atoms (every atom that is not the mobile ion) from all positions, as pymatgen-analysis-diffusion
does. A Langevin thermostat does not conserve momentum, so without it a random drift of the whole
cell adds to the mobile-ion MSD.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from pymatgen.core import Lattice, Structure


class TrajectoryError(ValueError):
    """Raised for a trajectory that cannot be analysed (shapes, units, missing ion ...)."""


def _as_cells(cell: np.ndarray, n_frames: int) -> np.ndarray:
    """Broadcast a (3, 3) cell or validate a (n_frames, 3, 3) stack of cells (Angstrom)."""
    cell = np.asarray(cell, dtype=float)
    if cell.shape == (3, 3):
        cell = np.broadcast_to(cell, (n_frames, 3, 3))
    if cell.shape != (n_frames, 3, 3):
        raise TrajectoryError(f"cell must be (3, 3) or ({n_frames}, 3, 3) Angstrom, got {cell.shape}")
    if not np.all(np.isfinite(cell)):
        raise TrajectoryError("cell holds NaN or inf")
    volumes = np.abs(np.linalg.det(cell))
    if np.any(volumes < 1e-3):
        bad = int(np.argmin(volumes))
        raise TrajectoryError(f"cell of frame {bad} has zero volume ({volumes[bad]:.3g} A^3); a "
                              "periodic cell in Angstrom is required to unwrap positions")
    return cell


def unwrap(positions_A: np.ndarray, cell_A: np.ndarray) -> np.ndarray:
    """Unwrapped Cartesian positions (n_frames, n_atoms, 3) Angstrom from wrapped (or unwrapped)
    ones, taking each frame-to-frame fractional displacement to its minimum image."""
    pos = np.asarray(positions_A, dtype=float)
    cells = _as_cells(cell_A, pos.shape[0])
    if np.all(cells == cells[0]):  # NVT: one cell, one inverse
        frac = pos @ np.linalg.inv(cells[0])
    else:
        frac = pos @ np.linalg.inv(cells)  # batched (n_atoms, 3) @ (3, 3) per frame
    dfrac = np.diff(frac, axis=0)
    dfrac -= np.round(dfrac)
    dcart = dfrac @ cells[0] if np.all(cells == cells[0]) else dfrac @ cells[1:]
    out = np.empty_like(pos)
    out[0] = pos[0]
    np.cumsum(dcart, axis=0, out=out[1:])
    out[1:] += pos[0]
    return out


def remove_drift(positions_A: np.ndarray, framework: np.ndarray) -> np.ndarray:
    """Subtract the mean displacement of the ``framework`` atoms (boolean mask or indices) from
    every atom, frame by frame. Positions must be unwrapped (n_frames, n_atoms, 3) Angstrom."""
    pos = np.asarray(positions_A, dtype=float)
    fw = pos[:, framework]
    if fw.shape[1] == 0:
        return pos.copy()
    drift = (fw - fw[0]).mean(axis=1)
    return pos - drift[:, None, :]


@dataclass(frozen=True, eq=False)
class Trajectory:
    """Unwrapped positions of the mobile ions of one MD run.

    positions: (n_frames, n_ions, 3) unwrapped Cartesian positions of the mobile ions, Angstrom.
    cell: (3, 3) or (n_frames, 3, 3) lattice vectors as rows, Angstrom.
    timestep_ps: time between two STORED frames, ps (MD time step x storage interval).
    ion: symbol of the mobile species (Li, Na, K ...).
    temperature_K: nominal (thermostat) temperature, K; None when unknown.
    species: symbols of all atoms, when ``all_positions`` is given.
    all_positions: (n_frames, n_atoms, 3) unwrapped positions of all atoms, Angstrom, or None.
    drift_corrected: whether framework drift was removed from the positions.
    source: where the frames came from (file name), for messages and provenance.
    """

    positions: np.ndarray
    cell: np.ndarray
    timestep_ps: float
    ion: str = "Li"
    temperature_K: float | None = None
    species: tuple[str, ...] = ()
    all_positions: np.ndarray | None = None
    drift_corrected: bool = False
    source: str = ""
    _cells: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        where = f" ({self.source})" if self.source else ""
        pos = np.asarray(self.positions, dtype=float)
        if pos.ndim != 3 or pos.shape[2] != 3:
            raise TrajectoryError(f"positions must be (n_frames, n_ions, 3) Angstrom{where}, "
                                  f"got shape {pos.shape}")
        if pos.shape[0] < 2:
            raise TrajectoryError(f"need at least 2 frames for transport{where}, got {pos.shape[0]}")
        if pos.shape[1] < 1:
            raise TrajectoryError(f"no {self.ion} ions in the trajectory{where}")
        if not np.all(np.isfinite(pos)):
            raise TrajectoryError(f"positions hold NaN or inf{where}")
        ts = self.timestep_ps
        if not isinstance(ts, numbers.Real) or isinstance(ts, bool) or not math.isfinite(ts) \
                or ts <= 0:
            raise TrajectoryError(f"timestep_ps (time between stored frames, ps) must be a positive "
                                  f"number{where}, got {ts!r}")
        if ts > 10.0:
            warnings.warn(f"{ts} ps between stored frames is unusually long; was a time in fs "
                          "passed as ps?", stacklevel=2)
        if self.temperature_K is not None and not (self.temperature_K > 0):
            raise TrajectoryError(f"temperature_K must be positive (K){where}, got "
                                  f"{self.temperature_K!r}")
        cells = _as_cells(self.cell, pos.shape[0])
        if self.all_positions is not None:
            allp = np.asarray(self.all_positions, dtype=float)
            if allp.ndim != 3 or allp.shape[0] != pos.shape[0] or len(self.species) != allp.shape[1]:
                raise TrajectoryError(f"all_positions {allp.shape} must be (n_frames, n_atoms, 3) "
                                      f"with one species per atom ({len(self.species)} given){where}")
            object.__setattr__(self, "all_positions", allp)
        object.__setattr__(self, "positions", pos)
        object.__setattr__(self, "timestep_ps", float(ts))
        object.__setattr__(self, "_cells", cells)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_frames(cls, positions_A: np.ndarray, cell_A: np.ndarray, species: Sequence[str],
                    ion: str, timestep_ps: float | None, temperature_K: float | None = None,
                    drift_correction: bool = True, source: str = "") -> Trajectory:
        """Build from per-frame Cartesian positions of ALL atoms (wrapped or not), Angstrom.

        ``species`` lists every atom's symbol; the atoms whose symbol is ``ion`` are mobile.
        """
        where = f" ({source})" if source else ""
        pos = np.asarray(positions_A, dtype=float)
        species = tuple(str(s) for s in species)
        if pos.ndim != 3 or pos.shape[2] != 3 or pos.shape[1] != len(species):
            raise TrajectoryError(f"positions must be (n_frames, {len(species)}, 3) Angstrom"
                                  f"{where}, got {pos.shape}")
        if pos.shape[0] < 2:
            raise TrajectoryError(f"need at least 2 frames for transport{where}, got {pos.shape[0]}")
        if not np.all(np.isfinite(pos)):
            raise TrajectoryError(f"positions hold NaN or inf{where}")
        mobile = np.array([s == ion for s in species])
        if not mobile.any():
            present = sorted(set(species))
            raise TrajectoryError(f"mobile ion {ion!r} not found in the trajectory{where}; "
                                  f"species present: {', '.join(present)}")
        cells = _as_cells(cell_A, pos.shape[0])
        unwrapped = unwrap(pos, cells)
        corrected = drift_correction and bool((~mobile).any())
        if corrected:
            unwrapped = remove_drift(unwrapped, ~mobile)
        cell = cells[0].copy() if np.all(cells == cells[0]) else cells.copy()
        return cls(positions=unwrapped[:, mobile], cell=cell, timestep_ps=timestep_ps, ion=ion,
                   temperature_K=temperature_K, species=species, all_positions=unwrapped,
                   drift_corrected=corrected, source=source)

    @classmethod
    def from_structures(cls, structures: Sequence[Structure], ion: str, timestep_ps: float | None,
                        temperature_K: float | None = None, drift_correction: bool = True,
                        source: str = "") -> Trajectory:
        """Build from a time-ordered list of pymatgen Structures (same sites in the same order)."""
        if len(structures) < 2:
            raise TrajectoryError(f"need at least 2 structures, got {len(structures)}")
        species = tuple(site.specie.symbol for site in structures[0])
        for k, s in enumerate(structures):
            if len(s) != len(species):
                raise TrajectoryError(f"structure {k} has {len(s)} sites, structure 0 has "
                                      f"{len(species)}; frames must hold the same atoms")
        pos = np.stack([s.cart_coords for s in structures])
        cells = np.stack([s.lattice.matrix for s in structures])
        return cls.from_frames(pos, cells, species, ion, timestep_ps, temperature_K,
                               drift_correction, source)

    # -- derived quantities -------------------------------------------------------------------
    @property
    def n_frames(self) -> int:
        return int(self.positions.shape[0])

    @property
    def n_ions(self) -> int:
        """Number of mobile ions."""
        return int(self.positions.shape[1])

    @property
    def cells(self) -> np.ndarray:
        """(n_frames, 3, 3) cell of every frame, Angstrom."""
        return self._cells

    @property
    def volume_A3(self) -> float:
        """Mean cell volume, Angstrom^3."""
        return float(np.mean(np.abs(np.linalg.det(self._cells))))

    @property
    def duration_ps(self) -> float:
        """Time spanned by the stored frames, ps."""
        return (self.n_frames - 1) * self.timestep_ps

    @property
    def times_ps(self) -> np.ndarray:
        return np.arange(self.n_frames) * self.timestep_ps

    @property
    def mobile_mask(self) -> np.ndarray | None:
        """Boolean mask of the mobile ions among all atoms (None without ``all_positions``)."""
        if self.all_positions is None:
            return None
        return np.array([s == self.ion for s in self.species])

    def head(self, duration_ps: float) -> Trajectory:
        """The first ``duration_ps`` of the run (frames 0 .. round(duration / timestep)), every
        field kept: what the run would have been had it stopped there (the MD protocol's
        segment-wise judgement, replayed on a longer run)."""
        n = int(round(duration_ps / self.timestep_ps)) + 1
        if not 2 <= n <= self.n_frames:
            raise TrajectoryError(f"head of {duration_ps} ps: the run spans 0-{self.duration_ps:g} "
                                  f"ps in steps of {self.timestep_ps:g} ps")
        cell = self.cell if np.ndim(self.cell) == 2 else np.asarray(self.cell)[:n]
        allp = None if self.all_positions is None else self.all_positions[:n]
        return replace(self, positions=self.positions[:n], cell=cell, all_positions=allp)

    def frame_structure(self, index: int = 0, mobile_only: bool = False) -> Structure:
        """Frame ``index`` as a pymatgen Structure (sites wrapped into the cell)."""
        lattice = Lattice(self._cells[index])
        if mobile_only or self.all_positions is None:
            return Structure(lattice, [self.ion] * self.n_ions, self.positions[index],
                             coords_are_cartesian=True, to_unit_cell=True)
        return Structure(lattice, list(self.species), self.all_positions[index],
                         coords_are_cartesian=True, to_unit_cell=True)
