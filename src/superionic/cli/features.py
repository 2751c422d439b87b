"""``superionic featurize``: a CSV of formulas (and optional CIFs) -> a Parquet feature table."""

from __future__ import annotations

from pathlib import Path

import typer

from superionic.cli._common import (
    JsonOption,
    check_output_path,
    emit_json,
    err_console,
    fail,
)
from superionic.config import MOBILE_IONS
from superionic.fileio import atomic_write_parquet
from superionic.records import Rejection


def _read_structure(cell: object, base: Path) -> object:
    """A Structure from CIF text or a CIF path (relative to the CSV's folder); None if empty."""
    import pandas as pd
    from pymatgen.core import Structure

    if cell is None or (isinstance(cell, float) and pd.isna(cell)) or not str(cell).strip():
        return None
    text = str(cell)
    if "_cell_length_a" in text or text.lstrip().startswith("data_"):
        return Structure.from_str(text, fmt="cif")
    path = Path(text).expanduser()
    path = path if path.is_absolute() else base / path
    if not path.is_file():
        raise ValueError(f"CIF file {path} not found")
    return Structure.from_file(path)


def featurize_cmd(
    input_csv: Path = typer.Argument(..., help="CSV with a formula column (and optional CIFs)."),
    output: Path = typer.Option(..., "-o", "--output", help="Output Parquet file."),
    formula_column: str = typer.Option("formula", help="Column holding the formulas."),
    cif_column: str | None = typer.Option(
        None, help="Column with CIF text or CIF paths (relative to the CSV) -> structure features."
    ),
    temperature_column: str | None = typer.Option(None, help="Column of temperatures in K."),
    keep: list[str] = typer.Option([], "--keep", help="Input column to copy to the output."),
    mobile_ion: str = typer.Option("Li", help=f"Mobile ion, one of {', '.join(MOBILE_IONS)}."),
    guessed: bool = typer.Option(
        True, "--guessed/--no-guessed", help="Eng features from guessed oxidation states too."
    ),
    workers: int = typer.Option(1, help="Processes for the per-compound work (1: in process)."),
    as_json: bool = JsonOption,
) -> None:
    """Magpie (132), Eng_max/Eng_min (20) and, with --cif-column, structure descriptors."""
    import pandas as pd

    from superionic.features import featurize
    from superionic.parallel import Executor

    if mobile_ion not in MOBILE_IONS:
        fail(f"--mobile-ion must be one of {MOBILE_IONS}, got {mobile_ion!r}", as_json=as_json)
    check_output_path(output, "--output")  # before any work
    try:
        table = pd.read_csv(
            input_csv, dtype={formula_column: str}, keep_default_na=False, na_values=[""]
        )
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        fail(f"{input_csv}: cannot read CSV: {exc}", kind="bad file", file=str(input_csv))
    wanted = [formula_column, cif_column, temperature_column, *keep]
    missing = [c for c in wanted if c is not None and c not in table.columns]
    if missing:
        fail(
            f"{input_csv}: no column(s) {missing}; columns are {list(table.columns)}",
            as_json=as_json,
        )

    rejected: list[Rejection] = []
    structures = None
    if cif_column is not None:
        structures = []
        for i, cell in enumerate(table[cif_column]):
            try:
                structures.append(_read_structure(cell, input_csv.parent))
            except Exception as exc:  # noqa: BLE001 - one bad CIF is reported, the rest go on
                structures.append(None)
                rejected.append(Rejection(str(input_csv), i + 1, f"CIF unreadable: {exc}"))
    temps = None
    if temperature_column is not None:
        temps = pd.to_numeric(table[temperature_column], errors="coerce").to_numpy(float)
        for i, (raw, value) in enumerate(zip(table[temperature_column], temps, strict=True)):
            if pd.isna(value):
                rejected.append(
                    Rejection(str(input_csv), i + 1, f"temperature {raw!r} is not a number")
                )

    executor = Executor(kind="local" if workers > 1 else "serial", n_workers=workers)
    err_console.print(f"featurizing {len(table)} rows of {input_csv} (mobile ion {mobile_ion})")
    frame, rejections = featurize(
        [str(f) if pd.notna(f) else "" for f in table[formula_column]],
        structures,
        mobile_ion,
        temps,
        guessed_oxidation=guessed,
        source=str(input_csv),
        mapper=lambda fn, items: executor.map(fn, items, desc=fn.__name__.strip("_")),
    )
    bad_input = {r.row for r in rejected}
    frame = frame.drop(index=[r for r in bad_input if r in frame.index])
    rejected = sorted(
        [*rejected, *[r for r in rejections if r.row not in bad_input]], key=lambda r: r.row or 0
    )
    n_features = frame.shape[1] - 1 - (temps is not None)
    for col in keep:
        frame[col] = table[col].iloc[frame.index - 1].to_numpy()
    if len(frame):  # a run that rejected every row leaves an existing output as it was
        atomic_write_parquet(output, frame)

    for r in rejected:
        err_console.print(f"[yellow]rejected[/yellow] {r}")
    if as_json:
        emit_json(
            {
                "input": str(input_csv),
                "n_input_rows": len(table),
                "n_rows": len(frame),
                "n_features": n_features,
                "mobile_ion": mobile_ion,
                "output": str(output) if len(frame) else None,
                "rejected": [{"file": r.file, "row": r.row, "reason": r.reason} for r in rejected],
            }
        )
    else:
        err_console.print(
            f"{len(frame)} rows x {n_features} features -> {output}; {len(rejected)} rejected"
        )
    if len(frame) == 0:
        message = f"{input_csv}: every row was rejected; {output} not written"
        if as_json:  # the summary above is the one JSON object
            err_console.print(f"[red]error:[/red] {message}")
            raise typer.Exit(1)
        fail(message, code=1, kind="no result", file=str(input_csv))


def register(app: typer.Typer) -> None:
    app.command("featurize")(featurize_cmd)
