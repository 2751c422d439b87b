"""The training and prediction workflows behind ``superionic train`` / ``superionic predict``.

Plain functions returning JSON-ready dicts; progress goes through an optional callback, nothing
is printed. ``run_training`` evaluates the zoo on the requested splits (nested CV), draws parity
plots, measures held-out interval coverage, fits the best model on every row, explains it (SHAP,
Pearson heatmap) and saves it. ``predict_formulas`` loads the saved model and predicts with
intervals from a formula alone.

The saved model's features are the serving path's features: ``run_training`` trains a
``composition`` model by default (the only kind a formula can be served by; structure columns of
the training table are dropped before evaluation, so the reported metrics are the saved
model's); ``feature_kind="composition+structure"`` saves a model that :func:`predict_formulas`
refuses. Nothing is trained unless asked: :func:`load_or_train` raises when no model is saved
and ``train_if_missing`` is False.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from superionic.models.evaluate import (
    SPLITS,
    EvalResult,
    best_result,
    evaluate_model,
    holdout_coverage,
    parity_plot,
)
from superionic.models.fitted import FeatureKind, FeatureMismatchError, FittedModel
from superionic.models.targets import TargetData, target_spec

Progress = Callable[[str], None]

#: Calibration grouping used to check intervals on each split (match the split's novelty).
CALIBRATION_FOR_SPLIT = {"obelix": "source", "group": "family", "random": "none"}


def _noop(_: str) -> None:
    return None


def available_splits(data: TargetData, splits: Sequence[str]) -> list[str]:
    """``splits`` minus ``obelix`` when the data carry no OBELiX split labels."""
    has_obelix = data.obelix_split is not None and np.any(data.obelix_split == "test")
    return [s for s in splits if s != "obelix" or has_obelix]


def run_training(target: str, data_dir: Path | None, mobile_ion: str, models: Sequence[str],
                 splits: Sequence[str], budget: int = 10, n_splits: int = 5, seed: int = 0,
                 extra: bool = False, censor_strategy: str = "impute", level: float = 0.9,
                 out: Path | None = None, model_dir: Path | None = None,
                 data: TargetData | None = None, n_jobs: int = 1,
                 feature_kind: FeatureKind | str = FeatureKind.COMPOSITION,
                 intervals_per_model: bool = True,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Evaluate ``models`` on ``splits``, then fit, explain and save the best; returns the report
    ``{"target", "feature_kind", "rows": [...], "best": {...}, "intervals": [...], "figures":
    [...], ...}``. ``feature_kind`` (default ``composition``) picks the features every model of
    the comparison and the saved one use (:func:`~superionic.models.train.with_feature_kind`).
    ``intervals_per_model=False`` skips the CV+ coverage of every compared model (5 fewer fits
    per outer fold); the held-out coverage of the best model (``intervals``) is always computed."""
    from superionic.models.dataset import build_target_data
    from superionic.models.train import with_feature_kind

    say = progress or _noop
    spec = target_spec(target)
    if data is None:
        say(f"building the {spec.name} table (features + labels) ...")
        data = build_target_data(spec.name, data_dir, mobile_ion, extra=extra)
    kind = FeatureKind.parse(feature_kind)
    data = with_feature_kind(data, kind)
    say(f"features: {kind.value}, {len(data.feature_names)} columns")
    use = available_splits(data, splits)
    if not use:
        raise ValueError(f"none of the splits {list(splits)} apply to target {spec.name!r}")
    results: list[EvalResult] = []
    failed: list[dict[str, str]] = []
    for split in use:
        for name in models:
            try:
                res = evaluate_model(name, data, split, budget=budget, n_splits=n_splits,
                                     seed=seed, censor_strategy=censor_strategy, n_jobs=n_jobs,
                                     level=level if intervals_per_model else None)
            except ValueError as exc:  # one impossible split/model never ends the comparison
                failed.append({"split": split, "model": name, "reason": str(exc)})
                say(f"{split:>7} {name:>9}: skipped ({exc})")
                continue
            results.append(res)
            say(f"{split:>7} {name:>9}: MAE {res.metrics['mae']:.3f} R2 {res.metrics['r2']:.3f}"
                f" ({res.seconds:.0f} s)")
    figures: list[str] = []
    if out is not None:
        for res in results:
            figures.append(str(parity_plot(res, Path(out) / f"parity_{res.split}_{res.model}.png",
                                           spec.unit)))
    if not results:
        raise ValueError(f"no model could be evaluated on {list(use)}: "
                         + "; ".join(f"{f['split']}/{f['model']}: {f['reason']}" for f in failed))
    use = [sp for sp in use if any(r.split == sp for r in results)]
    pick_split = use[0]  # the most honest split evaluated: obelix, then group, then random
    best = best_result(results, pick_split)
    say(f"best on {SPLITS[pick_split]}: {best.model} (MAE {best.metrics['mae']:.3f})")
    intervals = holdout_coverage(
        data, best.model, pick_split, levels=(0.8, level, 0.95) if level not in (0.8, 0.95)
        else (0.8, 0.9, 0.95), params=best.params[0] if len(best.params) == 1 else None,
        n_splits=n_splits, seed=seed, censor_strategy=censor_strategy,
        calibration=CALIBRATION_FOR_SPLIT[pick_split], n_jobs=n_jobs)
    say(f"held-out coverage of {level:.0%} intervals: "
        f"{next(r['coverage'] for r in intervals if r['level'] == level):.3f}")
    report: dict[str, Any] = {
        "target": spec.name, "unit": spec.unit, "mobile_ion": mobile_ion,
        "feature_kind": kind.value, "n_features": len(data.feature_names),
        "n_rows": len(data), "n_censored": int(data.censored.sum()), "budget": budget,
        "censor_strategy": censor_strategy, "data": data.meta,
        "rows": [r.row() for r in results], "best": best.row(), "intervals": intervals,
        "failed": failed,
        "figures": figures,
    }
    if model_dir is not None or out is not None:
        report.update(_fit_explain_save(data, best, budget, seed, censor_strategy, out,
                                        model_dir, n_jobs, say))
        figures.extend(report.pop("explain_figures", []))
    return report


def _fit_explain_save(data: TargetData, best: EvalResult, budget: int, seed: int,
                      censor_strategy: str, out: Path | None, model_dir: Path | None,
                      n_jobs: int, say: Progress) -> dict[str, Any]:
    """Fit the winning model on every row (CV+ wrapper), write SHAP/heatmap PNGs, save it."""
    from superionic.models.explain import (
        TREE_MODELS,
        correlation_heatmap_png,
        mean_abs_shap,
        shap_summary_png,
    )
    from superionic.models.persist import save_model
    from superionic.models.train import train_best

    say(f"fitting {best.model} on all {len(data)} rows with CV+ intervals ...")
    fitted = train_best(data.target, data, models=(best.model,), budget=budget, seed=seed,
                        censor_strategy=censor_strategy, n_jobs=n_jobs,
                        extra_manifest={"metrics": {best.split: best.row()}})
    extra: dict[str, Any] = {"explain_figures": []}
    if out is not None:
        importance = None
        if best.model in TREE_MODELS:
            shap_png = Path(out) / f"shap_{data.target}_{best.model}.png"
            shap_summary_png(fitted.pipeline, data.X, shap_png,
                             title=f"SHAP, {best.model}, {data.target}")
            importance = mean_abs_shap(fitted.pipeline, data.X)
            extra["explain_figures"].append(str(shap_png))
            extra["top_features"] = [
                {"feature": k, "mean_abs_shap": float(v)} for k, v in importance.head(10).items()]
        heat, _ = correlation_heatmap_png(data.X, Path(out) / f"pearson_{data.target}.png",
                                          top_n=25, importance=importance,
                                          title=f"Pearson r, top features, {data.target}")
        extra["explain_figures"].append(str(heat))
    if model_dir is not None:
        save_model(fitted, model_dir)
        extra["saved_to"] = str(model_dir)
        say(f"saved {fitted.name} to {model_dir}")
    return extra


class NoSavedModelError(FileNotFoundError):
    """No model is saved where one was asked for, and training one was not allowed."""


def load_or_train(target: str, model_dir: Path, data_dir: Path | None, mobile_ion: str,
                  seed: int = 0, budget: int = 4, train_if_missing: bool = False,
                  progress: Progress | None = None) -> FittedModel:
    """The saved model in ``model_dir``. When there is none: with ``train_if_missing`` a
    composition model (default candidates, ``budget`` draws each) is trained and saved there;
    otherwise :class:`NoSavedModelError` says how to make one. Nothing is trained silently."""
    from superionic.models.dataset import build_target_data
    from superionic.models.persist import MANIFEST, load_model, save_model
    from superionic.models.train import train_best, with_feature_kind

    say = progress or _noop
    if (Path(model_dir) / MANIFEST).is_file():
        return load_model(model_dir)
    if not train_if_missing:
        raise NoSavedModelError(
            f"no saved {target} model in {model_dir} (manifest.json missing): train and save one "
            f"first (`superionic train --target {target}`, or superionic.models.workflow."
            f"run_training(..., model_dir={str(model_dir)!r})), or pass train_if_missing=True")
    say(f"no saved model in {model_dir}: training a composition model (train_if_missing) ...")
    data = with_feature_kind(build_target_data(target, data_dir, mobile_ion, extra=True),
                             FeatureKind.COMPOSITION)
    model = train_best(target, data, budget=budget, seed=seed, progress=say)
    save_model(model, model_dir)
    return model


def predict_formulas(formulas: Sequence[str], target: str, model_dir: Path,
                     data_dir: Path | None, mobile_ion: str, level: float = 0.9, seed: int = 0,
                     temperature_K: float | None = None, train_if_missing: bool = False,
                     progress: Progress | None = None) -> dict[str, Any]:
    """Predictions with ``level`` intervals for ``formulas`` (compositions only); bad formulas
    are reported under ``rejected`` and skipped. ``log10_sigma_T`` needs ``temperature_K``.

    The model must be a ``composition`` model: its exact feature set is computed from each
    formula; a ``composition+structure`` model raises :class:`FeatureMismatchError` (a formula
    has no structure, and no feature is ever filled in). ``train_if_missing`` as in
    :func:`load_or_train`."""
    from superionic.models.dataset import feature_table

    spec = target_spec(target)
    if spec.name == "log10_sigma_T" and temperature_K is None:
        raise ValueError("target log10_sigma_T needs a temperature (temperature_K)")
    model = load_or_train(spec.name, model_dir, data_dir, mobile_ion, seed,
                          train_if_missing=train_if_missing, progress=progress)
    fs = model.feature_set
    if fs.kind is not FeatureKind.COMPOSITION:
        raise FeatureMismatchError(
            f"{model.describe()} needs a crystal structure: its features "
            f"{fs.structure_names[:6]} cannot be computed from a formula, and are never filled "
            f"in. Train a composition model into {model_dir} (run_training with feature_kind="
            "'composition', the default of `superionic train`) to predict from formulas.")
    if fs.mobile_ion != mobile_ion:
        raise ValueError(f"{model.describe()} was trained for mobile ion {fs.mobile_ion!r}, "
                         f"asked to predict for {mobile_ion!r}")
    temps = None if temperature_K is None or spec.name != "log10_sigma_T" \
        else [float(temperature_K)] * len(formulas)
    X, rejected = feature_table(list(formulas), mobile_ion=mobile_ion, temperature_K=temps)
    preds: list[dict[str, Any]] = []
    if len(X):
        mean, low, high = model.predict_interval(X, level)
        key = "log10_sigma" if spec.name in ("log10_sigma", "log10_sigma_T") else spec.name
        for i, row in enumerate(X.index):
            item = {"formula": formulas[int(row) - 1], f"{key}_mean": float(mean[i]),
                    f"{key}_low": float(low[i]), f"{key}_high": float(high[i])}
            if spec.log10:
                item["sigma_S_cm"] = float(10.0 ** mean[i])
                item["sigma_S_cm_low"] = float(10.0 ** low[i])
                item["sigma_S_cm_high"] = float(10.0 ** high[i])
            item.update({"level": level, "model": model.name, "target": spec.name,
                         "unit": spec.unit})
            if temps is not None:
                item["temperature_K"] = float(temperature_K)
            preds.append(item)
    return {"predictions": preds, "rejected": [str(r) for r in rejected],
            "model": {"name": model.name, "dir": str(model_dir),
                      "feature_kind": fs.kind.value, "n_features": len(fs.names),
                      "data": model.manifest.get("data", {})}}
