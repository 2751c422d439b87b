"""Formulas -> pymatgen Compositions -> padded arrays for vectorised element statistics.

A batch of compositions is held as three arrays (:class:`CompositionArrays`): for row ``i`` the
first ``n_elements[i]`` entries of ``element_index[i]`` are the 0-based element indices (Z - 1) in
pymatgen's element order (``Composition.element_composition``, i.e. the order of the formula),
and ``amount[i]`` the atoms of each element per formula unit as written. This padded form is
what a dense ``n_compositions x 118`` fraction matrix (:meth:`CompositionArrays.to_dense`) holds,
without its ~99 % zeros, and keeps the formula's element order so sums run in the same order as
matminer's (bit-for-bit equal results).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from pymatgen.core import Composition

from superionic.formula import ELEMENT_SYMBOLS, FormulaError, parse_amounts, parse_composition

SYMBOL_INDEX: dict[str, int] = {sym: i for i, sym in enumerate(ELEMENT_SYMBOLS)}


def to_composition(item: Composition | str) -> Composition:
    """A pymatgen Composition from a Composition or a formula; ValueError naming the problem.

    Formulas go through :func:`superionic.formula.parse_composition` (the one parser, with its
    limits): rejected are empty formulas, unparsable strings, zero, non-finite or huge amounts and
    symbols that are not elements H..Og (dummy species such as ``X``). The error is a
    :class:`superionic.formula.FormulaError` (a ValueError).
    """
    if isinstance(item, Composition) and (len(item) == 0 or item.num_atoms <= 0):
        raise FormulaError(f"formula {item!s} has no atoms", option="formula", value=str(item))
    return parse_composition(item)


@dataclass(frozen=True)
class CompositionArrays:
    """Padded element indices and amounts of a batch of compositions.

    ``element_index`` (n, k_max) int: element index Z - 1, ``-1`` in padding;
    ``amount`` (n, k_max) float: atoms per formula unit, 0 in padding;
    ``n_elements`` (n,) int: number of distinct elements of each composition.
    """

    element_index: np.ndarray
    amount: np.ndarray
    n_elements: np.ndarray

    def __len__(self) -> int:
        return int(self.n_elements.shape[0])

    @property
    def fractions(self) -> np.ndarray:
        """(n, k_max) atomic fractions (each row sums to 1 over its elements)."""
        return self.amount / self.amount.sum(axis=1, keepdims=True)

    def to_dense(self) -> np.ndarray:
        """(n, 118) atomic-fraction matrix, columns H..Og."""
        dense = np.zeros((len(self), len(ELEMENT_SYMBOLS)))
        rows, cols = np.nonzero(self.element_index >= 0)
        dense[rows, self.element_index[rows, cols]] = self.fractions[rows, cols]
        return dense


def composition_arrays(
    compositions: Sequence[Composition | str | Mapping[str, float]],
) -> CompositionArrays:
    """Pack compositions, formulas or element-amount dicts (:func:`superionic.formula.parse_amounts`)
    as :class:`CompositionArrays`; ValueError names the row.

    Element order and amounts are ``Composition.get_el_amt_dict()``'s, the dict behind
    ``element_composition`` that matminer iterates (``parse_amounts`` gives the same, bit for bit).
    """
    flat_index: list[int] = []
    flat_amount: list[float] = []
    counts: list[int] = []
    for i, item in enumerate(compositions):
        try:
            if isinstance(item, Composition):  # (a Mapping too, keyed by Element)
                amounts = item.get_el_amt_dict()
            elif isinstance(item, Mapping):
                amounts = item
            else:
                amounts = parse_amounts(item)
            flat_index.extend([SYMBOL_INDEX[sym] for sym in amounts])
        except (ValueError, KeyError) as exc:
            detail = (
                f"{exc.args[0]} is not a chemical element" if isinstance(exc, KeyError) else exc
            )
            raise ValueError(f"composition {i} ({item!s}): {detail}") from None
        flat_amount.extend(amounts.values())
        counts.append(len(amounts))
    n_el = np.asarray(counts, dtype=np.int64)
    amount_flat = np.asarray(flat_amount, dtype=float)
    rows = np.repeat(np.arange(len(n_el)), n_el)
    bad = np.union1d(np.flatnonzero(n_el == 0), rows[~(amount_flat > 0)])
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"composition {i} ({compositions[i]!s}): no atoms or non-positive amount")
    k_max = int(n_el.max()) if len(n_el) else 1
    cols = np.arange(len(rows)) - np.repeat(np.cumsum(n_el) - n_el, n_el)
    index = np.full((len(n_el), k_max), -1, dtype=np.int64)
    amount = np.zeros((len(n_el), k_max))
    index[rows, cols] = flat_index
    amount[rows, cols] = amount_flat
    return CompositionArrays(index, amount, n_el)
