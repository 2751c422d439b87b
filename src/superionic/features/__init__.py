"""Features for the models: Magpie composition statistics, Eng_max/Eng_min, structure descriptors.

:func:`featurize` combines :mod:`~superionic.features.magpie` (132 columns),
:mod:`~superionic.features.oxidation` (20 columns) and, when structures are given,
:mod:`~superionic.features.structure` (9 columns). A bad row (malformed formula, an element with no
oxidation state, a structure whose descriptors fail) becomes a :class:`~superionic.records.Rejection`
naming its row and reason; the rest of the batch completes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pymatgen.core import Composition, Structure

from superionic.config import MOBILE_IONS
from superionic.features.composition import to_composition
from superionic.features.magpie import MagpieFeaturizer, magpie_feature_names, magpie_features
from superionic.features.oxidation import eng_feature_names, eng_features
from superionic.features.structure import STRUCTURE_FEATURES, structure_features, structure_table
from superionic.formula import parse_amounts
from superionic.records import Rejection

__all__ = [
    "MagpieFeaturizer",
    "STRUCTURE_FEATURES",
    "eng_feature_names",
    "eng_features",
    "featurize",
    "magpie_feature_names",
    "magpie_features",
    "structure_features",
    "structure_table",
]

Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], list[Any]]


def featurize(
    formulas: Sequence[Composition | str],
    structures: Sequence[Structure | None] | None = None,
    mobile_ion: str = "Li",
    temperature_K: float | Sequence[float] | None = None,
    *,
    guessed_oxidation: bool = True,
    source: str = "input",
    mapper: Mapper | None = None,
) -> tuple[pd.DataFrame, list[Rejection]]:
    """Feature table of the accepted rows and the rejections of the others.

    Rows are numbered from 1 in input order (the data row of a CSV); the DataFrame index
    (``row``) and each ``Rejection.row`` use that number, ``Rejection.file`` is ``source``.
    Columns: ``formula``, ``temperature_K`` (when given: one value, or one per row, in K), the
    132 Magpie columns, the 20 Eng columns, and with ``structures`` (a Structure or None per
    row) the structure descriptors of :data:`STRUCTURE_FEATURES` (NaN where None) for
    ``mobile_ion``. ``mapper`` (e.g. ``Executor(...).map``) spreads the slow per-compound work.
    """
    if mobile_ion not in MOBILE_IONS:
        raise ValueError(f"mobile_ion must be one of {MOBILE_IONS}, got {mobile_ion!r}")
    n = len(formulas)
    if structures is not None and len(structures) != n:
        raise ValueError(f"{len(structures)} structures for {n} formulas")
    temps = _temperatures(temperature_K, n)

    rejections: dict[int, str] = {}
    # element amounts per row through the one formula parser (its limits; no pymatgen object
    # unless the guessed oxidation states need one)
    comps: dict[int, Composition | dict[str, float]] = {}
    for i, item in enumerate(formulas):
        try:
            comps[i] = to_composition(item) if isinstance(item, Composition) else parse_amounts(item)
        except ValueError as exc:
            rejections[i] = str(exc)
    if temps is not None:
        for i in list(comps):
            if not np.isfinite(temps[i]) or temps[i] <= 0:
                rejections[i] = f"temperature {float(temps[i])} K is not a positive number"
                del comps[i]

    ok = sorted(comps)
    eng, problems = eng_features([comps[i] for i in ok], guessed=guessed_oxidation, mapper=mapper)
    blocks = [magpie_features([comps[i] for i in ok]), eng]
    for i, problem in zip(ok, problems, strict=True):
        if problem:
            rejections[i] = problem
    if structures is not None:
        table, sproblems = structure_table([structures[i] for i in ok], mobile_ion, mapper)
        blocks.append(table)
        for i, problem in zip(ok, sproblems, strict=True):
            if problem:
                rejections[i] = problem

    head = pd.DataFrame({"formula": [_formula_text(formulas[i], comps[i]) for i in ok]})
    if temps is not None:
        head["temperature_K"] = temps[ok]
    frame = pd.concat([head, *blocks], axis=1)
    frame.index = pd.Index([i + 1 for i in ok], name="row")
    frame = frame.drop(index=[i + 1 for i in rejections if i in comps])
    frame.attrs["mobile_ion"] = mobile_ion
    rejected = [Rejection(source, i + 1, rejections[i]) for i in sorted(rejections)]
    return frame, rejected


def _temperatures(temperature_K: float | Sequence[float] | None, n: int) -> np.ndarray | None:
    if temperature_K is None:
        return None
    temps = np.asarray(temperature_K, dtype=float)
    if temps.ndim == 0:
        return np.full(n, float(temps))
    if temps.shape != (n,):
        raise ValueError(f"{temps.shape[0]} temperatures for {n} formulas")
    return temps


def _formula_text(item: Composition | str, comp: Composition | dict[str, float]) -> str:
    if isinstance(item, str):
        return item.strip()
    return comp.formula if isinstance(comp, Composition) else Composition(comp).formula
