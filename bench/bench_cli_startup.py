"""Wall time of ``superionic --help`` against two peers measured in the same run.

Peers: the same command on an older source tree (``--before``, e.g. a ``git archive`` of the commit
before the lazy imports) and the floor: ``--help`` of a one-command Typer app (what any Typer CLI
pays for the interpreter, Typer, Rich and the help rendering). Runs are interleaved so machine load hits all three alike; prints medians and ratios.

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


def _time(cmd: list[str], src: Path | None, ok: tuple[int, ...] = (0,)) -> float:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    t0 = time.perf_counter()
    rc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    if rc not in ok:
        raise SystemExit(f"{' '.join(cmd[:3])} ... exited with {rc}")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, help="src/ folder of the older tree to compare with")
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    helpcmd = [sys.executable, "-m", "superionic", "--help"]
    floor = [sys.executable, "-c", "import sys, typer\napp = typer.Typer()\n"
             "@app.command()\ndef hello(name: str = 'x') -> None:\n    print(name)\n"
             "@app.command()\ndef bye() -> None:\n    pass\n"
             "sys.argv = ['floor', '--help']\napp()"]
    runs: dict[str, list[float]] = {"superionic --help": [], "floor (Typer app --help)": []}
    if args.before:
        runs["superionic --help (before)"] = []
    for _ in range(args.repeat):
        runs["superionic --help"].append(_time(helpcmd, SRC))
        runs["floor (Typer app --help)"].append(_time(floor, None, ok=(0, 2)))
        if args.before:
            runs["superionic --help (before)"].append(_time(helpcmd, args.before))
    med = {k: statistics.median(v) for k, v in runs.items()}
    now = med["superionic --help"]
    for name, value in med.items():
        print(f"{name:32s} median {value:6.3f} s   ratio to superionic --help {value / now:5.2f}")


if __name__ == "__main__":
    main()
