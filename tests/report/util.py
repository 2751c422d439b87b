"""Checks a rendered report page the way a person would: images load, tables exist, no errors."""

from __future__ import annotations

from pathlib import Path


def check_page(browser, index: Path, screenshot: Path) -> dict:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda req: errors.append(f"failed to load {req.url}"))
    page.goto(index.resolve().as_uri())
    page.wait_for_load_state("load")
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => ({src: e.getAttribute('src'), ok: e.complete && e.naturalWidth > 0}))")
    n_tables = page.eval_on_selector_all("table", "els => els.length")
    page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    return {"errors": errors, "images": images, "n_tables": n_tables}
