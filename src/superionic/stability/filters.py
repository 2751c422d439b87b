"""Thermodynamic and electronic pre-filters of the screening funnel.

A material passes when its energy above the convex hull is at most
``Thresholds.e_above_hull_max_eV_per_atom`` (0.03 eV/atom by default: synthesisable metastable
phases, Sun et al. Sci. Adv. 2, e1600225 (2016)) and its (PBE) band gap is at least
``Thresholds.band_gap_min_eV`` (1.5 eV: an electronic insulator). The bounds are inclusive, as
the field names ``..._max`` / ``..._min`` say. Missing or NaN values fail with their own reason so
the funnel can tell "unstable" from "not computed".

Reason codes (stable strings, used by the screen and the store):
``"e_hull>0.03"``, ``"gap<1.5"`` (the threshold printed with ``%g``), ``"missing e_hull"``,
``"missing gap"``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from superionic.config import Thresholds
from superionic.records import Material

MISSING_E_HULL = "missing e_hull"
MISSING_GAP = "missing gap"


def e_hull_code(thresholds: Thresholds) -> str:
    """Reason code for an energy above hull over the threshold, e.g. ``"e_hull>0.03"``."""
    return f"e_hull>{thresholds.e_above_hull_max_eV_per_atom:g}"


def gap_code(thresholds: Thresholds) -> str:
    """Reason code for a band gap under the threshold, e.g. ``"gap<1.5"``."""
    return f"gap<{thresholds.band_gap_min_eV:g}"


@dataclass(frozen=True)
class FilterResult:
    """Materials kept and, for each dropped one, every reason it failed (in check order)."""

    kept: list[Material] = field(default_factory=list)
    dropped: list[tuple[Material, tuple[str, ...]]] = field(default_factory=list)

    @property
    def reason_counts(self) -> dict[str, int]:
        """How many dropped materials carry each reason code."""
        counts: dict[str, int] = {}
        for _, reasons in self.dropped:
            for r in reasons:
                counts[r] = counts.get(r, 0) + 1
        return counts


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def stability_reasons(material: Material, thresholds: Thresholds = Thresholds(),
                      check_e_hull: bool = True, check_gap: bool = True) -> tuple[str, ...]:
    """Why ``material`` fails the funnel's hull / gap filters; empty when it passes."""
    reasons: list[str] = []
    if check_e_hull:
        e = material.e_above_hull_eV_per_atom
        if _missing(e):
            reasons.append(MISSING_E_HULL)
        elif e > thresholds.e_above_hull_max_eV_per_atom:
            reasons.append(e_hull_code(thresholds))
    if check_gap:
        g = material.band_gap_eV
        if _missing(g):
            reasons.append(MISSING_GAP)
        elif g < thresholds.band_gap_min_eV:
            reasons.append(gap_code(thresholds))
    return tuple(reasons)


def filter_materials(materials: Iterable[Material], thresholds: Thresholds = Thresholds(),
                     check_e_hull: bool = True, check_gap: bool = True) -> FilterResult:
    """Split ``materials`` into those that pass the e_hull (eV/atom) and gap (eV) filters and
    those that do not, with reason codes. Input order is kept on both sides."""
    result = FilterResult()
    for m in materials:
        reasons = stability_reasons(m, thresholds, check_e_hull, check_gap)
        if reasons:
            result.dropped.append((m, reasons))
        else:
            result.kept.append(m)
    return result


def filter_frame(df: pd.DataFrame, thresholds: Thresholds = Thresholds(),
                 e_hull_col: str = "e_above_hull_eV_per_atom", gap_col: str | None = "band_gap_eV",
                 ) -> pd.Series:
    """Vectorised reasons for a table of 10^4-10^5 rows: a Series of ``"; "``-joined reason codes
    ('' where the row passes). ``gap_col=None`` skips the gap filter."""
    cols: Sequence[tuple[str, str, float, bool]] = [
        (e_hull_col, e_hull_code(thresholds), thresholds.e_above_hull_max_eV_per_atom, True),
    ]
    if gap_col is not None:
        cols = [*cols, (gap_col, gap_code(thresholds), thresholds.band_gap_min_eV, False)]
    parts = []
    for col, code, thr, is_max in cols:
        values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        missing = np.isnan(values)
        fail = ~missing & ((values > thr) if is_max else (values < thr))
        name = MISSING_E_HULL if col == e_hull_col else MISSING_GAP
        parts.append(np.where(missing, name, np.where(fail, code, "")))
    joined = ["; ".join(p for p in row if p) for row in zip(*parts, strict=True)]
    return pd.Series(joined, index=df.index, name="stability_reasons")
