"""The pool of an active-learning campaign: ids, feature matrix, known labels, seed split.

* :func:`pool_matrix`: composition features (Magpie + Eng_max/Eng_min, from
  :func:`superionic.features.featurize`) of a list of formulas, one row per id;
* :func:`seed_split`: the labelled seed of a retrospective run (a fraction of the known set,
  seeded) and the labels held back for the oracle;
* :func:`labels_from_table`: id -> log10(sigma / S cm^-1) from a merged-labels DataFrame
  (``reduced_formula``, ``log10_sigma_S_cm``; the interface of
  ``superionic.data.merge.merged_conductivity_labels``).

Only composition features are used: the experimental training labels come without structures,
and the surrogate must see the same columns for training rows and candidates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from superionic.records import Rejection


@dataclass
class Pool:
    """Candidates and labelled compounds together: ``X[i]`` are the features of ``ids[i]``."""

    ids: list[str]
    formulas: list[str]
    X: np.ndarray
    feature_names: list[str]
    rejected: list[Rejection] = field(default_factory=list)


def pool_matrix(ids: Sequence[str], formulas: Sequence[str], mobile_ion: str = "Li",
                source: str = "pool") -> Pool:
    """Featurise ``formulas`` (one per id); rows that cannot be featurised are rejected."""
    from superionic.features import featurize

    if len(ids) != len(formulas):
        raise ValueError(f"{len(ids)} ids for {len(formulas)} formulas")
    if len(set(ids)) != len(ids):
        dup = pd.Series(list(ids))[pd.Series(list(ids)).duplicated()].tolist()
        raise ValueError(f"duplicate pool ids: {dup[:5]}")
    frame, rejections = featurize(list(formulas), mobile_ion=mobile_ion, source=source)
    rows = [int(r) - 1 for r in frame.index]  # featurize numbers rows from 1
    names = [c for c in frame.columns if c not in ("formula", "temperature_K")]
    X = frame[names].to_numpy(dtype=float)
    rejected = [Rejection(r.file, r.row, f"{ids[r.row - 1]}: {r.reason}" if r.row else r.reason)
                for r in rejections]
    return Pool(ids=[ids[i] for i in rows], formulas=[formulas[i] for i in rows], X=X,
                feature_names=names, rejected=rejected)


def seed_split(labels: Mapping[str, float], fraction: float, seed: int,
               avoid: Sequence[str] = ()) -> tuple[dict[str, float], dict[str, float]]:
    """(seed labels, held-back labels): ``fraction`` of ``labels`` drawn at random (``seed``),
    at least two, never from ``avoid`` (e.g. the top compounds a benchmark must find)."""
    if not 0 < fraction < 1:
        raise ValueError(f"seed fraction must be in (0, 1), got {fraction}")
    ids = sorted(labels)
    banned = set(avoid)
    eligible = [i for i in ids if i not in banned]
    n = max(2, int(round(fraction * len(ids))))
    if n > len(eligible):
        raise ValueError(f"cannot draw {n} seed labels from {len(eligible)} eligible compounds")
    rng = np.random.default_rng(seed)
    chosen = set(rng.choice(eligible, size=n, replace=False).tolist())
    return ({i: float(labels[i]) for i in ids if i in chosen},
            {i: float(labels[i]) for i in ids if i not in chosen})


def is_censored(value: object) -> bool:
    """Whether a ``censor`` cell marks a bound ("upper"/"lower") rather than a value."""
    return not (value is None or (isinstance(value, float) and np.isnan(value))
                or str(value).strip().lower() in ("", "none", "nan"))


def labels_from_table(table: pd.DataFrame, id_column: str = "reduced_formula",
                      label_column: str = "log10_sigma_S_cm",
                      censor_column: str = "censor") -> dict[str, float]:
    """id -> label of a merged-labels table.

    Rows with a missing label are dropped, and so are censored rows (``censor`` "upper" or
    "lower"): a bound such as "< 1e-10 S/cm" is not a value to train on or to rank by.
    """
    for col in (id_column, label_column):
        if col not in table.columns:
            raise ValueError(f"labels table has no column {col!r}; columns: {list(table.columns)}")
    if censor_column in table.columns:
        table = table[~table[censor_column].map(is_censored)]
    ok = table[[id_column, label_column]].dropna()
    out: dict[str, float] = {}
    for cid, value in zip(ok[id_column].astype(str), ok[label_column].astype(float), strict=True):
        out.setdefault(cid, float(value))
    return out


def top_threshold(labels: Mapping[str, float], fraction: float = 0.01) -> float:
    """The label of the ``ceil(fraction * n)``-th best compound: "top 1 %" means >= this."""
    values = np.sort(np.fromiter(labels.values(), dtype=float))[::-1]
    k = max(1, int(np.ceil(fraction * values.size)))
    return float(values[k - 1])
