"""Ranking of the funnel's survivors: conductivity first (default), weighted sum or Pareto.

``RankingMode.P_FAST`` (default, "find a fast conductor"): the funnel's criteria (e_hull, band
gap, window) are constraints: a compound passes or leaves, and passing by a wide margin earns
nothing (a 6 V window is no better than the 0-5 V a cell uses). Survivors are ordered by

    p_fast = P(sigma(300 K) >= threshold)       (threshold 1e-4 S/cm by default)

from a pluggable :class:`FastProbability` source. The default, :class:`IntervalProbability`,
reads the regression's predictive distribution: a normal in log10 sigma with the model's mean and
a standard deviation from its ``level`` interval (the half-width on the side of the threshold
over the normal quantile, so an asymmetric interval is respected). A calibrated classifier can be
plugged in instead (any object with ``name`` and ``__call__(table, threshold_S_cm) -> array``).

Ties are broken by the other objectives: candidates whose p_fast agrees to
:data:`P_FAST_DECIMALS` decimals are ordered by: clear of every constraint margin
(:class:`Margins`) first, then the lower BVSE barrier (compounds with a structure), the lower
predicted Ea, the higher unrounded p_fast. The ``score`` of a candidate is its rounded p_fast, so
scores never increase down the ranking.

``RankingMode.WEIGHTED``: the seed paper's composite score (:func:`superionic.screen.score.
composite_score`); ``RankingMode.PARETO``: non-dominated sorting rank first, composite score
inside a front. Every ranked compound carries ``reasons``: short English sentences saying why it
sits where it does (:func:`explain`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np
import pandas as pd
from scipy.special import ndtri

from superionic.config import Thresholds

#: Conductivity (S/cm, 300 K) a "fast" conductor reaches.
FAST_THRESHOLD_S_CM = 1e-4
#: Precision of p_fast in the ranking: candidates whose p_fast rounds to the same value (two
#: decimals, as printed) are ordered by the other objectives; ``score`` is this rounded value.
P_FAST_DECIMALS = 2


class RankingMode(StrEnum):
    """How the funnel's survivors are ordered."""

    P_FAST = "p_fast"
    WEIGHTED = "weighted"
    PARETO = "pareto"


class FastProbability(Protocol):
    """A source of p_fast: ``name`` and ``(table, threshold_S_cm) -> probabilities``."""

    name: str

    def __call__(self, table: pd.DataFrame, threshold_S_cm: float) -> np.ndarray: ...


@dataclass(frozen=True)
class IntervalProbability:
    """p_fast from the regression's mean and ``level`` interval (log10 S/cm), read as a normal."""

    level: float = 0.9
    name: str = "regression predictive distribution (normal from the CV+ interval)"

    def __call__(self, table: pd.DataFrame, threshold_S_cm: float) -> np.ndarray:
        def col(c: str) -> np.ndarray:
            return pd.to_numeric(table[c], errors="coerce").to_numpy(float) if c in table \
                else np.full(len(table), np.nan)

        mean, low, high = col("log10_sigma_mean"), col("log10_sigma_low"), col("log10_sigma_high")
        z = float(ndtri(0.5 + self.level / 2.0))
        t = math.log10(threshold_S_cm)
        half = np.where(t >= mean, high - mean, mean - low)
        sd = np.maximum(half / z, 1e-6)
        from scipy.special import ndtr

        p = ndtr((mean - t) / sd)
        return np.where(np.isfinite(p), p, np.nan)


@dataclass(frozen=True)
class Margins:
    """How far inside a constraint a candidate must be to count as clear of it (e_hull eV/atom,
    gap eV, window width V)."""

    e_hull_eV_per_atom: float = 0.01
    band_gap_eV: float = 0.5
    esw_width_V: float = 0.2


def _col(table: pd.DataFrame, name: str) -> np.ndarray:
    return pd.to_numeric(table[name], errors="coerce").to_numpy(float) if name in table \
        else np.full(len(table), np.nan)


def margin_notes(table: pd.DataFrame, thresholds: Thresholds, margins: Margins
                 ) -> list[list[str]]:
    """Per row, the constraints passed only narrowly ("near limit: ...")."""
    e, g, w = _col(table, "e_above_hull_eV_per_atom"), _col(table, "band_gap_eV"), \
        _col(table, "esw_width_V")
    out: list[list[str]] = []
    for ei, gi, wi in zip(e, g, w, strict=True):
        notes = []
        if np.isfinite(ei) and ei > thresholds.e_above_hull_max_eV_per_atom - \
                margins.e_hull_eV_per_atom:
            notes.append(f"near limit: e_hull {ei:.3f} eV/atom "
                         f"(max {thresholds.e_above_hull_max_eV_per_atom:g})")
        if np.isfinite(gi) and gi < thresholds.band_gap_min_eV + margins.band_gap_eV:
            notes.append(f"near limit: band gap {gi:.2f} eV (min {thresholds.band_gap_min_eV:g})")
        if np.isfinite(wi) and wi < thresholds.esw_width_min_V + margins.esw_width_V:
            notes.append(f"near limit: window {wi:.2f} V (min {thresholds.esw_width_min_V:g})")
        out.append(notes)
    return out


def p_fast_order(table: pd.DataFrame, p_fast: np.ndarray, near: list[list[str]]) -> np.ndarray:
    """Row order (indices into ``table``) of the p_fast ranking (module docstring)."""
    bins = rounded_p_fast(p_fast)
    bvse = _col(table, "bvse_barrier_eV")
    ea = _col(table, "Ea_eV")
    keys = (-np.nan_to_num(p_fast, nan=-1.0),  # last key of lexsort = primary
            np.nan_to_num(ea, nan=np.inf),
            np.nan_to_num(bvse, nan=np.inf),
            np.array([len(n) > 0 for n in near]),
            -np.nan_to_num(bins, nan=-1.0))
    return np.lexsort(keys)


def rounded_p_fast(p_fast: np.ndarray) -> np.ndarray:
    """p_fast at the ranking's precision (:data:`P_FAST_DECIMALS`)."""
    return np.round(np.asarray(p_fast, dtype=float), P_FAST_DECIMALS)


def _fmt_sigma(log10: float) -> str:
    return f"{10.0 ** log10:.1e} S/cm" if np.isfinite(log10) else "n/a"


def explain(row: pd.Series, mode: RankingMode, threshold_S_cm: float,
            thresholds: Thresholds, near: list[str]) -> list[str]:
    """Short English reasons for a ranked candidate's place."""
    out: list[str] = []
    m, lo, hi = (row.get(c, np.nan) for c in ("log10_sigma_mean", "log10_sigma_low",
                                               "log10_sigma_high"))
    p = row.get("p_fast", np.nan)
    if np.isfinite(p):
        out.append(f"P(sigma300 >= {threshold_S_cm:g} S/cm) = {p:.2f}")
    if np.isfinite(m):
        verdict = "above" if m >= math.log10(threshold_S_cm) else "below"
        out.append(f"predicted sigma300 {_fmt_sigma(m)}, {verdict} the fast threshold (90 % "
                   f"interval {_fmt_sigma(lo)} to {_fmt_sigma(hi)})")
    out.append(f"passes the funnel: e_hull <= {thresholds.e_above_hull_max_eV_per_atom:g} "
               f"eV/atom, gap >= {thresholds.band_gap_min_eV:g} eV, window checked")
    out.extend(near)
    b = row.get("bvse_barrier_eV", np.nan)
    if b is not None and np.isfinite(b):
        out.append(f"BVSE barrier {b:.2f} eV ({int(row.get('bvse_dim'))}D network)")
    elif isinstance(row.get("structure_source"), str):
        out.append("structure known but no BVSE barrier")
    ea = row.get("Ea_eV", np.nan)
    if ea is not None and np.isfinite(ea):
        out.append(f"predicted Ea {ea:.2f} eV")
    if mode is RankingMode.WEIGHTED:
        out.append(f"weighted score {row.get('score', np.nan):.3f}")
    elif mode is RankingMode.PARETO:
        out.append(f"Pareto front {int(row.get('pareto_rank', 0))}")
    imputed = row.get("imputed")
    if isinstance(imputed, str) and imputed:
        out.append(f"term missing, pool median used: {imputed.replace(';', ', ')}")
    return [r.replace(";", ",") for r in out]  # "; " separates reasons in the table column
