"""Training-table pieces: lattice features from a structure and from a tabulated cell agree,
hydrate formulas, feature kinds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pymatgen.core import Lattice, Structure

from superionic.models.dataset import (
    LATTICE_FEATURES,
    _hydrate_formula,
    cell_descriptors,
    feature_table,
    structure_columns,
)


def _licl() -> Structure:
    return Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.14), ["Li", "Cl"],
                                     [[0, 0, 0], [0.5, 0.5, 0.5]])


def test_lattice_from_structure_equals_the_tabulated_cell() -> None:
    """Rock-salt LiCl, a = 5.14 A, Z = 4: the cell read from a Structure (serving) and from a
    table row (OBELiX rows without CIF) give the same lattice, volume per atom and density."""
    s = _licl()
    X, rejected = feature_table(["LiCl"], structures=[s])
    assert not rejected
    assert X.loc[1, list(LATTICE_FEATURES)].tolist() == pytest.approx(
        [5.14, 5.14, 5.14, 90.0, 90.0, 90.0])
    cell = cell_descriptors(pd.DataFrame([{"space_group_number": 225, "a": 5.14, "b": 5.14,
                                           "c": 5.14, "alpha": 90, "beta": 90, "gamma": 90,
                                           "cell_formula": "Li4Cl4"}]))
    assert cell.loc[0, list(LATTICE_FEATURES)].tolist() == pytest.approx(
        X.loc[1, list(LATTICE_FEATURES)].tolist())
    assert cell.loc[0, "volume_per_atom_A3"] == pytest.approx(5.14 ** 3 / 8)
    assert cell.loc[0, "density_g_cm3"] == pytest.approx(X.loc[1, "density_g_cm3"], rel=1e-6)
    assert cell.loc[0, "crystal_system_number"] == 7  # cubic


def test_formula_only_rows_have_no_structure_columns_and_kinds_split_them() -> None:
    X, _ = feature_table(["Li3PS4"])
    assert not structure_columns(X.columns)
    Xs, _ = feature_table(["LiCl"], structures=[_licl()])
    cols = structure_columns(Xs.columns)
    assert set(LATTICE_FEATURES) <= set(cols) and "space_group_number" in cols
    assert not any(c.startswith("MagpieData") for c in cols)
    assert np.isfinite(Xs[cols].drop(columns=["mobile_ion_nn_distance_A"]).to_numpy()).all()


def test_hydrate_formula_is_written_as_a_group() -> None:
    from pymatgen.core import Composition

    assert _hydrate_formula("Li3(Mo8S8O8(OH)8(HWO5(H2O)))*(H2O)18") == \
        "Li3(Mo8S8O8(OH)8(HWO5(H2O)))(H2O)18"
    assert _hydrate_formula("LiCl\u00b72H2O") == "LiCl(H2O)2"
    assert Composition(_hydrate_formula("LiCl*H2O")).reduced_formula == "LiH2ClO"
    assert _hydrate_formula("Li3PS4") == "Li3PS4"
