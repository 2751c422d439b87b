"""Eng_max / Eng_min: hand-computed values for known compounds, variants and the NaN policy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pymatgen.core import Composition, Element

from superionic.features.oxidation import (
    eng_feature_names,
    eng_features,
    guess_states,
    guessed_oxidation_range,
    integer_composition,
)

CHI_LI, CHI_CL, CHI_O, CHI_FE = 0.98, 3.16, 3.44, 1.83  # Pauling electronegativities


def _stats(values: list[float], weights: list[float]) -> dict[str, float]:
    v, w = np.asarray(values), np.asarray(weights)
    mean = (v * w).sum() / w.sum()
    return {
        "mean": mean,
        "min": v.min(),
        "max": v.max(),
        "range": v.max() - v.min(),
        "avg_dev": (np.abs(v - mean) * w).sum() / w.sum(),
    }


def _check(row, prefix: str, values: list[float], weights: list[float]) -> None:
    for stat, expected in _stats(values, weights).items():
        assert row[f"{prefix}_{stat}"] == pytest.approx(expected, rel=1e-12, abs=1e-12), stat


def test_pauling_values_used():
    for sym, chi in [("Li", CHI_LI), ("Cl", CHI_CL), ("O", CHI_O), ("Fe", CHI_FE)]:
        assert Element(sym).X == chi


def test_licl_by_hand():
    df, problems = eng_features(["LiCl"])
    assert problems == [None]
    row = df.iloc[0]
    cl_states = Element("Cl").common_oxidation_states  # (-1, 1, 3, 5, 7)
    assert max(cl_states) == 7 and min(cl_states) == -1
    # common: Li +1 only; Cl from -1 to +7
    _check(row, "Eng_max_common", [CHI_LI * 1, CHI_CL * 7], [1, 1])
    _check(row, "Eng_min_common", [CHI_LI * 1, CHI_CL * -1], [1, 1])
    # guessed: Li+ Cl-, so Eng_max = Eng_min per element
    _check(row, "Eng_max_guessed", [CHI_LI, -CHI_CL], [1, 1])
    _check(row, "Eng_min_guessed", [CHI_LI, -CHI_CL], [1, 1])
    assert row["Eng_max_guessed_mean"] == pytest.approx((0.98 - 3.16) / 2)


def test_li2o_weights_by_amount():
    row = eng_features(["Li2O"])[0].iloc[0]
    _check(row, "Eng_max_guessed", [CHI_LI, -2 * CHI_O], [2, 1])
    assert row["Eng_min_common_mean"] == pytest.approx((2 * 0.98 - 2 * 3.44) / 3)


def test_fe3o4_mixed_valence_guess():
    assert guessed_oxidation_range(Composition("Fe3O4")) == {"Fe": (2, 3), "O": (-2, -2)}
    row = eng_features(["Fe3O4"])[0].iloc[0]
    _check(row, "Eng_max_guessed", [3 * CHI_FE, -2 * CHI_O], [3, 4])
    _check(row, "Eng_min_guessed", [2 * CHI_FE, -2 * CHI_O], [3, 4])


def test_fractional_formula_is_scaled_to_integers():
    assert integer_composition(Composition("Li4.5TiO3.25")) == Composition("Li18Ti4O13")
    a = eng_features(["Li4.5TiO3.25"])[0]
    b = eng_features(["Li18Ti4O13"])[0]
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-12)
    assert not a.isna().any().any()


def test_noble_gas_gives_problem_and_nan_rest_completes():
    df, problems = eng_features(["LiCl", "LiHe", "Li2O"])
    assert problems[0] is None and problems[2] is None
    assert "He" in problems[1]
    assert df.iloc[1].isna().all()
    assert not df.iloc[[0, 2]].isna().any().any()


def test_no_charge_balance_only_guessed_is_nan():
    df, problems = eng_features(["LiAu"])  # no ICSD state of Au balances Li+
    assert problems == [None]
    assert df.filter(like="_guessed_").isna().all(axis=None)
    assert not df.filter(like="_common_").isna().any(axis=None)


def test_column_names_and_common_only():
    assert len(eng_feature_names()) == 20
    df, _ = eng_features(["LiCl"], guessed=False)
    assert list(df.columns) == eng_feature_names(["common"])
    assert "Eng_max_common_mean" in df.columns and "Eng_min_common_avg_dev" in df.columns


def _pymatgen_states(comp: Composition) -> dict[str, tuple[float, ...]] | None:
    charged = comp.add_charges_from_oxi_state_guesses()
    states: dict[str, list[float]] = {}
    for sp, amt in charged.items():
        states.setdefault(sp.symbol, []).extend([sp.oxi_state] * round(amt))
    if all(q == 0 for qs in states.values() for q in qs):
        return None
    return {el: tuple(sorted(qs)) for el, qs in states.items()}


def test_guess_states_equals_pymatgen(data_dir):
    """The fast guesser returns pymatgen's best per-site assignment (or none) on MP formulas."""
    table = pd.read_csv(data_dir / "mp_matbench_composition" / "mp_e_form.csv.gz")
    comps = [Composition(f) for f in table["formula"].sample(400, random_state=11)]
    small = [c for c in comps if len(c) > 1 and c.num_atoms <= 16][:200]
    assert len(small) >= 100
    n_balanced = 0
    for comp in small:
        ours = guess_states(comp, max_combinations=10**9, max_products=10**9)
        expected = _pymatgen_states(comp)
        assert (None if ours is None else {k: tuple(sorted(v)) for k, v in ours.items()}) == (
            expected
        ), comp.formula
        n_balanced += expected is not None
    assert n_balanced >= 50
