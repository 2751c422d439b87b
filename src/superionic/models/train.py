"""Train the best model for a target: select by grouped CV, wrap in CV+ intervals, record it all.

``train_best`` is the entry point for screening and active learning: candidates are tuned by
random search with a fixed budget and compared by their grouped-CV MAE (folds never share a
composition or a source paper, the rule of the OBELiX official split), the winner is refitted on
every row inside a :class:`~superionic.models.uncertainty.ConformalRegressor` whose calibration
folds are grouped the same way, and the result carries a manifest (model, target, the exact
feature set with its kind, data version, CV scores, params, seed).

``with_feature_kind`` cuts a training table down to the features a kind of model may use: a
``composition`` model (the one that serves formula-only rows) never sees a structure column.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from superionic.models.evaluate import inner_cv, search
from superionic.models.fitted import FeatureKind, FeatureSet, FittedModel
from superionic.models.groups import calibration_groups
from superionic.models.targets import TargetData, target_spec
from superionic.models.uncertainty import ConformalRegressor
from superionic.models.zoo import canonical_name, make_model

#: Candidates tried by default: the strong tree ensembles.
DEFAULT_CANDIDATES = ("rf", "xgb", "lgbm", "catboost")


def with_feature_kind(data: TargetData, kind: FeatureKind | str) -> TargetData:
    """``data`` restricted to the features of ``kind``: ``composition`` drops every column that
    needs a structure; ``composition+structure`` keeps the table as it is (and refuses a table
    without any structure column, which would make the kind a lie)."""
    from dataclasses import replace

    from superionic.models.fitted import structure_feature_names

    kind = FeatureKind.parse(kind)
    struct = structure_feature_names(data.feature_names)
    if kind is FeatureKind.STRUCTURE:
        if not struct:
            raise ValueError(f"feature kind {kind.value!r} asked for, but the {data.target} "
                             "table has no structure feature")
        return data
    if not struct:
        return data
    return replace(data, X=data.X.drop(columns=struct),
                   meta=dict(data.meta, feature_kind=kind.value))


def select_model(data: TargetData, models: Sequence[str] = DEFAULT_CANDIDATES, budget: int = 10,
                 seed: int = 0, n_inner: int = 5, n_jobs: int = 1, novelty: str = "obelix",
                 progress: Callable[[str], None] | None = None
                 ) -> tuple[str, dict[str, Any], dict[str, float]]:
    """``(best model name, its params, CV MAE per model)`` by grouped CV on uncensored rows.

    ``novelty`` names the split whose grouping the CV folds copy (``obelix``: composition or
    source paper; ``group``: composition + family; ``random``: none).
    """
    X = data.X.to_numpy(dtype=float)
    unc = np.flatnonzero(~data.censored)
    cv = inner_cv(data, unc, novelty, n_inner, seed)
    scores: dict[str, float] = {}
    params: dict[str, dict[str, Any]] = {}
    for name in models:
        key = canonical_name(name)
        params[key], scores[key] = search(key, X[unc], data.y[unc], cv, budget, seed, n_jobs)
        if progress is not None:
            progress(f"{key}: grouped-CV MAE {scores[key]:.3f}")
    best = min(scores, key=scores.__getitem__)
    return best, params[best], scores


def train_best(target: str, data: TargetData, models: Sequence[str] = DEFAULT_CANDIDATES,
               budget: int = 10, seed: int = 0, n_folds: int = 5, censor_strategy: str = "impute",
               normalized: bool = False, calibration: str = "source", n_jobs: int = 1,
               extra_manifest: dict[str, Any] | None = None,
               progress: Callable[[str], None] | None = None) -> FittedModel:
    """Select, tune and fit the best of ``models`` for ``target`` on ``data``; returns a
    :class:`FittedModel` with CV+ intervals (grouped calibration folds).

    ``budget`` is the number of random-search draws per model (0: zoo defaults).
    ``normalized`` scales residuals by the fold models' spread (per-compound interval widths).
    ``calibration`` groups the CV+ folds (:func:`~superionic.models.groups.calibration_groups`):
    ``"source"`` (default) keeps a composition and every paper reporting it in one fold, the
    novelty of the OBELiX test split.
    """
    spec = target_spec(target)
    if data.target != spec.name:
        raise ValueError(f"data holds target {data.target!r}, asked to train {spec.name!r}")
    t0 = time.perf_counter()
    best, params, scores = select_model(data, models, budget, seed, n_jobs=n_jobs,
                                        progress=progress)
    groups = calibration_groups(data.formulas, data.families, calibration, data.mobile_ion,
                                data.sources)
    conf = ConformalRegressor(make_model(best, seed=seed, n_jobs=n_jobs, **params),
                              n_folds=n_folds, normalized=normalized, seed=seed,
                              censor_strategy=censor_strategy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        conf.fit(data.X, data.y, groups=groups, censored=data.censored)
    manifest = {
        "features": FeatureSet.from_names(data.feature_names, data.mobile_ion).to_dict(),
        "target_unit": spec.unit, "target_description": spec.description,
        "mobile_ion": data.mobile_ion, "seed": seed, "budget": budget,
        "censor_strategy": censor_strategy, "normalized_intervals": normalized,
        "calibration": calibration,
        "n_rows": len(data), "n_censored": int(data.censored.sum()),
        "selection": {"cv": "GroupKFold, groups sharing a composition or source DOI",
                      "metric": "mae",
                      "cv_mae": scores},
        "search_params": params, "data": dict(data.meta),
        "train_seconds": round(time.perf_counter() - t0, 1),
    }
    manifest.update(extra_manifest or {})
    return FittedModel(name=best, target=spec.name, feature_names=data.feature_names,
                       conformal=conf, manifest=manifest)
