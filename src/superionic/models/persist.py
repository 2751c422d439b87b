"""Save and load trained models without unpickling anything: native formats, skops, a manifest.

A model directory holds, for the full-data model and each CV+ fold model ``<stem>``:

* gradient-boosting estimators in their own format (``<stem>.cbm`` CatBoost, ``<stem>.ubj``
  XGBoost UBJSON, ``<stem>.txt`` LightGBM) plus ``<stem>.pre.skops``, the fitted imputer/scaler;
* every other (scikit-learn) pipeline as ``<stem>.skops``;

and ``conformal.json`` (out-of-fold residuals, plain numbers) and ``manifest.json`` (model,
target, feature set: ordered names, kind ``composition`` or ``composition+structure``, mobile ion
and featuriser versions (:class:`~superionic.models.fitted.FeatureSet`); data version, metrics,
params, seed, package versions and the sha256 of every file). :func:`load_model` recomputes every hash first and refuses a directory whose files
differ from the manifest (:class:`ModelIntegrityError`); skops files are opened with an explicit
list of trusted types (:data:`TRUSTED_TYPES`), never ``trusted=True``.

Writes are atomic at directory level: everything goes into a temporary sibling directory that is
renamed into place only when complete; an existing model is moved aside and removed afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from superionic._extras import optional_import
from superionic.models.fitted import FeatureSet, FittedModel
from superionic.models.uncertainty import ConformalRegressor
from superionic.models.zoo import make_model, model_kind

FORMAT_VERSION = 1
MANIFEST = "manifest.json"

#: Types skops may construct beyond its defaults (scikit-learn estimators and numpy arrays).
TRUSTED_TYPES: tuple[str, ...] = (
    "numpy.dtype",
    "sklearn.tree._tree.Tree",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.metrics._dist_metrics.ManhattanDistance64",
    "sklearn.metrics._dist_metrics.MinkowskiDistance64",
    "sklearn.metrics._dist_metrics.ChebyshevDistance64",
    "superionic.models.zoo.MedianForestRegressor",  # our own class (zoo "rf_median")
)

_NATIVE_EXT = {"xgb": ".ubj", "catboost": ".cbm", "lgbm": ".txt"}


class ModelIntegrityError(RuntimeError):
    """A saved model's files do not match its manifest, or hold untrusted types."""


from superionic.fileio import sha256_file  # noqa: E402,F401 - one home (fileio)

# ----------------------------------------------------------------------------- pipelines --


def _save_pipeline(pipe: Pipeline, directory: Path, stem: str) -> list[str]:
    """Write one fitted zoo pipeline; returns the file names written."""
    sio = optional_import("skops.io", "saving and loading models")

    kind = model_kind(pipe)
    if kind in _NATIVE_EXT:
        est = pipe.steps[-1][1]
        native = f"{stem}{_NATIVE_EXT[kind]}"
        if kind == "xgb":
            est.save_model(str(directory / native))
        elif kind == "catboost":
            est.save_model(str(directory / native), format="cbm")
        else:
            est.booster_.save_model(str(directory / native))
        pre = Pipeline(pipe.steps[:-1])
        sio.dump(pre, directory / f"{stem}.pre.skops")
        return [native, f"{stem}.pre.skops"]
    sio.dump(pipe, directory / f"{stem}.skops")
    return [f"{stem}.skops"]


def _load_skops(path: Path) -> Any:
    sio = optional_import("skops.io", "saving and loading models")

    untrusted = sio.get_untrusted_types(file=path)
    unknown = [t for t in untrusted if t not in TRUSTED_TYPES]
    if unknown:
        raise ModelIntegrityError(f"{path}: refuses to load untrusted types {unknown}")
    return sio.load(path, trusted=list(untrusted))


def _load_pipeline(directory: Path, stem: str, entry: dict[str, Any]) -> Pipeline:
    """Rebuild a pipeline saved by :func:`_save_pipeline` (``entry`` from the manifest)."""
    kind = entry["kind"]
    if kind not in _NATIVE_EXT:
        return _load_skops(directory / f"{stem}.skops")
    pre = _load_skops(directory / f"{stem}.pre.skops")
    shell = make_model(kind, **entry.get("params", {})).steps[-1][1]
    path = str(directory / f"{stem}{_NATIVE_EXT[kind]}")
    if kind == "xgb":
        shell.load_model(path)
    elif kind == "catboost":
        shell.load_model(path, format="cbm")
    else:
        lgb = optional_import("lightgbm", "loading a LightGBM model")
        booster = lgb.Booster(model_file=path)
        shell._Booster = booster
        shell._n_features = shell._n_features_in = booster.num_feature()
        shell._fitted_with_feature_names = False
        shell._best_iteration = booster.best_iteration
        shell._best_score = {}
        shell._evals_result = {}
        shell.fitted_ = True
    return Pipeline([*pre.steps, ("model", shell)])


# --------------------------------------------------------------------------------- models --


def save_model(model: FittedModel, directory: str | Path) -> Path:
    """Write ``model`` to ``directory`` atomically; returns the directory.

    The manifest gets ``files`` (name -> sha256), ``format_version``, ``saved_at`` and package
    versions on top of ``model.manifest``.
    """
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.with_name(f".{directory.name}.tmp-{os.getpid()}-{time.time_ns()}")
    tmp.mkdir()
    try:
        conf = model.conformal
        kind = model_kind(conf.model_)
        params = _estimator_params(conf.model_)
        files = _save_pipeline(conf.model_, tmp, "model")
        for k, fold in enumerate(conf.fold_models_):
            files += _save_pipeline(fold, tmp, f"fold{k}")
        (tmp / "conformal.json").write_text(json.dumps({
            "residuals": conf.residuals_.tolist(), "fold_of": conf.fold_of_.tolist(),
            "signed_residuals": (conf.signed_residuals_.tolist()
                                 if getattr(conf, "signed_residuals_", None) is not None
                                 else None),
            "spread_floor": conf.spread_floor_, "normalized": conf.normalized,
            "n_folds": len(conf.fold_models_), "seed": conf.seed,
            "censor_strategy": conf.censor_strategy, "n_features_in": conf.n_features_in_}))
        files.append("conformal.json")
        manifest = dict(model.manifest)
        features = model.manifest.get("features") or FeatureSet.from_names(
            model.feature_names, str(model.manifest.get("mobile_ion") or "Li")).to_dict()
        manifest.update({"features": features,
            "format_version": FORMAT_VERSION, "name": model.name, "kind": kind,
            "target": model.target, "feature_names": list(model.feature_names),
            "params": params, "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "versions": _versions(), "files": {f: sha256_file(tmp / f) for f in files}})
        (tmp / MANIFEST).write_text(json.dumps(_jsonable(manifest), indent=1, sort_keys=True))
        _fsync_dir(tmp)
        old = None
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old-{os.getpid()}-{time.time_ns()}")
            directory.rename(old)
        tmp.rename(directory)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    model.manifest = json.loads((directory / MANIFEST).read_text())
    model.source = str(directory)
    return directory


def read_manifest(directory: str | Path) -> dict[str, Any]:
    """The manifest of a saved model (no hash check)."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no saved model here (manifest.json missing)")
    return json.loads(path.read_text())


def verify(directory: str | Path) -> dict[str, Any]:
    """Check every file's sha256 against the manifest; returns the manifest or raises
    :class:`ModelIntegrityError` naming the first file that differs or is missing."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ModelIntegrityError(f"{directory}: manifest format {manifest.get('format_version')}"
                                  f" is not {FORMAT_VERSION}")
    for name, digest in manifest.get("files", {}).items():
        path = directory / name
        if Path(name).name != name:
            raise ModelIntegrityError(f"{directory}: manifest names a path outside it: {name!r}")
        if not path.is_file():
            raise ModelIntegrityError(f"{path}: listed in the manifest but missing")
        actual = sha256_file(path)
        if actual != digest:
            raise ModelIntegrityError(f"{path}: sha256 {actual[:12]}... does not match the "
                                      f"manifest ({digest[:12]}...); refusing to load")
    return manifest


def load_model(directory: str | Path) -> FittedModel:
    """Verify hashes, then rebuild the :class:`FittedModel` saved in ``directory``."""
    directory = Path(directory)
    manifest = verify(directory)
    entry = {"kind": manifest["kind"], "params": manifest.get("params", {})}
    cj = json.loads((directory / "conformal.json").read_text())
    conf = ConformalRegressor(make_model(manifest["kind"], **entry["params"]),
                              n_folds=cj["n_folds"], normalized=cj["normalized"],
                              seed=cj["seed"], censor_strategy=cj["censor_strategy"])
    conf.model_ = _load_pipeline(directory, "model", entry)
    conf.fold_models_ = [_load_pipeline(directory, f"fold{k}", entry)
                         for k in range(cj["n_folds"])]
    conf.residuals_ = np.asarray(cj["residuals"], dtype=float)
    if cj.get("signed_residuals") is not None:  # older saves hold |residuals| only
        conf.signed_residuals_ = np.asarray(cj["signed_residuals"], dtype=float)
    conf.fold_of_ = np.asarray(cj["fold_of"], dtype=int)
    conf.spread_floor_ = float(cj["spread_floor"])
    conf.n_features_in_ = int(cj["n_features_in"])
    model = FittedModel(name=manifest["name"], target=manifest["target"],
                        feature_names=list(manifest["feature_names"]), conformal=conf,
                        manifest=manifest, source=str(directory))
    model.feature_set  # noqa: B018 - raises when the feature record contradicts the names
    return model


# -------------------------------------------------------------------------------- helpers --


def _estimator_params(pipe: Pipeline) -> dict[str, Any]:
    """Constructor parameters of the final estimator that differ from the zoo default."""
    kind = model_kind(pipe)
    default = make_model(kind).steps[-1][1].get_params(deep=False)
    actual = pipe.steps[-1][1].get_params(deep=False)
    return {k: _jsonable(v) for k, v in actual.items()
            if k in default and _jsonable(v) != _jsonable(default[k])}


def _jsonable(obj: Any) -> Any:
    from superionic.records import jsonable

    return jsonable(obj)


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {}
    for pkg in ("superionic", "scikit-learn", "numpy", "xgboost", "lightgbm", "catboost", "skops"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            continue
    return out


def _fsync_dir(directory: Path) -> None:
    for path in directory.iterdir():
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
