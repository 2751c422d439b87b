"""Shared by the OBELiX official-split benchmarks (obelix_seeds.py, obelix_ensemble.py): the
data of the official split and one fit on its training side."""

from __future__ import annotations

import argparse
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from superionic.config import load_settings
from superionic.models.dataset import build_target_data
from superionic.models.evaluate import obelix_split_indices
from superionic.models.targets import fit_censored
from superionic.models.zoo import make_model


def add_data_arguments(ap: argparse.ArgumentParser, features: str) -> None:
    ap.add_argument("--censored-as", default="bound")
    ap.add_argument("--features", default=features)
    ap.add_argument("--extra", action="store_true")


@dataclass(frozen=True)
class OfficialSplit:
    data: Any
    X: np.ndarray
    y: np.ndarray
    train: np.ndarray
    test: np.ndarray


def official_split(args: argparse.Namespace) -> OfficialSplit:
    data = build_target_data("log10_sigma", load_settings().data_dir, extra=args.extra,
                             feature_kind=args.features, censored_as=args.censored_as)
    tr, te = obelix_split_indices(data)
    return OfficialSplit(data, data.X.to_numpy(float), data.y, tr, te)


def fit_and_predict(name: str, seed: int, split: OfficialSplit) -> np.ndarray:
    """Fit zoo model ``name`` (censored training rows by one-step imputation) on the official
    training rows; its predictions on the test rows."""
    model = make_model(name, seed=seed)
    tr = split.train
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_censored(model, split.X[tr], split.y[tr], split.data.censored[tr], "impute")
    return model.predict(split.X[split.test])
