"""The active-learning loop: predict, choose a batch, label it, retrain; one round at a time.

``run_rounds`` is a generator over :class:`RoundResult` so the caller (the campaign / CLI) stores
each round as soon as it completes and can resume from the last complete round: pass the labels
gathered so far back in as ``labelled``. The surrogate is any scikit-learn regressor; its
predictive spread comes from :func:`predict_mean_std` (per-tree spread of a tree ensemble,
``return_std`` of a Gaussian process, or a ``predict_interval`` method).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import RegressorMixin, clone
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error

from superionic.active.acquisition import acquisition_values, select_batch
from superionic.active.oracles import Oracle


def default_surrogate(seed: int = 0) -> RegressorMixin:
    """Random forest whose per-tree spread is the predictive std (fast, no tuning)."""
    return RandomForestRegressor(n_estimators=200, min_samples_leaf=2, max_features=0.5,
                                 n_jobs=1, random_state=seed)


def predict_mean_std(model: Any, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predictive mean and standard deviation of ``model`` at ``X``."""
    if hasattr(model, "predict_interval"):
        mean, low, high = model.predict_interval(X, level=0.6827)
        return np.asarray(mean), (np.asarray(high) - np.asarray(low)) / 2.0
    estimators = getattr(model, "estimators_", None)
    if estimators is not None and np.ndim(estimators) == 1 and hasattr(estimators[0], "predict"):
        per_tree = np.stack([est.predict(X) for est in estimators])
        return per_tree.mean(axis=0), per_tree.std(axis=0)
    try:
        mean, std = model.predict(X, return_std=True)
        return np.asarray(mean), np.asarray(std)
    except TypeError:
        raise TypeError(f"{type(model).__name__} gives no predictive spread; use a tree "
                        "ensemble, a Gaussian process or a model with predict_interval") from None


@dataclass
class RoundResult:
    """One completed round: what was chosen, why, what came back and how good the model was."""

    round: int
    n_labelled: int
    batch: list[int]
    batch_ids: list[str]
    acquisition: list[float]
    labels: dict[str, float]
    pool_mae: float | None
    best_found: float
    best_id: str
    n_top_found: int | None = None
    failed: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def run_rounds(
    X: np.ndarray,
    ids: list[str],
    oracle: Oracle,
    labelled: Mapping[str, float],
    rounds: int,
    batch_size: int,
    acquisition: str = "ucb",
    surrogate: Callable[[int], RegressorMixin] = default_surrogate,
    seed: int = 0,
    start_round: int = 1,
    diversity: bool = True,
    truth: Mapping[str, float] | None = None,
    top_threshold: float | None = None,
) -> Iterator[RoundResult]:
    """Run ``rounds`` rounds over the pool ``X`` (rows named by ``ids``).

    ``labelled`` maps id -> label for what is already known (the seed set, or the labels of the
    rounds stored so far when resuming). ``truth`` (retrospective runs) gives the error of the
    model on the not-yet-queried pool; ``top_threshold`` counts labelled ids above it.
    """
    index = {cid: i for i, cid in enumerate(ids)}
    known = dict(labelled)
    unknown_ids = [cid for cid in labelled if cid not in index]
    if unknown_ids:
        raise KeyError(f"labelled ids not in the pool: {unknown_ids[:5]}")
    rng = np.random.default_rng(seed)
    for rnd in range(start_round, start_round + rounds):
        train = np.array([index[c] for c in known])
        pool = np.array([i for i in range(len(ids)) if ids[i] not in known])
        if pool.size == 0:
            return
        y = np.array([known[ids[i]] for i in train])
        model = surrogate(seed + rnd)
        model = clone(model).fit(X[train], y) if acquisition != "random" else None
        if model is not None:
            mean, std = predict_mean_std(model, X[pool])
        else:
            mean, std = np.zeros(pool.size), np.ones(pool.size)
        values = acquisition_values(mean, std, acquisition, best=float(y.max()), rng=rng)
        pick = select_batch(values, batch_size, X[pool] if diversity and acquisition != "random"
                            else None, seed=seed + rnd)
        batch = pool[pick]
        batch_ids = [ids[i] for i in batch]
        answers, failed = oracle.label(batch_ids)
        known.update(answers)
        pool_mae = None
        if truth is not None and model is not None:
            rest = [i for i in pool if ids[i] in truth and ids[i] not in known]
            if rest:
                pred = mean[np.searchsorted(pool, rest)]
                pool_mae = float(mean_absolute_error([truth[ids[i]] for i in rest], pred))
        best_id = max(known, key=known.get)
        yield RoundResult(
            round=rnd, n_labelled=len(known), batch=[int(b) for b in batch], batch_ids=batch_ids,
            acquisition=[float(values[p]) for p in pick], labels=answers, pool_mae=pool_mae,
            best_found=float(known[best_id]), best_id=best_id,
            n_top_found=(sum(v >= top_threshold for v in known.values())
                         if top_threshold is not None else None),
            failed=failed,
        )
