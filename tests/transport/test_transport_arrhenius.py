"""Arrhenius fits: Ea recovery, confidence-interval coverage, reference codes, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from pymatgen.analysis.diffusion.analyzer import fit_arrhenius as pmg_fit_arrhenius
from scipy import stats

from superionic.transport.arrhenius import KB_EV_K, fit_arrhenius

T = np.array([600.0, 750.0, 900.0, 1050.0, 1200.0, 1500.0])
EA = 0.25  # eV


def test_recovers_Ea_within_0p01_eV_and_interval_covers_truth() -> None:
    rng = np.random.default_rng(0)
    true_D = 1e-3 * np.exp(-EA / (KB_EV_K * T))
    noisy = true_D * np.exp(rng.normal(0, 0.03, T.size))
    fit = fit_arrhenius(T, noisy, errors=0.03 * noisy, form="D")
    assert fit.Ea_eV == pytest.approx(EA, abs=0.01)
    assert abs(fit.Ea_eV - EA) < 3 * fit.Ea_err_eV
    value, low, high = (float(x) for x in fit.predict(300.0))
    true300 = 1e-3 * np.exp(-EA / (KB_EV_K * 300.0))
    assert low < true300 < high and low < value < high


def test_confidence_interval_coverage_is_nominal() -> None:
    rng = np.random.default_rng(1)
    true300 = 1e-3 * np.exp(-EA / (KB_EV_K * 300.0))
    hits = 0
    n_rep = 400
    for _ in range(n_rep):
        v = 1e-3 * np.exp(-EA / (KB_EV_K * T) + rng.normal(0, 0.1, T.size))
        _, low, high = fit_arrhenius(T, v, form="D").predict(300.0, level=0.95)
        hits += bool(low < true300 < high)
    assert 0.92 < hits / n_rep < 0.98  # t-interval with n-2 dof: exact 95 % coverage


def test_sigmaT_form_recovers_prefactor_and_predicts_sigma() -> None:
    A, ea = 5e4, 0.35  # S K / cm, eV
    sigma = A / T * np.exp(-ea / (KB_EV_K * T))
    fit = fit_arrhenius(T, sigma, form="sigmaT")
    assert fit.Ea_eV == pytest.approx(ea, rel=1e-9)
    assert fit.prefactor == pytest.approx(A, rel=1e-9)
    value = float(fit.predict(300.0)[0])
    assert value == pytest.approx(A / 300.0 * np.exp(-ea / (KB_EV_K * 300.0)), rel=1e-9)
    # fitting the same sigma in the plain form gives a lower apparent Ea (the 1/T factor)
    assert fit_arrhenius(T, sigma, form="sigma").Ea_eV < ea


def test_unweighted_fit_matches_scipy_and_pymatgen() -> None:
    rng = np.random.default_rng(2)
    D = 1e-3 * np.exp(-EA / (KB_EV_K * T) + rng.normal(0, 0.05, T.size))
    fit = fit_arrhenius(T, D, form="D")
    ref = stats.linregress(1.0 / T, np.log(D))
    assert fit.Ea_eV == pytest.approx(-ref.slope * KB_EV_K, rel=1e-10)
    assert fit.Ea_err_eV == pytest.approx(ref.stderr * KB_EV_K, rel=1e-10)
    assert fit.prefactor == pytest.approx(np.exp(ref.intercept), rel=1e-10)
    ea_pmg, c_pmg, _ = pmg_fit_arrhenius(T, D)
    assert fit.Ea_eV == pytest.approx(ea_pmg, rel=1e-6)
    assert fit.prefactor == pytest.approx(c_pmg, rel=1e-6)


@pytest.mark.parametrize(("T_K", "values", "form", "message"), [
    ([600, 900], [1e-5, -1e-4], "D", "positive"),
    ([600, -900], [1e-5, 1e-4], "D", "temperatures"),
    ([600], [1e-5], "D", "at least 2"),
    ([600, 900], [1e-5], "D", "2 temperatures but 1"),
    ([600, 900], [1e-5, 1e-4], "Ea", "form"),
])
def test_bad_input_raises(T_K: list, values: list, form: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_arrhenius(T_K, values, form=form)  # type: ignore[arg-type]
