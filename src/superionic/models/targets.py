"""Regression targets, the training table of a target, and how censored labels are handled.

Targets (units in the name):

* ``log10_sigma``   log10 of room-temperature ionic conductivity / (S/cm)
* ``Ea``            activation energy, eV
* ``log10_sigma_T`` log10 conductivity / (S/cm) at temperature T; ``temperature_K`` (K) and
  ``inv_temperature_1000_K`` (1000/T, 1/K) are features (Liverpool sigma(T) series)
* ``reduction_V`` / ``oxidation_V``  reduction / oxidation potential, V vs the mobile-ion metal
  (Wang et al., Adv. Funct. Mater. 2024, 2406146)

Censoring. Literature conductivities such as ``<1E-10`` are upper bounds (``censor="upper"``):
the true value is at most the bound. The default strategy, ``"impute"``, is a one-step
Buckley-James-style estimate: a model is fitted on the uncensored rows, every censored row gets
the target ``min(prediction, bound)`` (the bound only where the model violates it), and the model
is refitted on all rows. A censored row therefore only pulls a prediction down when it sits above
the bound. ``"exclude"`` drops censored rows from the loss; ``"bound"`` uses the bound as if it
were a measurement (what OBELiX's own baselines do). Whatever the strategy, evaluation reports the
fraction of held-out censored rows whose prediction respects the bound. See docs/models.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

#: How censored (upper-bound) labels enter training.
CENSOR_STRATEGIES = ("impute", "exclude", "bound")

#: What value a censored label carries, in training and in scoring: ``"bound"`` its bound
#: (``<1E-10`` -> -10), ``"paper"`` the OBELiX authors' rule (Therrien et al. 2025,
#: ``data/processed.csv``): every censored conductivity stored as 1E-15 S/cm (-15).
CENSORED_AS = ("bound", "paper")

#: log10(sigma / S cm^-1) of a censored conductivity under the OBELiX authors' rule.
PAPER_CENSORED_LOG10 = -15.0


@dataclass(frozen=True)
class TargetSpec:
    """A regression target: its column in the label table, unit and what it means."""

    name: str
    unit: str
    description: str
    log10: bool = False
    censorable: bool = False


TARGETS: dict[str, TargetSpec] = {
    "log10_sigma": TargetSpec("log10_sigma", "log10(S/cm)",
                              "room-temperature ionic conductivity", log10=True, censorable=True),
    "Ea": TargetSpec("Ea", "eV", "activation energy of ionic conduction"),
    "log10_sigma_T": TargetSpec("log10_sigma_T", "log10(S/cm)",
                                "ionic conductivity at temperature T (temperature is a feature)",
                                log10=True, censorable=True),
    "reduction_V": TargetSpec("reduction_V", "V vs M/M+",
                              "reduction potential (lower limit of the stability window)"),
    "oxidation_V": TargetSpec("oxidation_V", "V vs M/M+",
                              "oxidation potential (upper limit of the stability window)"),
}

_ALIASES = {"log10_sigma_rt": "log10_sigma", "sigma": "log10_sigma", "ea_ev": "Ea", "ea": "Ea",
            "sigma_t": "log10_sigma_T", "reduction": "reduction_V", "oxidation": "oxidation_V"}


def target_spec(name: str) -> TargetSpec:
    """The :class:`TargetSpec` for ``name`` (a few aliases accepted); ``ValueError`` otherwise."""
    if name in TARGETS:
        return TARGETS[name]
    key = _ALIASES.get(name.strip().lower())
    if key is None:
        raise ValueError(f"unknown target {name!r}; choose from {', '.join(TARGETS)}")
    return TARGETS[key]


@dataclass
class TargetData:
    """One target's training table: features, labels and the per-row facts splits need.

    ``y`` is in the target's unit; ``censored[i]`` marks an upper bound (true value <= y[i]).
    ``obelix_split`` holds ``"train"``/``"test"`` for rows of the OBELiX official split and ``""``
    elsewhere (rows from other sources are then usable for training only). ``has_structure[i]``
    says whether row i came with a crystal structure (an OBELiX CIF), None when unknown.
    """

    target: str
    X: pd.DataFrame
    y: np.ndarray
    formulas: list[str]
    families: list[str | None]
    censored: np.ndarray
    obelix_split: np.ndarray | None = None
    sources: list[str] | None = None
    mobile_ion: str = "Li"
    meta: dict[str, Any] = field(default_factory=dict)
    has_structure: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.y)
        self.y = np.asarray(self.y, dtype=float)
        self.censored = np.asarray(self.censored, dtype=bool)
        if self.obelix_split is not None:
            self.obelix_split = np.asarray(self.obelix_split, dtype=object)
        for name, seq in (("X", self.X), ("formulas", self.formulas), ("families", self.families),
                          ("censored", self.censored)):
            if len(seq) != n:
                raise ValueError(f"TargetData.{name} has {len(seq)} rows, y has {n}")
        if not np.all(np.isfinite(self.y)):
            raise ValueError("TargetData.y contains non-finite values")

    def __len__(self) -> int:
        return len(self.y)

    @property
    def feature_names(self) -> list[str]:
        return [str(c) for c in self.X.columns]

    def subset(self, idx: np.ndarray) -> TargetData:
        """Rows ``idx`` (integer positions) as a new TargetData."""
        idx = np.asarray(idx)
        return TargetData(
            target=self.target, X=self.X.iloc[idx].reset_index(drop=True), y=self.y[idx],
            formulas=[self.formulas[i] for i in idx], families=[self.families[i] for i in idx],
            censored=self.censored[idx],
            obelix_split=None if self.obelix_split is None else self.obelix_split[idx],
            sources=None if self.sources is None else [self.sources[i] for i in idx],
            mobile_ion=self.mobile_ion, meta=dict(self.meta),
            has_structure=None if self.has_structure is None else self.has_structure[idx])


def apply_censored_as(data: TargetData, rule: str = "bound") -> TargetData:
    """``data`` with its censored labels valued by ``rule`` (:data:`CENSORED_AS`).

    ``"paper"`` sets every censored log10 conductivity to :data:`PAPER_CENSORED_LOG10` (the rows
    stay flagged censored, so reports can still separate them); other targets are returned
    unchanged. ``meta["censored_as"]`` records the rule.
    """
    if rule not in CENSORED_AS:
        raise ValueError(f"censored labels must be valued as one of {CENSORED_AS}, got {rule!r}")
    y = data.y.copy()
    if rule == "paper" and target_spec(data.target).log10 and data.censored.any():
        y[data.censored] = PAPER_CENSORED_LOG10
    out = TargetData(target=data.target, X=data.X, y=y, formulas=data.formulas,
                     families=data.families, censored=data.censored,
                     obelix_split=data.obelix_split, sources=data.sources,
                     mobile_ion=data.mobile_ion, meta=dict(data.meta, censored_as=rule),
                     has_structure=data.has_structure)
    return out


def fit_censored(model: Any, X: np.ndarray | pd.DataFrame, y: np.ndarray, censored: np.ndarray,
                 strategy: str = "impute") -> Any:
    """Fit ``model`` (in place, returned) on ``X, y`` with upper-bound rows handled by ``strategy``.

    ``y`` of a censored row is its bound. ``"impute"`` fits on the uncensored rows, replaces each
    bound by ``min(prediction, bound)`` and refits on all rows; ``"exclude"`` fits on the
    uncensored rows only; ``"bound"`` fits on ``y`` as given.
    """
    if strategy not in CENSOR_STRATEGIES:
        raise ValueError(f"censor strategy must be one of {CENSOR_STRATEGIES}, got {strategy!r}")
    y = np.asarray(y, dtype=float)
    censored = np.asarray(censored, dtype=bool)
    Xv = X.to_numpy(dtype=float) if isinstance(X, pd.DataFrame) else np.asarray(X, dtype=float)
    if strategy == "bound" or not censored.any():
        return model.fit(Xv, y)
    keep = ~censored
    if keep.sum() < 2:
        raise ValueError("fewer than two uncensored rows to fit on")
    if strategy == "exclude":
        return model.fit(Xv[keep], y[keep])
    first = clone(model).fit(Xv[keep], y[keep])
    y_fit = y.copy()
    y_fit[censored] = np.minimum(first.predict(Xv[censored]), y[censored])
    return model.fit(Xv, y_fit)


def bound_respected(y_pred: np.ndarray, bound: np.ndarray, tol: float = 0.0) -> float:
    """Fraction of upper-bound rows whose prediction is <= bound + ``tol``; NaN if none."""
    y_pred, bound = np.asarray(y_pred, float), np.asarray(bound, float)
    if y_pred.size == 0:
        return float("nan")
    return float(np.mean(y_pred <= bound + tol))
