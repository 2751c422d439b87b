"""Composite score and Pareto ranks of screened candidates.

The seed paper ranks candidates by S = w1*sigma + w2*ESW - w3*Ea - w4*sigma_e. Raw terms have
different units and spans, so each term is first normalised over the pool:

* ionic conductivity enters as log10(sigma / S cm^-1), electronic conductivity as
  log10(sigma_e / S cm^-1) (both span orders of magnitude);
* every term is then scaled to [0, 1] by min-max over the pool (``method="minmax"``) or to zero
  mean and unit variance (``method="zscore"``);
* a term saturates where a better value has no practical use (:data:`SATURATION`): an
  electronic conductivity below 1e-10 S/cm (below what DC polarisation resolves, and far below
  the ~1e-8 S/cm at which self-discharge matters) counts as 1e-10, and a window wider than 5 V
  counts as 5 V (0-5 V vs Li/Li+ spans every anode and cathode in use). Without this, the
  band-gap estimate of sigma_e (1e-70 S/cm for a fluoride) and the window would reward wide-gap
  insulators twice for a difference no cell can feel;
* a missing term is replaced by the pool median of that term (so it neither helps nor hurts) and
  the candidate carries the reason code ``imputed:<term>``;
* a term with no model at all for the mobile ion (``skip``, e.g. Ea of a Na screen: no Na
  activation-energy labels exist) is left out of S and of the Pareto objectives: its
  ``term_<name>`` is NaN and no candidate is marked imputed for it.

The score is therefore relative to the pool it was computed on. References: seed paper (see
../shared/reference/seed_paper.txt), Deb et al. IEEE TEC 6, 182 (2002) for non-dominated sorting.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from superionic.config import ScoreWeights

#: Score terms: column in the candidate table, sign in S, and whether it is log10-transformed.
TERMS: dict[str, tuple[str, float, bool]] = {
    "sigma": ("sigma_S_cm", +1.0, True),
    "esw": ("esw_width_V", +1.0, False),
    "ea": ("Ea_eV", -1.0, False),
    "sigma_e": ("sigma_e_S_cm", -1.0, True),
}


#: Practical bounds of a term before normalisation (in the term's units: V for esw, log10(S/cm)
#: for sigma_e); values beyond them are clipped (module docstring).
SATURATION: dict[str, tuple[float | None, float | None]] = {
    "esw": (None, 5.0),
    "sigma_e": (-10.0, None),
}


#: The composite score's weights: one class, :class:`superionic.config.ScoreWeights`
#: (``Weights`` is its name inside the screen package).
Weights = ScoreWeights


def _normalise(values: np.ndarray, method: str) -> np.ndarray:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.zeros_like(values)
    if method == "minmax":
        lo, hi = finite.min(), finite.max()
        return (values - lo) / (hi - lo) if hi > lo else np.zeros_like(values)
    if method == "zscore":
        sd = finite.std()
        return (values - finite.mean()) / sd if sd > 0 else np.zeros_like(values)
    raise ValueError(f"unknown normalisation {method!r} (minmax or zscore)")


def composite_score(table: pd.DataFrame, weights: ScoreWeights = ScoreWeights(),
                    method: str = "minmax", skip: Collection[str] = ()) -> pd.DataFrame:
    """Add ``score``, one ``term_<name>`` column per normalised term and ``imputed`` codes.

    ``table`` needs the columns named in :data:`TERMS` (a missing column counts as all-missing);
    terms named in ``skip`` (keys of :data:`TERMS`) are left out (module docstring).
    """
    unknown = set(skip) - set(TERMS)
    if unknown:
        raise ValueError(f"unknown score terms {sorted(unknown)}; terms: {', '.join(TERMS)}")
    out = table.copy()
    score = np.zeros(len(out))
    imputed: list[list[str]] = [[] for _ in range(len(out))]
    for name, (column, sign, log) in TERMS.items():
        if name in skip:
            out[f"term_{name}"] = np.nan
            continue
        raw = pd.to_numeric(out[column], errors="coerce").to_numpy(float) if column in out else \
            np.full(len(out), np.nan)
        if log:
            with np.errstate(divide="ignore", invalid="ignore"):
                raw = np.where(raw > 0, np.log10(raw), np.nan)
        lo, hi = SATURATION.get(name, (None, None))
        raw = np.clip(raw, lo, hi) if lo is not None or hi is not None else raw
        term = _normalise(raw, method)
        missing = ~np.isfinite(term)
        if missing.any():
            fill = np.nanmedian(term) if (~missing).any() else 0.0
            term = np.where(missing, fill, term)
            for i in np.flatnonzero(missing):
                imputed[i].append(f"imputed:{name}")
        out[f"term_{name}"] = term
        score += sign * getattr(weights, name) * term
    out["score"] = score
    out["imputed"] = [";".join(codes) for codes in imputed]
    return out


def _dominates(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``out[i, j]``: row a[i] dominates row b[j] (>= everywhere, > somewhere; maximising)."""
    ge = np.all(a[:, None, :] >= b[None, :, :], axis=2)
    gt = np.any(a[:, None, :] > b[None, :, :], axis=2)
    return ge & gt


def pareto_ranks(objectives: np.ndarray, block: int = 512) -> np.ndarray:
    """Non-dominated sorting ranks (1 = Pareto front) for objectives to MAXIMISE (n x k).

    Deb et al.'s fast non-dominated sort: count the points dominating each point once, then
    peel fronts, decrementing the counts of the points each front dominates; O(k n^2) time and
    O(block n) memory. A row with any NaN objective gets rank 0 (not ranked).
    """
    obj = np.asarray(objectives, dtype=float)
    n = len(obj)
    ranks = np.zeros(n, dtype=int)
    valid = np.flatnonzero(np.all(np.isfinite(obj), axis=1))
    sub = obj[valid]
    m = len(valid)
    counts = np.zeros(m, dtype=np.int64)  # how many points dominate each point
    for start in range(0, m, block):
        counts += _dominates(sub[start:start + block], sub).sum(axis=0)
    remaining = np.ones(m, dtype=bool)
    rank = 1
    while remaining.any():
        front = np.flatnonzero(remaining & (counts == 0))
        ranks[valid[front]] = rank
        remaining[front] = False
        for start in range(0, len(front), block):
            counts -= _dominates(sub[front[start:start + block]], sub).sum(axis=0)
        rank += 1
    return ranks


def pareto_objectives(table: pd.DataFrame, skip: Collection[str] = ()) -> np.ndarray:
    """The default Pareto objectives (maximised): log10 sigma, ESW width, -Ea; terms named in
    ``skip`` (``"sigma"``, ``"esw"``, ``"ea"``) are left out."""
    def col(name: str) -> np.ndarray:
        return pd.to_numeric(table[name], errors="coerce").to_numpy(float) if name in table else \
            np.full(len(table), np.nan)

    with np.errstate(divide="ignore", invalid="ignore"):
        log_sigma = np.where(col("sigma_S_cm") > 0, np.log10(col("sigma_S_cm")), np.nan)
    objectives = {"sigma": log_sigma, "esw": col("esw_width_V"), "ea": -col("Ea_eV")}
    return np.column_stack([v for k, v in objectives.items() if k not in skip])
