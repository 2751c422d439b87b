"""A trained model as later stages use it: predictions with intervals, feature names, manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from superionic.models.uncertainty import ConformalRegressor


@dataclass
class FittedModel:
    """A CV+ conformal wrapper around the best zoo pipeline for one target.

    ``predict(X)`` -> mean (target units, e.g. log10 S/cm); ``predict_interval(X, level)`` ->
    ``(mean, low, high)``. ``X`` is a DataFrame (columns matched by name; absent columns become
    NaN and are imputed) or an array already in :attr:`feature_names` order.
    ``manifest`` records model name, target, data version, metrics, params and seed.
    """

    name: str
    target: str
    feature_names: list[str]
    conformal: ConformalRegressor
    manifest: dict[str, Any] = field(default_factory=dict)

    def _matrix(self, X: Any) -> np.ndarray:
        if isinstance(X, pd.DataFrame):
            extra = set(map(str, X.columns)) - set(self.feature_names)
            if len(extra) == X.shape[1] and X.shape[1] > 0:
                raise ValueError("none of the given columns are features of this model "
                                 f"(expects e.g. {self.feature_names[:3]})")
            return X.reindex(columns=self.feature_names).to_numpy(dtype=float)
        arr = np.asarray(X, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != len(self.feature_names):
            raise ValueError(f"expected a (n, {len(self.feature_names)}) array, got {arr.shape}")
        return arr

    def predict(self, X: Any) -> np.ndarray:
        """Mean prediction in target units."""
        return self.conformal.predict(self._matrix(X))

    def predict_interval(self, X: Any, level: float = 0.9
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(mean, low, high)``: CV+ interval that covers the truth with probability ~level."""
        return self.conformal.predict_interval(self._matrix(X), level)

    @property
    def pipeline(self) -> Any:
        """The full-data Pipeline (imputer, scaler, estimator) behind the mean prediction."""
        return self.conformal.model_
