"""The report's sections as HTML fragments, each built from a :class:`CampaignView`.

Order on the page: the answer (summary paragraph, top candidates, next experiments), the sanity
panel (famous conductors), screen, models, MD, active learning, methods and provenance.
Missing quantities read "not computed" (or are dropped); numbers go through
:mod:`superionic.report.format`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from superionic.report import format as fm
from superionic.report.analogues import METHOD as ANALOGUE_METHOD
from superionic.report.analogues import AnalogueIndex
from superionic.report.collect import CORE_FAMOUS, FAMOUS, CampaignView

esc = html.escape
NC = f'<span class="nc">{fm.MISSING}</span>'
FAST_S_CM = 1e-4  # p_fast: probability that sigma(300 K) >= 1e-4 S/cm (the screen's definition)


# ------------------------------------------------------------------------------ pieces --


#: A sigma(300 K) upper bound above this (S/cm) carries no information (the fastest known solid
#: Li conductors reach ~3e-2 S/cm at room temperature) and is not printed.
UNINFORMATIVE_SIGMA_S_CM = 0.1


@dataclass(frozen=True)
class Cell:
    """One table cell: ``html`` shown, ``sort`` the key a click on the header sorts by."""

    html: str
    sort: float | str | None = None
    cls: str = ""

    @classmethod
    def text(cls, text: str | None, sort: float | str | None = None, num: bool = False) -> Cell:
        if text is None:
            return cls(NC, None, "num" if num else "")
        return cls(esc(text), sort if sort is not None else (None if num else text),
                   "num" if num else "")


def table(headers: Sequence[tuple[str, bool]], rows: Sequence[Sequence[Cell]],
          cls: str = "", caption: str = "", widths: Sequence[int] = ()) -> str:
    """A sortable table; ``headers`` are (label with unit, numeric?)."""
    if not rows:
        return '<p class="muted">no rows</p>'
    empty = empty_columns(rows)  # a quantity missing in every row is left out, not listed
    if empty and len(empty) < len(headers):
        keep = [i for i in range(len(headers)) if i not in empty]
        headers = [headers[i] for i in keep]
        rows = [[r[i] for i in keep] for r in rows]
        widths = [widths[i] for i in keep] if widths else widths
    head = "".join(f'<th class="{"num" if num else ""}" title="click to sort">{esc(h)}</th>'
                   for h, num in headers)
    cols = ("<colgroup>" + "".join(f'<col style="width:{w}px">' for w in widths) + "</colgroup>"
            if widths else "")
    body = []
    for r in rows:
        cells = []
        for c in r:
            key = "" if c.sort is None else (
                f"{c.sort:.12g}" if isinstance(c.sort, float | int) else str(c.sort))
            cells.append(f'<td class="{c.cls}" data-sort="{esc(key)}">{c.html}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    cap = f"<caption>{caption}</caption>" if caption else ""
    return (f'<table class="sortable {cls}">{cap}{cols}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def empty_columns(rows: Sequence[Sequence[Cell]]) -> set[int]:
    """Indices of the columns whose every cell is "not computed"."""
    n = min(len(r) for r in rows) if rows else 0
    return {i for i in range(n) if all(r[i].html == NC for r in rows)}


def kv_table(pairs: Sequence[tuple[str, str | None]]) -> str:
    """A two-column table of (label, value) pairs; pairs without a value are dropped."""
    rows = [f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in pairs if v]
    return f'<table class="kv">{"".join(rows)}</table>' if rows else ""


_FORMULA_NUM = re.compile(r"(\d+(?:\.\d+)?)")


def formula_html(formula: str) -> str:
    """Li10GeP2S12 -> Li<sub>10</sub>GeP<sub>2</sub>S<sub>12</sub>."""
    return _FORMULA_NUM.sub(r"<sub>\1</sub>", esc(formula))


def anchor(prefix: str, formula: str) -> str:
    return f"{prefix}-" + re.sub(r"[^A-Za-z0-9]+", "_", formula)


def sigma_text(value: Any, digits: int = 2) -> str | None:
    """A conductivity in S/cm (without unit), always scientific; "< 10⁻²⁰" below the floor."""
    return fm.sci(value, digits)


def kelvin(value: Any) -> str | None:
    x = fm.finite(value)
    return None if x is None else f"{x:.0f}"


class Figures:
    """Copies plot files into ``out/img`` and returns ``<figure>`` HTML (or a note if missing)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.copied: dict[str, str] = {}

    def src(self, path: str | None, name: str) -> str | None:
        import shutil

        if not path:
            return None
        p = Path(path)
        if not p.is_file():
            return None
        if str(p) in self.copied:
            return self.copied[str(p)]
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + p.suffix.lower()
        dest_dir = self.out / ("img" if p.suffix.lower() in (".png", ".svg", ".jpg") else "files")
        dest_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, dest_dir / safe)
        self.copied[str(p)] = f"{dest_dir.name}/{safe}"
        return self.copied[str(p)]

    def figure(self, path: str | None, name: str, caption: str, cls: str = "fig") -> str:
        src = self.src(path, name)
        if src is None:
            return ""
        return (f'<figure class="{cls}" id="{esc(name)}"><img src="{esc(src)}" '
                f'alt="{esc(caption)}" loading="eager"><figcaption>{caption}</figcaption>'
                "</figure>")


# ------------------------------------------------------------------- candidate facts --


def merged_candidates(view: CampaignView, n: int) -> list[dict[str, Any]]:
    """The top ``n`` ranked rows, each completed by the screen summary's candidate entry."""
    extra = {c.get("formula"): c for c in view.summary("screen").get("candidates", []) or []
             if isinstance(c, Mapping)}
    out = []
    for row in view.ranked[:n]:
        merged = dict(row)
        for k, v in (extra.get(row.get("formula")) or {}).items():
            if merged.get(k) is None and v is not None:
                merged[k] = v
        out.append(merged)
    return out


def mp_id(c: Mapping[str, Any]) -> str | None:
    for key in ("material_id", "source_id"):
        v = c.get(key)
        if isinstance(v, str) and re.match(r"^(mp|mvc)-\d+", v):
            return v
    m = re.search(r"\b((?:mp|mvc)-\d+)", str(c.get("structure_source") or ""))
    return m.group(1) if m else None


def structure_note(c: Mapping[str, Any]) -> str | None:
    src = c.get("structure_source")
    if isinstance(src, str) and src:
        return src
    return None


def window(c: Mapping[str, Any]) -> tuple[str | None, float | None]:
    lo = fm.finite(c.get("esw_low_V", c.get("reduction_V")))
    hi = fm.finite(c.get("esw_high_V", c.get("oxidation_V")))
    width = fm.finite(c.get("esw_width_V"))
    if lo is not None and hi is not None:
        return f"{fm.fixed(lo, 1)} – {fm.fixed(hi, 1)}", hi - lo
    if width is not None:
        return f"width {fm.fixed(width, 1)}", width
    return None, None


VERDICTS = ("arrhenius", "inconclusive", "inconclusive (budget)", "no diffusion", "molten")


def md_verdict(e: Mapping[str, Any]) -> str:
    """The entry's verdict; entries written before verdicts were contract keys (free text, a
    ``molten`` list) are mapped onto them."""
    v = str(e.get("verdict") or "")
    if v in VERDICTS:
        return v
    if fm.finite(e.get("sigma300_S_cm")):
        return "arrhenius"
    if isinstance(e.get("molten"), list) and e["molten"]:
        return "molten"
    return "inconclusive"


def md_verdict_words(e: Mapping[str, Any], short: bool = False) -> str:
    """The MD verdict in words (bounds as bounds), from an MD stage entry."""
    verdict = md_verdict(e)
    temps = [t for t in e.get("temperatures", []) or [] if isinstance(t, Mapping)]
    if verdict == "arrhenius":
        s = sigma_text(e.get("sigma300_S_cm"))
        band = fm.interval(e.get("sigma300_low_S_cm"), e.get("sigma300_high_S_cm"))
        ea = (fm.fixed(e.get("Ea_eV"), 2) and f"{fm.fixed(e.get('Ea_eV'), 2)} eV") if short \
            else fm.pm(e.get("Ea_eV"), e.get("Ea_err_eV", e.get("Ea_err")), "eV")
        text = "Arrhenius fit"
        if s:
            text += f": σ(300 K) ≈ {s} S/cm"
            if band and not short:
                text += f" ({band})"
        if ea:
            text += f", Ea = {ea}"
        return text
    bound = None
    bounds = [fm.finite(t.get("D_upper_cm2_s")) for t in temps]
    bounds = [b for b in bounds if b is not None]
    if bounds:
        hot = max((t for t in temps if fm.finite(t.get("D_upper_cm2_s")) is not None),
                  key=lambda t: fm.finite(t.get("temperature_K")) or 0)
        bound = f"D < {fm.sci(hot['D_upper_cm2_s'], 1)} cm²/s at {kelvin(hot.get('temperature_K'))} K"
    s_up = fm.finite(e.get("sigma300_upper_S_cm"))
    if verdict == "no diffusion":
        text = "no diffusion"
    elif verdict == "molten":
        molten = [f"{kelvin(t.get('temperature_K'))} K" for t in temps
                  if t.get("status") == "molten"]
        if not molten and isinstance(e.get("molten"), list):  # older entries: "1200 K (Cl, O)"
            molten = [str(m) for m in e["molten"]]
        text = "framework melted" + (f" at {', '.join(m for m in molten if m)}" if molten else "")
        text += "; no extrapolation"
    else:
        text = verdict
    if bound:
        text += f"; {bound}"
    if s_up is not None and s_up <= UNINFORMATIVE_SIGMA_S_CM:
        # a bound above every known solid electrolyte (~0.03 S/cm) rules nothing out: dropped
        text += f"; σ(300 K) < {fm.sci(s_up, 1)} S/cm"
    if not short:
        reasons = [str(r) for r in e.get("verdict_reasons", []) or [] if r]
        if not reasons and str(e.get("verdict") or "").startswith("no Arrhenius"):
            reasons = [str(e["verdict"])]
        if reasons:
            text += " (" + "; ".join(reasons) + ")"
    return text


def _reasons(c: Mapping[str, Any]) -> list[str]:
    r = c.get("reasons")
    if isinstance(r, list):
        return [str(x) for x in r if x]
    if isinstance(r, str) and r:
        return [p.strip() for p in r.split(";") if p.strip()]
    return []


# --------------------------------------------------------------------------- sections --


STAGE_WORDS = {
    "pool": "pool", "e_hull": "stable on the hull", "band_gap": "insulating (band gap)",
    "esw": "wide enough electrochemical window", "window": "wide enough electrochemical window",
    "predictions": "with a model prediction", "bvse": "BVSE barrier within the limit",
    "score": "scored and ranked",
}


REMOVED_AT = {"e_hull": "hull filter", "band_gap": "band-gap filter", "esw": "window filter",
              "window": "window filter", "predictions": "no prediction", "bvse": "BVSE filter"}


def funnel_sentence(view: CampaignView) -> str:
    sc = view.summary("screen")
    stages = sc.get("stages") or {}
    if not isinstance(stages, Mapping) or not stages:
        return ""
    th = (view.stages["screen"].provenance.get("settings") or {}).get("thresholds", {}) \
        if "screen" in view.stages else {}
    detail = {
        "e_hull": fm.general(th.get("e_above_hull_max_eV_per_atom")),
        "band_gap": fm.general(th.get("band_gap_min_eV")),
    }
    parts = []
    for k, v in stages.items():
        if k == "pool":
            continue
        words = STAGE_WORDS.get(k, fm.humanize(k).lower())
        if k == "e_hull" and detail["e_hull"]:
            words = f"within {detail['e_hull']} eV/atom of the hull"
        if k == "band_gap" and detail["band_gap"]:
            words = f"band gap ≥ {detail['band_gap']} eV"
        parts.append(f"{fm.count(v)} {words}")
    pool = sc.get("pool_size", stages.get("pool"))
    return (f"The pool of {fm.count(pool)} {esc(view.mobile_ion)} compounds narrowed to "
            + " → ".join(esc(p) for p in parts) + ".")


VERDICT_WORDS = {"arrhenius": "Arrhenius fit", "no diffusion": "no diffusion",
                 "molten": "framework melted", "inconclusive": "inconclusive",
                 "inconclusive (budget)": "inconclusive within the time budget"}


def md_temperatures(view: CampaignView) -> list[float]:
    """The MD temperatures (K): every temperature an entry reports, else the protocol's list."""
    temps = {fm.finite(t.get("temperature_K")) for e in view.md_entries().values()
             for t in e.get("temperatures", []) or [] if isinstance(t, Mapping)}
    temps.discard(None)
    if not temps:
        proto = view.summary("md").get("protocol") or view.summary("md").get("budget") or {}
        listed = proto.get("temperatures_K") if isinstance(proto, Mapping) else None
        temps = {fm.finite(x) for x in listed or []} - {None}
    return sorted(t for t in temps if t is not None)


def md_potentials(md: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The potentials behind the MD entries, as the report names them, sorted."""
    return sorted({fm.potential_label(e["potential"]) for e in md.values() if e.get("potential")})


def md_verdict_header(md: Mapping[str, Mapping[str, Any]]) -> str:
    """The candidate table's MD column names the potential(s) behind its verdicts."""
    pots = md_potentials(md)
    return f"MD verdict ({', '.join(pots)})" if pots else "MD verdict"


def protocol_html(proto: Mapping[str, Any]) -> str:
    """One sentence with the protocol's main settings, the full settings behind <details>."""
    g = fm.general
    bits = []
    if proto.get("potential"):
        bits.append(f"potential {esc(fm.potential_label(proto['potential']))}")
    if g(proto.get("timestep_fs")):
        bits.append(f"time step {g(proto['timestep_fs'])} fs")
    if g(proto.get("equil_ps")):
        bits.append(f"{g(proto['equil_ps'])} ps equilibration")
    if g(proto.get("prod_ps")):
        bits.append(f"{g(proto['prod_ps'])} ps production per temperature")
    if g(proto.get("max_ps_per_temperature")):
        bits.append(f"up to {g(proto['max_ps_per_temperature'])} ps per temperature"
                    + (f" (until D is known to {g(100 * proto['target_rel_err'])} %)"
                       if g(proto.get("target_rel_err")) else ""))
    listed = proto.get("temperatures_K")
    if isinstance(listed, list) and listed:
        bits.append("temperatures " + ", ".join(kelvin(t) or "?" for t in listed) + " K")
    elif g(proto.get("T_start_K")):
        bits.append(f"temperatures from {g(proto['T_start_K'])} K down in "
                    f"{g(proto.get('T_step_K')) or '?'} K steps to "
                    f"{g(proto.get('T_min_K')) or '?'} K")
    if g(proto.get("n_sigma")):
        bits.append(f"diffusion significant when D &gt; {g(proto['n_sigma'])} errors")
    text = f"<p>Protocol: {'; '.join(bits)}.</p>" if bits else ""
    full = kv_table([(fm.humanize(str(k)), fm.plain(v)) for k, v in proto.items()])
    if full:
        text += f"<details><summary>Every MD setting</summary>{full}</details>"
    return text


def answer_paragraph(view: CampaignView, top: list[dict[str, Any]]) -> str:
    sents = []
    f = funnel_sentence(view)
    if f:
        sents.append(f)
    if top:
        best = top[0]
        s = sigma_text(fm.from_log10(best.get("log10_sigma_mean")))
        lead = f"The shortlist is led by {formula_html(str(best.get('formula')))}"
        if s:
            lead += f" (predicted σ(300 K) ≈ {s} S/cm)"
        sents.append(lead + (f"; the {len(top)} best-ranked are below." if len(top) > 1
                             else "; it is the only ranked compound."))
    elif "screen" in view.stages:
        sents.append("No compound survived the funnel, so nothing was ranked.")
    else:
        sents.append("The screen has not completed yet (completed stages: "
                     + (", ".join(esc(k) for k in view.stages) or "none")
                     + "); run <code>superionic discover</code> again to resume.")
    md = view.md_entries()
    if md:
        counts: dict[str, list[str]] = {}
        for formula, e in md.items():
            counts.setdefault(md_verdict(e), []).append(formula_html(formula))
        temps = md_temperatures(view)
        how = ""
        if temps:
            how = (f", {kelvin(temps[0])}–{kelvin(temps[-1])} K" if len(temps) > 1
                   else f", {kelvin(temps[0])} K")
        pot = md_potentials(md)
        what = f"MD ({', '.join(pot) + how if pot else how.lstrip(', ')})" if pot or how else "MD"
        words = "; ".join(f"{VERDICT_WORDS.get(v, v)} for {', '.join(fs)}"
                          for v, fs in counts.items())
        n = len(md)
        sents.append(f"{what} on {n} candidate{'s' if n != 1 else ''}: {words}.")
        confirmed = [(f, e) for f, e in md.items() if md_verdict(e) == "arrhenius"]
        if confirmed:
            sents.append("MD finds significant diffusion and an Arrhenius fit for " + ", ".join(
                f"{formula_html(f)} (σ(300 K) ≈ {sigma_text(e.get('sigma300_S_cm'))} S/cm, "
                "extrapolated)"
                if fm.finite(e.get("sigma300_S_cm")) else formula_html(f) for f, e in confirmed)
                + ".")
        else:
            sents.append("No candidate is confirmed by MD yet.")
        if view.summary("md").get("note"):
            sents.append(esc(str(view.summary("md")["note"])).rstrip(".") + ".")
    elif "md" in view.stages:
        note = view.summary("md").get("note")
        sents.append("MD ran on no candidate" + (f": {esc(str(note))}" if note else "."))
    return f'<p class="lead">{" ".join(sents)}</p>'


def candidates_section(view: CampaignView, top: list[dict[str, Any]], figs: Figures,
                       index: AnalogueIndex) -> str:
    ion = esc(view.mobile_ion)
    md = view.md_entries()
    rows = []
    for c in top:
        formula = str(c.get("formula"))
        mid = mp_id(c)
        src = structure_note(c)
        sub = esc(src) if src else ""
        if mid:
            link = f'<a href="https://next-gen.materialsproject.org/materials/{esc(mid)}">{esc(mid)}</a>'
            sub = sub.replace(esc(mid), link) if mid in (src or "") else \
                (f"{link}; {sub}" if sub else link)
        why = "; ".join(_reasons(c))
        title = f' title="why this rank: {esc(why)}"' if why else ""
        fcell = Cell(f'<b{title}>{formula_html(formula)}</b>'
                     + (f'<br><span class="sub">{sub}</span>' if sub else ""), formula)
        mean = fm.from_log10(c.get("log10_sigma_mean"))
        band = fm.interval(fm.from_log10(c.get("log10_sigma_low")),
                           fm.from_log10(c.get("log10_sigma_high")))
        s = sigma_text(mean)
        scell = (Cell(f"{esc(s)}" + (f'<br><span class="sub">{esc(band)}</span>' if band else ""),
                      fm.finite(c.get("log10_sigma_mean")), "num") if s else Cell(NC, None, "num"))
        pf = fm.fixed(c.get("p_fast"), 2)
        ea = fm.fixed(c.get("Ea_eV"), 2)
        wtxt, wsort = window(c)
        wsrc = c.get("window_source")
        wcell = (Cell(esc(wtxt) + (f'<br><span class="sub">{esc(str(wsrc))}</span>'
                                   if wsrc else ""), wsort, "num") if wtxt else Cell(NC, None))
        bv = fm.fixed(c.get("bvse_barrier_eV"), 2)
        dim = c.get("bvse_dim")
        bcell = (Cell(esc(bv) + (f'<br><span class="sub">{esc(str(dim))}D path</span>'
                                 if dim else ""), fm.finite(c.get("bvse_barrier_eV")), "num")
                 if bv else Cell(NC, None, "num"))
        e = md.get(formula)
        if e:
            words = md_verdict_words(e, short=True)
            plots = e.get("plots") if isinstance(e.get("plots"), Mapping) else {}
            arr = (plots or {}).get("arrhenius") or \
                (view.stages["md"].artefacts or {}).get(f"{formula}-arrhenius")
            target = f"{anchor('md', formula)}-arrhenius" if arr and Path(arr).is_file() \
                else anchor("md", formula)
            mcell = Cell(f'<a href="#{target}">{esc(words)}</a>', words)
        elif "md" in view.stages:
            mcell = Cell('<span class="muted">not simulated</span>', "~")
        else:  # the MD stage has not run: the column is dropped and listed in the note
            mcell = Cell(NC, None)
        near = index.nearest(formula, 2)
        ncell_parts = []
        for a in near:
            sv = sigma_text(fm.from_log10(a.log10_sigma_S_cm), 2)
            bound = "< " if a.censor == "upper" else ("> " if a.censor == "lower" else "")
            d = "d < 0.01" if a.distance < 0.005 else f"d = {a.distance:.2f}"
            same = (" <span class='sub'>(itself)</span>" if a.distance < 1e-9
                    else f" <span class='sub'>{d}</span>")
            ncell_parts.append(f"<span class='nw'>{formula_html(a.formula)} {bound}"
                               f"{esc(sv or '')}{same}</span>")
        ncell = Cell("".join(ncell_parts), near[0].distance if near else None) \
            if near else Cell(NC, None)
        rows.append([Cell.text(str(c.get("rank")), fm.finite(c.get("rank")), num=True), fcell,
                     scell, Cell.text(pf, fm.finite(c.get("p_fast")), num=True),
                     Cell.text(ea, fm.finite(c.get("Ea_eV")), num=True), wcell, bcell, mcell,
                     ncell])
    headers = [("#", True), ("Formula, structure", False),
               ("σ(300 K) predicted, S/cm (90 % interval)", True),
               ("P(σ ≥ 10⁻⁴ S/cm)", True), ("Ea predicted, eV", True),
               (f"Window, V vs {ion}/{ion}⁺", True), ("BVSE barrier, eV", True),
               (md_verdict_header(md), False),
               ("Nearest measured σ(RT), S/cm", False)]
    note = ("Nearest measured: the compositions of the campaign's label table "
            f"{esc(ANALOGUE_METHOD)}; “itself” = the candidate was measured. "
            "Window: exact from the phase diagram, or a surrogate estimate.") if len(index) else \
        "No measured labels in the store: analogues not computed."
    widths = (30, 175, 150, 80, 72, 96, 80, 250, 255)
    empty = empty_columns(rows)
    if empty:
        note += (" Not computed in this campaign, so not shown: "
                 + ", ".join(esc(headers[i][0]) for i in sorted(empty)) + ".")
    return (table(headers, rows, "cands", widths=widths) + f'<p class="note">{note}</p>')


def next_experiments(view: CampaignView) -> str:
    act = view.summary("active")
    batch = [b for b in act.get("batch", []) or [] if isinstance(b, Mapping)]
    if not batch:
        return ""
    label_file = act.get("label_file")
    items = []
    for b in batch:
        st = b.get("status")
        items.append(f"{formula_html(str(b.get('formula')))}"
                     + (f" <span class='sub'>({esc(str(st))})</span>" if st else ""))
    where = (f" Measure σ at room temperature and add one line per compound "
             f"(<code>formula,sigma_S_cm</code>) to <code>{esc(str(label_file))}</code>, then "
             "run <code>superionic discover</code> again: the next round retrains on them."
             if label_file else "")
    acq = act.get("acquisition")
    acq_txt = f" (acquisition: {esc(str(acq).upper())})" if acq else ""
    return (f'<p class="next"><b>Next experiments</b>, active-learning round '
            f'{esc(str(act.get("round", "?")))}{acq_txt}: {", ".join(items)}.{where}</p>')


def sanity_section(view: CampaignView) -> str:
    by_formula: dict[str, Mapping[str, Any]] = {}
    for r in view.screen_rows:  # the best-ranked row of each reduced formula
        red = _reduced(r.get("reduced_formula") or r.get("formula"))
        if red is None:
            continue
        prev = by_formula.get(red)
        if prev is None or (_rank(r) > 0 and (_rank(prev) <= 0 or _rank(r) < _rank(prev))):
            by_formula[red] = r
    n_ranked = sum(1 for r in view.screen_rows if _rank(r) > 0)
    labels = {red: r for r in view.labels if (red := _reduced(r.get("formula")))}
    rows = []
    for f in FAMOUS:
        if not f.startswith(view.mobile_ion):
            continue
        red = _reduced(f)
        r = by_formula.get(red)
        if r is None and f not in CORE_FAMOUS:
            continue
        meas = labels.get(red)
        ms = sigma_text(fm.from_log10(meas.get("log10_sigma_S_cm"))) if meas else None
        mcell = Cell.text(ms, fm.finite(meas.get("log10_sigma_S_cm")) if meas else None, True) \
            if ms else Cell('<span class="muted">not in labels</span>', None, "num")
        if r is None:
            if not view.screen_rows:
                continue
            where, sort = '<span class="muted">not in pool</span>', 10**9
            pred = None
        elif _rank(r) > 0:
            top_pct = max(1, round(100.0 * _rank(r) / max(n_ranked, 1)))
            where = f"rank <b>{_rank(r)}</b> of {fm.count(n_ranked)} (top {top_pct} %)"
            sort = _rank(r)
            pred = sigma_text(fm.from_log10(r.get("log10_sigma_mean")))
        else:
            rs = _reasons(r)
            stage = r.get("left_at")
            where = ("removed by the funnel" + (f" ({esc(REMOVED_AT.get(str(stage), str(stage)))})"
                                                if stage else "")
                     + (f": {esc('; '.join(rs))}" if rs else ""))
            sort = 10**8
            pred = sigma_text(fm.from_log10(r.get("log10_sigma_mean")))
        rows.append([Cell(formula_html(f), f), Cell(where, sort), mcell,
                     Cell.text(pred, fm.finite((r or {}).get("log10_sigma_mean")), True)])
    if not rows:
        return ""
    rows.sort(key=lambda r: r[1].sort if isinstance(r[1].sort, int | float) else 10**9)
    return ("<h2 id='sanity'>Sanity check: known fast conductors</h2>"
            "<p>Where the well-known fast conductors of the pool landed in this ranking. A good "
            "screen ranks them high; one removed by the funnel says which filter to question.</p>"
            + table([("Compound", False), ("Place in this campaign", False),
                     ("σ(RT) measured, S/cm", True), ("σ(300 K) predicted, S/cm", True)], rows,
                    "narrow"))


def _reduced(formula: Any) -> str | None:
    from pymatgen.core import Composition

    if not formula:
        return None
    try:
        return Composition(str(formula)).reduced_formula
    except (ValueError, KeyError, TypeError):
        return None


def _rank(r: Mapping[str, Any]) -> int:
    try:
        return int(r.get("rank") or 0)
    except (TypeError, ValueError):
        return 0


def screen_section(view: CampaignView, figs: Figures, n: int) -> str:
    if "screen" not in view.stages:
        return ""
    sc = view.summary("screen")
    parts = ["<h2 id='screen'>Screening funnel and ranking</h2>"]
    stages = sc.get("stages") or {}
    if isinstance(stages, Mapping) and stages:
        rows, prev = [], None
        for k, v in stages.items():
            removed = (fm.finite(prev) - fm.finite(v)) if prev is not None and fm.finite(v) is \
                not None else None
            rows.append([Cell(esc(STAGE_WORDS.get(k, fm.humanize(k)))),
                         Cell.text(fm.count(v), fm.finite(v), True),
                         Cell.text(fm.count(removed) if removed is not None else "—", removed,
                                   True)])
            prev = v
        parts.append(table([("Funnel stage", False), ("Compounds left", True),
                            ("Removed here", True)], rows, "narrow"))
    reasons = sc.get("reasons")
    if isinstance(reasons, Mapping) and reasons:
        rr = sorted(((str(k), fm.finite(v) or 0) for k, v in reasons.items() if k),
                    key=lambda t: -t[1])
        parts.append("<details><summary>Why compounds were removed (reason counts)</summary>"
                     + table([("Reason", False), ("Compounds", True)],
                             [[Cell(esc(k)), Cell.text(fm.count(v), v, True)] for k, v in rr],
                             "narrow") + "</details>")
    sfigs = [figs.figure(path, f"screen-{label}", esc(fm.humanize(str(label))))
             for label, path in (view.stages["screen"].artefacts or {}).items()]
    if any(sfigs):
        parts.append('<div class="figs">' + "".join(sfigs) + "</div>")
    ranked = merged_candidates(view, n)
    if ranked:
        rows = []
        for c in ranked:
            wtxt, wsort = window(c)
            rows.append([
                Cell.text(str(c.get("rank")), fm.finite(c.get("rank")), True),
                Cell(formula_html(str(c.get("formula"))), str(c.get("formula"))),
                Cell.text(mp_id(c), None),
                Cell.text(fm.fixed(c.get("score"), 2), fm.finite(c.get("score")), True),
                Cell.text(sigma_text(fm.from_log10(c.get("log10_sigma_mean"))),
                          fm.finite(c.get("log10_sigma_mean")), True),
                Cell.text(fm.fixed(c.get("p_fast"), 2), fm.finite(c.get("p_fast")), True),
                Cell.text(fm.fixed(c.get("Ea_eV"), 2), fm.finite(c.get("Ea_eV")), True),
                Cell.text(wtxt, wsort, True),
                Cell.text(fm.fixed(c.get("e_hull_eV_atom", c.get("e_above_hull_eV_per_atom")), 3),
                          fm.finite(c.get("e_hull_eV_atom", c.get("e_above_hull_eV_per_atom"))),
                          True),
                Cell.text(fm.fixed(c.get("band_gap_eV"), 1), fm.finite(c.get("band_gap_eV")),
                          True),
                Cell(esc("; ".join(_reasons(c))) or '<span class="muted">—</span>'),
            ])
        ion = esc(view.mobile_ion)
        parts.append(
            f"<details><summary>All {len(ranked)} ranked compounds of the shortlist</summary>"
            + table([("#", True), ("Formula", False), ("MP id", False), ("Score", True),
                     ("σ(300 K), S/cm", True), ("P(σ ≥ 10⁻⁴ S/cm)", True), ("Ea, eV", True),
                     (f"Window, V vs {ion}/{ion}⁺", True), ("E above hull, eV/atom", True),
                     ("Band gap, eV", True), ("Why this rank", False)], rows) + "</details>")
    return "\n".join(parts)


SPLIT_ORDER = ("obelix", "group", "random")


def models_section(view: CampaignView, figs: Figures) -> str:
    if "models" not in view.stages:
        return ""
    m = view.summary("models")
    metrics = [r for r in m.get("metrics", []) or [] if isinstance(r, Mapping)]
    intervals = [r for r in m.get("interval_coverage", []) or [] if isinstance(r, Mapping)]
    parts = ["<h2 id='models'>Models</h2>"]
    target = m.get("target")
    intro = (f"Models of log₁₀(σ / S cm⁻¹) trained on {fm.count(m.get('n_rows'))} measured "
             "compositions, compared by nested cross-validation on each split; the best model "
             f"(<b>{esc(str(m.get('best_model') or '?'))}</b>) serves the screen.")
    if target and target != "log10_sigma":
        intro += f" Target: {esc(str(target))}."
    parts.append(f"<p>{intro}</p>")

    def cov(r: Mapping[str, Any]) -> tuple[float | None, float | None]:
        c, w = fm.finite(r.get("coverage_90")), fm.finite(r.get("interval_width_90"))
        if c is None:
            for iv in intervals:
                if (iv.get("split") == r.get("split") and iv.get("model") == r.get("model")
                        and abs((fm.finite(iv.get("level")) or 0) - 0.9) < 1e-6):
                    c, w = fm.finite(iv.get("coverage")), fm.finite(iv.get("mean_width"))
        return c, w

    splits = sorted({str(r.get("split")) for r in metrics},
                    key=lambda s: SPLIT_ORDER.index(s) if s in SPLIT_ORDER else 99)
    best_rows = []
    for sp in splits:
        rs = [r for r in metrics if r.get("split") == sp and fm.finite(r.get("mae")) is not None]
        if not rs:
            continue
        b = min(rs, key=lambda r: fm.finite(r.get("mae")) or 1e9)
        c, w = cov(b)
        best_rows.append([
            Cell(esc(str(b.get("split_label") or sp))), Cell(esc(str(b.get("model")))),
            Cell.text(fm.fixed(b.get("mae"), 2), fm.finite(b.get("mae")), True),
            Cell.text(fm.fixed(b.get("r2"), 2), fm.finite(b.get("r2")), True),
            Cell.text(fm.fixed(b.get("spearman"), 2), fm.finite(b.get("spearman")), True),
            Cell.text(fm.fixed(c, 2), c, True), Cell.text(fm.fixed(w, 1), w, True),
            Cell.text(str(b["censored_as"]) if b.get("censored_as") else None),
            Cell.text(fm.count(b.get("n_test")) if b.get("n_test") is not None else None,
                      fm.finite(b.get("n_test")), True)])
    headers = [("Split", False), ("Best model", False), ("MAE, log₁₀(S/cm)", True), ("R²", True),
               ("Spearman ρ", True), ("90 % interval coverage", True),
               ("90 % interval width, decades", True), ("Censored labels as", False),
               ("Test rows", True)]
    parts.append(table(headers, best_rows, "narrow"))
    parts.append('<p class="note">MAE in decades of conductivity (1.0 = a factor of 10). '
                 "The random split is optimistic (the same compound's repeats sit on both "
                 "sides); the OBELiX and group splits measure discovery. Coverage is the "
                 "fraction of held-out measurements inside the 90 % interval (0.90 is ideal).</p>")
    figs_html = []
    for label, path in (view.stages["models"].artefacts or {}).items():
        figs_html.append(figs.figure(path, f"models-{label}", esc(_figure_caption(str(label)))))
    if any(figs_html):
        parts.append('<div class="figs">' + "".join(figs_html) + "</div>")
    if metrics:
        cols = ["split_label", "model", "mae", "mae_uncensored", "r2", "spearman", "coverage_90",
                "interval_width_90", "censored_bound_respected", "censored_as", "n_train",
                "n_test", "seconds", "params"]
        cols = [c for c in cols if any(r.get(c) not in (None, "", [], [{}], {}) for r in metrics)]
        rows = []
        for r in sorted(metrics, key=lambda r: (SPLIT_ORDER.index(r.get("split"))
                                                if r.get("split") in SPLIT_ORDER else 99,
                                                fm.finite(r.get("mae")) or 1e9)):
            cells = []
            for c in cols:
                v = r.get(c)
                if c == "params":
                    cells.append(Cell.text(_params_text(v)))
                elif isinstance(v, float | int) and not isinstance(v, bool):
                    if c in ("n_train", "n_test"):
                        txt = fm.count(v)
                    elif c == "seconds":
                        txt = fm.sig(v, 2)
                    else:
                        txt = fm.fixed(v, 3 if c in ("mae", "mae_uncensored", "r2", "spearman")
                                       else 2)
                    cells.append(Cell.text(txt, float(v), True))
                else:
                    cells.append(Cell.text(fm.plain(v)))
            rows.append(cells)
        parts.append("<details><summary>Every model on every split "
                     f"({len(metrics)} rows)</summary>"
                     + table([(fm.humanize(c), c not in ("split_label", "model", "censored_as",
                                                          "params")) for c in cols], rows)
                     + "</details>")
    return "\n".join(parts)


def _params_text(v: Any) -> str:
    if not v or v == [{}] or v == {}:
        return "defaults"
    if isinstance(v, list):
        texts = {fm.plain(p) or "defaults" for p in v}
        return " | ".join(sorted(texts)) if len(texts) > 1 else texts.pop()
    return fm.plain(v) or "defaults"


def _figure_caption(label: str) -> str:
    from superionic.models.evaluate import SPLITS

    if label.startswith("parity_"):
        rest = label[len("parity_"):]
        split, _, model = rest.partition("_")
        return f"Parity plot: {model}, {SPLITS.get(split, split)} split"
    if label.startswith("shap"):
        return "SHAP: features that move the prediction most"
    if "heatmap" in label or "pearson" in label or "correlation" in label:
        return "Feature correlation heatmap"
    return fm.humanize(label)


def md_section(view: CampaignView, figs: Figures) -> str:
    if "md" not in view.stages:
        return ""
    s = view.summary("md")
    arte = view.stages["md"].artefacts or {}
    parts = ["<h2 id='md'>Molecular dynamics</h2>"]
    proto = s.get("protocol") or s.get("budget") or {}
    if isinstance(proto, Mapping) and proto:
        parts.append(protocol_html(proto))
    if s.get("note"):
        parts.append(f"<p>{esc(str(s['note']))}</p>")
    for formula, e in view.md_entries().items():
        head = (f"<h3 id='{anchor('md', formula)}'>{formula_html(formula)}"
                f"<span class='sub'> {esc(str(e.get('structure_source') or ''))}"
                + (f", {fm.count(e.get('n_atoms'))} atoms" if e.get("n_atoms") else "")
                + (f", {esc(fm.potential_label(e['potential']))}" if e.get("potential") else "")
                + "</span></h3>")
        body = [head, f"<p class='verdict'><b>Verdict:</b> {esc(md_verdict_words(e))}</p>"]
        temps = [t for t in e.get("temperatures", []) or [] if isinstance(t, Mapping)]
        if temps:
            rows = []
            for t in temps:
                st = str(t.get("status") or "")
                if st == "significant" or (not st and fm.finite(t.get("D_cm2_s"))):
                    d = fm.sci(t.get("D_cm2_s"), 2)
                    if d and fm.finite(t.get("D_err_cm2_s")) is not None:
                        d += f" ± {fm.sci(t.get('D_err_cm2_s'), 1)}"
                elif st == "bound":
                    d = fm.upper_bound(t.get("D_upper_cm2_s"))
                elif st == "molten":
                    d = "framework molten"
                else:
                    d = None
                rows.append([Cell.text(kelvin(t.get("temperature_K")),
                                       fm.finite(t.get("temperature_K")), True),
                             Cell.text(fm.general(t.get("time_ps")), fm.finite(t.get("time_ps")),
                                       True),
                             Cell.text(st or None), Cell.text(d, fm.finite(
                                 t.get("D_cm2_s") or t.get("D_upper_cm2_s")), True),
                             Cell.text(sigma_text(t.get("sigma_S_cm")),
                                       fm.finite(t.get("sigma_S_cm")), True)])
            body.append(table([("T, K", True), ("Production, ps", True), ("Status", False),
                               ("D, cm²/s", True), ("σ(T), S/cm", True)], rows, "narrow"))
        else:  # entries written before per-temperature statuses: D at each T from flat keys
            rows = []
            molten = {m.split(" K")[0]: m for m in e.get("molten", []) or [] if isinstance(m, str)}
            for k, v in e.items():
                m = re.match(r"^D_cm2_s@([\d.]+)K$", k)
                if m:
                    t = m.group(1)
                    d = (f"framework molten{molten[t][len(t) + 2:]}" if t in molten
                         else fm.sci(v, 2))
                    rows.append([Cell.text(t, float(t), True),
                                 Cell.text(d, None if t in molten else fm.finite(v), True)])
            if rows:
                body.append(table([("T, K", True), ("D, cm²/s", True)], rows, "narrow"))
        failed = [f for f in (e.get("failed") or e.get("failed_temperatures") or []) if f]
        if failed:
            body.append("<p>Runs that failed: " + "; ".join(
                esc(f"{kelvin(f.get('temperature_K'))} K: {f.get('error')}"
                    if isinstance(f, Mapping) else str(f)) for f in failed) + ".</p>")
        plots = e.get("plots") if isinstance(e.get("plots"), Mapping) else {}
        fig = []
        for kind, caption in (("arrhenius", "Arrhenius plot with confidence band"),
                              ("msd", "Mean squared displacement"),
                              ("vanhove", "Van Hove self-correlation map")):
            path = (plots or {}).get(kind) or arte.get(f"{formula}-{kind}")
            fig.append(figs.figure(path, f"{anchor('md', formula)}-{kind}",
                                   f"{formula_html(formula)}: {caption}", "fig third"))
        if any(fig):
            body.append('<div class="figs">' + "".join(fig) + "</div>")
        parts.append("<section class='md'>" + "".join(body) + "</section>")
    skipped = [k for k in s.get("skipped", []) or [] if isinstance(k, Mapping)]
    if skipped:
        parts.append("<p>Not simulated: " + "; ".join(
            f"{formula_html(str(k.get('formula')))} ({esc(str(k.get('reason') or ''))})"
            for k in skipped) + ".</p>")
    return "\n".join(parts)


def active_section(view: CampaignView, figs: Figures) -> str:
    if "active" not in view.stages:
        return ""
    a = view.summary("active")
    parts = ["<h2 id='active'>Active learning</h2>",
             kv_table([("Round", fm.plain(a.get("round"))),
                       ("Labelled compounds", fm.plain(a.get("n_labelled"))),
                       ("Acquisition", fm.plain(a.get("acquisition"))),
                       ("Labels file to fill in", fm.plain(a.get("label_file")))])]
    batch = [b for b in a.get("batch", []) or [] if isinstance(b, Mapping)]
    if batch:
        parts.append(table([("Formula", False), ("UCB acquisition, log₁₀(S/cm)", True),
                            ("Status", False)],
                           [[Cell(formula_html(str(b.get("formula"))), str(b.get("formula"))),
                             Cell.text(fm.fixed(b.get("ucb"), 2), fm.finite(b.get("ucb")), True),
                             Cell.text(fm.plain(b.get("status")))] for b in batch], "narrow"))
    afigs = [figs.figure(path, f"active-{label}",
                         "Retrospective replay: known conductors found by UCB vs random picking"
                         if "curve" in str(label) else esc(fm.humanize(str(label))))
             for label, path in (view.stages["active"].artefacts or {}).items()]
    if any(afigs):
        parts.append('<div class="figs">' + "".join(afigs) + "</div>")
    return "\n".join(parts)


def methods_section(view: CampaignView, software: Mapping[str, str], raw_name: str) -> str:
    from superionic.data.registry import DATASETS

    parts = ["<h2 id='methods'>Methods and provenance</h2>"]
    method = {
        "data": "Measured room-temperature conductivities from the data sets below were merged "
                "per reduced composition (censored values kept as bounds).",
        "models": "Models of log₁₀σ on composition features were compared by nested "
                  "cross-validation on each split; the best one predicts log₁₀σ with a 90 % "
                  "interval.",
        "screen": "Every compound of the offline Materials Project pool was passed through the "
                  "stability, band-gap and electrochemical-window filters; the survivors were "
                  "predicted and ranked by a composite score.",
        "md": "The best-ranked candidates with an MD-ready structure were simulated with a "
              "machine-learned potential; an Arrhenius fit (and σ(300 K)) is reported only where "
              "diffusion was significant at two or more temperatures in a solid framework, "
              "otherwise a bound or a verdict.",
        "active": "One active-learning round proposes the next measurements.",
    }
    parts.append("<p>" + " ".join(t for k, t in method.items() if k in view.stages) + "</p>")
    data = view.summary("data")
    sets = [d for d in data.get("data_sets", []) or [] if isinstance(d, Mapping)]
    if sets:
        rows = []
        for d in sets:
            spec = DATASETS.get(str(d.get("name")))
            rows.append([Cell(esc(str(d.get("name")))),
                         Cell.text(fm.count(d.get("rows")), fm.finite(d.get("rows")), True),
                         Cell.text(fm.count(d.get("parsed")), fm.finite(d.get("parsed")), True),
                         Cell.text(fm.count(d.get("rejected")), fm.finite(d.get("rejected")),
                                   True),
                         Cell.text(str(d.get("licence") or (spec.licence if spec else "")) or None),
                         Cell.text(spec.citation if spec else None)])
        parts.append("<h3>Data sets</h3>" + table(
            [("Data set", False), ("Rows", True), ("Parsed", True), ("Rejected", True),
             ("Licence", False), ("Citation", False)], rows))
        parts.append(kv_table([
            ("Compositions with a measured σ", fm.plain(data.get("n_label_compositions"))),
            ("of which censored (bounds)", fm.plain(data.get("n_censored"))),
            ("Compositions with a measured Ea", fm.plain(data.get("n_with_Ea")))]))
    m = view.summary("models")
    best = m.get("best") if isinstance(m.get("best"), Mapping) else {}
    if best:
        parts.append("<h3>Model</h3>" + kv_table([
            ("Best model", fm.plain(best.get("model"))),
            ("Chosen on split", fm.plain(best.get("split_label") or best.get("split"))),
            ("Hyper-parameters", _params_text(best.get("params"))),
            ("Training rows", fm.plain(m.get("n_rows")))]))
    rows = []
    for name, rec in view.stages.items():
        st = rec.provenance.get("settings") or {}
        rows.append([Cell(esc(name)), Cell.text(fm.plain(st.get("seed"))),
                     Cell(esc(_params_text(rec.provenance.get("params")))
                          if rec.provenance.get("params") else '<span class="muted">none</span>'),
                     Cell(f"<code>{esc(str(rec.input_hash or '')[:16])}</code>"
                          if rec.input_hash else NC),
                     Cell.text(fm.sig(rec.seconds, 2), fm.finite(rec.seconds), True),
                     Cell.text(rec.created_at.strftime("%Y-%m-%d %H:%M UTC")
                               if rec.created_at else None)])
    parts.append("<h3>Stages</h3>" + table(
        [("Stage", False), ("Seed", False), ("Parameters", False), ("Input hash (sha256)", False),
         ("Time, s", True), ("Completed", False)], rows))
    settings = next((rec.provenance.get("settings") for rec in view.stages.values()
                     if rec.provenance.get("settings")), None) or {}
    if settings:
        parts.append("<h3>Settings</h3>" + kv_table(
            [(fm.humanize(k), fm.plain(v)) for k, v in settings.items()]))
    if sets:
        frows = []
        for d in sets:
            spec = DATASETS.get(str(d.get("name")))
            for f in (spec.files if spec else ()):
                frows.append([Cell(esc(spec.name)), Cell(esc(f.name)),
                              Cell(f"<code>{esc(f.sha256)}</code>"),
                              Cell(f'<a href="{esc(f.origin)}">{esc(f.origin)}</a>' if f.origin
                                   else esc(f"derived from {f.derived_from}" if f.derived_from
                                            else "local"))])
        if frows:
            parts.append("<details><summary>Data files and their sha256 checksums</summary>"
                         + table([("Data set", False), ("File", False), ("sha256", False),
                                  ("Origin", False)], frows, widths=(130, 170, 470, 440))
                         + "</details>")
    if software:
        parts.append("<h3>Software (at report time)</h3><p>" + " · ".join(
            f"{esc(k)} {esc(v)}" for k, v in software.items()) + "</p>")
    parts.append(f"<p>Campaign <code>{esc(view.campaign)}</code>, store "
                 f"<code>{esc(view.store_url)}</code>. Every number above is read from the store; "
                 f'the raw stage summaries and provenance: <a href="{esc(raw_name)}" download>'
                 f"{esc(raw_name)}</a>.</p>")
    return "\n".join(parts)


Section = Callable[..., str]
