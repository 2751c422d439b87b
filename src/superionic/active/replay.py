"""Retrospective replay: how fast UCB and random picking find the known conductors, and its plot.

``discover``'s active stage draws this curve on the labelled compounds; bench/al_retrospective.py
gives the spread over seeds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: "a good conductor" of the replay curve: sigma >= 1 mS/cm
CONDUCTOR_S_CM = 1e-3


def retrospective_curve(X: Any, ids: Sequence[str], labels: Mapping[str, float], *, rounds: int,
                        batch_size: int, seed: int = 0,
                        conductor_S_cm: float = CONDUCTOR_S_CM) -> list[dict[str, Any]]:
    """UCB vs random replay on the labelled compounds ``ids`` (rows of ``X``; ``labels`` in
    log10 S/cm): 5 % seed (none of them conductors), ``batch_size`` queries per round for
    ``rounds`` rounds. Rows: strategy, round, n_queried, found_fraction (of the conductors
    outside the seed), pool_mae (log10 S/cm, model error on the unqueried rest). One seed."""
    from superionic.active.loop import run_rounds
    from superionic.active.oracles import RetrospectiveOracle
    from superionic.active.pool import seed_split

    threshold = math.log10(conductor_S_cm)
    truth = {i: labels[i] for i in ids}
    good = [i for i, v in truth.items() if v >= threshold]
    start, _ = seed_split(truth, 0.05, seed, avoid=good)
    rows: list[dict[str, Any]] = []
    for strategy in ("ucb", "random"):
        for r in run_rounds(X, list(ids), RetrospectiveOracle(truth), start, rounds=rounds,
                            batch_size=batch_size, acquisition=strategy, seed=seed, truth=truth,
                            top_threshold=threshold):
            rows.append({"strategy": strategy, "round": r.round,
                         "n_queried": r.n_labelled - len(start),
                         "found_fraction": (r.n_top_found or 0) / max(len(good), 1),
                         "pool_mae": r.pool_mae})
    return rows


def plot_retrospective_curve(rows: Sequence[Mapping[str, Any]], path: str | Path | None = None,
                             conductor_S_cm: float = CONDUCTOR_S_CM) -> Any:
    """Found fraction of the known conductors vs queries, UCB vs random; returns the Figure and
    writes a PNG when ``path`` is given (Figure API: no pyplot state, no backend switch)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.5, 4.0))
    ax = fig.subplots()
    for strategy, style in (("ucb", "C3o-"), ("random", "C0s--")):
        pts = [(r["n_queried"], r["found_fraction"]) for r in rows if r["strategy"] == strategy]
        if pts:
            ax.plot(*zip(*pts, strict=True), style, label=strategy)
    ax.set(xlabel="labels bought after the seed", ylim=(0, 1),
           ylabel=f"fraction of conductors >= {conductor_S_cm * 1e3:g} mS/cm found",
           title="retrospective replay on the known labels (1 seed)")
    ax.legend(frameon=False)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
