"""``superionic eis``, ``eis-series`` and ``polarization``: thin wrappers over
superionic.experiment (impedance fits, Arrhenius of a series, DC polarisation, labels)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from superionic.cli._common import JsonOption, check_output_path, emit_json, err_console, fail

_CIRCUIT_HELP = ("bulk = R0-p(R1,CPE1)-CPE2 (default), bulk_gb = R0-p(R1,CPE1)-p(R2,CPE2)-CPE3, "
                 "auto = choose by BIC (docs/experiment.md).")
_INSTRUMENT_HELP = ("Instrument export: gamry, autolab, parstat, zplot, versastudio, powersuite, "
                    "biologic, chinstruments; default from the extension, else CSV.")

# Options shared by eis, eis-series and polarization (flags and defaults are a contract).
ThicknessOption = typer.Option(..., "--thickness-mm", help="Pellet thickness (mm).")
AreaOption = typer.Option(..., "--area-cm2", help="Electrode area (cm^2).")
ThicknessErrOption = typer.Option(0.0, "--thickness-err-mm",
                                  help="1-sigma error of the thickness (mm).")
AreaErrOption = typer.Option(0.0, "--area-err-cm2", help="1-sigma error of the area (cm^2).")
CircuitOption = typer.Option("bulk", "--circuit", help=_CIRCUIT_HELP)
InstrumentOption = typer.Option(None, "--instrument", help=_INSTRUMENT_HELP)
TemperatureOption = typer.Option(None, "--temperature-K", help="Measurement temperature (K).")
FormulaOption = typer.Option(None, "--formula", help="Composition, for labels.")
ForceOption = typer.Option(False, "--force", help="Store a label even when its conductivity is "
                           "implausible (> 10 S/cm).")


def note_option(help: str = "Sample notes for the label.") -> Any:
    """``--note``: free-text sample notes carried into the label(s)."""
    return typer.Option(None, "--note", help=help)


def label_out_option(help: str) -> Any:
    """``--label-out``: the label CSV to append to (``help`` says which labels and needs)."""
    return typer.Option(None, "--label-out", help=help)


def plot_option(help: str) -> Any:
    """``--plot``: where to write the command's figure (``help`` says which)."""
    return typer.Option(None, "--plot", help=help)


@contextmanager
def _failing_on_bad_input(path: Path, as_json: bool,
                          errors: tuple[type[Exception], ...] = (ValueError,)) -> Iterator[None]:
    """Turn a :class:`DataFileError` (already names file and line) or one of ``errors`` (prefixed
    with ``path``) raised in the block into a clean CLI failure (exit 2, JSON error if asked)."""
    from superionic.experiment.errors import DataFileError

    try:
        yield
    except DataFileError as exc:
        fail(str(exc), as_json=as_json)
    except errors as exc:
        fail(f"{path}: {exc}", as_json=as_json)


def _finish(out: dict[str, Any], labels: list[Any], label_out: Path | None, as_json: bool,
            text: Callable[[], str]) -> None:
    """Write the labels, then print ``out`` as JSON (``--json``) or ``text()`` on stderr (made
    only then: the one-line summary may not format every value JSON allows, e.g. null)."""
    _write_labels(labels, label_out, out)
    if as_json:
        emit_json(out)
    else:
        err_console.print(text())


def _pellet(thickness_mm: float, area_cm2: float, thickness_err_mm: float, area_err_cm2: float,
            as_json: bool) -> Any:
    from superionic.experiment.pellet import Pellet

    try:
        return Pellet(thickness_mm, area_cm2, thickness_err_mm, area_err_cm2)
    except ValueError as exc:
        fail(str(exc), as_json=as_json)


def _check_first(circuit: str | None = None, plot: Path | None = None) -> None:
    """Options checked before any fit: the circuit name, the plot path."""
    if circuit is not None and circuit != "auto":
        from superionic.experiment.circuits import resolve_circuit

        resolve_circuit(circuit)  # BadValue naming the circuit
    if plot is not None:
        check_output_path(plot, "--plot")


def _implausible(out: dict[str, Any], values: list[tuple[str, float]], labels: list[Any],
                 force: bool) -> None:
    """Warn (in ``out["warnings"]`` and on stderr) on implausible conductivities; refuse to
    store them as labels unless ``--force``."""
    from superionic.sanity import implausible_conductivity

    warnings = [w for name, v in values if (w := implausible_conductivity(v, name))]
    if not warnings:
        return
    out.setdefault("warnings", []).extend(warnings)
    for w in warnings:
        err_console.print(f"[yellow]warning:[/yellow] {w}")
    if labels and not force:
        from superionic.errors import Implausible

        raise Implausible("; ".join(warnings) + "; no label written (pass --force to store it)",
                          option="--force")


def _check_label_options(label_out: Path | None, formula: str | None, temperature: float | None,
                         as_json: bool, need_temperature: bool = True) -> None:
    """Refuse --label-out without what a label needs, before any work is done."""
    if label_out is None:
        return
    if label_out.is_dir():
        fail(f"--label-out {label_out} is a folder, not a label file", kind="bad path",
             option="--label-out", file=str(label_out))
    if label_out.exists():  # an existing file must be a label file (read, never rewritten here)
        from superionic.experiment.labels import _read_rows

        _read_rows(label_out)
    else:
        check_output_path(label_out, "--label-out")
    if not formula:
        fail("--label-out needs --formula", as_json=as_json)
    if need_temperature and temperature is None:
        fail("--label-out needs --temperature-K", as_json=as_json)
    from superionic.experiment.labels import reduced_formula

    try:
        reduced_formula(formula or "")
    except ValueError as exc:
        fail(str(exc), as_json=as_json)


def _write_labels(labels: list[Any], label_out: Path | None, out: dict[str, Any]) -> None:
    if label_out is None:
        return
    from superionic.experiment.labels import write_labels

    out["labels_written"] = write_labels(labels, label_out)
    out["label_file"] = str(label_out)
    err_console.print(f"[dim]{out['labels_written']} new label(s) in {label_out}[/dim]")


def register(app: typer.Typer) -> None:
    @app.command("eis")
    def eis_cmd(
        spectrum: Path = typer.Argument(..., help="Impedance spectrum: CSV with unit-bearing "
                                        "headers (freq_Hz,Z_real_ohm,Z_imag_ohm) or an "
                                        "instrument export."),
        thickness_mm: float = ThicknessOption,
        area_cm2: float = AreaOption,
        thickness_err_mm: float = ThicknessErrOption,
        area_err_cm2: float = AreaErrOption,
        circuit: str = CircuitOption,
        instrument: str | None = InstrumentOption,
        temperature: float | None = TemperatureOption,
        formula: str | None = FormulaOption,
        note: str | None = note_option(),
        label_out: Path | None = label_out_option("Append a sigma_S_cm label to this CSV (needs "
                                                  "--formula and --temperature-K)."),
        plot: Path | None = plot_option("Write a Nyquist plot with the fit."),
        force: bool = ForceOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Fit an equivalent circuit: R_bulk (ohm) and sigma = L / (R A) (S/cm) with errors."""
        from superionic.experiment.eis import analyze_file
        from superionic.experiment.labels import eis_labels

        pellet = _pellet(thickness_mm, area_cm2, thickness_err_mm, area_err_cm2, as_json)
        _check_first(circuit, plot)
        _check_label_options(label_out, formula, temperature, as_json)
        with _failing_on_bad_input(spectrum, as_json, (ValueError, RuntimeError)):
            result = analyze_file(spectrum, pellet, circuit, temperature, instrument)
            labels = eis_labels(result, formula, note) if label_out is not None else []
        out = result.summary()
        _implausible(out, [("sigma_S_cm", out.get("sigma_S_cm")),
                           ("sigma_total_S_cm", out.get("sigma_total_S_cm"))], labels, force)
        if plot is not None:
            from superionic.experiment.plots import plot_nyquist

            plot_nyquist(result.spectrum, result.fit, path=plot)
            out["plot"] = str(plot)
        _finish(out, labels, label_out, as_json, lambda: (
                f"{out['circuit']}: R_bulk = {out['R_bulk_ohm']:.4g} ± "
                f"{out['R_bulk_err_ohm']:.2g} ohm, sigma = {out['sigma_S_cm']:.3e} ± "
                f"{out['sigma_err_S_cm']:.1e} S/cm (rms residual "
                f"{100 * out['rms_relative_residual']:.2f}%)"))

    @app.command("eis-series")
    def eis_series_cmd(
        directory: Path = typer.Argument(..., help="Directory of spectra; temperatures from "
                                         "manifest.csv or names like sample_35C.csv / _308K."),
        thickness_mm: float = ThicknessOption,
        area_cm2: float = AreaOption,
        thickness_err_mm: float = ThicknessErrOption,
        area_err_cm2: float = AreaErrOption,
        circuit: str = CircuitOption,
        component: str = typer.Option("bulk", "--component", help="Fit bulk or total "
                                      "(bulk + grain boundary) conductivity."),
        instrument: str | None = InstrumentOption,
        at_K: float = typer.Option(300.0, "--at-K", help="Report sigma at this T (K)."),
        formula: str | None = FormulaOption,
        note: str | None = note_option("Sample notes for the labels."),
        label_out: Path | None = label_out_option("Append sigma_S_cm per T and Ea_eV labels "
                                                  "(needs --formula)."),
        plot: Path | None = plot_option("Write the Arrhenius plot."),
        force: bool = ForceOption,
        as_json: bool = JsonOption,
    ) -> None:
        """sigma(T) of a series of spectra and the Arrhenius fit sigma = A/T exp(-Ea/kT)."""
        from tqdm import tqdm

        from superionic.experiment.labels import series_labels
        from superionic.experiment.series import analyze_directory

        if component not in ("bulk", "total"):
            fail(f"--component must be bulk or total, got {component!r}", as_json=as_json)
        if not at_K > 0:
            fail(f"--at-K must be positive (K), got {at_K}", as_json=as_json)
        pellet = _pellet(thickness_mm, area_cm2, thickness_err_mm, area_err_cm2, as_json)
        _check_first(circuit, plot)
        if not directory.is_dir():
            fail(f"{directory}: not a folder of spectra", kind="bad path", file=str(directory))
        _check_label_options(label_out, formula, None, as_json, need_temperature=False)

        def progress(items: Any) -> Any:
            return tqdm(items, desc="fitting spectra", unit="spectrum", file=sys.stderr,
                        leave=False)

        with _failing_on_bad_input(directory, as_json):
            series = analyze_directory(directory, pellet, circuit, component,  # type: ignore[arg-type]
                                       instrument, progress)
            labels = (series_labels(series, formula, note, str(directory))
                      if label_out is not None else [])
        for rej in series.rejected:
            err_console.print(f"[yellow]skipped[/yellow] {rej}")
        out: dict[str, Any] = {"directory": str(directory), **series.summary(at_K)}
        out["Ea_err"] = out["Ea_err_eV"]  # the key name of `superionic arrhenius`
        _implausible(out, [(f"sigma_S_cm at {t:g} K", float(v))
                           for t, v in zip(series.temperature_K, series.sigma_S_cm, strict=True)],
                     labels, force)
        if plot is not None:
            from superionic.experiment.plots import plot_series_arrhenius

            plot_series_arrhenius(series, extrapolate_to_K=at_K, path=plot)
            out["plot"] = str(plot)
        _finish(out, labels, label_out, as_json, lambda: (
                f"Ea = {out['Ea_eV']:.3f} ± {out['Ea_err_eV']:.3f} eV from "
                f"{len(series.points)} spectra ({len(series.rejected)} skipped)"))

    @app.command("polarization")
    def polarization_cmd(
        file: Path = typer.Argument(..., help="Current vs time CSV (time_s,current_A or "
                                    "other unit-bearing headers)."),
        voltage: float = typer.Option(..., "--voltage-V", help="Applied DC voltage (V)."),
        thickness_mm: float = ThicknessOption,
        area_cm2: float = AreaOption,
        thickness_err_mm: float = ThicknessErrOption,
        area_err_cm2: float = AreaErrOption,
        window_fraction: float = typer.Option(0.1, "--window-fraction", help="Final fraction "
                                              "of the run averaged as the plateau."),
        max_drift: float = typer.Option(0.02, "--max-drift", help="Steady when the fitted "
                                        "change across the window is below this fraction."),
        allow_transient: bool = typer.Option(False, "--allow-transient", help="Report a run "
                                             "still drifting (sigma_e is then an upper bound)."),
        temperature: float | None = TemperatureOption,
        formula: str | None = FormulaOption,
        note: str | None = note_option(),
        label_out: Path | None = label_out_option("Append a sigma_e_S_cm label (needs --formula "
                                                  "and --temperature-K)."),
        plot: Path | None = plot_option("Write the current trace plot."),
        as_json: bool = JsonOption,
    ) -> None:
        """Steady-state current I_ss (A) -> electronic conductivity sigma_e = I_ss L / (V A)."""
        from superionic.experiment.labels import polarization_labels
        from superionic.experiment.polarization import electronic_conductivity, read_polarization

        pellet = _pellet(thickness_mm, area_cm2, thickness_err_mm, area_err_cm2, as_json)
        if not (max_drift > 0 and max_drift < 1):
            fail(f"--max-drift must be a fraction between 0 and 1, got {max_drift}",
                 kind="bad value", option="--max-drift", value=max_drift)
        if not (window_fraction > 0 and window_fraction <= 0.5):
            fail(f"--window-fraction must be in (0, 0.5], got {window_fraction}",
                 kind="bad value", option="--window-fraction", value=window_fraction)
        _check_first(None, plot)
        _check_label_options(label_out, formula, temperature, as_json)
        with _failing_on_bad_input(file, as_json):
            trace = read_polarization(file)
            result = electronic_conductivity(trace, voltage, pellet, window_fraction, max_drift)
        ss = result.steady_state
        if not ss.steady and not allow_transient:
            fail(f"{file}: no steady state: the current changes by {100 * ss.drift_fraction:.1f}% "
                 f"across the final window (criterion {100 * max_drift:g}%); measure longer, or "
                 "pass --allow-transient to report sigma_e as an upper bound", as_json=as_json)
        labels = (polarization_labels(result, formula or "", temperature or 0.0, note,
                                      allow_transient) if label_out is not None else [])
        out = result.summary()
        out["temperature_K"] = temperature
        if plot is not None:
            from superionic.experiment.plots import plot_polarization

            plot_polarization(trace, ss, path=plot)
            out["plot"] = str(plot)
        _finish(out, labels, label_out, as_json, lambda: (
                f"I_ss = {out['I_ss_A']:.3e} A, sigma_e = {out['sigma_e_S_cm']:.3e} ± "
                f"{out['sigma_e_err_S_cm']:.1e} S/cm"
                + ("" if ss.steady else " (NOT steady: upper bound)")))
