"""The whole offline screen twice: a cold run (empty feature/window cache) and a warm run (same
cache), each a fresh ``superionic screen --pool offline --json`` process so import time, pool
loading and model loading count. Peer: the cold run; printed: both wall times and the RATIO
warm / cold, the stage counts, the cache hit counts, and where the known fast conductors land.

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

    from superionic.screen.funnel import KNOWN_FAST_CONDUCTORS, known_placements

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
    print(f"\nknown fast conductors (n_ranked = {warm['stages']['score']}):")
    for k in known_placements(table, KNOWN_FAST_CONDUCTORS):
        if not k["in_pool"]:
            print(f"  {k['formula']:<12} not in the pool")
            continue
        print(f"  {k['formula']:<12} {k['source_id']:<12} left_at={k['left_at']:<8} "
              f"reasons={k['reasons'] or '-':<14} rank={k['rank']:>5}  "
              f"log10 sigma={k['log10_sigma_mean']:.2f} "
              f"[{k['log10_sigma_low']:.2f}, {k['log10_sigma_high']:.2f}]  "
              f"sigma pct: pool {k['sigma_pool_percentile']:.1f}, ranked "
              f"{k['sigma_ranked_percentile'] if k['sigma_ranked_percentile'] is None else round(k['sigma_ranked_percentile'], 1)}")


if __name__ == "__main__":
    main()
