"""Ea from the Liverpool Ionics temperature series vs the Ea reported by Laskowski et al. 2023.

Analysis, not a speed benchmark. For every composition (pymatgen reduced formula) with >= 3
distinct temperatures, one paper's sigma(T) series is fitted with the paper's form
sigma = A/T exp(-Ea/kT) (superionic.experiment.literature); compositions also in the Laskowski
table are compared (reported Ea averaged over its rows). A series is "reliable" when it comes
from one source, spans >= 50 K and the fit has r^2 >= 0.9; MAE and Pearson r are given for all
matches and for the reliable ones.

    .venv/bin/python bench/liverpool_ea.py [--plot docs/img/experiment_liverpool_ea.png]
                                           [--markdown table.md]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from superionic.experiment.literature import (
    compare_ea,
    fit_compositions,
    read_laskowski_ea,
    read_liverpool,
)
from superionic.experiment.plots import plot_ea_parity

MIN_SPAN_K, MIN_R2 = 50.0, 0.9


def reliable(row: dict, r2: float) -> bool:
    lo, hi = row["T_range_K"]
    return (not row["mixed_sources"]) and hi - lo >= MIN_SPAN_K and r2 >= MIN_R2


def stats(rows: list[dict]) -> tuple[int, float, float, float]:
    """(n, MAE eV, median absolute error eV, Pearson r) of fitted vs reported Ea."""
    if not rows:
        return 0, math.nan, math.nan, math.nan
    fit = np.array([r["Ea_fit_eV"] for r in rows])
    rep = np.array([r["Ea_reported_eV"] for r in rows])
    r = float(np.corrcoef(fit, rep)[0, 1]) if len(rows) > 2 else math.nan
    return len(rows), float(np.mean(np.abs(fit - rep))), float(np.median(np.abs(fit - rep))), r


def markdown(rows: list[dict], good: list[bool]) -> str:
    out = ["| reduced formula | T range (K) | n T | source | Ea fit (eV) | Ea reported (eV) "
           "| reliable |", "|---|---|---|---|---|---|---|"]
    for r, g in sorted(zip(rows, good, strict=True), key=lambda rg: rg[0]["reduced_formula"]):
        lo, hi = r["T_range_K"]
        src = "pooled" if r["mixed_sources"] else (r["source"] or "")
        out.append(f"| {r['reduced_formula']} | {lo:.0f}-{hi:.0f} | {r['n_temperatures']} | "
                   f"{src} | {r['Ea_fit_eV']:.3f} ± {r['Ea_fit_err_eV']:.3f} | "
                   f"{r['Ea_reported_eV']:.3f} (n={r['n_reported']}) | {'yes' if g else 'no'} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plot", type=Path, default=Path("docs/img/experiment_liverpool_ea.png"))
    ap.add_argument("--markdown", type=Path, default=None)
    args = ap.parse_args()
    points, bad = read_liverpool()
    fits = fit_compositions(points)
    r2 = {f.reduced_formula: f.r_squared for f in fits}
    cmp = compare_ea(fits, read_laskowski_ea())
    good = [reliable(r, r2[r["reduced_formula"]]) for r in cmp.rows]
    n_all, mae_all, med_all, r_all = stats(cmp.rows)
    n_rel, mae_rel, med_rel, r_rel = stats([r for r, g in zip(cmp.rows, good, strict=True) if g])
    rel_rows = [r for r, g in zip(cmp.rows, good, strict=True) if g]
    mae_rel_plain = (float(np.mean([abs(r["Ea_fit_sigma_form_eV"] - r["Ea_reported_eV"])
                                    for r in rel_rows])) if rel_rows else math.nan)
    print(f"Liverpool rows: {len(points)} read, {len(bad)} rejected; compositions with >= 3 "
          f"temperatures fitted: {len(fits)} ({sum(f.mixed_sources for f in fits)} pooled "
          "across sources)")
    print(f"matched with Laskowski Ea: {n_all}; MAE {mae_all:.3f} eV, median |error| "
          f"{med_all:.3f} eV, Pearson r {r_all:.2f}")
    print(f"reliable subset (one source, span >= {MIN_SPAN_K:g} K, r2 >= {MIN_R2}): {n_rel}; "
          f"MAE {mae_rel:.3f} eV (sigma form {mae_rel_plain:.3f}), median |error| "
          f"{med_rel:.3f} eV, Pearson r {r_rel:.2f}")
    plot_ea_parity([r["Ea_fit_eV"] for r in cmp.rows], [r["Ea_reported_eV"] for r in cmp.rows],
                   [r["Ea_fit_err_eV"] for r in cmp.rows], reliable=good, limits_eV=(0.0, 1.7),
                   title=f"Liverpool series vs Laskowski: reliable n={n_rel}, "
                         f"MAE {mae_rel:.3f} eV, r={r_rel:.2f}",
                   xlabel="Ea reported, Laskowski 2023 (eV)",
                   ylabel="Ea fitted, Liverpool series, σT form (eV)", path=args.plot)
    off = sum(not 0.0 <= r["Ea_fit_eV"] <= 1.7 for r in cmp.rows)
    print(f"plot: {args.plot} ({off} fitted values outside 0-1.7 eV pinned to the edge)",
          file=sys.stderr)
    table = markdown(cmp.rows, good)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    else:
        print(table)


if __name__ == "__main__":
    main()
