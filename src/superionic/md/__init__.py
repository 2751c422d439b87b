"""Molecular dynamics with universal ML potentials: prepare cells, run durable NVT, VASP inputs.

- :mod:`superionic.md.engine`: calculators (SevenNet-0 default, CHGNet, any ASE one)
- :mod:`superionic.md.prepare`: ordering, supercell, vacancies, relaxation
- :mod:`superionic.md.protocol`: NVT equilibration + production, checkpoints, resume, extension
- :mod:`superionic.md.workflow`: the MD workflow (``ArrheniusProtocol.run`` -> ``ArrheniusSeries``
  with per-temperature significance, melt check, Arrhenius fit and verdict)
- :mod:`superionic.md.vasp`: AIMD input files for VASP users
"""

from superionic.md.prepare import prepare_structure
from superionic.md.protocol import (
    DEFAULT_TEMPERATURES_K,
    MDParams,
    MDRunResult,
    RelaxParams,
    run_md,
    run_temperatures,
)

__all__ = ["DEFAULT_TEMPERATURES_K", "MDParams", "MDRunResult", "RelaxParams",
           "prepare_structure", "run_md", "run_temperatures"]
