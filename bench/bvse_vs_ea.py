"""BVSE percolation barriers of the structure-library conductors vs measured activation energies.

For every library entry with coordinates (``superionic structures list``), the BVSE barrier of
Li (:func:`superionic.features.bvse.bvse_barriers`; disordered entries ordered by Ewald energy
first) at the grid spacings given, against the measured Ea (/work/shared/reference/
md_experiment.csv where it has the compound, else the literature value cited below). Prints a
Markdown table and the Spearman rank correlation over the compounds with a measured Ea.

    PYTHONPATH=src python bench/bvse_vs_ea.py --resolutions 0.3,0.2
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

#: Measured Ea (eV) and source for library compounds md_experiment.csv does not cover.
LITERATURE_EA = {
    "Li3N": (0.29, "Alpen et al., Appl. Phys. Lett. 30, 621 (1977), single crystal, in-plane"),
    "beta-Li3PS4": (0.36, "Liu et al., JACS 135, 975 (2013), nanoporous beta"),
    "Li3InCl6": (0.35, "Li et al., Energy Environ. Sci. 12, 2665 (2019)"),
    "Li3ClO": (0.26, "Zhao & Daemen, JACS 134, 15042 (2012); pellets of others give 0.3-0.6"),
}
REFERENCE = Path("/work/shared/reference/md_experiment.csv")


def measured() -> dict[str, tuple[float, str]]:
    out = dict(LITERATURE_EA)
    if REFERENCE.is_file():
        import pandas as pd

        ref = pd.read_csv(REFERENCE)
        for r in ref.itertuples():
            out[str(r.library_name)] = (float(r.Ea_eV), f"md_experiment.csv ({r.source})")
    return out


def main() -> None:
    from scipy.stats import spearmanr

    from superionic.defects.library import get_structure, has_structure, names
    from superionic.features.bvse import BVSEError, bvse_barriers

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--resolutions", default="0.3,0.2")
    ap.add_argument("--skip-slow", action="store_true", help="skip >150-site cells at < 0.3 A")
    args = ap.parse_args()
    res_list = [float(x) for x in args.resolutions.split(",")]
    ea = measured()
    rows = []
    for name in names():
        if not has_structure(name):
            continue
        s = get_structure(name)
        cells = []
        for res in res_list:
            if args.skip_slow and res < 0.3 and len(s) * (1 if s.is_ordered else 1) > 150:
                cells.append("-")
                continue
            t0 = time.perf_counter()
            try:
                b = bvse_barriers(s, "Li", resolution_A=res)
                cells.append(f"{b.barrier_eV:.2f} ({b.dim}D; 3D {b.barrier_3d_eV:.2f}) "
                             f"[{time.perf_counter() - t0:.0f} s]")
                if res == res_list[0]:
                    first = b
            except BVSEError as exc:
                cells.append(f"error: {exc}")
                first = None
        m = ea.get(name)
        rows.append((name, cells, m, first))
        print(name, cells, m[0] if m else None, flush=True)
    head = " | ".join(f"BVSE at {r:g} A (eV)" for r in res_list)
    print(f"\n| compound | {head} | measured Ea (eV) | source |")
    print("|---|" + "---|" * len(res_list) + "---|---|")
    for name, cells, m, _ in rows:
        print(f"| {name} | " + " | ".join(cells) + f" | {m[0]:.2f} | {m[1]} |" if m else
              f"| {name} | " + " | ".join(cells) + " | - | - |")
    pairs = [(b.barrier_eV, m[0]) for _, _, m, b in rows if m and b and b.barrier_eV is not None]
    if len(pairs) >= 3:
        rho = spearmanr([p[0] for p in pairs], [p[1] for p in pairs]).statistic
        diffs = [p[0] - p[1] for p in pairs]
        print(f"\n{len(pairs)} compounds with a measured Ea: Spearman rho = {rho:.2f}; "
              f"BVSE - Ea: mean {sum(diffs) / len(diffs):+.2f} eV, mean |.| "
              f"{sum(abs(d) for d in diffs) / len(diffs):.2f} eV, "
              f"max |.| {max(abs(d) for d in diffs):.2f} eV (grid {res_list[0]:g} A)")


if __name__ == "__main__":
    main()
