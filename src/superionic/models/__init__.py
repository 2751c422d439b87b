"""Models: the zoo, honest evaluation (three splits), CV+ intervals, SHAP, safe persistence.

Public API::

    make_model(name, seed=0, n_jobs=1, **params) -> Pipeline      # zoo.py
    evaluate_model(name, data, split, budget=10, ...) -> EvalResult  # evaluate.py
    train_best(target, data, models=..., budget=10, ...) -> FittedModel  # train.py
    FittedModel.predict(X), .predict_interval(X, level), .feature_names, .feature_set, .manifest
    FeatureSet / FeatureKind: the exact features a model was trained on ("composition" or
    "composition+structure"); serving anything else raises FeatureMismatchError   # fitted.py
    save_model(model, dir) / load_model(dir)                       # persist.py
    build_target_data(target, data_dir=None, mobile_ion="Li", ...) -> TargetData  # dataset.py

Names are resolved on first access (PEP 562): importing ``superionic.models.paths`` (as the CLI
does) loads neither scikit-learn nor the boosted-tree libraries.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "SPLITS": "evaluate", "EvalResult": "evaluate", "evaluate_model": "evaluate",
    "metrics": "evaluate", "FittedModel": "fitted", "FeatureKind": "fitted",
    "FeatureMismatchError": "fitted", "FeatureSet": "fitted", "ModelIntegrityError": "persist",
    "load_model": "persist", "save_model": "persist", "TARGETS": "targets",
    "TargetData": "targets", "target_spec": "targets", "train_best": "train",
    "ConformalRegressor": "uncertainty", "MODEL_NAMES": "zoo", "make_model": "zoo",
    "search_space": "zoo", "build_target_data": "dataset",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'superionic.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"superionic.models.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value
