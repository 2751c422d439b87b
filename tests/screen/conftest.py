"""Shared fixtures of the screen tests: small real models, a small surrogate, hand-made entries.

The models are trained quickly (a decision tree, zoo defaults, 3 CV+ folds) on 200 real labelled
rows each (OBELiX room-temperature conductivities, Laskowski activation energies), so the tests
exercise the real model API without the cost of the full zoo.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from superionic.features import featurize
from superionic.models import TargetData, train_best
from superionic.screen import Predictors, SurrogateProvider

from .util import LICL_E_FORM_EV


def _target_data(target: str, formulas: list[str], y: np.ndarray) -> TargetData:
    feats, _ = featurize(formulas)
    rows = feats.index.to_numpy() - 1
    return TargetData(target=target, X=feats.drop(columns=["formula"]).reset_index(drop=True),
                      y=np.asarray(y, float)[rows], formulas=[formulas[i] for i in rows],
                      families=[None] * len(rows), censored=np.zeros(len(rows), bool))


@pytest.fixture(scope="session")
def predictors(data_dir: Path) -> Predictors:
    ob = pd.read_csv(data_dir / "obelix" / "all.csv")
    sigma = pd.to_numeric(ob["Ionic conductivity (S cm-1)"], errors="coerce")
    ob = ob.assign(sigma=sigma)[sigma > 0].sample(200, random_state=0)
    sig = _target_data("log10_sigma", ob["Reduced Composition"].str.replace(" ", "").tolist(),
                       np.log10(ob["sigma"].to_numpy()))
    la = pd.read_csv(data_dir / "laskowski_2023" / "laskowski_parsed.csv")
    la = la[la["Ea_eV"].notna() & la["reduced_formula"].notna()].sample(200, random_state=0)
    ea = _target_data("Ea", la["reduced_formula"].tolist(), la["Ea_eV"].to_numpy())
    return Predictors({
        "log10_sigma": train_best("log10_sigma", sig, models=("dt",), budget=0, n_folds=3),
        "Ea": train_best("Ea", ea, models=("dt",), budget=0, n_folds=3)})


@pytest.fixture(scope="session")
def surrogate(data_dir: Path) -> SurrogateProvider:
    """The window surrogate on the Wang 2024 Li rows with 30 boosting iterations (fast)."""
    from superionic.stability.surrogate import fit_window_surrogate

    return SurrogateProvider("Li", data_dir, surrogate=fit_window_surrogate(
        mobile_ion="Li", max_iter=30, data_dir=data_dir))


@pytest.fixture(scope="session")
def licl_entries():
    """Exact entry source of the Li-Cl system: Li, Cl at 0 eV and LiCl at LICL_E_FORM_EV."""
    from pymatgen.analysis.phase_diagram import PDEntry
    from pymatgen.core import Composition

    from superionic.stability.sources import EntryList

    entries = [PDEntry(Composition("Li"), 0.0), PDEntry(Composition("Cl2"), 0.0),
               PDEntry(Composition("LiCl"), LICL_E_FORM_EV)]
    return (lambda: [EntryList(entries, label="hand-made Li-Cl entries")]), "licl-test"
