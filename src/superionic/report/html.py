"""The campaign report: one static folder (``index.html``, ``img/``, ``report.json``) that opens
offline, read from the store alone.

The first screen is the answer: what the campaign found (pool -> funnel -> shortlist -> MD), the
top candidates with their predicted conductivity and its interval, and the next experiments. Then
a sanity panel (where known fast conductors landed), the screen, the models, MD per candidate,
the active-learning round, and methods and provenance. Tables sort by a click on their header
(a few lines of inline JavaScript, no CDN). A print stylesheet makes the same page a PDF
(:func:`superionic.report.pdf.write_pdf`).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from importlib import metadata
from pathlib import Path

from superionic.report import sections as sx
from superionic.report.analogues import AnalogueIndex
from superionic.report.collect import CampaignView, read_campaign
from superionic.store import Store

RAW_JSON = "report.json"
SOFTWARE = ("superionic", "numpy", "scipy", "pandas", "scikit-learn", "lightgbm", "pymatgen",
            "ase", "torch", "sevenn", "chgnet", "matminer", "sqlalchemy")

_CSS = """
:root{--fg:#1d232a;--muted:#667;--line:#d5d9de;--head:#eef1f4;--accent:#1f5f9e}
*{box-sizing:border-box}
body{font:14px/1.42 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
 margin:0 auto;max-width:1240px;padding:10px 16px 40px}
h1{font-size:21px;margin:4px 0 2px}
.meta{color:var(--muted);font-size:12px;margin:0 0 6px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:3px}
h3{font-size:15px;margin:16px 0 6px}
p{margin:6px 0}.lead{font-size:14.5px;margin:4px 0 8px;max-width:1200px}
nav{font-size:12.5px;margin:0 0 6px}nav a{margin-right:10px}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
table{border-collapse:collapse;margin:6px 0;font-size:12.5px;width:100%;table-layout:auto}
table.narrow{width:auto;max-width:100%}
th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top;
 overflow-wrap:anywhere}
thead th{background:var(--head);font-weight:600;cursor:pointer;user-select:none;
 border-bottom:2px solid #b8bec6;white-space:normal}
thead th.num,td.num{text-align:right}td.num{white-space:nowrap;overflow-wrap:normal}td.num .nc,td.num .sub{white-space:normal}
thead th{overflow-wrap:normal}
thead th.asc:after{content:" \\2191";color:var(--fg)}thead th.desc:after{content:" \\2193";color:var(--fg)}
tbody tr:nth-child(even){background:#fafbfc}
table.kv{width:auto}table.kv th{background:none;text-align:left;font-weight:600;cursor:default;
 padding-right:16px;border-bottom:1px solid var(--line)}table.kv th:after{content:""}
table.cands{table-layout:fixed}table.cands td{padding:3px 5px;line-height:1.25}
.nw{white-space:nowrap;display:block}
.sub{color:var(--muted);font-size:11px}.muted,.nc{color:#8a8f98;font-size:11.5px}
.note{color:var(--muted);font-size:11.5px;margin:2px 0 6px}
.next{background:#f3f7fb;border-left:3px solid var(--accent);padding:5px 10px;margin:6px 0}
code{font-size:12px;background:#f2f3f5;padding:0 3px;border-radius:3px;overflow-wrap:anywhere}
.figs{display:flex;flex-wrap:wrap;gap:10px}
figure{margin:6px 0;flex:0 1 calc(33.3% - 10px);min-width:0}
figure.third{flex:0 1 calc(33.3% - 10px)}
figure img{width:100%;height:auto;border:1px solid #e3e6ea;display:block}
figcaption{font-size:12px;color:var(--muted)}
details{margin:8px 0}summary{cursor:pointer;color:var(--accent);font-weight:600}
section.md{border-top:1px dashed var(--line);margin-top:10px}
.verdict{margin:4px 0}
@media print{
 @page{size:A4 landscape;margin:11mm}
 body{max-width:none;padding:0;font-size:11px}.lead{font-size:12px}
 nav,.noprint{display:none}
 a{color:var(--fg)}
 h2{break-after:avoid;margin-top:16px}h3{break-after:avoid}
 table{font-size:10px}tr,figure{break-inside:avoid}
 thead th:after{content:""}
 details>summary{list-style:none;color:var(--fg)}
 figure{flex:0 1 calc(33.3% - 10px)}
}
"""

# Click a header to sort by its column (numbers by data-sort, text otherwise); again to reverse.
_JS = """
document.querySelectorAll('table.sortable thead th').forEach(function(th){
 th.addEventListener('click',function(){
  var table=th.closest('table'),body=table.tBodies[0],i=th.cellIndex;
  var asc=!th.classList.contains('asc');
  table.querySelectorAll('thead th').forEach(function(h){h.classList.remove('asc','desc');});
  th.classList.add(asc?'asc':'desc');
  var rows=Array.prototype.slice.call(body.rows);
  rows.sort(function(a,b){
   var x=a.cells[i].getAttribute('data-sort'),y=b.cells[i].getAttribute('data-sort');
   if(x===''&&y==='')return 0;if(x==='')return 1;if(y==='')return -1;
   var nx=parseFloat(x),ny=parseFloat(y);
   var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);
   return asc?c:-c;});
  rows.forEach(function(r){body.appendChild(r);});
 });
});
window.addEventListener('beforeprint',function(){
 document.querySelectorAll('details').forEach(function(d){d.open=true;});});
"""


def software_versions() -> dict[str, str]:
    """Installed versions of the packages the campaign uses (those installed)."""
    import platform

    out = {"Python": platform.python_version()}
    for name in SOFTWARE:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def render(view: CampaignView, out: Path, title: str, top: int = 10) -> str:
    """The report page for ``view``; copies figures into ``out``."""
    figs = sx.Figures(out)
    index = AnalogueIndex(view.labels)
    cands = sx.merged_candidates(view, top)
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        ("sanity", sx.sanity_section(view)),
        ("screen", sx.screen_section(view, figs, max(top, 50))),
        ("models", sx.models_section(view, figs)),
        ("md", sx.md_section(view, figs)),
        ("active", sx.active_section(view, figs)),
        ("methods", sx.methods_section(view, software_versions(), RAW_JSON)),
    ]
    names = {"sanity": "Sanity check", "screen": "Screen", "models": "Models", "md": "MD",
             "active": "Active learning", "methods": "Methods & provenance"}
    nav = "".join(f'<a href="#{k}">{names[k]}</a>' for k, v in sections if v)
    cand_html = sx.candidates_section(view, cands, figs, index) if cands else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="meta">Campaign <code>{html.escape(view.campaign)}</code> · mobile ion
{html.escape(view.mobile_ion)} · report generated {generated} from the campaign store ·
<a href="{RAW_JSON}" download>raw JSON</a><span class="noprint"> · click a column header
to sort</span></p>
{sx.answer_paragraph(view, cands)}
{cand_html}
{sx.next_experiments(view)}
<nav class="noprint">Sections: {nav}</nav>
{''.join(v for _, v in sections if v)}
<script>{_JS}</script>
</body></html>
"""


def build_report(store: Store, out_dir: str | Path, title: str = "superionic campaign",
                 top: int = 10) -> Path:
    """Write ``out_dir/index.html`` (+ ``img/``, ``files/``, ``report.json``) for the store's
    campaign; ``top`` candidates on the first screen."""
    out = Path(out_dir)
    (out / "img").mkdir(parents=True, exist_ok=True)
    view = read_campaign(store)
    page = render(view, out, title, top)
    raw = {"campaign": view.campaign, "store": view.store_url, "stages": view.raw,
           "software": software_versions()}
    _atomic_write(out / RAW_JSON, json.dumps(raw, indent=1, default=str))
    _atomic_write(out / "index.html", page)
    return out / "index.html"


def _atomic_write(path: Path, text: str) -> None:
    from superionic.fileio import atomic_write_text

    atomic_write_text(path, text)
