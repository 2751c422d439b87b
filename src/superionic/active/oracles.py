"""Oracles label a batch of candidates behind one interface.

* :class:`RetrospectiveOracle`: labels held back from a known set (benchmarks).
* :class:`FileOracle`: the user's measured values, arriving as a CSV of
  ``formula,log10_sigma_S_cm`` (or ``formula,sigma_S_cm``); candidates not in the file are
  reported as pending, never invented.
* :class:`CallableOracle`: any function id -> label, e.g. the MD protocol's sigma(300 K)
  (the campaign layer builds it so that active/ never imports md/).

``label(ids)`` returns ``(labels, failed)``: a dict of the labels obtained and a dict id -> reason
for those that could not be labelled. A failure never aborts the round.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol


class Oracle(Protocol):
    def label(self, ids: Sequence[str]) -> tuple[dict[str, float], dict[str, str]]: ...


class RetrospectiveOracle:
    """Answers from a dict of held-back labels (log10 sigma / S cm^-1 or any target)."""

    def __init__(self, truth: Mapping[str, float]) -> None:
        self.truth = dict(truth)
        self.queries = 0

    def label(self, ids: Sequence[str]) -> tuple[dict[str, float], dict[str, str]]:
        self.queries += len(ids)
        found = {i: float(self.truth[i]) for i in ids if i in self.truth}
        return found, {i: "no held-back label" for i in ids if i not in self.truth}


class FileOracle:
    """Labels from a CSV the user fills with measurements (log10 S/cm, or S/cm converted)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, float]:
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path}: label file not found")
        out: dict[str, float] = {}
        with open(self.path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            cols = set(reader.fieldnames or [])
            if "formula" not in cols or not cols & {"log10_sigma_S_cm", "sigma_S_cm"}:
                raise ValueError(f"{self.path}: needs columns formula and log10_sigma_S_cm or "
                                 f"sigma_S_cm (units in the name); found {sorted(cols)}")
            for row_no, row in enumerate(reader, start=2):
                out[row["formula"].strip()] = _log10_label(row, self.path, row_no)
        return out

    def label(self, ids: Sequence[str]) -> tuple[dict[str, float], dict[str, str]]:
        known = self.read()
        found = {i: known[i] for i in ids if i in known}
        return found, {i: f"pending: no row in {self.path.name}" for i in ids if i not in known}


def _log10_label(row: Mapping[str, str], path: Path, row_no: int) -> float:
    try:
        if row.get("log10_sigma_S_cm") not in (None, ""):
            return float(row["log10_sigma_S_cm"])
        sigma = float(row["sigma_S_cm"])
    except (TypeError, ValueError):
        raise ValueError(f"{path}:{row_no}: conductivity is not a number") from None
    if not sigma > 0:
        raise ValueError(f"{path}:{row_no}: sigma_S_cm must be positive, got {sigma}")
    return math.log10(sigma)


class CallableOracle:
    """Wraps ``fn(id) -> label``; an exception for one id is that id's failure reason."""

    def __init__(self, fn: Callable[[str], float]) -> None:
        self.fn = fn

    def label(self, ids: Sequence[str]) -> tuple[dict[str, float], dict[str, str]]:
        found: dict[str, float] = {}
        failed: dict[str, str] = {}
        for i in ids:
            try:
                found[i] = float(self.fn(i))
            except Exception as exc:  # noqa: BLE001 - one failed label must not end the round
                failed[i] = f"{type(exc).__name__}: {exc}"
        return found, failed
