"""Small synthetic problems with known answers for the model tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from superionic.models.targets import TargetData


def synthetic_target_data(n: int = 160, seed: int = 0, noise: float = 0.1) -> TargetData:
    """A linear target y = 2 x0 - x1 + 0.5 x2 + noise over 8 'families' of 4 compositions each,
    every composition repeated (as literature repeats are)."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 5)), columns=[f"x{j}" for j in range(5)])
    y = 2.0 * X["x0"] - X["x1"] + 0.5 * X["x2"] + noise * rng.normal(size=n)
    comp = rng.integers(0, 32, size=n)
    formulas = [f"Li{c + 1}PO4" for c in comp]
    families = [f"fam{c // 4}" for c in comp]
    return TargetData(target="log10_sigma", X=X, y=y.to_numpy(), formulas=formulas,
                      families=families, censored=np.zeros(n, bool))


@pytest.fixture()
def linear_data() -> TargetData:
    return synthetic_target_data()


@pytest.fixture()
def make_synthetic():
    """The :func:`synthetic_target_data` factory."""
    return synthetic_target_data
