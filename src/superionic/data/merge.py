"""The merged label table: measured ionic conductivities de-duplicated by reduced composition.

Sources: OBELiX, Liverpool (rows measured at 15-35 C, i.e. room temperature), Laskowski, Kang
2023 and IonNet's 300 K subset. Rule, per reduced formula (pymatgen ``reduced_formula``):

* the consensus ``log10_sigma_S_cm`` is the median of log10(sigma) over the uncensored values;
* a composition with only censored values keeps ``censor="upper"`` and the smallest bound (the
  tightest statement that all reports agree with);
* ``Ea_eV`` is the median of the Laskowski activation energies of that composition;
* ``sources`` lists every contributing row (set, file, row, DOI) as JSON; ``family`` the most
  common family label; ``temperature_K`` the median measurement temperature.

Rows of the other mobile ions (Na in Kang 2023) are kept out unless ``mobile_ion`` names them.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from superionic.config import default_data_dir
from superionic.data import ionnet, kang2023, laskowski, liverpool, obelix
from superionic.data.base import contains
from superionic.records import Measurement

#: Liverpool rows within this range (K) count as room temperature.
ROOM_TEMPERATURE_K = (288.15, 308.15)


def conductivity_records(data_dir: Path, mobile_ion: str = "Li") -> list[Measurement]:
    """Room-temperature sigma and Ea measurements containing ``mobile_ion`` from every set."""
    records: list[Measurement] = []
    for loader in (obelix.load, liverpool.load, laskowski.load, kang2023.load, ionnet.load):
        for rec in loader(data_dir).records:
            if not isinstance(rec, Measurement) or not contains(rec.reduced_formula, mobile_ion):
                continue
            if rec.quantity == "sigma_S_cm" and rec.temperature_K is not None and not (
                    ROOM_TEMPERATURE_K[0] <= rec.temperature_K <= ROOM_TEMPERATURE_K[1]):
                continue
            records.append(rec)
    return records


def merge_records(records: list[Measurement]) -> pd.DataFrame:
    """Apply the merge rule of this module to ``records``."""
    groups: dict[str, list[Measurement]] = defaultdict(list)
    for rec in records:
        groups[rec.reduced_formula].append(rec)
    rows = []
    for formula, recs in sorted(groups.items()):
        sig = [r for r in recs if r.quantity == "sigma_S_cm"]
        if not sig:
            continue
        free = [math.log10(r.value) for r in sig if r.censor is None]
        if free:
            value, censor = float(np.median(free)), None
        else:
            value, censor = math.log10(min(r.value for r in sig)), "upper"
        ea = [r.value for r in recs if r.quantity == "Ea_eV"]
        families = Counter(r.family for r in sig if r.family)
        temps = [r.temperature_K for r in sig if r.temperature_K is not None]
        rows.append({
            "reduced_formula": formula,
            "log10_sigma_S_cm": value,
            "censor": censor,
            "n_sources": len(sig),
            "n_datasets": len({r.provenance.dataset for r in sig if r.provenance}),
            "sources": json.dumps([dict(r.provenance.to_dict(), quantity=r.quantity, value=r.value,
                                        censor=r.censor) for r in recs if r.provenance]),
            "Ea_eV": float(np.median(ea)) if ea else None,
            "family": families.most_common(1)[0][0] if families else None,
            "temperature_K": float(np.median(temps)) if temps else None,
        })
    return pd.DataFrame(rows)


def merged_conductivity_labels(data_dir: str | Path | None = None,
                               mobile_ion: str = "Li") -> pd.DataFrame:
    """The merged, de-duplicated RT conductivity table (see the module docstring)."""
    path = Path(data_dir) if data_dir is not None else default_data_dir()
    return merge_records(conductivity_records(path, mobile_ion))
