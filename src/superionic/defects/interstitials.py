"""Candidate interstitial sites: vertices of the periodic Voronoi tessellation of the atoms.

Voronoi vertices are the centres of the largest empty spheres touching four atoms, the usual
starting points for interstitials (cf. pymatgen-analysis-defects' Voronoi generator; here with
scipy only). Vertices closer than ``min_distance_A`` to any atom are dropped, vertices within
``merge_A`` of each other are merged (keeping the roomiest), and the survivors are returned
roomiest first. Distances in Angstrom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pymatgen.core import Structure
from scipy.spatial import Voronoi


@dataclass(frozen=True)
class InterstitialSite:
    """Fractional coordinates of an empty site and its distance (A) to the nearest atom."""

    frac_coords: tuple[float, float, float]
    clearance_A: float


def _images(structure: Structure) -> tuple[np.ndarray, np.ndarray]:
    shifts = np.array([(i, j, k) for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1)])
    frac = structure.frac_coords % 1.0
    allf = (frac[None, :, :] + shifts[:, None, :]).reshape(-1, 3)
    return allf, structure.lattice.get_cartesian_coords(allf)


def interstitial_sites(structure: Structure, *, min_distance_A: float = 1.6,
                       merge_A: float = 0.5, max_sites: int | None = None) -> list[InterstitialSite]:
    """Empty sites of ``structure`` (see module doc), roomiest first."""
    _, cart = _images(structure)
    vor = Voronoi(cart)
    frac_v = structure.lattice.get_fractional_coords(vor.vertices)
    inside = np.all((frac_v >= -1e-6) & (frac_v < 1 - 1e-6), axis=1)
    cand = frac_v[inside] % 1.0
    if len(cand) == 0:
        return []
    dist = structure.lattice.get_all_distances(cand, structure.frac_coords)
    clearance = dist.min(axis=1)
    keep = clearance >= min_distance_A
    cand, clearance = cand[keep], clearance[keep]
    order = np.argsort(-clearance, kind="stable")
    chosen: list[int] = []
    for i in order:
        if chosen:
            d = structure.lattice.get_all_distances(cand[i:i + 1], cand[chosen])[0]
            if d.min() < merge_A:
                continue
        chosen.append(int(i))
        if max_sites is not None and len(chosen) >= max_sites:
            break
    return [InterstitialSite(tuple(float(x) for x in cand[i]), float(clearance[i]))
            for i in chosen]


def interstitial_orbits(structure: Structure, *, min_distance_A: float = 1.6,
                        max_orbits: int = 2, symprec: float = 1e-3,
                        merge_A: float = 0.3) -> list[list[InterstitialSite]]:
    """Symmetry-complete sets of interstitial sites: the roomiest Voronoi site not yet covered,
    expanded by every space-group operation of ``structure`` (translations of a supercell
    included), up to ``max_orbits`` orbits, roomiest first."""
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    cands = interstitial_sites(structure, min_distance_A=min_distance_A, merge_A=merge_A)
    ops = SpacegroupAnalyzer(structure, symprec=symprec).get_symmetry_operations(cartesian=False)
    covered: list[np.ndarray] = []
    orbits: list[list[InterstitialSite]] = []
    lat = structure.lattice
    for cand in cands:
        x = np.array(cand.frac_coords)
        if covered and lat.get_all_distances(x[None, :], np.array(covered))[0].min() < merge_A:
            continue
        images = np.array([op.operate(x) % 1.0 for op in ops])
        unique: list[np.ndarray] = []
        for im in images:
            if not unique or lat.get_all_distances(im[None, :], np.array(unique))[0].min() > 0.05:
                unique.append(im)
        orbit = [InterstitialSite(tuple(float(v) for v in im), cand.clearance_A) for im in unique]
        orbits.append(orbit)
        covered.extend(unique)
        if len(orbits) >= max_orbits:
            break
    return orbits
