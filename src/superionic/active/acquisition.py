"""Acquisition functions and diverse batch selection (all maximise the target, e.g. log10 sigma).

* ``greedy``: the predicted mean (pure exploitation).
* ``uncertainty``: the predictive standard deviation (pure exploration).
* ``ucb``: mean + kappa * std (Srinivas et al., ICML 2010).
* ``ei``: expected improvement over the best label so far, with exploration margin ``xi``
  (Jones, Schonlau & Welch, J. Global Optim. 13, 455 (1998)).
* ``random``: uniform random values (the baseline every loop is measured against).

A batch is made diverse by clustering the best ``oversample * k`` candidates in standardised
feature space into ``k`` clusters (k-means, seeded) and taking the best candidate of each cluster,
so a batch is not ten polymorphs of one compound.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm
from sklearn.cluster import KMeans

ACQUISITIONS = ("greedy", "uncertainty", "ucb", "ei", "random")


def acquisition_values(mean: np.ndarray, std: np.ndarray, kind: str, best: float | None = None,
                       kappa: float = 2.0, xi: float = 0.01,
                       rng: np.random.Generator | None = None) -> np.ndarray:
    """Acquisition value per candidate (larger is better)."""
    mean = np.asarray(mean, dtype=float)
    std = np.maximum(np.asarray(std, dtype=float), 1e-12)
    if kind == "greedy":
        return mean.copy()
    if kind == "uncertainty":
        return std.copy()
    if kind == "ucb":
        return mean + kappa * std
    if kind == "ei":
        if best is None:
            raise ValueError("expected improvement needs the best label so far")
        z = (mean - best - xi) / std
        return (mean - best - xi) * norm.cdf(z) + std * norm.pdf(z)
    if kind == "random":
        return (rng or np.random.default_rng(0)).random(mean.shape[0])
    raise ValueError(f"unknown acquisition {kind!r}; choose from {ACQUISITIONS}")


def select_batch(values: np.ndarray, k: int, features: np.ndarray | None = None,
                 oversample: int = 5, seed: int = 0) -> np.ndarray:
    """Indices of a batch of ``k`` candidates: best by ``values``, diverse when ``features``.

    Without features (or ``oversample <= 1``) this is the top-k by value.
    """
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    if k <= 0:
        raise ValueError(f"batch size must be positive, got {k}")
    order = np.argsort(-values, kind="stable")
    if k >= n:
        return order
    if features is None or oversample <= 1:
        return order[:k]
    shortlist = order[: min(n, oversample * k)]
    x = np.asarray(features, dtype=float)[shortlist]
    x = np.nan_to_num((x - np.nanmean(x, axis=0)) / (np.nanstd(x, axis=0) + 1e-12))
    labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(x)
    chosen = []
    for cluster in range(k):
        members = shortlist[labels == cluster]
        if members.size:
            chosen.append(members[np.argmax(values[members])])
    # fill up (k-means can leave a cluster empty with duplicate points)
    for idx in shortlist:
        if len(chosen) >= k:
            break
        if idx not in chosen:
            chosen.append(idx)
    chosen = np.array(chosen)
    return chosen[np.argsort(-values[chosen], kind="stable")]
