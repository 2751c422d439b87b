"""The HTML report renders every stage's tables and plots from the store alone."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from superionic.report.html import build_report  # noqa: E402
from superionic.store import Store  # noqa: E402

from .util import check_page  # noqa: E402


def _plot(path):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2, 3], [3, 1, 2])
    fig.savefig(path)
    plt.close(fig)
    return str(path)


def test_report_from_store(tmp_path, browser):
    store = Store(f"sqlite:///{tmp_path / 'campaign.db'}", campaign="t")
    summary = {"pool_size": 3, "candidates": [{"formula": "Li3ClO", "score": 1.25},
                                              {"formula": "LiCl", "score": 0.5}],
               "stages": {"pool": 3, "e_hull": 2}}
    store.put("stage_runs", [{"stage": "screen", "status": "done", "summary": summary,
                              "artefacts": {"funnel": _plot(tmp_path / "f.png")}}],
              {"data": "obelix@4eaac88", "seed": 0}, stage="screen", formula_key="none")
    index = build_report(store, tmp_path / "report")
    text = index.read_text()
    assert "Li3ClO" in text and "obelix@4eaac88" in text
    result = check_page(browser, index, tmp_path / "report" / "screenshot.png")
    assert result["errors"] == []
    assert result["images"] and all(i["ok"] for i in result["images"])
    assert result["n_tables"] >= 2
    assert (tmp_path / "report" / "screenshot.png").stat().st_size > 1000
