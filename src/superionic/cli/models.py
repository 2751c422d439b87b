"""``superionic train`` and ``superionic predict``: thin wrappers over superionic.models."""

from __future__ import annotations

from pathlib import Path

import typer

from superionic.cli._common import JsonOption, emit_json, err_console, fail
from superionic.models.paths import default_model_dir, model_path


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train_cmd(
        target: str = typer.Option("log10_sigma", help="log10_sigma | Ea | log10_sigma_T | "
                                   "reduction_V | oxidation_V"),
        split: str = typer.Option("all", help="obelix | group | random | all"),
        models: str = typer.Option("all", help="'all' or a comma list, e.g. rf,xgb,catboost"),
        out: Path | None = typer.Option(None, help="Folder for parity/SHAP/heatmap PNGs."),
        budget: int = typer.Option(10, help="Random-search draws per model and outer fold."),
        n_splits: int = typer.Option(5, help="Outer folds of the group and random splits."),
        extra: bool | None = typer.Option(
            None, "--extra/--no-extra", help="Add leak-filtered labels from other data sets "
            "(train side only on obelix). Default: on for log10_sigma (models.zoo.DEFAULT_CONFIG)"
            ", off for other targets."),
        censor: str = typer.Option("impute", help="Censored labels: impute | exclude | bound"),
        censored_as: str = typer.Option(
            "bound", "--censored-as", help="Value of a censored label (<1E-10) in training and "
            "scoring: bound (its bound) | paper (1E-15 S/cm, the OBELiX authors' rule)."),
        level: float = typer.Option(0.9, help="Nominal coverage of the reported intervals."),
        save: bool = typer.Option(True, "--save/--no-save", help="Save the best model."),
        features: str = typer.Option("composition", help="composition (served from a formula; "
                                     "the default) | composition+structure (the saved model "
                                     "then needs a structure for every compound)."),
        model_dir: Path | None = typer.Option(None, help="Model folder (default "
                                              "$SUPERIONIC_MODEL_DIR or <cache>/models)."),
        data_dir: Path | None = typer.Option(None, help="Data folder (default SUPERIONIC_DATA)."),
        mobile_ion: str | None = typer.Option(None, help="Li (default), Na or K."),
        seed: int | None = typer.Option(None, help="Random seed (default from settings)."),
        as_json: bool = JsonOption,
    ) -> None:
        """Evaluate models on the three splits (nested CV), then fit and save the best one."""
        from superionic.config import load_settings
        from superionic.models.dataset import build_target_data
        from superionic.models.evaluate import SPLITS
        from superionic.models.targets import CENSORED_AS, target_spec
        from superionic.models.workflow import run_training
        from superionic.models.zoo import DEFAULT_CONFIG, parse_model_list

        try:
            settings = load_settings(data_dir=data_dir, mobile_ion=mobile_ion, seed=seed)
            names = parse_model_list(models)
            splits = list(SPLITS) if split == "all" else [s.strip() for s in split.split(",")]
            bad = [s for s in splits if s not in SPLITS]
            if bad:
                raise ValueError(f"unknown split {bad[0]!r}; choose obelix, group, random or all")
            if censored_as not in CENSORED_AS:
                raise ValueError(f"--censored-as must be one of {', '.join(CENSORED_AS)}, "
                                 f"got {censored_as!r}")
        except ValueError as exc:
            fail(str(exc), as_json=as_json)
        mdir = model_path(model_dir or default_model_dir(settings), target, settings.mobile_ion)
        try:
            if extra is None:
                extra = DEFAULT_CONFIG.extra and target_spec(target).name == "log10_sigma"
            data = build_target_data(target, settings.data_dir, settings.mobile_ion, extra=extra,
                                     censored_as=censored_as)
            report = run_training(
                target, settings.data_dir, settings.mobile_ion, names, splits, budget=budget,
                n_splits=n_splits, seed=settings.seed, extra=extra, censor_strategy=censor,
                level=level, out=out, model_dir=mdir if save else None, feature_kind=features,
                data=data, progress=lambda msg: err_console.print(f"[dim]{msg}[/dim]"))
        except (ValueError, FileNotFoundError) as exc:
            fail(str(exc), as_json=as_json)
        report["censored_as"] = censored_as
        if as_json:
            emit_json(report)
            return
        err_console.print(f"censored labels valued as: {censored_as}")
        for row in report["rows"]:
            cov = row.get("coverage_90")
            err_console.print(f"{row['split']:>7} {row['model']:>9}  MAE {row['mae']:.3f}  "
                              f"R2 {row['r2']:.3f}  Spearman {row['spearman']:.3f}"
                              + ("" if cov is None else f"  90% coverage {cov:.2f} width "
                                 f"{row['interval_width_90']:.1f}"))
        best = report["best"]
        err_console.print(f"best: {best['model']} on {best['split']} (MAE {best['mae']:.3f})")

    @app.command("predict")
    def predict_cmd(
        formulas: list[str] = typer.Argument(..., help="Formulas, e.g. Li7La3Zr2O12 Li3PS4"),
        target: str = typer.Option("log10_sigma", help="Target of the saved model."),
        level: float = typer.Option(0.9, help="Nominal coverage of the interval."),
        temperature_k: float | None = typer.Option(None, "--temperature-K",
                                                   help="Temperature (K), for log10_sigma_T."),
        model_dir: Path | None = typer.Option(None, help="Model folder (default "
                                              "$SUPERIONIC_MODEL_DIR or <cache>/models)."),
        data_dir: Path | None = typer.Option(None, help="Data folder, used if training first."),
        mobile_ion: str | None = typer.Option(None, help="Li (default), Na or K."),
        train_if_missing: bool = typer.Option(False, "--train-if-missing", help="Train and save "
                                              "a composition model first when none is saved."),
        as_json: bool = JsonOption,
    ) -> None:
        """Predict with intervals from the saved composition model (see `superionic train`)."""
        from superionic.config import load_settings
        from superionic.models.workflow import predict_formulas

        try:
            settings = load_settings(data_dir=data_dir, mobile_ion=mobile_ion)
            if not 0.0 < level < 1.0:
                raise ValueError(f"--level must be between 0 and 1, got {level}")
        except ValueError as exc:
            fail(str(exc), as_json=as_json)
        from superionic.formula import FormulaError, parse_amounts

        bad = []
        for f in formulas:  # before a model is loaded: no formula, no work
            try:
                parse_amounts(f)
            except FormulaError as exc:
                bad.append(str(exc))
        if len(bad) == len(formulas):
            fail("; ".join(bad), kind="bad formula", option="formulas")
        mdir = model_path(model_dir or default_model_dir(settings), target, settings.mobile_ion)
        try:
            report = predict_formulas(
                formulas, target, mdir, settings.data_dir, settings.mobile_ion, level=level,
                seed=settings.seed, temperature_K=temperature_k,
                train_if_missing=train_if_missing, progress=lambda msg: err_console.print(f"[dim]{msg}[/dim]"))
        except (ValueError, FileNotFoundError) as exc:
            fail(str(exc), as_json=as_json)
        except Exception as exc:  # integrity errors etc.: a clear message, non-zero exit
            fail(f"{type(exc).__name__}: {exc}", as_json=as_json)
        if as_json:
            emit_json(report)
            if not report["predictions"]:
                raise typer.Exit(1)
            return
        for p in report["predictions"]:
            err_console.print(p)
        for r in report["rejected"]:
            err_console.print(f"[yellow]skipped[/yellow] {r}")
        if not report["predictions"]:
            fail("no formula could be predicted", code=1, kind="no result")
