"""VASP MD output: vasprun.xml (pymatgen Vasprun) and XDATCAR (native array parser).

Time between stored frames: vasprun.xml holds every ionic step, so it is POTIM (fs). XDATCAR
holds every NBLOCK-th step, so it is POTIM x NBLOCK (fs), read from an INCAR beside the XDATCAR
(or given); without either the time step must be given by the user. The temperature defaults to
TEBEG (TEEND when TEBEG is absent).

XDATCAR layout (VASP 5/6, https://www.vasp.at/wiki/index.php/XDATCAR): a POSCAR-like header
(comment, scaling factor, three lattice vectors in Angstrom, element symbols, counts), then per
stored frame a ``Direct configuration=  k`` line and one line of fractional coordinates per atom.
Constant-cell runs write the header once; variable-cell (NPT, ISIF=3) runs repeat it before every
frame. :func:`read_xdatcar_frames` reads both into arrays in one pass, without building a
pymatgen Structure per frame, and gives the same numbers as pymatgen's ``Xdatcar``.
"""

from __future__ import annotations

import bz2
import gzip
import itertools
import lzma
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pymatgen.io.vasp.inputs import Incar
from pymatgen.io.vasp.outputs import Vasprun

from superionic.transport.trajectory import Trajectory, TrajectoryError


def vasp_frame_interval_ps(incar: dict, every_nblock: bool) -> float | None:
    """POTIM (x NBLOCK for XDATCAR) in ps from INCAR parameters, or None when POTIM is absent."""
    potim = incar.get("POTIM")
    if potim is None:
        return None
    nblock = int(incar.get("NBLOCK", 1)) if every_nblock else 1
    return float(potim) * nblock / 1000.0


def _temperature(incar: dict) -> float | None:
    for key in ("TEBEG", "TEEND"):
        if incar.get(key):
            return float(incar[key])
    return None


def read_vasprun(path: str | Path, ion: str = "Li", timestep_ps: float | None = None,
                 temperature_K: float | None = None, drift_correction: bool = True) -> Trajectory:
    """Trajectory of ``ion`` from an MD vasprun.xml (POTIM/TEBEG read from its parameters)."""
    path = Path(path)
    if not path.is_file():
        raise TrajectoryError(f"vasprun file not found: {path}")
    try:
        vr = Vasprun(str(path), parse_dos=False, parse_eigen=False, parse_projected_eigen=False,
                     parse_potcar_file=False, exception_on_bad_xml=False)
    except Exception as exc:
        raise TrajectoryError(f"cannot parse {path} as vasprun.xml: {exc}") from exc
    params = {**dict(vr.incar), **dict(vr.parameters)}
    if timestep_ps is None:
        timestep_ps = vasp_frame_interval_ps(params, every_nblock=False)
    if timestep_ps is None:
        raise TrajectoryError(f"{path} gives no POTIM; pass the time between frames")
    if temperature_K is None:
        temperature_K = _temperature(params)
    return Trajectory.from_structures(vr.structures, ion, timestep_ps, temperature_K,
                                      drift_correction, source=str(path))


# -- XDATCAR ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class XdatcarFrames:
    """The frames of one XDATCAR as arrays.

    species: element symbol of every atom, in file order.
    frac_coords: (n_frames, n_atoms, 3) fractional coordinates as written (not re-wrapped).
    lattices_A: (n_frames, 3, 3) lattice vectors as rows, Angstrom, scaling factor applied.
    comment: the first header line (VASP writes SYSTEM there).
    """

    species: tuple[str, ...]
    frac_coords: np.ndarray
    lattices_A: np.ndarray
    comment: str = ""

    @property
    def n_frames(self) -> int:
        return int(self.frac_coords.shape[0])

    @property
    def constant_cell(self) -> bool:
        """True when every frame has the lattice of frame 0 (NVT/NVE)."""
        return bool(np.all(self.lattices_A == self.lattices_A[0]))

    def cart_coords_A(self) -> np.ndarray:
        """(n_frames, n_atoms, 3) Cartesian positions, Angstrom (fractional @ lattice)."""
        if self.constant_cell:
            return self.frac_coords @ self.lattices_A[0]
        return np.matmul(self.frac_coords, self.lattices_A)


def _open_text(path: Path) -> str:
    """Text of a plain, .gz, .bz2 or .xz file."""
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(path.suffix, open)
    with opener(path, "rt", encoding="utf-8") as fh:
        return fh.read()


def _is_config_line(line: str) -> bool:
    """``Direct configuration=  k`` (or a bare ``Direct``) opens a frame's coordinates."""
    return line.lstrip()[:6].lower() == "direct"


def _floats(line: str, n: int | tuple[int, ...], what: str, where: str) -> np.ndarray:
    """The numbers on one header line, ``n`` (or any of the counts in ``n``) of them."""
    try:
        values = np.array([float(t) for t in line.split()])
    except ValueError:
        values = np.array([])
    allowed = (n,) if isinstance(n, int) else n
    if values.size not in allowed:
        raise TrajectoryError(f"{where}: expected {what}, found {line.strip()!r}")
    return values


def _scaled_lattice(scale: np.ndarray, raw: np.ndarray, where: str) -> np.ndarray:
    """Lattice (Angstrom) from the raw vectors and VASP's scaling line: one factor, a negative
    one meaning the cell volume (A^3), or three factors for the x, y, z Cartesian components."""
    if scale.size == 3:
        return raw * scale[None, :]
    if scale[0] < 0:
        volume = abs(np.linalg.det(raw))
        if volume < 1e-12:
            raise TrajectoryError(f"{where}: zero-volume lattice with a volume scaling factor")
        return raw * (-scale[0] / volume) ** (1.0 / 3.0)
    return raw * scale[0]


def _parse_symbols(token: str) -> str:
    """Element symbol of a VASP 5/6 species token (``Li_sv/3a2b...`` -> ``Li``)."""
    return token.split("/")[0].split("_")[0]


def _parse_header(lines: list[str], i: int, where: str) -> tuple[tuple[str, ...], np.ndarray, int]:
    """Species per atom, lattice (Angstrom) and the index of the line after the counts line, for
    the header starting (comment line) at index ``i``."""
    n = len(lines)
    if i + 7 > n:
        raise TrajectoryError(f"{where}, line {i + 1}: header cut short (need comment, scaling "
                              "factor, 3 lattice vectors, element symbols, counts)")
    scale = _floats(lines[i + 1], (1, 3), "the scaling factor (1 or 3 numbers)",
                    f"{where}, line {i + 2}")
    raw = np.array([_floats(lines[i + 2 + k], 3, "a lattice vector (3 numbers, Angstrom)",
                            f"{where}, line {i + 3 + k}") for k in range(3)])
    symbols: list[str] = []
    j = i + 5
    while j < n and lines[j].split() and not lines[j].split()[0].lstrip("+-").isdigit():
        symbols += [_parse_symbols(t) for t in lines[j].split()]
        j += 1
    if not symbols:
        raise TrajectoryError(f"{where}, line {i + 6}: no element symbols line (VASP 4 format?);"
                              " add the symbols line of the POSCAR above the counts line")
    counts: list[int] = []
    first_counts = j
    while j < n and len(counts) < len(symbols):
        try:
            counts += [int(t) for t in lines[j].split()]
        except ValueError:
            break
        j += 1
    if len(counts) != len(symbols) or min(counts) < 0 or sum(counts) == 0:
        raise TrajectoryError(f"{where}, line {first_counts + 1}: atom counts {counts} do not "
                              f"match the {len(symbols)} element symbols {symbols}")
    species = tuple(itertools.chain.from_iterable(
        [s] * c for s, c in zip(symbols, counts, strict=True)))
    return species, _scaled_lattice(scale, raw, f"{where}, line {i + 2}"), j


def _frame_blocks(lines: list[str], where: str
                  ) -> tuple[tuple[str, ...], list[tuple[int, int]], list[np.ndarray], list[int]]:
    """Walk the file frame by frame: species, the (start, stop) line range of every frame's
    coordinates, the distinct lattices and the lattice index of every frame."""
    species, lattice, i = _parse_header(lines, 0, where)
    comment, n_atoms, n = lines[0].strip(), len(species), len(lines)
    blocks: list[tuple[int, int]] = []
    lattices, which = [lattice], []
    while i < n:
        if not _is_config_line(lines[i]):
            if lines[i].strip() != comment:
                raise TrajectoryError(
                    f"{where}, line {i + 1}: expected 'Direct configuration=' or a repeated "
                    f"header starting {comment!r}, found {lines[i].strip()!r}: frame "
                    f"{len(blocks)} does not hold the {n_atoms} coordinate lines the counts "
                    "line gives")
            new_species, lattice, after = _parse_header(lines, i, where)
            if new_species != species:
                raise TrajectoryError(f"{where}, line {i + 1}: the atoms change at frame "
                                      f"{len(blocks) + 1} (header from this line); a trajectory "
                                      "keeps the same atoms")
            i = after
            lattices.append(lattice)
            if i >= n or not _is_config_line(lines[i]):
                raise TrajectoryError(f"{where}, line {i + 1}: expected 'Direct configuration=' "
                                      "after the header")
        start = i + 1
        stop = start + n_atoms
        if stop > n:
            raise TrajectoryError(f"{where}, line {start + 1}: frame {len(blocks) + 1} is "
                                  f"truncated, {n - start} of {n_atoms} coordinate lines before "
                                  "the end of the file")
        blocks.append((start, stop))
        which.append(len(lattices) - 1)
        i = stop
    if not blocks:
        raise TrajectoryError(f"{where}: no 'Direct configuration=' frame after the header")
    return species, blocks, lattices, which


def _locate_bad_coordinate(lines: list[str], blocks: list[tuple[int, int]], where: str) -> None:
    """Raise naming the first coordinate line that is not three numbers (slow path)."""
    for k, (start, stop) in enumerate(blocks):
        for j in range(start, stop):
            tokens = lines[j].split()
            try:
                [float(t) for t in tokens[:3]]
                ok = len(tokens) >= 3
            except ValueError:
                ok = False
            if not ok:
                raise TrajectoryError(
                    f"{where}, line {j + 1}: coordinate line {j - start + 1} of {stop - start} "
                    f"of frame {k + 1} is not 3 fractional coordinates: {lines[j].strip()!r} "
                    "(wrong atom counts or a damaged file?)")


def read_xdatcar_frames(path: str | Path) -> XdatcarFrames:
    """Read every frame of a VASP 5/6 XDATCAR (constant or variable cell; plain, .gz, .bz2, .xz)
    into arrays; raises TrajectoryError naming the file and line for malformed input."""
    path = Path(path)
    if not path.is_file():
        raise TrajectoryError(f"XDATCAR file not found: {path}")
    try:
        lines = _open_text(path).splitlines()
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise TrajectoryError(f"cannot read {path} as text: {exc}") from exc
    while lines and not lines[-1].strip():
        lines.pop()
    species, blocks, lattices, which = _frame_blocks(lines, str(path))
    coord_lines = list(itertools.chain.from_iterable(lines[a:b] for a, b in blocks))
    try:  # one C-level pass over all coordinate lines; extra columns (labels, flags) ignored
        frac = np.loadtxt(coord_lines, usecols=(0, 1, 2), dtype=float, ndmin=2, comments=None)
    except ValueError as exc:
        _locate_bad_coordinate(lines, blocks, str(path))
        raise TrajectoryError(f"cannot read the coordinates of {path}: {exc}") from exc
    frac = frac.reshape(len(blocks), len(species), 3)
    if not np.all(np.isfinite(frac)):
        bad = int(np.argwhere(~np.isfinite(frac))[0][0])
        raise TrajectoryError(f"{path}: frame {bad + 1} (from line {blocks[bad][0] + 1}) holds "
                              "NaN or inf coordinates")
    cells = np.stack(lattices)[np.asarray(which)]
    return XdatcarFrames(species, frac, cells, lines[0].strip())


def read_xdatcar(path: str | Path, ion: str = "Li", timestep_ps: float | None = None,
                 temperature_K: float | None = None, incar: str | Path | None = None,
                 drift_correction: bool = True) -> Trajectory:
    """Trajectory of ``ion`` from an XDATCAR; POTIM, NBLOCK and TEBEG from ``incar`` or an INCAR
    in the same folder when present."""
    path = Path(path)
    frames = read_xdatcar_frames(path)
    incar_path = Path(incar) if incar is not None else path.parent / "INCAR"
    params: dict = dict(Incar.from_file(incar_path)) if incar_path.is_file() else {}
    if timestep_ps is None:
        timestep_ps = vasp_frame_interval_ps(params, every_nblock=True)
    if timestep_ps is None:
        raise TrajectoryError(f"the time between XDATCAR frames is unknown for {path}: no INCAR "
                              "with POTIM beside it; pass timestep_fs = POTIM x NBLOCK")
    if temperature_K is None:
        temperature_K = _temperature(params)
    return Trajectory.from_frames(frames.cart_coords_A(), frames.lattices_A, frames.species, ion,
                                  timestep_ps, temperature_K, drift_correction, source=str(path))
