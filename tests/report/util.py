"""Checks a rendered report page the way a reader would, in headless Chromium at 1280 px: images
load, nothing overflows the page, no console errors, what the first screen and the first 2,500
characters of visible text hold; then a screenshot."""

from __future__ import annotations

import re
from pathlib import Path

WIDTH, FIRST_SCREEN = 1280, 900

_SUP = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹−", "-0123456789-")
#: Numbers in visible text: plain (1.5e-35, 0.003) or typeset (3.2×10⁻⁴, 10⁻²⁰).
_NUM = re.compile(r"(?<![\w.])(?:(\d+(?:\.\d+)?)×)?10([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
                  r"|(?<![\w.])(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)")


def numbers(text: str) -> list[tuple[str, float, bool]]:
    """(token, value, bounded) for every number in ``text``; ``bounded`` when a "<" precedes it."""
    out = []
    for m in _NUM.finditer(text):
        if m.group(2):
            mant = float(m.group(1)) if m.group(1) else 1.0
            value = mant * 10.0 ** int(m.group(2).translate(_SUP))
        else:
            try:
                value = float(m.group(3))
            except ValueError:
                continue
        before = text[max(0, m.start() - 2):m.start()]
        out.append((m.group(0), value, "<" in before))
    return out


def check_page(browser, index: Path, screenshot: Path, first_screen: Path | None = None) -> dict:
    page = browser.new_page(viewport={"width": WIDTH, "height": FIRST_SCREEN})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda req: errors.append(f"failed to load {req.url}"))
    page.goto(index.resolve().as_uri())
    page.wait_for_load_state("load")
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => ({src: e.getAttribute('src'), ok: e.complete && e.naturalWidth > 0}))")
    n_tables = page.eval_on_selector_all("table", "els => els.length")
    geometry = page.evaluate("""() => {
      const t = document.querySelector('table.cands');
      const r = t ? t.getBoundingClientRect() : null;
      const rows = t ? Array.from(t.tBodies[0].rows).map(x => x.getBoundingClientRect().bottom) : [];
      const wide = Array.from(document.querySelectorAll('body *')).filter(
        e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(e => e.tagName + '.' + e.className).slice(0, 10);
      const spill = Array.from(document.querySelectorAll('td')).filter(
        c => c.offsetParent !== null && c.scrollWidth > c.clientWidth + 1)
        .map(c => c.textContent.slice(0, 40)).slice(0, 10);
      return {spill: spill, cands_top: r ? r.top : null, cands_bottom: r ? r.bottom : null, row_bottoms: rows,
              scroll_width: document.documentElement.scrollWidth,
              client_width: document.documentElement.clientWidth, wide: wide};
    }""")
    if first_screen is not None:
        page.screenshot(path=str(first_screen))
    # open every <details> so the visible-text checks cover the full tables too
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    text = page.inner_text("body")
    overflow_open = page.evaluate("() => document.documentElement.scrollWidth")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = false)")
    page.screenshot(path=str(screenshot), full_page=True)
    # sorting: click the σ header of the candidate table, read the first column
    sorted_ranks = None
    if page.query_selector("table.cands"):
        page.click("table.cands thead th:nth-child(3)")
        sorted_ranks = page.eval_on_selector_all(
            "table.cands tbody tr td:nth-child(3)", "els => els.map(e => e.getAttribute('data-sort'))")
    page.close()
    return {"errors": errors, "images": images, "n_tables": n_tables, "text": text,
            "overflow_open": overflow_open, "sorted_sigma": sorted_ranks, **geometry}
