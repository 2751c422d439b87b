"""From a pymatgen Structure to a relaxed MD cell.

Cell preparation (supercell choice, ordering of partial occupancies, vacancies and their charge
compensation) lives in :mod:`superionic.defects.cell`; :func:`prepare_structure` is the MD-side
call of it and records what was done in ``structure.properties["prepare"]`` so that it ends up in
the run's params file. This module adds the conversions to ASE, structure loading and the short
pre-MD relaxation.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator
from pymatgen.core import Structure
from pymatgen.io.ase import AseAtomsAdaptor

from superionic.defects.cell import DEFAULT_ATOM_RANGE

MP_FIXTURE = "mp_entries_fixture_CClKLiMnNaOY"


# --- conversion -----------------------------------------------------------------------------

def to_atoms(structure: Structure) -> Atoms:
    """ASE Atoms of an ordered pymatgen Structure (oxidation states and site properties dropped)."""
    if not structure.is_ordered:
        raise ValueError("structure has partial occupancies; order it first (prepare_structure)")
    clean = Structure(structure.lattice, [site.specie.symbol for site in structure],
                      structure.frac_coords)
    return AseAtomsAdaptor.get_atoms(clean)


def to_structure(atoms: Atoms) -> Structure:
    """pymatgen Structure of ASE Atoms (positions, cell and species only)."""
    return Structure(atoms.cell[:], atoms.get_chemical_symbols(), atoms.get_positions(),
                     coords_are_cartesian=True)


def load_structure(spec: str | Path, data_dir: Path | None = None) -> Structure:
    """A Structure from a file (CIF, POSCAR, any pymatgen-readable format) or an MP id.

    MP ids (``mp-985585``) are looked up in the MP entries fixture of the data directory
    (``superionic.config.default_data_dir()``). Raises ``FileNotFoundError``/``ValueError``
    naming the file and the problem.
    """
    text = str(spec)
    path = Path(text)
    if path.exists():
        try:
            return Structure.from_file(path)
        except Exception as exc:  # noqa: BLE001 - re-raised with the file name
            raise ValueError(f"{path}: not a readable structure ({type(exc).__name__}: {exc})") from exc
    if text.startswith(("mp-", "mvc-")):
        return _structure_from_mp_fixture(text, data_dir)
    raise FileNotFoundError(f"{text}: no such file, and not an MP id (mp-NNNN)")


def _structure_from_mp_fixture(mp_id: str, data_dir: Path | None) -> Structure:
    from monty.json import MontyDecoder

    from superionic.config import default_data_dir

    folder = (data_dir or default_data_dir()) / MP_FIXTURE
    files = sorted(folder.glob("*.json.gz"))
    if not files:
        raise FileNotFoundError(f"{folder}: MP entries fixture not found (set SUPERIONIC_DATA)")
    with gzip.open(files[0], "rt") as fh:
        raw = json.load(fh)
    for item in raw:
        if str(item.get("entry_id", "")).split("-GGA")[0] == mp_id:
            return MontyDecoder().process_decoded(item).structure
    raise ValueError(f"{files[0]}: no entry with id {mp_id}")


# --- cell preparation (one home: superionic.defects.cell) ------------------------------------

def prepare_structure(structure: Structure, *, atom_range: tuple[int, int] = DEFAULT_ATOM_RANGE,
                      n_vacancies: int = 0, ion: str = "Li", compensate: str | None = "auto",
                      max_orderings: float = 2.0e4, seed: int = 0,
                      placement: str = "separated") -> Structure:
    """Ordered, charge-neutral supercell in ``atom_range`` with optional ``ion`` vacancies.

    A thin call of :func:`superionic.defects.cell.prepare_cell` (supercell search over the
    conventional and primitive cells, Ewald ordering of partial occupancies in the whole
    supercell, exhaustive up to ``max_orderings`` orderings and sampled above, vacancies with
    the compensation of :func:`superionic.defects.li_defects.plan_defects`, placed
    ``"separated"`` or at the ``"lowest_ewald"`` energy). The returned
    structure's ``properties["prepare"]`` is :meth:`PreparedCell.to_dict` (JSON-safe).
    """
    from superionic.defects.cell import prepare_cell

    cell = prepare_cell(structure, atom_range=atom_range, n_vacancies=n_vacancies, ion=ion,
                        compensate=compensate, seed=seed, max_enumerate=max_orderings,
                        placement=placement)
    out = cell.structure.copy()
    out.properties = {"prepare": cell.to_dict()}
    return out


# --- relaxation -----------------------------------------------------------------------------

def relax(atoms: Atoms, calculator: Calculator, *, fmax: float = 0.1, steps: int = 200,
          optimizer: str = "FIRE", relax_cell: bool = False) -> tuple[Atoms, dict[str, Any]]:
    """Short relaxation: positions (and the cell with ``relax_cell``) until max force ``fmax``
    (eV/Angstrom) or ``steps`` optimiser steps. Returns a relaxed copy and a note (energy eV,
    final max force eV/Angstrom, steps, converged)."""
    from ase.filters import FrechetCellFilter
    from ase.optimize import BFGS, FIRE

    opt_cls = {"FIRE": FIRE, "BFGS": BFGS}.get(optimizer.upper())
    if opt_cls is None:
        raise ValueError(f"optimizer must be FIRE or BFGS, got {optimizer!r}")
    work = atoms.copy()
    work.calc = calculator
    target = FrechetCellFilter(work) if relax_cell else work
    opt = opt_cls(target, logfile=None)
    converged = bool(opt.run(fmax=fmax, steps=steps)) if steps > 0 else False
    forces = work.get_forces()
    note = {"optimizer": opt_cls.__name__, "fmax_eV_A": fmax, "steps": int(opt.nsteps),
            "converged": converged, "energy_eV": float(work.get_potential_energy()),
            "max_force_eV_A": float(np.linalg.norm(forces, axis=1).max()),
            "relax_cell": relax_cell}
    out = work.copy()
    out.calc = None
    return out, note
