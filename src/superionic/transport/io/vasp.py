"""VASP MD output: vasprun.xml (pymatgen Vasprun) and XDATCAR (pymatgen Xdatcar).

Time between stored frames: vasprun.xml holds every ionic step, so it is POTIM (fs). XDATCAR
holds every NBLOCK-th step, so it is POTIM x NBLOCK (fs), read from an INCAR beside the XDATCAR
(or given); without either the time step must be given by the user. The temperature defaults to
TEBEG (TEEND when TEBEG is absent).
"""

from __future__ import annotations

from pathlib import Path

from pymatgen.io.vasp.inputs import Incar
from pymatgen.io.vasp.outputs import Vasprun, Xdatcar

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


def read_xdatcar(path: str | Path, ion: str = "Li", timestep_ps: float | None = None,
                 temperature_K: float | None = None, incar: str | Path | None = None,
                 drift_correction: bool = True) -> Trajectory:
    """Trajectory of ``ion`` from an XDATCAR; POTIM, NBLOCK and TEBEG from ``incar`` or an INCAR
    in the same folder when present."""
    path = Path(path)
    if not path.is_file():
        raise TrajectoryError(f"XDATCAR file not found: {path}")
    try:
        structures = Xdatcar(str(path)).structures
    except Exception as exc:
        raise TrajectoryError(f"cannot parse {path} as XDATCAR: {exc}") from exc
    incar_path = Path(incar) if incar is not None else path.parent / "INCAR"
    params: dict = dict(Incar.from_file(incar_path)) if incar_path.is_file() else {}
    if timestep_ps is None:
        timestep_ps = vasp_frame_interval_ps(params, every_nblock=True)
    if timestep_ps is None:
        raise TrajectoryError(f"the time between XDATCAR frames is unknown for {path}: no INCAR "
                              "with POTIM beside it; pass it (--timestep-fs = POTIM x NBLOCK)")
    if temperature_K is None:
        temperature_K = _temperature(params)
    return Trajectory.from_structures(structures, ion, timestep_ps, temperature_K,
                                      drift_correction, source=str(path))
