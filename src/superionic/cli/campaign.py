"""``superionic discover`` (the main job) and ``superionic report``."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import typer

from superionic.cli._common import (
    JsonOption,
    check_output_dir,
    emit_json,
    err_console,
    fail,
    parse_temperatures_K,
)


def register(app: typer.Typer) -> None:
    @app.command("discover")
    def discover_cmd(
        workspace: Path = typer.Option(Path("workspace"), "--workspace", help="Campaign folder."),
        campaign: str = typer.Option("default", "--campaign", help="Campaign name in the store."),
        mobile_ion: str | None = typer.Option(None, "--mobile-ion", help="Li (default), Na, K."),
        md_candidates: int | None = typer.Option(None, "--md-candidates", help="Candidates to MD."),
        md_ps: float | None = typer.Option(None, "--md-ps", help="MD: production cap per "
                                           "temperature (ps); the total budget grows with it."),
        md_temperatures: str | None = typer.Option(None, "--md-temperatures",
                                                   help="Fixed MD temperatures (comma-separated "
                                                   "K, e.g. 1000,1300) instead of the adaptive "
                                                   "ladder."),
        models: str | None = typer.Option(None, "--models", help="Comma-separated zoo names."),
        database_url: str | None = typer.Option(None, "--database-url"),
        config: Path | None = typer.Option(None, "--config", help="Settings TOML file."),
        as_json: bool = JsonOption,
    ) -> None:
        """data -> models -> screen -> MD -> one active-learning round -> HTML report.

        Interrupt with Ctrl-C at any time; the same command resumes at the unfinished stage.
        """
        from superionic.campaign import Campaign
        from superionic.config import load_settings
        from superionic.pipeline import Budget, DiscoverPlan
        from superionic.report.html import build_report

        check_output_dir(workspace, "--workspace")  # before any work
        try:
            settings = load_settings(config, workspace=workspace, mobile_ion=mobile_ion,
                                     database_url=database_url)
            budget = Budget()
            if md_candidates is not None:
                budget = replace(budget, md_candidates=md_candidates)
            proto = budget.md_protocol
            if md_ps is not None:
                proto = replace(proto, segment_ps=min(proto.segment_ps, md_ps),
                                max_ps_per_temperature=md_ps,
                                max_total_ps=proto.max_total_ps * md_ps / proto.max_ps_per_temperature)
            if md_temperatures:
                proto = replace(proto, temperatures_K=tuple(
                    parse_temperatures_K(md_temperatures, "--md-temperatures")),
                    segment_ps=proto.max_ps_per_temperature, max_total_ps=None)
            budget = replace(budget, md_protocol=proto)
            if models:
                budget = replace(budget, models=tuple(m.strip() for m in models.split(",")))
        except ValueError as exc:
            fail(str(exc), as_json=as_json)
        settings.workspace.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        camp = Campaign(settings, DiscoverPlan(budget).stages(), name=campaign)

        def show(stage: str, status: str) -> None:
            err_console.print(f"[bold]{stage}[/bold]: {status}")

        try:
            ctx = camp.run(on_stage=show)
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted: completed stages are stored; run the same "
                              "command again to resume[/yellow]")
            raise typer.Exit(130) from None
        index = build_report(camp.store, settings.workspace / "report",
                             title=f"superionic campaign '{campaign}' ({settings.mobile_ion})")
        doc = {"workspace": str(settings.workspace), "store": settings.store_url,
               "report": str(index), "seconds": round(time.perf_counter() - start, 1),
               "stages": {k: _headline(k, v) for k, v in ctx.summaries.items()}}
        if as_json:
            emit_json(doc)
            return
        err_console.print(f"report: {index}")

    @app.command("report")
    def report_cmd(workspace: Path = typer.Option(Path("workspace"), "--workspace"),
                   campaign: str = typer.Option("default", "--campaign"),
                   out: Path | None = typer.Option(None, "--out"),
                   top: int = typer.Option(10, "--top", min=1, help="Candidates on the first screen."),
                   pdf: bool = typer.Option(False, "--pdf",
                                            help="Also print the report to report.pdf (Chromium)."),
                   database_url: str | None = typer.Option(None, "--database-url"),
                   as_json: bool = JsonOption) -> None:
        """Write the static HTML report of a campaign from its store (and a PDF with --pdf)."""
        from superionic.config import load_settings
        from superionic.report.html import build_report
        from superionic.report.pdf import write_pdf
        from superionic.store import Store

        if out is not None:
            check_output_dir(out, "--out")
        settings = load_settings(workspace=workspace, database_url=database_url)
        store = Store(settings.store_url, campaign=campaign)
        if store.count("stage_runs") == 0:
            fail(f"campaign {campaign!r} in {settings.store_url} has no completed stage",
                 as_json=as_json)
        index = build_report(store, out or settings.workspace / "report",
                             title=f"superionic campaign '{campaign}'", top=top)
        doc = {"report": str(index)}
        if pdf:
            try:
                doc["pdf"] = str(write_pdf(index, index.parent / "report.pdf"))
            except RuntimeError as exc:
                fail(f"{exc} (the HTML report is at {index})", as_json=as_json)
        if as_json:
            emit_json(doc)
            return
        for key, path in doc.items():
            err_console.print(f"{key}: {path}")


def _headline(stage: str, summary: dict) -> dict:
    """A few numbers per stage for the JSON of ``discover``."""
    keys = {"data": ("n_label_compositions", "n_censored"),
            "models": ("best_model", "n_rows"),
            "screen": ("pool_size", "stages"),
            "md": ("note",),
            "active": ("round", "n_labelled")}
    out = {k: summary.get(k) for k in keys.get(stage, ()) if k in summary}
    if stage == "models":
        out["best"] = {k: summary.get("best", {}).get(k) for k in ("split", "mae", "r2")}
    if stage == "screen":
        out["top"] = [c.get("formula") for c in summary.get("candidates", [])[:10]]
    if stage == "md":
        out["md"] = summary.get("md")
    if stage == "active":
        out["batch"] = [b["formula"] for b in summary.get("batch", [])]
    return out
