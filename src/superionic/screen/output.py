"""Files of a screen: ranked table (CSV + Parquet), every pool compound with its reasons, the
rejected input rows, a funnel plot (count per stage) and score-vs-property plots (PNG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from superionic.screen.funnel import CANDIDATE_COLUMNS, STAGES, ScreenResult

#: Properties plotted against the score: (column, axis label, log10 of the column?).
SCORE_PLOTS = (
    ("sigma_S_cm", "log10 sigma(300 K) / S cm$^{-1}$ (predicted)", True),
    ("esw_width_V", "ESW width / V", False),
    ("Ea_eV", "Ea / eV (predicted)", False),
    ("sigma_e_S_cm", "log10 sigma_e / S cm$^{-1}$ (estimate)", True),
)


def _parquet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as strings (None kept) so Parquet gets one type per column."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str) else
                                (None if isinstance(v, float) and np.isnan(v) else str(v)))
    return out


def funnel_plot(stages: dict[str, int], path: Path, title: str = "") -> Path:
    """Horizontal bars: compounds remaining after each stage (log scale when the span is wide)."""
    from matplotlib.figure import Figure

    names = [s for s in STAGES if s in stages]
    counts = [stages[s] for s in names]
    fig = Figure(figsize=(6, 3.2))
    ax = fig.subplots()
    ax.barh(names[::-1], counts[::-1], color="#3b6ea8")
    for y, c in enumerate(counts[::-1]):
        ax.text(c, y, f" {c}", va="center", fontsize=9)
    if counts and max(counts) > 50 * max(1, min(counts)):
        ax.set_xscale("log")
    elif counts:
        ax.set_xlim(0, 1.15 * max(max(counts), 1))
    ax.set_xlabel("compounds remaining")
    ax.set_title(title or "screening funnel")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


def score_plots(ranked: pd.DataFrame, folder: Path, top: int,
                score_label: str = "score") -> dict[str, Path]:
    """One scatter per property of :data:`SCORE_PLOTS`: score vs the property, the top ``top``
    highlighted and the Pareto front (rank 1) ringed. A property with no value at all (e.g. Ea
    of a screen whose ion has no Ea model) gets no plot."""
    from matplotlib.figure import Figure

    out = {}
    is_top = ranked["rank"].between(1, top).to_numpy()
    front = (ranked["pareto_rank"] == 1).to_numpy()
    for col, label, log in SCORE_PLOTS:
        if col not in ranked:
            continue
        x = pd.to_numeric(ranked[col], errors="coerce").to_numpy(float)
        if log:
            with np.errstate(divide="ignore", invalid="ignore"):
                x = np.where(x > 0, np.log10(x), np.nan)
        if not np.isfinite(x).any():
            continue
        y = ranked["score"].to_numpy(float)
        fig = Figure(figsize=(5, 4))
        ax = fig.subplots()
        ax.scatter(x[~is_top], y[~is_top], s=6, c="0.6", label="ranked")
        ax.scatter(x[is_top], y[is_top], s=10, c="#c0392b", label=f"top {top}")
        ax.scatter(x[front], y[front], s=40, facecolors="none", edgecolors="k",
                   label="Pareto front")
        ax.set_xlabel(label)
        ax.set_ylabel(score_label)
        ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
        path = folder / f"score_vs_{col.replace('_S_cm', '').replace('_eV', '').replace('_V', '')}.png"
        fig.savefig(path, dpi=120)
        out[f"plot_score_vs_{col}"] = path
    return out


def write_outputs(result: ScreenResult, folder: str | Path, top: int | None = None
                  ) -> dict[str, str]:
    """Write the screen's files into ``folder``; returns ``{name: path}``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    top = top or result.options.top
    ranked = result.ranked
    cols = list(CANDIDATE_COLUMNS) + ["term_sigma", "term_esw", "term_ea", "term_sigma_e",
                                      "window_note"]
    ranked_out = ranked.reindex(columns=cols)
    paths: dict[str, Path] = {
        "ranked_csv": folder / "ranked.csv", "ranked_parquet": folder / "ranked.parquet",
        "all_csv": folder / "all_compounds.csv", "all_parquet": folder / "all_compounds.parquet",
        "rejected_csv": folder / "rejected.csv", "funnel_png": folder / "funnel.png",
    }
    ranked_out.to_csv(paths["ranked_csv"], index=False)
    _parquet_safe(ranked_out).to_parquet(paths["ranked_parquet"], index=False)
    everything = result.table.drop(columns=[c for c in result.table.columns
                                            if c.startswith("_")])
    lead = ["formula", "reduced_formula", "source_id", "left_at", "reasons", "rank"]
    everything = everything[lead + [c for c in everything.columns if c not in lead]]
    everything.to_csv(paths["all_csv"], index=False)
    _parquet_safe(everything).to_parquet(paths["all_parquet"], index=False)
    pd.DataFrame([{"file": r.file, "row": r.row, "reason": r.reason} for r in result.rejected],
                 columns=["file", "row", "reason"]).to_csv(paths["rejected_csv"], index=False)
    funnel_plot(result.stages, paths["funnel_png"],
                f"{result.mobile_ion} screen: {result.pool_size} compounds")
    if len(ranked):
        mode = result.options.ranking.value
        label = {"p_fast": "p_fast = P(sigma300 >= "
                           f"{result.options.fast_threshold_S_cm:g} S/cm)"}.get(
            mode, "composite score S")
        paths.update(score_plots(ranked, folder, top, label))
    return {k: str(v) for k, v in paths.items()}
