"""Wang et al., Adv. Funct. Mater. 2024, 2406146: electrochemical stability windows of ~1500
compounds: reduction and oxidation potential (``reduction_V`` / ``oxidation_V``, V vs the metal of
the compound's working ion, e.g. V vs Li/Li+ for Li compounds).

The file has no working-ion column. A row's ion is the first of :data:`WORKING_IONS` it contains:
monovalent before divalent before trivalent (Li, Na, K, Mg, Ca, Zn, Al), the ion that moves. This
reproduces the per-ion counts of the set's SOURCE.md (Li 712, Na 386, K 86, Mg 68, Ca 113, Zn 3,
Al 134). Records carry it in the provenance note (``ion=Li``); :func:`for_ion` filters by it.
Some values differ from the usual grand-potential windows (LiI, LiF oxidation): an external label
set, not ground truth for the project's own ESW code.
"""

from __future__ import annotations

from pathlib import Path

from superionic.data.base import (
    LoadResult,
    elements_of,
    optional_float,
    parse_rows,
    reduced_formula,
)
from superionic.records import Measurement, Provenance

NAME = "esw_wang2024"
FILE = "ESW_training_dataset.csv"
VERSION = "liyanant/multi_prop_pred_halide_SEs@2b54a52b3b655b4e3c86852ba34413be34eb4a7d"
#: Candidate working ions in order of precedence (lowest valence first).
WORKING_IONS = ("Li", "Na", "K", "Mg", "Ca", "Zn", "Al")


def working_ion(formula: str) -> str | None:
    """The working ion of ``formula``: the first of :data:`WORKING_IONS` it contains."""
    els = elements_of(formula)
    return next((ion for ion in WORKING_IONS if ion in els), None)


def load(data_dir: Path) -> LoadResult:
    """Two Measurements per row (reduction_V, oxidation_V), provenance note ``ion=..;ICSD=..``."""
    path = data_dir / NAME / FILE

    def row_records(n: int, row: dict[str, str]) -> list[Measurement]:
        formula = row["formula"].strip()
        red = reduced_formula(formula)
        red_V, ox_V = optional_float(row["ESW_Red (V)"]), optional_float(row["ESW_Oxi (V)"])
        if red_V is None or ox_V is None:
            raise ValueError(f"{formula}: missing reduction or oxidation potential")
        if red_V > ox_V:
            raise ValueError(f"{formula}: reduction {red_V} V above oxidation {ox_V} V")
        prov = Provenance(NAME, file=path.name, row=n, version=VERSION,
                          note=f"ion={working_ion(formula)};ICSD={row['ICSD_id'].strip()}")
        return [Measurement(formula, red, "reduction_V", red_V, provenance=prov),
                Measurement(formula, red, "oxidation_V", ox_V, provenance=prov)]

    return parse_rows(LoadResult(NAME), path, row_records)


def for_ion(result: LoadResult, mobile_ion: str) -> list[Measurement]:
    """The records whose working ion is ``mobile_ion`` (potentials vs that metal)."""
    tag = f"ion={mobile_ion};"
    return [r for r in result.records if isinstance(r, Measurement) and r.provenance
            and (r.provenance.note or "").startswith(tag)]
