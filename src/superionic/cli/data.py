"""``superionic data list|show|fetch|labels``: the data sets, their counts and the merged labels."""

from __future__ import annotations

from pathlib import Path

import typer

from superionic.cli._common import JsonOption, emit_json, err_console, fail


def register(app: typer.Typer) -> None:
    data_app = typer.Typer(help="Data sets: list, inspect, fetch from origin, merged labels.",
                           no_args_is_help=True)
    app.add_typer(data_app, name="data")

    @data_app.command("list")
    def list_cmd(data_dir: Path | None = typer.Option(None, "--data-dir"),
                 as_json: bool = JsonOption) -> None:
        """Every known set with rows, parsed rows and rejected rows."""
        from superionic.config import load_settings
        from superionic.data.registry import DATASETS, summary

        settings = load_settings(data_dir=data_dir)
        sets = [summary(name, settings.data_dir, settings.cache_dir) for name in DATASETS]
        if as_json:
            emit_json({"data_dir": str(settings.data_dir), "sets": sets})
            return
        from rich.table import Table

        table = Table(title=f"data sets in {settings.data_dir}")
        for col in ("name", "present", "rows", "parsed", "rejected", "licence"):
            table.add_column(col)
        for s in sets:
            table.add_row(s["name"], str(s["present"]), str(s["rows"]), str(s["parsed"]),
                          str(s["rejected"]), s["licence"])
        err_console.print(table)

    @data_app.command("show")
    def show_cmd(name: str, rejected: bool = typer.Option(False, "--rejected"),
                 head: int = typer.Option(5, "--head"),
                 data_dir: Path | None = typer.Option(None, "--data-dir"),
                 as_json: bool = JsonOption) -> None:
        """One set: its summary, the first records, and (with --rejected) every rejection."""
        from superionic.config import load_settings
        from superionic.data.registry import load_set, summary

        settings = load_settings(data_dir=data_dir)
        try:
            info = summary(name, settings.data_dir, settings.cache_dir)
            res = load_set(name, settings.data_dir)
        except (KeyError, FileNotFoundError) as exc:
            fail(str(exc.args[0]), as_json=as_json)
        info["head"] = res.frame().head(head).to_dict("records")
        if rejected:
            info["rejections"] = [{"file": r.file, "row": r.row, "reason": r.reason}
                                  for r in res.rejected]
        if as_json:
            emit_json(info)
            return
        err_console.print(info)

    @data_app.command("fetch")
    def fetch_cmd(name: str = typer.Argument(..., help="A set name or 'all'."),
                  dest: Path | None = typer.Option(None, "--dest", help="Default: the user cache."),
                  base_url: str | None = typer.Option(None, "--base-url", help="Mirror URL."),
                  as_json: bool = JsonOption) -> None:
        """Download a set from its public origin (sha256-checked, atomic writes)."""
        from superionic.config import user_cache_dir
        from superionic.data.fetch import ChecksumError, fetch
        from superionic.data.registry import DATASETS

        names = list(DATASETS) if name == "all" else [name]
        target = dest or user_cache_dir() / "data"
        reports = []
        for n in names:
            try:
                r = fetch(n, target, base_url)
            except (KeyError, ChecksumError, ConnectionError, OSError) as exc:
                fail(f"{n}: {exc}", as_json=as_json)
            reports.append({"name": n, "dest": str(r.dest), "downloaded": r.downloaded,
                            "skipped": r.skipped, "derived_not_fetched": r.derived})
        if as_json:
            emit_json({"fetched": reports})
            return
        for r in reports:
            err_console.print(r)

    @data_app.command("labels")
    def labels_cmd(out: Path | None = typer.Option(None, "-o", "--out", help="CSV/Parquet file."),
                   mobile_ion: str = typer.Option("Li", "--mobile-ion"),
                   data_dir: Path | None = typer.Option(None, "--data-dir"),
                   as_json: bool = JsonOption) -> None:
        """The merged RT conductivity label table (de-duplicated by reduced composition)."""
        from superionic.config import load_settings
        from superionic.data.merge import merged_conductivity_labels

        settings = load_settings(data_dir=data_dir, mobile_ion=mobile_ion)
        df = merged_conductivity_labels(settings.data_dir, settings.mobile_ion)
        if out is not None:
            if out.suffix == ".parquet":
                df.to_parquet(out)
            else:
                df.to_csv(out, index=False)
        doc = {"n_compositions": len(df), "n_censored": int(df["censor"].notna().sum()),
               "n_with_Ea": int(df["Ea_eV"].notna().sum()), "output": str(out) if out else None}
        if as_json:
            emit_json(doc)
            return
        err_console.print(doc)
