"""Ewald ordering of partial occupancies: superionic.defects.ordering vs pymatgen.

Peer: pymatgen's ``OrderDisorderedStructureTransformation`` (EwaldMinimizer, exact branch and
bound) on the same cell, measured in the same run. Prints, per case, the time ratio
(pymatgen / superionic) and the Ewald-energy gap of our best ordering to pymatgen's exact minimum
(0 for exhaustive; >= 0 for the sampled heuristic).

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_defects_ordering.py
"""

from __future__ import annotations

import argparse
import time
import warnings

from pymatgen.transformations.standard_transformations import (
    OrderDisorderedStructureTransformation,
)

from superionic.defects.library import get_structure
from superionic.defects.ordering import _integer_counts, order_structure, oxidation_states_of


def regularised(structure):
    """The same cell with each partial site's occupancy set to the integral count ordering
    uses (count / group size), so that both codes solve the identical problem."""
    from pymatgen.core import Species

    groups = _integer_counts(structure, 2.0, oxidation_states_of(structure))
    s = structure.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g in groups:
            n = len(g.indices)
            for i in g.indices:
                ox = {sp.symbol: sp.oxi_state for sp in s[i].species}
                s.replace(i, {Species(el, ox[el]): c / n for el, c in g.counts.items()},
                          s[i].frac_coords)
    return s


def run_case(name: str, mult: tuple[int, int, int], max_enumerate: float, n_samples: int,
             seed: int) -> dict:
    s = regularised(get_structure(name) * mult)
    t0 = time.perf_counter()
    ours = order_structure(s, supercell=(1, 1, 1), n_structures=1, seed=seed,
                           max_enumerate=max_enumerate, n_samples=n_samples)[0]
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = OrderDisorderedStructureTransformation(algo=0).apply_transformation(
            s, return_ranked_list=1)[0]
    t_ref = time.perf_counter() - t0
    return {"case": f"{name} {mult}", "method": ours.method,
            "orderings": ours.info["n_combinations"], "t_ours_s": t_ours, "t_pymatgen_s": t_ref,
            "ratio": t_ref / t_ours, "gap_eV": ours.ewald_energy_eV - float(ref["energy"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--samples", type=int, default=60)
    args = ap.parse_args()
    warnings.simplefilter("ignore", UserWarning)  # pymatgen: site properties dropped on replace
    cases = [("Li3YCl6", (1, 1, 1), 2e4), ("beta-Li3PS4", (1, 1, 1), 2e4),
             ("Li3YCl6", (1, 1, 2), 2e4), ("beta-Li3PS4", (1, 1, 2), 2e4)]
    print(f"{'case':22s} {'method':10s} {'orderings':>10s} {'ours s':>8s} {'pymatgen s':>10s} "
          f"{'ratio':>7s} {'gap eV':>8s}")
    for name, mult, max_enum in cases:
        r = run_case(name, mult, max_enum, args.samples, args.seed)
        print(f"{r['case']:22s} {r['method']:10s} {r['orderings']:10.3g} {r['t_ours_s']:8.3f} "
              f"{r['t_pymatgen_s']:10.3f} {r['ratio']:7.2f} {r['gap_eV']:8.4f}")


if __name__ == "__main__":
    main()
