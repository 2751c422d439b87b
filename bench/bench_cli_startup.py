"""Wall time of ``superionic --help`` against two peers measured in the same run.

Peers: the same command on an older source tree (``--before``, e.g. a ``git archive`` of the commit
before the lazy imports) and the floor, ``python -c "import typer, rich"`` (what any Typer app
pays). Runs are interleaved so machine load hits all three alike; prints medians and ratios.

    git archive cbbda6b src | tar -x -C /tmp/si-before
    python bench/bench_cli_startup.py --before /tmp/si-before/src --repeat 15
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _time(cmd: list[str], src: Path | None) -> float:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, help="src/ folder of the older tree to compare with")
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    helpcmd = [sys.executable, "-m", "superionic", "--help"]
    floor = [sys.executable, "-c", "import typer, rich.console"]
    runs: dict[str, list[float]] = {"superionic --help": [], "floor (import typer, rich)": []}
    if args.before:
        runs["superionic --help (before)"] = []
    for _ in range(args.repeat):
        runs["superionic --help"].append(_time(helpcmd, SRC))
        runs["floor (import typer, rich)"].append(_time(floor, None))
        if args.before:
            runs["superionic --help (before)"].append(_time(helpcmd, args.before))
    med = {k: statistics.median(v) for k, v in runs.items()}
    now = med["superionic --help"]
    for name, value in med.items():
        print(f"{name:32s} median {value:6.3f} s   ratio to superionic --help {value / now:5.2f}")


if __name__ == "__main__":
    main()
