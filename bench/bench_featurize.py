"""``superionic featurize`` end to end (CSV of formula strings in, Parquet out) vs matminer.

Both sides start from the same CSV file of formula strings and end with a Parquet file:

- ours: the ``superionic featurize FILE -o OUT --no-guessed`` command, run in process (the
  command's own work: read CSV, parse formulas, 132 Magpie + 10 Eng columns, write Parquet;
  the interpreter's start-up and imports are not counted, for either side);
- matminer: ``pd.read_csv`` -> ``StrToComposition`` -> ``ElementProperty.from_preset("magpie")``
  (n_jobs=1) -> ``to_parquet``, on a random subset of ``--matminer-rows`` rows (its cost per row
  is constant) scaled linearly to all rows; ``--matminer-rows 0`` runs all of them.

The Magpie columns of both Parquet files are compared on the subset (bit for bit).

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_featurize.py
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_magpie import load_formulas  # noqa: E402


def run_ours(csv: Path, out: Path) -> float:
    import typer

    from superionic.cli import app

    command = typer.main.get_command(app)
    t0 = time.perf_counter()
    command.main(["featurize", str(csv), "-o", str(out), "--no-guessed"], standalone_mode=False)
    return time.perf_counter() - t0


def run_matminer(csv: Path, out: Path) -> float:
    from matminer.featurizers.composition import ElementProperty
    from matminer.featurizers.conversions import StrToComposition

    ep = ElementProperty.from_preset("magpie")
    ep.set_n_jobs(1)
    stc = StrToComposition()
    stc.set_n_jobs(1)
    t0 = time.perf_counter()
    df = pd.read_csv(csv)
    df = stc.featurize_dataframe(df, "formula", pbar=False)
    df = ep.featurize_dataframe(df, "composition", pbar=False)
    df.drop(columns=["composition"]).to_parquet(out)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000, help="number of formulas")
    ap.add_argument("--matminer-rows", type=int, default=2_000, help="0: run matminer on all")
    ap.add_argument("--repeats", type=int, default=3, help="best of this many runs of ours")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    formulas = load_formulas(args.n, args.seed)
    n = len(formulas)
    m = n if args.matminer_rows <= 0 else min(args.matminer_rows, n)
    idx = np.sort(np.random.default_rng(args.seed).choice(n, m, replace=False))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pd.DataFrame({"formula": formulas}).to_csv(folder / "all.csv", index=False)
        pd.DataFrame({"formula": [formulas[i] for i in idx]}).to_csv(folder / "sub.csv",
                                                                     index=False)
        run_ours(folder / "all.csv", folder / "warm.parquet")  # first call pays lazy imports
        t_ours = min(run_ours(folder / "all.csv", folder / "ours.parquet")
                     for _ in range(args.repeats))
        run_matminer(folder / "sub.csv", folder / "warm_mm.parquet") if m > 200 else None
        t_mm = run_matminer(folder / "sub.csv", folder / "mm.parquet") * n / m
        ours = pd.read_parquet(folder / "ours.parquet")
        ref = pd.read_parquet(folder / "mm.parquet")
    cols = [c for c in ref.columns if c.startswith("MagpieData")]
    same = np.array_equal(ref[cols].to_numpy(float), ours.loc[idx + 1, cols].to_numpy(float),
                          equal_nan=True)
    scaled = f"measured on {m} random rows, scaled x{n / m:.1f}" if m < n else "all rows"
    print(f"formulas: {n}; ours {ours.shape[1] - 1} columns, matminer {len(cols)} Magpie columns")
    print(f"superionic featurize --no-guessed (in process): {t_ours:.3f} s "
          f"({n / t_ours:,.0f} formulas/s, best of {args.repeats})")
    print(f"matminer StrToComposition + ElementProperty:    {t_mm:.2f} s "
          f"({n / t_mm:,.0f} formulas/s; {scaled})")
    print(f"Magpie columns identical on the {m} matminer rows: {same}")
    print(f"speed ratio (matminer / superionic), CSV in -> Parquet out: {t_mm / t_ours:.1f}x")


if __name__ == "__main__":
    main()
