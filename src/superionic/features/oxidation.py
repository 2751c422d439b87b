r"""Oxidation-state features Eng_max and Eng_min (the seed paper's definition), two variants.

Seed paper (this project's reference, shared/reference/seed_paper.txt), per element:

    Eng_max = electronegativity x maximum oxidation state
    Eng_min = electronegativity x minimum oxidation state

Here, for element e in a compound: ``Eng_max(e) = chi(e) * max(S_e)`` and ``Eng_min(e) = chi(e) *
min(S_e)``, with chi the Pauling electronegativity (pymatgen ``Element.X``, dimensionless) and S_e
a set of oxidation states (units of e) taken two ways:

- ``common``: the element's common oxidation states (pymatgen ``Element.common_oxidation_states``;
  when that list is empty, all known ``Element.oxidation_states``). Compound-independent, e.g. Cl
  {-1, 1, 3, 5, 7}: Eng_max = 3.16 x 7 = 22.12, Eng_min = 3.16 x -1 = -3.16.
- ``guessed``: the states the element takes in the compound's most probable charge-balanced
  assignment (the best of pymatgen's ``Composition.oxi_state_guesses`` with per-site states, as
  ``add_charges_from_oxi_state_guesses`` assigns them; ICSD-occurrence ranked; computed by
  :func:`guess_states`, a faster exact re-implementation tested against pymatgen). In LiCl:
  Li +1, Cl -1, so Eng_max(Cl) = Eng_min(Cl) = -3.16; in Fe3O4 Fe takes {+2, +3}. A pure element takes 0.
  Fractional formulas (Li4.5TiO3.25) are scaled by the smallest integer <= 100 that makes all
  amounts integral (Li18Ti4O13) first.

Each per-element value is then summarised over the compound's elements with the element amounts as
weights (:mod:`superionic.features.stats`): ``mean``, ``min``, ``max``, ``range`` and ``avg_dev``
(weighted mean absolute deviation). Columns: ``Eng_{max|min}_{common|guessed}_{stat}``, 20 in all.

Policy for missing data. An element with no electronegativity or no oxidation state at all (He,
Ne, Ar, Rn, Rf, Db..Og) makes all Eng features of that compound undefined: they are NaN and the
compound's problem is reported (``featurize`` turns it into a Rejection; the batch continues).
A compound with no charge-balanced guess, or one too large to enumerate (more than
``max_combinations`` = 20,000 oxidation-state multisets for one element, or 10^6 combinations of
element sums; the search is exhaustive), keeps its ``common`` features and has NaN ``guessed`` features (no rejection).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from monty.serialization import loadfn
from pymatgen.core import Composition, Element, Species

from superionic.features.composition import ELEMENT_SYMBOLS, CompositionArrays, composition_arrays
from superionic.features.stats import weighted_stats
from superionic.formula import parse_composition

ENG_VARIANTS = ("common", "guessed")
#: (column suffix, statistic in :mod:`superionic.features.stats`)
ENG_STATS = (
    ("mean", "mean"),
    ("min", "minimum"),
    ("max", "maximum"),
    ("range", "range"),
    ("avg_dev", "avg_dev"),
)


def eng_feature_names(variants: Sequence[str] = ENG_VARIANTS) -> list[str]:
    """Column names ``Eng_{max|min}_{variant}_{stat}`` for the requested variants."""
    return [
        f"Eng_{which}_{variant}_{suffix}"
        for variant in variants
        for which in ("max", "min")
        for suffix, _ in ENG_STATS
    ]


def electronegativity(symbol: str) -> float:
    """Pauling electronegativity of an element (pymatgen ``Element.X``), NaN when unknown."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(Element(symbol).X)


def common_oxidation_states(symbol: str) -> tuple[int, ...]:
    """Common oxidation states, falling back to all known states; () when there are none."""
    el = Element(symbol)
    return tuple(el.common_oxidation_states) or tuple(el.oxidation_states)


@lru_cache(maxsize=1)
def common_eng_table() -> np.ndarray:
    """(118, 2) per-element [Eng_max, Eng_min] from the common states; NaN rows when undefined."""
    table = np.full((len(ELEMENT_SYMBOLS), 2), np.nan)
    for i, sym in enumerate(ELEMENT_SYMBOLS):
        states = common_oxidation_states(sym)
        chi = electronegativity(sym)
        if states and math.isfinite(chi):
            table[i] = chi * max(states), chi * min(states)
    table.setflags(write=False)
    return table


def missing_oxidation_data(comp: Composition) -> str | None:
    """Why a compound has no Eng features (an element lacks chi or states), else None."""
    bad = [
        el.symbol
        for el in comp.element_composition
        if not common_oxidation_states(el.symbol) or not math.isfinite(electronegativity(el.symbol))
    ]
    if bad:
        return f"no oxidation state or electronegativity for {', '.join(bad)} (Eng undefined)"
    return None


def integer_composition(comp: Composition, max_multiplier: int = 100) -> Composition | None:
    """The composition scaled by the smallest integer making all amounts integral, else None."""
    denominators = []
    for amt in comp.element_composition.values():
        frac = Fraction(amt).limit_denominator(max_multiplier)
        if abs(float(frac) - amt) > 1e-6:
            return None
        denominators.append(frac.denominator)
    mult = math.lcm(*denominators)
    if mult > max_multiplier:
        return None
    return Composition({el: round(amt * mult) for el, amt in comp.element_composition.items()})


@lru_cache(maxsize=1)
def icsd_occurrence() -> dict[tuple[str, float], float]:
    """ICSD occurrence of (element, oxidation state): the prior pymatgen ranks its guesses by."""
    import pymatgen.core

    data = loadfn(Path(pymatgen.core.__file__).parent / "icsd_bv.yaml")["occurrence"]
    out = {}
    for key, count in data.items():
        sp = Species.from_str(key)
        out[(sp.symbol, float(sp.oxi_state))] = count
    return out


def guess_states(
    comp: Composition, max_combinations: int = 20_000, max_products: int = 1_000_000
) -> dict[str, tuple[int, ...]] | None:
    """Per-site oxidation states of the most probable charge-balanced assignment, else None.

    pymatgen's algorithm (``Composition._get_oxi_state_guesses`` with its defaults: each
    element's ICSD states, else its common states; total charge 0; best ICSD-occurrence score,
    first found on ties), re-implemented with the occurrence table looked up once per element
    instead of building a ``Species`` per site and combination (~10x faster; the test suite
    checks it against pymatgen). Integer amounts required. None when no assignment balances or
    when the search would exceed ``max_combinations`` multisets for one element or
    ``max_products`` combinations of per-element sums.
    """
    occurrence = icsd_occurrence()
    el_amt = comp.get_el_amt_dict()
    sums: list[list[int]] = []
    scores: list[dict[int, float]] = []
    combos: list[dict[int, tuple[int, ...]]] = []
    for el, amt in el_amt.items():
        element = Element(el)
        oxids = element.icsd_oxidation_states or element.common_oxidation_states
        n = int(amt)
        if n != amt:
            raise ValueError(f"{comp.formula}: oxidation-state guessing needs integer amounts")
        if oxids and math.comb(n + len(oxids) - 1, n) > max_combinations:
            return None
        prob = {o: occurrence.get((el, float(o)), 0) for o in oxids}
        el_sums: list[int] = []
        el_scores: dict[int, float] = {}
        el_combos: dict[int, tuple[int, ...]] = {}
        for combo in itertools.combinations_with_replacement(oxids, n):
            total = sum(combo)
            score = sum(prob[o] for o in combo)
            if total not in el_scores:
                el_sums.append(total)
                el_scores[total], el_combos[total] = score, combo
            elif score > el_scores[total]:
                el_scores[total], el_combos[total] = score, combo
        sums.append(el_sums)
        scores.append(el_scores)
        combos.append(el_combos)
    if math.prod(len(s) for s in sums) > max_products:
        return None
    best: tuple[float, tuple[int, ...]] | None = None
    for x in itertools.product(*sums):
        if sum(x) == 0:
            score = 0
            for idx, v in enumerate(x):
                score += scores[idx][v]
            if best is None or score > best[0]:
                best = (score, x)
    if best is None:
        return None
    return {el: combos[i][v] for i, (el, v) in enumerate(zip(el_amt, best[1], strict=True))}


def guessed_oxidation_range(
    comp: Composition, max_combinations: int = 20_000
) -> dict[str, tuple[float, float]] | None:
    """Per element (min, max) oxidation state in the compound's best charge-balanced guess.

    None when no charge-balanced assignment exists or the search is too large (see module doc).
    """
    comp = comp.element_composition
    if len(comp) == 1:
        return {comp.elements[0].symbol: (0.0, 0.0)}
    icomp = integer_composition(comp)
    if icomp is None:
        return None
    states = guess_states(icomp, max_combinations)
    if states is None:
        return None
    return {el: (float(min(s)), float(max(s))) for el, s in states.items()}


def _eng_stats(values: np.ndarray, arrays: CompositionArrays) -> np.ndarray:
    """(n, 10) [Eng_max stats..., Eng_min stats...] from per-element values (n, k_max, 2)."""
    stats = weighted_stats(values, arrays, [s for _, s in ENG_STATS])  # (n, 2, 5)
    return stats.reshape(len(arrays), int(np.prod(stats.shape[1:])))  # n = 0 too


def eng_features(
    compositions: Sequence[Composition | str | Mapping[str, float]],
    guessed: bool = True,
    max_combinations: int = 20_000,
    mapper: Callable[[Callable[[Any], Any], Iterable[Any]], list[Any]] | None = None,
) -> tuple[pd.DataFrame, list[str | None]]:
    """Eng_max/Eng_min statistics per compound, and each compound's problem (None when fine).

    Columns :func:`eng_feature_names` (``guessed=False`` drops the guessed variant). ``mapper``
    (e.g. ``Executor.map`` bound to a description) maps the guessing over compounds; default serial.
    Invalid formulas raise ValueError naming the row; check them first with ``to_composition``.
    """
    arrays = composition_arrays(compositions)
    safe_index = np.where(arrays.element_index >= 0, arrays.element_index, 0)
    table = common_eng_table()
    problems = _missing_data_problems(arrays, table)
    blocks = [_eng_stats(table[safe_index], arrays)]
    variants = ["common"]
    if guessed:
        comps = [
            c if isinstance(c, Composition)
            else Composition(c) if isinstance(c, Mapping)
            else parse_composition(c)
            for c in compositions
        ]
        blocks.append(_guessed_block(comps, arrays, max_combinations, mapper))
        variants.append("guessed")
    data = np.hstack(blocks)
    data[[p is not None for p in problems]] = np.nan
    return pd.DataFrame(data, columns=eng_feature_names(variants)), problems


def _missing_data_problems(arrays: CompositionArrays, table: np.ndarray) -> list[str | None]:
    """:func:`missing_oxidation_data` of every row at once, from the element table's NaN rows."""
    undefined = np.isnan(table).any(axis=1)
    bad = (arrays.element_index >= 0) & undefined[np.where(arrays.element_index >= 0,
                                                           arrays.element_index, 0)]
    problems: list[str | None] = [None] * len(arrays)
    for i in np.flatnonzero(bad.any(axis=1)):
        syms = [ELEMENT_SYMBOLS[z] for z in arrays.element_index[i][bad[i]]]
        problems[i] = f"no oxidation state or electronegativity for {', '.join(syms)} (Eng undefined)"
    return problems


def _guess_task(payload: tuple[Composition, int]) -> dict[str, tuple[float, float]] | None:
    comp, max_combinations = payload
    return guessed_oxidation_range(comp, max_combinations)


def _guessed_block(
    comps: list[Composition],
    arrays: CompositionArrays,
    max_combinations: int,
    mapper: Callable[[Callable[[Any], Any], Iterable[Any]], list[Any]] | None,
) -> np.ndarray:
    """(n, 10) guessed-variant statistics; guesses are computed once per distinct formula."""
    unique: dict[str, Composition] = {}
    for c in comps:
        unique.setdefault(c.element_composition.formula, c)
    payloads = [(c, max_combinations) for c in unique.values()]
    results = mapper(_guess_task, payloads) if mapper else [_guess_task(p) for p in payloads]
    by_formula = {
        key: (res if isinstance(res, dict) else None)  # a failed task (TaskError) -> no guess
        for key, res in zip(unique, results, strict=True)
    }
    values = np.full(arrays.element_index.shape + (2,), np.nan)
    for i, c in enumerate(comps):
        ranges = by_formula[c.element_composition.formula]
        if ranges is None:
            continue
        for j, el in enumerate(c.element_composition):
            lo, hi = ranges[el.symbol]
            chi = electronegativity(el.symbol)
            values[i, j] = chi * hi, chi * lo
    return _eng_stats(values, arrays)
