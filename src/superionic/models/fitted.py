"""A trained model as later stages use it: predictions with intervals, its exact feature set,
manifest.

A model is served exactly the features it was trained on, or it refuses. :class:`FeatureSet`
records them (ordered names, kind, mobile ion, featuriser versions) in the manifest;
:meth:`FittedModel.predict_interval` takes a DataFrame holding every one of those columns and
raises :class:`FeatureMismatchError` (naming the model, the missing features and what to do)
when one is absent, or when a ``composition+structure`` model is asked about a row without a
structure. Nothing is filled in at serve time: no median, no zero, no NaN standing in for a
column that was never computed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from superionic.models.uncertainty import ConformalRegressor


class FeatureKind(enum.StrEnum):
    """What a model's features need: a formula alone, or a formula and a crystal structure."""

    COMPOSITION = "composition"
    STRUCTURE = "composition+structure"

    @classmethod
    def parse(cls, value: FeatureKind | str) -> FeatureKind:
        """``"composition"`` / ``"composition+structure"`` -> the kind; ``ValueError`` else."""
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"feature kind must be one of {[k.value for k in cls]}, "
                             f"got {value!r}") from None


class FeatureMismatchError(ValueError):
    """A model was asked to predict from features it was not trained on (or without some)."""


def structure_feature_names(names: Sequence[str]) -> list[str]:
    """The names among ``names`` that need a crystal structure (or a tabulated cell)."""
    from superionic.models.dataset import structure_columns

    return structure_columns(list(names))


def featurizer_versions() -> dict[str, str]:
    """Versions of what computes the features: the feature code's digest, superionic, pymatgen."""
    import importlib.metadata as md

    from superionic.models.dataset import _features_version

    out = {"features_code": _features_version()[:16]}
    for pkg in ("superionic", "pymatgen"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            continue
    return out


@dataclass(frozen=True)
class FeatureSet:
    """The exact inputs of a model: ordered column ``names``, their ``kind``, the ``mobile_ion``
    the ion-specific features describe, and the featuriser ``versions`` that computed them."""

    names: tuple[str, ...]
    kind: FeatureKind
    mobile_ion: str = "Li"
    versions: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_names(cls, names: Sequence[str], mobile_ion: str = "Li",
                   versions: Mapping[str, str] | None = None) -> FeatureSet:
        """The set of ``names``; its kind is ``composition+structure`` as soon as one name needs
        a structure (:func:`structure_feature_names`)."""
        kind = FeatureKind.STRUCTURE if structure_feature_names(names) else FeatureKind.COMPOSITION
        vers = featurizer_versions() if versions is None else versions
        return cls(tuple(map(str, names)), kind, mobile_ion, tuple(sorted(vers.items())))

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any],
                      names: Sequence[str] | None = None) -> FeatureSet:
        """The set a manifest records (``manifest["features"]``); a manifest written before the
        record existed gets it inferred from its ``feature_names`` (versions unknown)."""
        rec = manifest.get("features")
        if isinstance(rec, Mapping) and rec.get("names") is not None:
            return cls(tuple(rec["names"]), FeatureKind(rec["kind"]),
                       str(rec.get("mobile_ion") or manifest.get("mobile_ion") or "Li"),
                       tuple(sorted((rec.get("versions") or {}).items())))
        names = list(names if names is not None else manifest.get("feature_names", []))
        return cls.from_names(names, str(manifest.get("mobile_ion") or "Li"), versions={})

    @property
    def structure_names(self) -> list[str]:
        """The names that need a structure (empty for a composition set)."""
        return structure_feature_names(self.names)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "names": list(self.names), "n_features": len(self.names),
                "mobile_ion": self.mobile_ion, "structure_features": self.structure_names,
                "versions": dict(self.versions)}


@dataclass
class FittedModel:
    """A CV+ conformal wrapper around the best zoo pipeline for one target.

    ``predict(X)`` -> mean (target units, e.g. log10 S/cm); ``predict_interval(X, level)`` ->
    ``(mean, low, high)``. ``X`` is a DataFrame holding every column of :attr:`feature_names`
    (matched by name; extra columns ignored) or an array already in that order. A missing
    column, or a row without a structure for a ``composition+structure`` model, raises
    :class:`FeatureMismatchError`. ``manifest`` records model name, target, feature set, data
    version, metrics, params and seed; ``source`` says where the model was loaded from.
    """

    name: str
    target: str
    feature_names: list[str]
    conformal: ConformalRegressor
    manifest: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    @property
    def feature_set(self) -> FeatureSet:
        """The exact feature set this model was trained on (from its manifest)."""
        fs = FeatureSet.from_manifest(self.manifest, self.feature_names)
        if list(fs.names) != list(self.feature_names):
            raise FeatureMismatchError(f"{self.describe()}: the manifest's feature record does "
                                       "not match the model's feature names; refusing to serve")
        return fs

    @property
    def feature_kind(self) -> FeatureKind:
        return self.feature_set.kind

    def describe(self) -> str:
        """``"model rf for log10_sigma (composition+structure, <dir>)"``: for error messages."""
        fs = FeatureSet.from_manifest(self.manifest, self.feature_names)
        where = f", {self.source}" if self.source else ""
        return f"model {self.name} for {self.target} ({fs.kind.value}{where})"

    def missing_features(self, columns: Sequence[str]) -> list[str]:
        """The model's features absent from ``columns``."""
        have = set(map(str, columns))
        return [c for c in self.feature_names if c not in have]

    def has_structure(self, X: pd.DataFrame) -> np.ndarray:
        """Per row of ``X``: does it carry structure features (any finite value among the
        model's structure columns)? All True for a composition model."""
        cols = [c for c in self.feature_set.structure_names if c in X.columns]
        if self.feature_kind is FeatureKind.COMPOSITION:
            return np.ones(len(X), dtype=bool)
        if not cols:
            return np.zeros(len(X), dtype=bool)
        return np.isfinite(X[cols].to_numpy(dtype=float)).any(axis=1)

    def _matrix(self, X: Any) -> np.ndarray:
        if isinstance(X, pd.DataFrame):
            missing = self.missing_features(X.columns)
            if missing:
                raise FeatureMismatchError(self.mismatch_message(missing))
            if self.feature_kind is FeatureKind.STRUCTURE:
                bare = ~self.has_structure(X)
                if bare.any():
                    rows = [str(r) for r in X.index[bare][:5]]
                    raise FeatureMismatchError(
                        f"{self.describe()} needs a crystal structure for every row; "
                        f"{int(bare.sum())} row(s) have none (e.g. {', '.join(rows)}), so its "
                        f"structure features {self.feature_set.structure_names[:6]} cannot be "
                        "computed and are never filled in. " + _HINT)
            return X[self.feature_names].to_numpy(dtype=float)
        arr = np.asarray(X, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != len(self.feature_names):
            raise ValueError(f"expected a (n, {len(self.feature_names)}) array, got {arr.shape}")
        return arr

    def mismatch_message(self, missing: list[str]) -> str:
        """The refusal for ``missing`` features: model, what is missing, what to do."""
        fs = self.feature_set
        struct = [c for c in missing if c in set(fs.structure_names)]
        head = (f"{self.describe()} was trained on {len(fs.names)} features; {len(missing)} are "
                f"missing here: {missing[:8]}{' ...' if len(missing) > 8 else ''}. ")
        if struct:
            return head + ("They need a crystal structure, which these rows lack; nothing is "
                           "filled in. " + _HINT)
        return head + ("Compute them with the featuriser that trained the model "
                       f"(versions {dict(fs.versions) or 'not recorded'}) or retrain the model.")

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


_HINT = ("Give each compound its structure, or serve formula-only rows with a composition model "
         "(train one with feature_kind='composition', the default of run_training and of "
         "`superionic train`).")
