"""The whole offline screen twice: a cold run (empty feature/window cache) and a warm run (same
cache), each a fresh ``superionic screen --pool offline --json`` process so import time, pool
loading and model loading count. Peer: the cold run; printed: both wall times and the RATIO
warm / cold, the stage counts, the cache hit counts, and where the famous fast conductors land
(:func:`superionic.screen.sanity.famous_ranks`).

Models come from the model folder (``--model-dir``, default ``$SUPERIONIC_MODEL_DIR`` or
``<cache>/models``); if none is saved, the first run trains them (minutes) — run
``superionic screen`` once before benchmarking so that training is not timed.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_screen.py [--pool offline] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")


def run_cli(args: list[str], show_progress: bool) -> tuple[float, dict]:
    """Wall time (s) and the JSON document of one ``superionic screen`` process."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "superionic", "screen", *args, "--json"],
                          stdout=subprocess.PIPE, stderr=None if show_progress else
                          subprocess.DEVNULL, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"superionic screen failed (exit {proc.returncode}): {proc.stdout}")
    return seconds, json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pool", default="offline")
    ap.add_argument("--model-dir", default=None)
    ap.add_argument("--top", type=int, default=150)
    ap.add_argument("--quiet", action="store_true", help="Hide the progress bars.")
    opts = ap.parse_args()

    import pandas as pd

    from superionic.screen.sanity import famous_ranks, famous_summary

    with tempfile.TemporaryDirectory(prefix="bench_screen_") as tmp:
        args = ["--pool", opts.pool, "--top", str(opts.top), "--cache-dir", f"{tmp}/cache",
                "--out", f"{tmp}/out"]
        if opts.model_dir:
            args += ["--model-dir", opts.model_dir]
        cold_s, cold = run_cli(args, not opts.quiet)
        warm_s, warm = run_cli(args, not opts.quiet)
        table = pd.read_parquet(Path(tmp) / "out" / "all_compounds.parquet")
    print(f"pool {warm['pool_size']} compounds, stages {warm['stages']}")
    print(f"cold run (empty cache): {cold_s:.1f} s; cache {cold['cache']}")
    print(f"warm run (same cache):  {warm_s:.1f} s; cache {warm['cache']}")
    print(f"in-process stage times, warm: {warm['timings_s']}")
    print(f"RATIO warm / cold = {warm_s / cold_s:.3f} (cold is the peer)")
    assert [c["formula"] for c in cold["candidates"]] == [c["formula"] for c in
                                                           warm["candidates"]]
    print(f"\nfamous fast conductors (n_ranked = {warm['stages']['score']}; "
          f"ranking {warm['options']['ranking']}):")
    for k in famous_ranks(table):
        where = f"rank {k['rank']:>5} ({k['rank_pct']:.1f} %)" if k["rank"] else \
            f"left at {k['left_at']}"
        p = "-" if k["p_fast"] is None else f"{k['p_fast']:.2f}"
        print(f"  {k['formula']:<12} {where:<22} p_fast {p}  log10 sigma "
              f"{k['log10_sigma_mean']:.2f}  structure {k['structure_source']}  "
              f"BVSE {k['bvse_barrier_eV']}")
    print(f"summary: {famous_summary(table)}")


if __name__ == "__main__":
    main()
