"""The merged label table: measured room-temperature ionic conductivities, one row per composition.

Sources: OBELiX, Liverpool (rows measured at 15-35 C), Laskowski, Kang 2023 and IonNet's 300 K
subset, restricted to rows whose *conducting* ion is the mobile ion: OBELiX, Liverpool, Laskowski and
IonNet tabulate Li-ion conductors only (:data:`LI_ION_DATASETS`), so a Na-containing row there
(Li0.375Na0.125La0.5TiO3) is a Li conductor and never a Na label; a Kang 2023 row (Li and Na
conductors) conducts its working ion, the first of Li, Na, K it contains
(:func:`superionic.data.esw_wang2024.working_ion`). The rule:

1. **Key.** Rows are grouped by :func:`~superionic.data.base.composition_key`: pymatgen's
   ``reduced_formula`` after rounding every amount to 6 decimals and scaling to whole numbers, so
   ``Li1.5P0.5S2`` and ``Li3PS4`` are one composition. The ``reduced_formula`` column shows one
   pymatgen reduced formula of the group (a whole-number one when there is one, else the most
   frequent); ``formulas`` lists them all.
2. **Reports.** OBELiX re-tabulates Laskowski and Liverpool rows and IonNet's subset copies
   Liverpool, so one measurement can appear in several sets. Within a composition, two rows with
   the same censoring are one *report* when they share a DOI and their log10(sigma) agree within
   :data:`SAME_REPORT_LOG10_DOI` (transcription rounding), or when one lacks a DOI and they agree
   within :data:`SAME_REPORT_LOG10` (a copied value); rows with disjoint DOIs never are. Every row stays in ``sources``; ``n_sources`` counts
   rows, ``n_reports`` independent reports.
3. **Consensus.** ``log10_sigma_S_cm`` is the median over reports of the uncensored report values
   (a report's value is the median of its rows). A composition with only censored reports stays
   censored: ``censor="upper"`` and the smallest bound (the tightest one all reports allow), or
   ``"lower"`` and the largest bound. Censored rows never shift an uncensored consensus.
4. ``Ea_eV``: median of the Laskowski activation energies of the composition (NaN if none);
   ``family``: the most common family label; ``temperature_K``: median temperature of the rows;
   ``log10_sigma_spread``: max - min of the uncensored report values (0 for one report).
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
from pymatgen.core import Composition

from superionic.config import MOBILE_IONS, default_data_dir
from superionic.data import ionnet, kang2023, laskowski, liverpool, obelix
from superionic.data.base import composition_key, contains
from superionic.records import Measurement

#: Temperatures (K) counted as room temperature (15-35 C) for sets that give a temperature.
ROOM_TEMPERATURE_K = (288.15, 308.15)
#: |delta log10 sigma| at or below which two rows of one composition, one without a DOI, are one
#: report (a value copied between sets).
SAME_REPORT_LOG10 = 0.01
#: The same for two rows that share a DOI (values re-typed from one paper, e.g. 1.6e-4 / 1.58e-4).
SAME_REPORT_LOG10_DOI = 0.05
#: The label table's columns, in order.
COLUMNS = ["reduced_formula", "composition_key", "log10_sigma_S_cm", "censor", "n_sources",
           "n_reports", "n_censored", "n_datasets", "datasets", "log10_sigma_spread", "Ea_eV",
           "n_Ea", "family", "temperature_K", "formulas", "sources"]

LOADERS = (obelix.load, liverpool.load, laskowski.load, kang2023.load,
           ionnet.load_room_temperature)
#: Data sets of Li-ion conductivities only: their rows are labels of mobile ion Li alone.
LI_ION_DATASETS = frozenset({obelix.NAME, liverpool.NAME, laskowski.NAME, ionnet.NAME})


def conducting_ion(rec: Measurement) -> str | None:
    """The ion whose conductivity ``rec`` reports: Li for the Li-ion data sets, else the
    working ion of the composition (first of Li, Na, K ... it contains)."""
    from superionic.data.esw_wang2024 import working_ion

    dataset = rec.provenance.dataset if rec.provenance else None
    return "Li" if dataset in LI_ION_DATASETS else working_ion(rec.reduced_formula)


def conductivity_records(data_dir: Path, mobile_ion: str = "Li") -> list[Measurement]:
    """Room-temperature sigma and Ea measurements of compositions containing ``mobile_ion`` whose
    conducting ion (:func:`conducting_ion`) is ``mobile_ion``."""
    if mobile_ion not in MOBILE_IONS:
        raise ValueError(f"mobile_ion must be one of {MOBILE_IONS}, got {mobile_ion!r}")
    records: list[Measurement] = []
    for loader in LOADERS:
        for rec in loader(data_dir).records:
            if not isinstance(rec, Measurement) or not contains(rec.reduced_formula, mobile_ion) \
                    or conducting_ion(rec) != mobile_ion:
                continue
            if rec.quantity == "sigma_S_cm" and rec.temperature_K is not None and not (
                    ROOM_TEMPERATURE_K[0] <= rec.temperature_K <= ROOM_TEMPERATURE_K[1]):
                continue
            records.append(rec)
    return records


def _dois(rec: Measurement) -> set[str]:
    doi = rec.provenance.doi if rec.provenance else None
    return {d.strip().lower() for d in (doi or "").split("|") if d.strip()}


def group_reports(rows: list[Measurement], tol: float = SAME_REPORT_LOG10,
                  tol_doi: float = SAME_REPORT_LOG10_DOI) -> list[list[Measurement]]:
    """Partition the sigma rows of one composition into reports (module docstring, rule 2).

    Pairs are joined closest first, and only while the joined report's DOIs stay compatible, so
    a DOI-less copy never bridges two papers that report the same number.
    """
    logs = [math.log10(r.value) for r in rows]
    dois = [_dois(r) for r in rows]
    pairs = []
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            if rows[i].censor != rows[j].censor:
                continue
            delta = abs(logs[i] - logs[j])
            if dois[i] and dois[j]:
                if dois[i] & dois[j] and delta <= tol_doi:
                    pairs.append((delta, i, j))
            elif delta <= tol:
                pairs.append((delta, i, j))
    cluster = list(range(len(rows)))
    members = {i: [i] for i in range(len(rows))}
    cluster_dois = {i: set(d) for i, d in enumerate(dois)}
    for _, i, j in sorted(pairs):
        a, b = cluster[i], cluster[j]
        if a == b or (cluster_dois[a] and cluster_dois[b] and not cluster_dois[a] & cluster_dois[b]):
            continue
        for k in members[b]:
            cluster[k] = a
        members[a] += members.pop(b)
        cluster_dois[a] |= cluster_dois.pop(b)
    return [[rows[k] for k in sorted(ks)] for ks in members.values()]


def _display_formula(recs: list[Measurement]) -> str:
    counts = Counter(r.reduced_formula for r in recs)

    def rank(f: str) -> tuple:
        whole = all(float(a).is_integer() for a in Composition(f).values())
        return (not whole, -counts[f], len(f), f)

    return min(counts, key=rank)


def consensus(reports: list[list[Measurement]]) -> tuple[float, str | None, float]:
    """(log10 sigma, censor, spread) of a composition's reports (module docstring, rule 3)."""
    values = [(float(np.median([math.log10(r.value) for r in rep])), rep[0].censor)
              for rep in reports]
    free = [v for v, c in values if c is None]
    if free:
        return float(np.median(free)), None, float(max(free) - min(free))
    uppers = [v for v, c in values if c == "upper"]
    if uppers:
        return min(uppers), "upper", 0.0
    return max(v for v, _ in values), "lower", 0.0


def _source(rec: Measurement) -> dict:
    return dict(rec.provenance.to_dict() if rec.provenance else {}, quantity=rec.quantity,
                value=rec.value, censor=rec.censor, temperature_K=rec.temperature_K,
                formula=rec.formula)


def merge_records(records: list[Measurement]) -> pd.DataFrame:
    """Apply the merge rule of this module to ``records`` (one row per composition with sigma)."""
    groups: dict[str, list[Measurement]] = defaultdict(list)
    for rec in records:
        groups[composition_key(rec.formula)].append(rec)
    rows = []
    for key, recs in groups.items():
        sig = [r for r in recs if r.quantity == "sigma_S_cm"]
        if not sig:
            continue
        reports = group_reports(sig)
        value, censor, spread = consensus(reports)
        ea = [r.value for r in recs if r.quantity == "Ea_eV"]
        families = Counter(r.family for r in sig if r.family)
        temps = [r.temperature_K for r in sig if r.temperature_K is not None]
        datasets = sorted({r.provenance.dataset for r in sig if r.provenance})
        rows.append({
            "reduced_formula": _display_formula(sig),
            "composition_key": key,
            "log10_sigma_S_cm": value,
            "censor": censor,
            "n_sources": len(sig),
            "n_reports": len(reports),
            "n_censored": sum(r.censor is not None for r in sig),
            "n_datasets": len(datasets),
            "datasets": ",".join(datasets),
            "log10_sigma_spread": spread,
            "Ea_eV": float(np.median(ea)) if ea else float("nan"),
            "n_Ea": len(ea),
            "family": families.most_common(1)[0][0] if families else None,
            "temperature_K": float(np.median(temps)) if temps else float("nan"),
            "formulas": json.dumps(sorted({r.reduced_formula for r in recs})),
            "sources": json.dumps([_source(r) for r in recs]),
        })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values("reduced_formula", kind="stable").reset_index(drop=True)


def merged_conductivity_labels(data_dir: str | Path | None = None,
                               mobile_ion: str = "Li") -> pd.DataFrame:
    """The merged, de-duplicated RT conductivity label table (see the module docstring).

    Columns :data:`COLUMNS`; ``log10_sigma_S_cm`` is log10(sigma / S cm^-1), ``Ea_eV`` in eV,
    ``temperature_K`` in K, ``sources`` a JSON list of every contributing row's provenance.
    """
    path = Path(data_dir) if data_dir is not None else default_data_dir()
    return merge_records(conductivity_records(path, mobile_ion))
