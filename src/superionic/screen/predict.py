"""Predicted transport properties of pool compounds, with conformal intervals.

* ``log10_sigma``: log10(sigma(300 K) / S cm^-1), the models' saved best model for the
  room-temperature conductivity target;
* ``Ea``: activation energy (eV), the models' best model for target ``Ea`` (Laskowski et al.
  2023 activation energies).

Both are :class:`~superionic.models.FittedModel` objects whose ``predict_interval`` gives CV+
intervals at ``level`` (90 % by default) with calibration folds grouped by composition and family.

Each model is served exactly the features it was trained on (its manifest's feature set): a
``composition`` model serves every row whose composition was featurised; a
``composition+structure`` model only the rows that carry a structure (their structure
descriptors computed from it); the other rows get no prediction and the reason in
``prediction_note``. No feature is median- or zero-filled here.

Nothing is trained silently: :func:`load_predictors` raises
:class:`~superionic.models.workflow.NoSavedModelError` when a model is missing, unless
``train_if_missing=True`` (what ``superionic discover`` passes) asks it to train and save one.

Every model belongs to the screen's mobile ion: a saved model whose manifest names another ion
is refused (a Li model never predicts for a Na screen). A target whose labels hold fewer than
:data:`MIN_TRAINING_ROWS` rows of that ion (no Na activation energies exist in the data: the only
Ea set, Laskowski 2023, is of Li-ion conductors) is *unavailable*: it gets no model, its columns
stay NaN, and :attr:`Predictors.unavailable` names the reason, which the funnel reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

#: Targets the screen predicts and the column stem each one gets.
SCREEN_TARGETS = {"log10_sigma": "log10_sigma", "Ea": "Ea_eV"}
#: Rows per prediction call (one progress-bar step).
CHUNK = 2000
#: Fewest labelled rows of the mobile ion with which a missing model is trained (CV+ needs folds).
MIN_TRAINING_ROWS = 20
#: Where the labels of each target come from (for the reason of an unavailable target).
LABEL_SOURCES = {
    "log10_sigma": "room-temperature conductivities of OBELiX, Liverpool, Laskowski 2023 and IonNet "
                   "(Li-ion conductors only) and Kang 2023 (Li and Na conductors)",
    "Ea": "activation energies of Laskowski 2023 (Li-ion conductors only)",
}


def model_ion(model: Any) -> str | None:
    """The mobile ion a fitted model was trained for (its manifest's ``mobile_ion``)."""
    return (getattr(model, "manifest", {}) or {}).get("mobile_ion")


@dataclass
class Predictors:
    """Fitted models per target (``"log10_sigma"``, ``"Ea"``) and the targets without a model
    with the reason (``unavailable``, e.g. no Na activation-energy labels)."""

    models: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)

    def check_ion(self, mobile_ion: str) -> None:
        """Raise ``ValueError`` when a model was trained for another mobile ion."""
        for target, m in self.models.items():
            ion = model_ion(m)
            if ion != mobile_ion:
                raise ValueError(f"the {target} model ({m.name}, {self.sources.get(target, 'given')})"
                                 f" was trained for mobile ion {ion!r}, the screen's is "
                                 f"{mobile_ion!r}")

    def describe(self) -> dict[str, Any]:
        """Name, target, mobile ion, CV MAE and where each model came from (for provenance);
        ``{"unavailable": reason}`` for a target without a model."""
        out: dict[str, Any] = {}
        for target, m in self.models.items():
            man = getattr(m, "manifest", {}) or {}
            kind = getattr(m, "feature_kind", None)
            out[target] = {"model": m.name, "target": m.target, "mobile_ion": model_ion(m),
                           "feature_kind": getattr(kind, "value", kind),
                           "cv_mae": man.get("selection", {}).get("cv_mae"),
                           "n_rows": man.get("n_rows"), "saved_at": man.get("saved_at"),
                           "source": self.sources.get(target, "given")}
        for target, reason in self.unavailable.items():
            out[target] = {"unavailable": reason}
        return out


def unavailable_reason(target: str, n_rows: int, mobile_ion: str,
                       min_rows: int = MIN_TRAINING_ROWS) -> str | None:
    """Why no ``target`` model can be trained for ``mobile_ion`` from ``n_rows`` labels (None
    when ``n_rows >= min_rows``)."""
    if n_rows >= min_rows:
        return None
    where = LABEL_SOURCES.get(target, "the label data")
    return (f"no {mobile_ion} {target} labels: {n_rows} {mobile_ion}-conductor rows (need "
            f">= {min_rows}) in {where}")


def count_labels(target: str, data_dir: str | Path | None, mobile_ion: str) -> int:
    """Labelled rows of ``target`` for ``mobile_ion`` (the table ``load_or_train`` trains on)."""
    from superionic.models.dataset import labels_for

    labels = labels_for(target, Path(data_dir) if data_dir else None, mobile_ion, extra=True)
    return int(np.isfinite(pd.to_numeric(labels.get("y", pd.Series(dtype=float)),
                                         errors="coerce")).sum())


def load_predictors(model_dir: str | Path | None = None, data_dir: str | Path | None = None,
                    mobile_ion: str = "Li", seed: int = 0,
                    targets: tuple[str, ...] = tuple(SCREEN_TARGETS),
                    progress: Callable[[str], None] | None = None,
                    budget: int = 4, min_rows: int = MIN_TRAINING_ROWS,
                    train_if_missing: bool = False) -> Predictors:
    """The saved best model per target and ``mobile_ion`` from the model folder (the one
    ``superionic train --mobile-ion`` writes: ``<target>`` for Li, ``<target>_Na`` ...).

    Where none is saved: with ``train_if_missing`` a composition model is trained and saved
    first (:func:`superionic.models.workflow.load_or_train`, ``budget`` random-search draws per
    model; 0 uses the zoo defaults); without it
    :class:`~superionic.models.workflow.NoSavedModelError` names the folder and how to fill it.
    A target without a saved model and with fewer than ``min_rows`` labels of the ion (no model
    could be trained) is left unavailable with its reason; a saved model of another ion raises
    ``ValueError``."""
    from superionic.models.paths import default_model_dir, model_path
    from superionic.models.persist import MANIFEST
    from superionic.models.workflow import load_or_train

    say = progress or (lambda _m: None)
    root = Path(model_dir) if model_dir else default_model_dir()
    data = Path(data_dir) if data_dir else None
    models, sources, unavailable = {}, {}, {}
    for target in targets:
        folder = model_path(root, target, mobile_ion)
        if (folder / MANIFEST).is_file():
            how = f"loaded from {folder}"
        else:
            reason = unavailable_reason(target, count_labels(target, data, mobile_ion),
                                        mobile_ion, min_rows)
            if reason:
                unavailable[target] = reason
                say(f"{target}: unavailable ({reason})")
                continue
            how = f"trained and saved to {folder}"
        models[target] = load_or_train(target, folder, data, mobile_ion, seed=seed,
                                       budget=budget, train_if_missing=train_if_missing,
                                       progress=progress)
        sources[target] = how
    predictors = Predictors(models, sources, unavailable)
    predictors.check_ion(mobile_ion)
    return predictors


def predict_properties(features: pd.DataFrame, predictors: Predictors, ok: np.ndarray,
                       level: float = 0.9, progress: bool = False) -> pd.DataFrame:
    """Mean and ``level`` interval of every target for the rows where ``ok`` and the model can
    be served (others NaN).

    Each model gets exactly its own feature columns (a missing column raises
    :class:`~superionic.models.fitted.FeatureMismatchError` naming it); a
    ``composition+structure`` model predicts only the rows with a structure. Columns per target
    stem S: ``S_mean`` (``Ea_eV`` for Ea), ``S_low``, ``S_high``; ``sigma_S_cm`` = 10 **
    log10_sigma_mean (S/cm, 300 K); ``prediction_note``: why a featurised row got no
    prediction ('' otherwise).
    """
    n = len(features)
    out = pd.DataFrame(index=features.index)
    notes = np.full(n, "", dtype=object)
    base = np.flatnonzero(ok)
    total = len(base) * len(predictors.models)
    with tqdm(total=total, desc="predict", disable=not progress, leave=False) as bar:
        for target, model in predictors.models.items():
            stem = SCREEN_TARGETS.get(target, target)
            mean, low, high = (np.full(n, np.nan) for _ in range(3))
            rows = _servable(model, features, base, target, notes)
            bar.update(len(base) - len(rows))
            for s in range(0, len(rows), CHUNK):
                idx = rows[s:s + CHUNK]
                m, lo, hi = model.predict_interval(features.iloc[idx], level)
                mean[idx], low[idx], high[idx] = m, lo, hi
                bar.update(len(idx))
            out[f"{stem}_mean" if stem == "log10_sigma" else stem] = mean
            out[f"{stem}_low"], out[f"{stem}_high"] = low, high
    for target in predictors.unavailable:  # no model: the columns exist, all NaN
        stem = SCREEN_TARGETS.get(target, target)
        for col in (f"{stem}_mean" if stem == "log10_sigma" else stem, f"{stem}_low",
                    f"{stem}_high"):
            out[col] = np.nan
    if "log10_sigma_mean" in out:
        out["sigma_S_cm"] = 10.0 ** out["log10_sigma_mean"]
    out["prediction_note"] = notes
    return out


def _servable(model: Any, features: pd.DataFrame, rows: np.ndarray, target: str,
              notes: np.ndarray) -> np.ndarray:
    """The rows of ``rows`` ``model`` can be served: all of them for a composition model, those
    with a structure for a structure model (the others get a note). A feature column the model
    needs and the table lacks raises :class:`~superionic.models.fitted.FeatureMismatchError`."""
    from superionic.models.fitted import FeatureKind, FeatureMismatchError

    if not hasattr(model, "feature_set"):
        return rows
    missing = model.missing_features(features.columns)
    kind = model.feature_kind
    struct = set(model.feature_set.structure_names)
    if missing and not (kind is FeatureKind.STRUCTURE and set(missing) <= struct):
        raise FeatureMismatchError(model.mismatch_message(missing))
    if kind is FeatureKind.COMPOSITION:
        return rows
    has = np.zeros(len(features), dtype=bool)
    if not missing:
        has = model.has_structure(features)
    bare = rows[~has[rows]]
    lack = (f"the screen computes none of its features {missing[:4]}" if missing
            else "this row has no structure")
    why = (f"{target}: {model.describe()} needs a crystal structure and {lack} (structure "
           "features are never filled in)")
    for i in bare:
        notes[i] = f"{notes[i]}; {why}" if notes[i] else why
    return rows[has[rows]]
