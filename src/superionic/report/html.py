"""A static HTML report of a campaign (one folder, opens without a server, no JavaScript).

It reads the store only: each completed stage's summary (scalars and tables), its artefacts
(PNG plots are copied into ``img/``; other files are linked) and the provenance of every row
(data versions, parameters, seed). Sections follow the order in which stages ran.
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from superionic.store import Store

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
h1{border-bottom:2px solid #444}h2{margin-top:2.2rem;border-bottom:1px solid #bbb}
table{border-collapse:collapse;margin:.6rem 0;font-size:.85rem}
td,th{border:1px solid #ccc;padding:.2rem .45rem;text-align:right}
th{background:#f0f0f0}td.t,th.t{text-align:left}
img{max-width:100%;border:1px solid #ddd;margin:.4rem 0}
.kv td:first-child{text-align:left;font-weight:600}
details{margin:.5rem 0}pre{background:#f7f7f7;padding:.5rem;overflow-x:auto;font-size:.8rem}
.fig{display:inline-block;width:48%;vertical-align:top;margin-right:1%}
"""


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | dict):
        return html.escape(json.dumps(value)[:200])
    return html.escape(str(value)) if value is not None else ""


def _table(rows: Sequence[Mapping[str, Any]], max_rows: int = 200) -> str:
    if not rows:
        return "<p><em>no rows</em></p>"
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    head = "".join(f'<th class="t">{html.escape(c)}</th>' for c in cols)
    body = []
    for r in rows[:max_rows]:
        cells = "".join(
            f'<td class="{"" if isinstance(r.get(c), int | float) else "t"}">{_fmt(r.get(c))}</td>'
            for c in cols)
        body.append(f"<tr>{cells}</tr>")
    more = f"<p>{len(rows) - max_rows} more rows in the store.</p>" if len(rows) > max_rows else ""
    return f"<table><tr>{head}</tr>{''.join(body)}</table>{more}"


def _kv(summary: Mapping[str, Any]) -> str:
    rows = [(k, v) for k, v in summary.items() if not isinstance(v, list | dict)]
    if not rows:
        return ""
    return "<table class='kv'>" + "".join(
        f"<tr><td>{html.escape(k)}</td><td>{_fmt(v)}</td></tr>" for k, v in rows) + "</table>"


def _section(name: str, payload: Mapping[str, Any], out: Path) -> str:
    summary = payload.get("summary", {})
    parts = [f'<h2 id="{html.escape(name)}">{html.escape(name)}</h2>', _kv(summary)]
    for key, value in summary.items():
        if isinstance(value, list) and value and isinstance(value[0], Mapping):
            parts.append(f"<h3>{html.escape(key)}</h3>{_table(value)}")
        elif isinstance(value, Mapping) and value and all(
                not isinstance(v, list | dict) for v in value.values()):
            parts.append(f"<h3>{html.escape(key)}</h3>{_kv(value)}")
    figs = []
    for label, path in payload.get("artefacts", {}).items():  # the stage's own order
        src = Path(path)
        if not src.exists():
            figs.append(f"<p>missing artefact {html.escape(label)}: {html.escape(path)}</p>")
            continue
        if src.suffix.lower() in (".png", ".jpg", ".jpeg", ".svg"):
            dest = out / "img" / f"{name}-{label}{src.suffix.lower()}"
            shutil.copyfile(src, dest)
            figs.append(f'<div class="fig"><img src="img/{html.escape(dest.name)}" '
                        f'alt="{html.escape(label)}"><br>{html.escape(label)}</div>')
        else:
            dest = out / "files" / f"{name}-{label}{src.suffix}"
            shutil.copyfile(src, dest)
            figs.append(f'<p><a href="files/{html.escape(dest.name)}">{html.escape(label)}</a></p>')
    parts.extend(figs)
    return "\n".join(p for p in parts if p)


def build_report(store: Store, out_dir: str | Path, title: str = "superionic campaign") -> Path:
    """Write ``out_dir/index.html`` (+ ``img/``, ``files/``) for the store's campaign."""
    out = Path(out_dir)
    (out / "img").mkdir(parents=True, exist_ok=True)
    (out / "files").mkdir(parents=True, exist_ok=True)
    runs = store.get("stage_runs")
    latest: dict[str, Any] = {}
    for row in runs:  # oldest first: the last completed run of a stage wins
        latest[row.payload["stage"]] = row
    nav = " | ".join(f'<a href="#{html.escape(s)}">{html.escape(s)}</a>' for s in latest)
    sections = [_section(stage, row.payload, out) for stage, row in latest.items()]
    provenance = {stage: row.provenance for stage, row in latest.items()}
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{_CSS}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Campaign <code>{html.escape(store.campaign)}</code>, store <code>{html.escape(_redact(store.url))}</code>.
Every number below is read from the store; the provenance of each stage (data versions, parameters,
seed, input hash) is at the end.</p>
<p>{nav}</p>
{''.join(sections)}
<h2 id="provenance">Provenance</h2>
<pre>{html.escape(json.dumps(provenance, indent=1, default=str))}</pre>
</body></html>
"""
    _atomic_write(out / "index.html", page)
    return out / "index.html"


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def _atomic_write(path: Path, text: str) -> None:
    from superionic.fileio import atomic_write_text

    atomic_write_text(path, text)
