"""VASP AIMD inputs for HPC users (the paper's validation protocol), via pymatgen MD input sets.

``MPMDSet`` (Aykol et al., Sci. Adv. 4, eaaq0148 (2018)) writes an NVT run with the Nose
thermostat: ``IBRION = 0`` (MD), ``TEBEG``/``TEEND`` (K), ``POTIM`` (fs), ``NSW`` (steps),
``SMASS = 0`` (Nose mass from a 40-step period), ``ISIF = 0``, Gamma-point k-mesh. ``MDALGO = 2``
is added to select the Nose-Hoover thermostat explicitly in VASP >= 5.4 (the MPMDSet default
relies on ``SMASS`` alone). ``MVLNPTMDSet`` is used for ``ensemble="npt"`` (Langevin NPT,
``MDALGO = 3``); it takes ENCUT from the POTCARs, so it needs them. POTCAR files are licensed and absent here: without a configured
``PMG_VASP_PSP_DIR`` a ``POTCAR.spec`` (one symbol per line) is written instead.

Reading the resulting ``vasprun.xml``/``XDATCAR`` trajectories is the job of
:mod:`superionic.transport`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pymatgen.core import Structure


def aimd_input_set(structure: Structure, temperature_K: float, nsteps: int, *,
                   timestep_fs: float = 2.0, ensemble: str = "nvt",
                   spin_polarized: bool = False,
                   user_incar_settings: dict[str, Any] | None = None) -> Any:
    """The pymatgen input set of an AIMD run at ``temperature_K`` for ``nsteps`` steps."""
    from pymatgen.io.vasp.sets import MPMDSet, MVLNPTMDSet

    if temperature_K <= 0 or nsteps < 1 or timestep_fs <= 0:
        raise ValueError("temperature_K, nsteps and timestep_fs must be positive")
    if not structure.is_ordered:
        raise ValueError("VASP needs an ordered structure; order it first (md.prepare)")
    # MPMDSet asks for EDIFF_PER_ATOM = 1e-5 but leaves that (unknown to VASP) tag in the INCAR
    # next to the relax set's EDIFF; write the intended EDIFF and drop the stray tag.
    incar = {"MDALGO": 2, "EDIFF": 1e-5 * len(structure), "EDIFF_PER_ATOM": None,
             **(user_incar_settings or {})}
    if ensemble == "nvt":
        return MPMDSet(structure, start_temp=temperature_K, end_temp=temperature_K, nsteps=nsteps,
                       time_step=timestep_fs, spin_polarized=spin_polarized,
                       user_incar_settings=incar)
    if ensemble == "npt":
        incar["MDALGO"] = 3
        return MVLNPTMDSet(structure, start_temp=temperature_K, end_temp=temperature_K,
                           nsteps=nsteps, time_step=timestep_fs, spin_polarized=spin_polarized,
                           user_incar_settings=incar)
    raise ValueError(f"ensemble must be 'nvt' or 'npt', got {ensemble!r}")


def write_aimd_inputs(structure: Structure, temperature_K: float, nsteps: int,
                      out_dir: str | Path, **kwargs: Any) -> dict[str, Any]:
    """Write INCAR, KPOINTS, POSCAR and POTCAR (or POTCAR.spec) into ``out_dir``.

    Keyword arguments go to :func:`aimd_input_set`. Returns the directory, the files written,
    whether a real POTCAR was written, and the MD tags of the INCAR.
    """
    out = Path(out_dir)
    from pymatgen.io.vasp.inputs import PmgVaspPspDirError

    vis = aimd_input_set(structure, temperature_K, nsteps, **kwargs)
    try:
        incar = vis.incar  # raises early, before any file is written
    except PmgVaspPspDirError as exc:
        raise ValueError(f"this input set ({type(vis).__name__}) derives ENCUT from the POTCARs; "
                         "set PMG_VASP_PSP_DIR or use ensemble='nvt'") from exc
    try:
        vis.write_input(str(out))
        potcar = True
    except PmgVaspPspDirError:
        vis.write_input(str(out), potcar_spec=True)
        potcar = False
    tags = ("IBRION", "TEBEG", "TEEND", "POTIM", "NSW", "MDALGO", "SMASS", "ISIF")
    return {"dir": str(out), "files": sorted(p.name for p in out.iterdir()),
            "potcar": potcar, "n_atoms": len(structure),
            "incar": {k: incar[k] for k in tags if k in incar}}
