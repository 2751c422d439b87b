"""Nearest measured analogues of a candidate: the labelled compositions closest in element
fractions (L1 distance between the two normalised compositions, 0 = same composition, 2 = no
element in common)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pymatgen.core import Composition

METHOD = ("nearest by element-fraction distance (L1 over the atomic fractions of the two "
          "compositions: 0 = same composition, 2 = no element in common)")


@dataclass(frozen=True)
class Analogue:
    formula: str
    distance: float
    log10_sigma_S_cm: float | None
    censor: str | None
    datasets: str | None


def _fractions(formula: str) -> dict[str, float] | None:
    try:
        comp = Composition(formula)
    except (ValueError, KeyError, TypeError):
        return None
    total = comp.num_atoms
    if total <= 0:
        return None
    return {el.symbol: amt / total for el, amt in comp.items()}


def distance(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """L1 distance between two element-fraction vectors (each summing to 1)."""
    return sum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in set(a) | set(b))


class AnalogueIndex:
    """Measured compositions (store rows of the data stage's labels) indexed for look-ups."""

    def __init__(self, labels: Iterable[Mapping[str, Any]]) -> None:
        self._rows: list[tuple[dict[str, float], Mapping[str, Any]]] = []
        for row in labels:
            f = row.get("formula") or row.get("reduced_formula")
            if not f or row.get("log10_sigma_S_cm") is None:
                continue
            fr = _fractions(str(f))
            if fr:
                self._rows.append((fr, row))

    def __len__(self) -> int:
        return len(self._rows)

    def nearest(self, formula: str, k: int = 2) -> list[Analogue]:
        """The ``k`` labelled compositions nearest to ``formula`` (closest first)."""
        target = _fractions(formula)
        if target is None or not self._rows:
            return []
        scored = sorted(((distance(target, fr), row) for fr, row in self._rows),
                        key=lambda t: (t[0], str(t[1].get("formula"))))
        out = []
        for d, row in scored[:k]:
            ds = row.get("datasets")
            out.append(Analogue(formula=str(row.get("formula") or row.get("reduced_formula")),
                                distance=float(d), log10_sigma_S_cm=row.get("log10_sigma_S_cm"),
                                censor=row.get("censor"),
                                datasets=", ".join(ds) if isinstance(ds, list) else ds))
        return out
