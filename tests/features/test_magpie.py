"""Vectorised Magpie features against matminer's ElementProperty("magpie") and hand values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matminer.featurizers.composition import ElementProperty
from matminer.utils.data import MagpieData
from pymatgen.core import Composition
from sklearn.base import clone

from superionic.features.composition import ELEMENT_SYMBOLS, composition_arrays
from superionic.features.magpie import (
    MAGPIE_PROPERTIES,
    MagpieFeaturizer,
    magpie_element_table,
    magpie_feature_names,
    magpie_features,
)
from superionic.features.stats import numpy_sum

# elements without some Magpie values, fractional and 8+ element formulas, ties for the mode
EDGE_CASES = [
    "LiHe", "Li3Og", "XeF2", "Li0.33La0.557TiO3", "Li4.5TiO3.25", "Li", "LiCl", "NaK",
    "Li7La3Zr2O12", "LiBeBNaMgAlSiPSClK", "Li2BCNOFNaMgAlSiPS", "LiNe0.5Ar0.5",
]  # fmt: skip


@pytest.fixture(scope="module")
def compositions(data_dir) -> list[Composition]:
    table = pd.read_csv(data_dir / "mp_matbench_composition" / "mp_e_form.csv.gz")
    sample = table["formula"].sample(300, random_state=7)
    return [Composition(f) for f in [*sample, *EDGE_CASES]]


@pytest.mark.parametrize("impute_nan", [True, False])
def test_all_132_values_match_matminer(compositions, impute_nan):
    featurizer = ElementProperty.from_preset("magpie", impute_nan=impute_nan)
    expected = np.array([featurizer.featurize(c) for c in compositions], dtype=float)
    ours = magpie_features(compositions, impute_nan=impute_nan)
    assert list(ours.columns) == featurizer.feature_labels()
    assert ours.shape == (len(compositions), 132)
    got = ours.to_numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=0)
    if not impute_nan:  # elements lacking a value propagate NaN as in matminer
        assert np.isnan(got).any()
    else:
        assert not np.isnan(got).any()


@pytest.mark.parametrize("impute_nan", [True, False])
def test_element_table_is_matminers(impute_nan):
    data = MagpieData(impute_nan=impute_nan)
    expected = np.array(
        [[data.all_elemental_props[p][s] for p in MAGPIE_PROPERTIES] for s in ELEMENT_SYMBOLS],
        dtype=float,
    )
    np.testing.assert_array_equal(magpie_element_table(impute_nan), expected)


def test_hand_values_li2o_and_licl():
    df = magpie_features(["Li2O", "LiCl"])
    # Li2O: Z = 3, 3, 8 -> mean 14/3, deviations 5/3, 5/3, 10/3 -> avg_dev 20/9
    assert df.loc[0, "MagpieData mean Number"] == pytest.approx(14 / 3, rel=1e-14)
    assert df.loc[0, "MagpieData avg_dev Number"] == pytest.approx(20 / 9, rel=1e-14)
    assert df.loc[0, "MagpieData mode Number"] == 3  # Li is the most abundant
    assert df.loc[0, "MagpieData range Number"] == 5
    # LiCl: equal amounts tie, matminer's mode takes the smaller value
    assert df.loc[1, "MagpieData mode Number"] == 3
    assert df.loc[1, "MagpieData mode Electronegativity"] == pytest.approx(0.98)


def test_imputed_value_is_mean_over_elements():
    table = magpie_element_table(False)
    he, li = ELEMENT_SYMBOLS.index("He"), ELEMENT_SYMBOLS.index("Li")
    col = MAGPIE_PROPERTIES.index("Electronegativity")
    assert np.isnan(table[he, col])
    assert magpie_element_table(True)[he, col] == pytest.approx(np.nanmean(table[:, col]))
    raw = magpie_features(["LiHe"], impute_nan=False)
    assert np.isnan(raw.loc[0, "MagpieData mean Electronegativity"])
    # mode: equal amounts -> min over {Li, He}; NaN in the tie propagates
    assert np.isnan(raw.loc[0, "MagpieData mode Electronegativity"])
    assert raw.loc[0, "MagpieData minimum Number"] == 2
    assert table[li, col] == 0.98


def test_dense_matrix_gives_the_same_means():
    arrays = composition_arrays(["Li7La3Zr2O12", "Li3PS4", "LiCoO2", "Li"])
    dense = arrays.to_dense()
    np.testing.assert_allclose(dense.sum(axis=1), 1.0, rtol=1e-14)
    means = dense @ magpie_element_table()
    cols = [f"MagpieData mean {p}" for p in MAGPIE_PROPERTIES]
    ours = magpie_features(["Li7La3Zr2O12", "Li3PS4", "LiCoO2", "Li"])[cols].to_numpy()
    np.testing.assert_allclose(ours, means, rtol=1e-12)


@pytest.mark.parametrize("k", [1, 3, 7, 8, 9, 17, 40])
def test_numpy_sum_is_bitwise_numpy(k):
    rng = np.random.default_rng(k)
    x = rng.random((k, 50, 3)) * 10.0 ** rng.integers(-4, 5, (k, 50, 3))
    # reference: np.sum of each 1-D vector, as np.average does for one composition
    one_by_one = np.array([[np.sum(x[:, i, j].copy()) for j in range(3)] for i in range(50)])
    np.testing.assert_array_equal(numpy_sum(x), one_by_one)


def test_bad_formula_names_the_row():
    with pytest.raises(ValueError, match=r"composition 1 \(Li2\(\(O\)"):
        magpie_features(["LiCl", "Li2((O"])
    with pytest.raises(ValueError, match="composition 0"):
        magpie_features([""])


def test_sklearn_transformer():
    formulas = ["Li3PS4", "Li6PS5Cl", "LiI"]
    featurizer = MagpieFeaturizer()
    out = featurizer.fit_transform(formulas)
    np.testing.assert_array_equal(out, magpie_features(formulas).to_numpy())
    assert list(featurizer.get_feature_names_out()) == magpie_feature_names()
    frame = pd.DataFrame({"formula": formulas, "y": [1.0, 2.0, 3.0]})
    as_pandas = clone(featurizer).set_output(transform="pandas").fit_transform(frame)
    assert list(as_pandas.columns) == magpie_feature_names()
    np.testing.assert_array_equal(as_pandas.to_numpy(), out)
