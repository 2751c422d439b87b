"""Screenshots of the campaign report for the docs: the first screen at 1280 x 900 px in headless
Chromium and page 1 of the PDF (``superionic report --pdf``), written to docs/img/.

    python bench/report_screenshots.py                       # the test fixture campaign
    python bench/report_screenshots.py --workspace workspace --suffix _demo   # a real campaign

Without ``--workspace`` the store is the one tests/report/campaign_fixture.py writes (its
numbers are test inputs, not results; the page title says so). Prints where the candidate table
ends on the first screen, the page width, and the PDF's page count.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _fixture_store(root: Path):
    spec = importlib.util.spec_from_file_location(
        "campaign_fixture", ROOT / "tests" / "report" / "campaign_fixture.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build_store(root)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", type=Path)
    ap.add_argument("--campaign", default="default")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    ap.add_argument("--suffix", default="", help="appended to the PNG names, e.g. _demo")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    from superionic.report.html import build_report
    from superionic.report.pdf import find_chromium, write_pdf
    from superionic.store import Store

    tmp = Path(tempfile.mkdtemp(prefix="superionic-report-"))
    if args.workspace:
        store = Store(f"sqlite:///{args.workspace.resolve() / 'campaign.db'}", args.campaign)
        title = f"superionic campaign '{args.campaign}'"
    else:
        store = _fixture_store(tmp / "fixture")
        title = "superionic campaign 'fixture' (test inputs, not results)"
    index = build_report(store, tmp / "report", title=title)
    pdf = write_pdf(index, tmp / "report" / "report.pdf")
    args.out.mkdir(parents=True, exist_ok=True)
    first = args.out / f"report_first_screen{args.suffix}.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(),
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(index.as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=str(first))
        geo = page.evaluate("""() => { const t = document.querySelector('table.cands');
            return {bottom: t ? t.getBoundingClientRect().bottom : null,
                    width: document.documentElement.scrollWidth,
                    height: document.documentElement.scrollHeight}; }""")
        browser.close()
    stem = args.out / f"report_pdf_page1{args.suffix}"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(stem)], check=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = re.search(r"Pages:\s+(\d+)", info.stdout).group(1)
    print(f"report: {index}")
    print(f"first screen: {first} (candidate table ends at {geo['bottom']:.0f} px of 900; "
          f"page width {geo['width']} px at a 1280 px window; page height {geo['height']} px)")
    print(f"PDF: {pdf} ({pages} pages, A4 landscape); page 1: {stem}.png")


if __name__ == "__main__":
    sys.exit(main())
