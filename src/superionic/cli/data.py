"""``superionic data list|show|fetch|labels|mp``: the data sets, their counts, fetching them from
their origin, the merged label table, and Materials Project compounds. Thin: parses options, calls
:mod:`superionic.data`, prints (one JSON object on stdout with ``--json``, else rich on stderr)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from superionic.cli._common import JsonOption, emit_json, err_console, fail

DataDirOption = typer.Option(None, "--data-dir", help="Default: $SUPERIONIC_DATA or ../shared/data.")


def _settings(**overrides: Any) -> Any:
    from superionic.config import load_settings

    return load_settings(**overrides)


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for i, col in enumerate(columns):
        table.add_column(col, no_wrap=i == 0)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    err_console.print(table)


def _list(data_dir: Path | None, as_json: bool) -> None:
    from superionic.data.registry import list_sets

    settings = _settings(data_dir=data_dir)
    sets = list_sets(settings.data_dir, settings.cache_dir)
    if as_json:
        emit_json({"data_dir": str(settings.data_dir), "sets": sets})
        return
    _table(f"data sets in {settings.data_dir}",
           ["name", "present", "rows", "parsed", "rejected", "checksums"],
           [[s["name"], s["present"], s["rows"], s["parsed"], s["rejected"],
             {True: "ok", False: "CHANGED", None: "-"}[s["checksums_ok"]]] for s in sets])


def _show(name: str, rejected: bool, head: int, data_dir: Path | None, as_json: bool) -> None:
    from superionic.data.registry import load_set, summary

    settings = _settings(data_dir=data_dir)
    try:
        info = summary(name, settings.data_dir, settings.cache_dir)
        res = load_set(name, settings.data_dir)
    except (KeyError, FileNotFoundError) as exc:
        fail(str(exc.args[0]), as_json=as_json)
    info["head"] = res.frame().head(max(head, 0)).to_dict("records")
    info["extras"] = {k: v for k, v in res.extras.items() if isinstance(v, dict | str)
                      and k not in ("split", "space_group_number")}
    if rejected:
        info["rejections"] = [{"file": r.file, "row": r.row, "reason": r.reason}
                              for r in res.rejected]
        info["warning_rows"] = [{"file": r.file, "row": r.row, "reason": r.reason}
                                for r in res.warnings]
    if as_json:
        emit_json(info)
        return
    err_console.print({k: v for k, v in info.items() if k not in ("head", "rejections")})
    if info["head"]:
        cols = list(info["head"][0])[:8]
        _table(f"first {len(info['head'])} records", cols,
               [[r.get(c) for c in cols] for r in info["head"]])
    if rejected:
        for r in res.rejected:
            err_console.print(f"rejected {r}")


def _fetch(name: str, dest: Path | None, base_url: str | None, as_json: bool) -> None:
    from superionic.data.fetch import ChecksumError, FetchError, fetch
    from superionic.data.registry import DATASETS

    if name != "all" and name not in DATASETS:
        fail(f"unknown data set {name!r}; known: {', '.join(DATASETS)}, all", as_json=as_json)
    target = dest or _settings().data_dir
    names = list(DATASETS) if name == "all" else [name]
    reports, errors = [], []
    for n in names:
        try:
            r = fetch(n, target, base_url, progress=lambda msg: err_console.print(f"fetch {msg}"))
        except (ChecksumError, FetchError, OSError) as exc:
            errors.append({"name": n, "error": str(exc)})
            err_console.print(f"[red]error:[/red] {n}: {exc}")
            continue
        reports.append({"name": n, "dest": str(r.dest), "downloaded": r.downloaded,
                        "skipped": r.skipped, "derived_not_fetched": r.derived})
    doc = {"dest": str(target), "fetched": reports, "errors": errors,
           "n_errors": len(errors)}
    if as_json:
        emit_json(doc)
    else:
        for r in reports:
            err_console.print(r)
    if errors:
        if not as_json:
            err_console.print(f"[red]{len(errors)} of {len(names)} set(s) failed[/red]")
        raise typer.Exit(2)


def _labels(out: Path | None, mobile_ion: str, data_dir: Path | None, as_json: bool) -> None:
    from superionic.cli._common import check_output_path
    from superionic.data.merge import merged_conductivity_labels
    from superionic.fileio import atomic_write_csv, atomic_write_parquet

    if out is not None:
        check_output_path(out, "--out")  # before any work
    try:
        settings = _settings(data_dir=data_dir, mobile_ion=mobile_ion)
    except ValueError as exc:
        fail(str(exc), as_json=as_json)
    df = merged_conductivity_labels(settings.data_dir, settings.mobile_ion)
    if out is not None:
        if out.suffix == ".parquet":
            atomic_write_parquet(out, df, index=False)
        else:
            atomic_write_csv(out, df, index=False)
    doc = {"mobile_ion": settings.mobile_ion, "n_compositions": len(df),
           "n_source_rows": int(df["n_sources"].sum()), "n_reports": int(df["n_reports"].sum()),
           "n_censored": int(df["censor"].notna().sum()), "n_with_Ea": int(df["Ea_eV"].notna().sum()),
           "columns": list(df.columns), "output": str(out) if out else None}
    if as_json:
        emit_json(doc)
        return
    err_console.print(doc)


def _mp(mobile_ion: str, e_hull_max: float | None, head: int, as_json: bool) -> None:
    from superionic.data.mp import MPSource

    try:
        settings = _settings(mobile_ion=mobile_ion)
        source = MPSource.from_settings(settings)
        mats = source.compounds(settings.mobile_ion, e_hull_max)
    except ValueError as exc:
        fail(str(exc), as_json=as_json)
    except Exception as exc:  # noqa: BLE001 - mp-api raises its own error types
        fail(f"Materials Project query failed: {exc}", code=3, as_json=as_json)
    doc = {"mobile_ion": settings.mobile_ion, "n_materials": len(mats),
           "cache_dir": str(source.cache_dir),
           "head": [m.to_dict() for m in mats[:max(head, 0)]]}
    if as_json:
        emit_json(doc)
        return
    err_console.print(doc)


def register(app: typer.Typer) -> None:
    data_app = typer.Typer(help="Data sets: list, inspect, fetch from origin, merged labels, MP.",
                           no_args_is_help=True)
    app.add_typer(data_app, name="data")

    @data_app.command("list")
    def list_cmd(data_dir: Path | None = DataDirOption, as_json: bool = JsonOption) -> None:
        """Every known set: rows, parsed rows, rejected rows, checksums, citation, licence."""
        _list(data_dir, as_json)

    @data_app.command("show")
    def show_cmd(name: str = typer.Argument(..., help="A set name (see `data list`)."),
                 rejected: bool = typer.Option(False, "--rejected", help="List every rejection."),
                 head: int = typer.Option(5, "--head", help="Records to show."),
                 data_dir: Path | None = DataDirOption, as_json: bool = JsonOption) -> None:
        """One set: its summary, the first records, and (with --rejected) every rejection."""
        _show(name, rejected, head, data_dir, as_json)

    @data_app.command("fetch")
    def fetch_cmd(name: str = typer.Argument(..., help="A set name or 'all'."),
                  dest: Path | None = typer.Option(None, "--dest", help="Default: the data dir."),
                  base_url: str | None = typer.Option(None, "--base-url",
                                                      help="Mirror: <URL>/<set>/<file>."),
                  as_json: bool = JsonOption) -> None:
        """Download a set from its public origin (sha256-checked, atomic writes, skip if present)."""
        _fetch(name, dest, base_url, as_json)

    @data_app.command("labels")
    def labels_cmd(out: Path | None = typer.Option(None, "-o", "--out", help="CSV or .parquet."),
                   mobile_ion: str = typer.Option("Li", "--mobile-ion"),
                   data_dir: Path | None = DataDirOption, as_json: bool = JsonOption) -> None:
        """The merged RT conductivity label table (de-duplicated by reduced composition)."""
        _labels(out, mobile_ion, data_dir, as_json)

    @data_app.command("mp")
    def mp_cmd(mobile_ion: str = typer.Option("Li", "--mobile-ion"),
               e_hull_max: float | None = typer.Option(None, "--e-hull-max", help="eV/atom."),
               head: int = typer.Option(5, "--head"), as_json: bool = JsonOption) -> None:
        """Materials Project compounds of the mobile ion (needs MP_API_KEY; cached on disk)."""
        _mp(mobile_ion, e_hull_max, head, as_json)
