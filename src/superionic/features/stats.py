"""Composition-weighted statistics of per-element values, vectorised over a batch.

The statistics are matminer's ``PropertyStats`` with the element amounts as weights:

- ``minimum``, ``maximum``, ``range`` = maximum - minimum (weights ignored);
- ``mean`` = sum_i w_i x_i / sum_i w_i;
- ``avg_dev`` = sum_i w_i |x_i - mean| / sum_i w_i (mean absolute deviation);
- ``mode`` = the value of the most abundant element; ties (``numpy.isclose`` on the amounts,
  rtol 1e-5, atol 1e-8) go to the minimum of the tied values.

NaN policy (same as matminer): a NaN value of any element makes ``minimum``, ``maximum``,
``range``, ``mean`` and ``avg_dev`` NaN; ``mode`` is NaN only when one of the tied most abundant
elements is NaN. Rows are bucketed by their number of elements so that every reduction runs
over exactly the elements present, in the formula's order, and sums follow numpy's own order
(:func:`numpy_sum`): the results equal matminer's ``np.average`` per composition bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from superionic.features.composition import CompositionArrays

STATS = ("minimum", "maximum", "range", "mean", "avg_dev", "mode")


def weighted_stats(
    values: np.ndarray, arrays: CompositionArrays, stats: Sequence[str] = STATS
) -> np.ndarray:
    """Statistics of ``values`` (n, k_max, p) per composition -> array (n, p, len(stats)).

    ``values[i, j]`` are the p properties of the j-th element of composition i (padding ignored).
    """
    unknown = set(stats) - set(STATS)
    if unknown:
        raise ValueError(f"unknown statistics {sorted(unknown)}; choose from {STATS}")
    n, _, p = values.shape
    out = np.empty((n, p, len(stats)))
    for k in np.unique(arrays.n_elements):
        rows = np.flatnonzero(arrays.n_elements == k)
        # (k, rows, p): one contiguous (rows, p) block per element position
        x = np.ascontiguousarray(values[rows, :k].transpose(1, 0, 2))
        w = np.ascontiguousarray(arrays.amount[rows, :k].T)[:, :, None]
        out[rows] = _bucket_stats(x, w, stats)
    return out


def numpy_sum(x: np.ndarray) -> np.ndarray:
    """Sum over the first axis in exactly numpy's order for a 1-D array of that length.

    numpy adds fewer than 8 numbers left to right and more with 8 interleaved partial sums
    combined pairwise (its ``pairwise_sum`` for n <= 128); repeating that over (rows, p) blocks
    gives ``np.sum`` of each composition's values bit for bit, at the speed of whole-array adds.
    """
    k = x.shape[0]
    if k > 128:
        return np.moveaxis(x, 0, -1).sum(axis=-1)
    if k < 8:
        acc = x[0].copy()
        for j in range(1, k):
            acc += x[j]
        return acc
    r = [x[j].copy() for j in range(8)]
    stop = k - k % 8
    for i in range(8, stop, 8):
        for j in range(8):
            r[j] += x[i + j]
    acc = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for i in range(stop, k):
        acc += x[i]
    return acc


def _bucket_stats(x: np.ndarray, w: np.ndarray, stats: Sequence[str]) -> np.ndarray:
    """Statistics for rows with the same number k of elements; x (k, m, p), w (k, m, 1)."""
    res: dict[str, np.ndarray] = {}
    wsum = numpy_sum(w)
    if {"minimum", "range"} & set(stats):
        res["minimum"] = np.minimum.reduce(x, axis=0)
    if {"maximum", "range"} & set(stats):
        res["maximum"] = np.maximum.reduce(x, axis=0)
    if "range" in stats:
        res["range"] = res["maximum"] - res["minimum"]
    if {"mean", "avg_dev"} & set(stats):
        res["mean"] = numpy_sum(x * w) / wsum
    if "avg_dev" in stats:
        res["avg_dev"] = numpy_sum(np.abs(x - res["mean"]) * w) / wsum
    if "mode" in stats:
        w_max = np.maximum.reduce(w, axis=0)  # numpy.isclose(w, w_max) for finite amounts:
        tied = np.abs(w - w_max) <= 1e-8 + 1e-5 * np.abs(w_max)
        res["mode"] = np.minimum.reduce(np.where(tied, x, np.inf), axis=0)
    return np.stack([res[s] for s in stats], axis=-1)
