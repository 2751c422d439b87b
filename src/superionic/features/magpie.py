"""The Magpie composition features (matminer ``ElementProperty.from_preset("magpie")``), vectorised.

132 features = 6 statistics (:data:`MAGPIE_STATS`, see :mod:`superionic.features.stats`) of 22
element properties (:data:`MAGPIE_PROPERTIES`) weighted by the element amounts, named and ordered
as matminer does: ``"MagpieData <stat> <property>"``, property-major (``MagpieData minimum
Number``, ``MagpieData maximum Number``, ...). Element values are read from matminer's shipped
Magpie tables (``matminer/utils/data_files/magpie_elementdata/<property>.table``, one line per
Z = 1..118, parsed as ``matminer.utils.data.MagpieData`` does), so the numbers are matminer's.
Units are the tables' (e.g. MeltingT K, CovalentRadius pm, GSvolume_pa Angstrom^3/atom,
GSbandgap eV, GSmagmom Bohr magneton). Reference: Ward et al., npj Comput. Mater. 2, 16028 (2016).

Missing element values (NaN policy). Several tables have no value for some elements: no
Pauling electronegativity for He, Ne, Ar and Z >= 103; no melting point for He, Fr, Z >= 104;
nothing at all for Z >= 113; no covalent radius for Bk and beyond; no ground-state space group
for At, Rn, Fr, Es and beyond. matminer >= 0.9 defaults to ``impute_nan=True``: each missing
value is replaced by the mean of that property over the elements Z = 1..118 that have one, so no
feature is NaN. With ``impute_nan=False`` (matminer's older default) missing values stay NaN and
propagate: minimum, maximum, range, mean and avg_dev are NaN when any element of the composition
lacks the value, mode only when a most-abundant element lacks it. Both policies are reproduced.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from pymatgen.core import Composition
from sklearn.base import BaseEstimator, TransformerMixin

from superionic.features.composition import ELEMENT_SYMBOLS, composition_arrays
from superionic.features.stats import STATS, weighted_stats

MAGPIE_PROPERTIES: tuple[str, ...] = (
    "Number", "MendeleevNumber", "AtomicWeight", "MeltingT", "Column", "Row", "CovalentRadius",
    "Electronegativity", "NsValence", "NpValence", "NdValence", "NfValence", "NValence",
    "NsUnfilled", "NpUnfilled", "NdUnfilled", "NfUnfilled", "NUnfilled", "GSvolume_pa",
    "GSbandgap", "GSmagmom", "SpaceGroupNumber",
)  # fmt: skip
MAGPIE_STATS: tuple[str, ...] = STATS


def magpie_feature_names() -> list[str]:
    """The 132 column names in matminer's order: ``MagpieData <stat> <property>``."""
    return [f"MagpieData {s} {p}" for p in MAGPIE_PROPERTIES for s in MAGPIE_STATS]


def magpie_table_dir() -> Path:
    """Folder of matminer's shipped Magpie element tables."""
    import matminer.utils.data as mm_data

    return Path(mm_data.__file__).resolve().parent / "data_files" / "magpie_elementdata"


@lru_cache(maxsize=2)
def magpie_element_table(impute_nan: bool = True) -> np.ndarray:
    """(118, 22) element-property table, rows H..Og, columns :data:`MAGPIE_PROPERTIES`.

    Parsed like ``MagpieData``: line Z of ``<property>.table`` as a float, NaN when the line is
    missing or not a number; with ``impute_nan`` NaNs become the property's mean over Z 1..118.
    """
    table = np.full((len(ELEMENT_SYMBOLS), len(MAGPIE_PROPERTIES)), np.nan)
    folder = magpie_table_dir()
    for j, prop in enumerate(MAGPIE_PROPERTIES):
        lines = (folder / f"{prop}.table").read_text().splitlines()
        for z in range(1, len(ELEMENT_SYMBOLS) + 1):
            try:
                table[z - 1, j] = float(lines[z - 1])
            except (ValueError, IndexError):
                pass
    if impute_nan:
        # 1-D nanmean per property, like MagpieData (same summation order, same bits)
        means = np.array([np.nanmean(np.ascontiguousarray(col)) for col in table.T])
        table = np.where(np.isnan(table), means[None, :], table)
    table.setflags(write=False)
    return table


def magpie_array(compositions: Sequence[Composition | str], impute_nan: bool = True) -> np.ndarray:
    """(n, 132) Magpie features as a float array, columns :func:`magpie_feature_names`."""
    arrays = composition_arrays(compositions)
    table = magpie_element_table(impute_nan)
    values = table[np.where(arrays.element_index >= 0, arrays.element_index, 0)]
    stats = weighted_stats(values, arrays, MAGPIE_STATS)
    return stats.reshape(len(arrays), int(np.prod(stats.shape[1:])))  # n = 0 too


def magpie_features(
    compositions: Sequence[Composition | str], impute_nan: bool = True
) -> pd.DataFrame:
    """The 132 Magpie features of each composition or formula (ValueError names a bad row)."""
    return pd.DataFrame(
        magpie_array(compositions, impute_nan=impute_nan), columns=magpie_feature_names()
    )


class MagpieFeaturizer(TransformerMixin, BaseEstimator):
    """scikit-learn transformer: compositions/formulas -> the 132 Magpie features.

    ``X`` may be a sequence of formulas or Compositions, a pandas Series, or a one-column
    DataFrame (or one with a ``formula_column``). Stateless: :meth:`fit` only records the
    output names. ``set_output(transform="pandas")`` gives a DataFrame.
    """

    def __init__(self, impute_nan: bool = True, formula_column: str = "formula") -> None:
        self.impute_nan = impute_nan
        self.formula_column = formula_column

    def fit(self, X: object, y: object = None) -> MagpieFeaturizer:
        self.feature_names_out_ = np.asarray(magpie_feature_names(), dtype=object)
        return self

    def transform(self, X: object) -> np.ndarray:
        return magpie_array(self._formulas(X), impute_nan=self.impute_nan)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(magpie_feature_names(), dtype=object)

    def _formulas(self, X: object) -> list[Composition | str]:
        if isinstance(X, pd.DataFrame):
            if self.formula_column in X.columns:
                return list(X[self.formula_column])
            if X.shape[1] == 1:
                return list(X.iloc[:, 0])
            raise ValueError(f"DataFrame needs a {self.formula_column!r} column or one column")
        if isinstance(X, str | Composition):
            raise ValueError("X must be a sequence of formulas, not a single formula")
        arr = np.asarray(X, dtype=object)
        return list(arr.ravel()) if arr.ndim == 2 and 1 in arr.shape else list(X)  # type: ignore[arg-type]
