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
"""

from superionic.models.evaluate import SPLITS, EvalResult, evaluate_model, metrics
from superionic.models.fitted import FeatureKind, FeatureMismatchError, FeatureSet, FittedModel
from superionic.models.persist import ModelIntegrityError, load_model, save_model
from superionic.models.targets import TARGETS, TargetData, target_spec
from superionic.models.train import train_best
from superionic.models.uncertainty import ConformalRegressor
from superionic.models.zoo import MODEL_NAMES, make_model, search_space

__all__ = [
    "MODEL_NAMES", "SPLITS", "TARGETS", "ConformalRegressor", "EvalResult", "FeatureKind",
    "FeatureMismatchError", "FeatureSet", "FittedModel",
    "ModelIntegrityError", "TargetData", "evaluate_model", "load_model", "make_model", "metrics",
    "save_model", "search_space", "target_spec", "train_best",
]
