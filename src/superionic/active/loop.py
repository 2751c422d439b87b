"""The active-learning loop: predict, choose a batch, label it, retrain; one round at a time.

``run_rounds`` is a generator over :class:`RoundResult` so the caller (the campaign / CLI) stores
each round as soon as it completes and can resume from the last complete round: pass the labels
gathered so far back in as ``labelled`` and the next round number as ``start_round``
(:mod:`superionic.active.rounds` rebuilds both from stored rounds). A resumed run gives exactly
the rounds of an uninterrupted one: every random choice of round ``r`` (surrogate seed, random
acquisition, k-means seed) depends only on ``(seed, r)``, and the training rows are taken in pool
order, not in the order the labels arrived.

The surrogate is any scikit-learn regressor; its predictive spread comes from
:func:`predict_mean_std` (per-tree spread of a tree ensemble, also at the end of a Pipeline,
``return_std`` of a Gaussian process, or a ``predict_interval`` method such as
:class:`superionic.models.fitted.FittedModel`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import RegressorMixin, clone
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import Pipeline

from superionic.active.acquisition import acquisition_values, select_batch
from superionic.active.oracles import Oracle


def default_surrogate(seed: int = 0, n_estimators: int = 200) -> RegressorMixin:
    """Random forest whose per-tree spread is the predictive std (fast, no tuning).

    Missing features (NaN, e.g. Eng columns of compounds without oxidation states) are handled
    natively by scikit-learn >= 1.4 trees.
    """
    return RandomForestRegressor(n_estimators=n_estimators, min_samples_leaf=2, max_features=0.5,
                                 n_jobs=1, random_state=seed)


def _per_tree(model: Any, X: np.ndarray) -> np.ndarray | None:
    """Per-estimator predictions (n_estimators, n) of a tree ensemble, else None."""
    if isinstance(model, Pipeline):
        head = model[:-1].transform(X) if len(model.steps) > 1 else X
        return _per_tree(model.steps[-1][1], head)
    estimators = getattr(model, "estimators_", None)
    if estimators is not None and np.ndim(estimators) == 1 and hasattr(estimators[0], "predict"):
        return np.stack([est.predict(X) for est in estimators])
    return None


def predict_mean_std(model: Any, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predictive mean and standard deviation of ``model`` at ``X`` (target units)."""
    if hasattr(model, "predict_interval"):
        mean, low, high = model.predict_interval(X, level=0.6827)  # +/- 1 sigma if Gaussian
        return np.asarray(mean), (np.asarray(high) - np.asarray(low)) / 2.0
    per_tree = _per_tree(model, X)
    if per_tree is not None:
        return per_tree.mean(axis=0), per_tree.std(axis=0)
    try:
        mean, std = model.predict(X, return_std=True)
        return np.asarray(mean), np.asarray(std)
    except TypeError:
        raise TypeError(f"{type(model).__name__} gives no predictive spread; use a tree "
                        "ensemble, a Gaussian process or a model with predict_interval") from None


def model_manifest(model: Any, seed: int) -> dict[str, Any]:
    """What is needed to rebuild the surrogate of a round: class, parameters, seed."""
    if model is None:
        return {"name": "none (random acquisition)", "seed": seed}
    params = {k: v for k, v in model.get_params(deep=False).items()
              if isinstance(v, str | int | float | bool | type(None))}
    return {"name": f"{type(model).__module__}.{type(model).__name__}", "params": params,
            "seed": seed}


@dataclass
class RoundResult:
    """One completed round: what was chosen, why, what came back and how good the model was.

    ``train_ids``: the labelled ids the surrogate was trained on (before this batch), in pool
    order; ``batch``: pool row indices of the batch; ``acquisition``: their acquisition values;
    ``labels``: id -> label returned by the oracle (log10 sigma / S cm^-1 for conductivity);
    ``failed``: id -> reason; ``details``: id -> extra numbers from the oracle (e.g. MD Ea);
    ``pool_mae``: error of this round's model on the not-yet-queried pool (retrospective runs).
    """

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
    train_ids: list[str] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)

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
    exclude: Collection[str] = (),
    retry_failed: bool = False,
    kappa: float = 2.0,
    xi: float = 0.01,
) -> Iterator[RoundResult]:
    """Run rounds ``start_round .. start_round + rounds - 1`` over the pool ``X`` (rows ``ids``).

    ``labelled`` maps id -> label for what is already known (the seed set, or the labels of the
    rounds stored so far when resuming). ``exclude``: ids never to propose (e.g. failed before);
    ids the oracle fails on are added to it unless ``retry_failed`` (a file oracle's pending
    measurements may arrive later). ``truth`` (retrospective runs) gives the error of the model on
    the not-yet-queried pool, for which a model is fitted even under random acquisition;
    ``top_threshold`` counts labelled ids at or above it. Stops early when the pool is empty.
    """
    index = {cid: i for i, cid in enumerate(ids)}
    if len(index) != len(ids):
        raise ValueError("pool ids must be unique")
    known = dict(labelled)
    unknown_ids = [cid for cid in labelled if cid not in index]
    if unknown_ids:
        raise KeyError(f"labelled ids not in the pool: {unknown_ids[:5]}")
    skip = set(exclude)
    for rnd in range(start_round, start_round + rounds):
        train = np.array(sorted(index[c] for c in known))
        pool = np.array([i for i in range(len(ids)) if ids[i] not in known and ids[i] not in skip])
        if pool.size == 0:
            return
        y = np.array([known[ids[i]] for i in train])
        model = None
        if acquisition != "random" or truth is not None:
            model = clone(surrogate(seed + rnd)).fit(X[train], y)
        if acquisition != "random":
            mean, std = predict_mean_std(model, X[pool])
        else:
            mean, std = np.zeros(pool.size), np.ones(pool.size)
        rng = np.random.default_rng([seed, rnd])
        values = acquisition_values(mean, std, acquisition, best=float(y.max()), kappa=kappa,
                                    xi=xi, rng=rng)
        pick = select_batch(values, batch_size, X[pool] if diversity and acquisition != "random"
                            else None, seed=seed + rnd)
        batch = pool[pick]
        batch_ids = [ids[i] for i in batch]
        answers, failed = oracle.label(batch_ids)
        answers = {k: float(v) for k, v in answers.items()}
        details = getattr(oracle, "details", {}) or {}
        pool_mae = _pool_mae(model, X, ids, pool, truth, set(batch_ids)) if truth else None
        known.update(answers)
        if not retry_failed:
            skip.update(failed)
        best_id = max(known, key=known.get)
        yield RoundResult(
            round=rnd, n_labelled=len(known), batch=[int(b) for b in batch], batch_ids=batch_ids,
            acquisition=[float(values[p]) for p in pick], labels=answers, pool_mae=pool_mae,
            best_found=float(known[best_id]), best_id=best_id,
            n_top_found=(sum(v >= top_threshold for v in known.values())
                         if top_threshold is not None else None),
            failed=dict(failed), train_ids=[ids[i] for i in train],
            model=model_manifest(model, seed + rnd),
            details={b: details[b] for b in batch_ids if b in details},
        )


def _pool_mae(model: Any, X: np.ndarray, ids: list[str], pool: np.ndarray,
              truth: Mapping[str, float], batch: set[str]) -> float | None:
    """MAE of ``model`` on the pool rows outside this round's batch that have a true label."""
    rest = [i for i in pool if ids[i] in truth and ids[i] not in batch]
    if model is None or not rest:
        return None
    pred = model.predict(X[rest])
    return float(mean_absolute_error([truth[ids[i]] for i in rest], pred))
