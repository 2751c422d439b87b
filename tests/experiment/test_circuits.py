"""Equivalent-circuit fits on spectra synthesised from known circuits with 1% noise."""

from __future__ import annotations

import math

import numpy as np
import pytest

from superionic.experiment import circuit_impedance, fit_circuit, select_circuit
from superionic.experiment.circuits import arc_features

from .conftest import BULK, BULK_GB, BULK_PARAMS, FREQ_HZ, GB_PARAMS, circuit_Z, noisy


@pytest.mark.parametrize(("circuit", "params"), [(BULK, BULK_PARAMS), (BULK_GB, GB_PARAMS)])
def test_vectorised_model_equals_impedance_predict(circuit: str, params: list[float]) -> None:
    np.testing.assert_allclose(circuit_impedance(circuit, FREQ_HZ, params),
                               circuit_Z(circuit, params), rtol=1e-12)


def test_initial_guesses_read_the_arc_off_the_spectrum() -> None:
    z = circuit_Z(BULK, BULK_PARAMS)
    a = arc_features(FREQ_HZ, z)
    r0, r1, q1, a1 = BULK_PARAMS[:4]
    assert a.R0_ohm + a.R_arc_ohm == pytest.approx(r0 + r1, rel=0.1)
    f_apex = (r1 * q1) ** (-1 / a1) / (2 * math.pi)
    assert abs(math.log10(a.f_apex_Hz / f_apex)) < 0.15  # within the 10-per-decade grid
    assert a.valley is not None and a.alpha_el == pytest.approx(BULK_PARAMS[5], abs=0.05)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bulk_resistance_recovered_within_2_percent(seed: int) -> None:
    z = noisy(circuit_Z(BULK, BULK_PARAMS), 0.01, seed)
    fit = fit_circuit(FREQ_HZ, z, "bulk")
    r, err = fit.R_bulk_ohm
    assert r == pytest.approx(BULK_PARAMS[1], rel=0.02)
    assert abs(r - BULK_PARAMS[1]) < 4 * err  # the error bar covers the truth
    assert fit.value("CPE1_1")[0] == pytest.approx(0.9, abs=0.02)
    # residuals are the injected 1% noise: rms of (Z_fit - Z)/|Z| per component ~ 0.01
    assert 0.007 < fit.rms_relative_residual < 0.013


def test_parameter_errors_match_the_scatter_of_repeated_fits() -> None:
    z0 = circuit_Z(BULK, BULK_PARAMS)
    fits = [fit_circuit(FREQ_HZ, noisy(z0, 0.01, 100 + s), "bulk") for s in range(30)]
    r = np.array([f.R_bulk_ohm[0] for f in fits])
    err = np.array([f.R_bulk_ohm[1] for f in fits])
    assert 0.6 < r.std(ddof=1) / err.mean() < 1.5
    q = np.array([f.value("CPE1_0")[0] for f in fits])
    q_err = np.array([f.value("CPE1_0")[1] for f in fits])
    assert 0.6 < q.std(ddof=1) / q_err.mean() < 1.5


def test_grain_boundary_circuit_recovers_both_arcs_in_order() -> None:
    z = noisy(circuit_Z(BULK_GB, GB_PARAMS), 0.01, 3)
    fit = fit_circuit(FREQ_HZ, z, "bulk_gb")
    assert fit.R_bulk_ohm[0] == pytest.approx(GB_PARAMS[1], rel=0.02)
    assert fit.R_gb_ohm is not None and fit.R_gb_ohm[0] == pytest.approx(GB_PARAMS[4], rel=0.02)
    total, total_err = fit.R_total_ohm
    assert total == pytest.approx(GB_PARAMS[1] + GB_PARAMS[4], rel=0.01)
    i, j = fit.names.index("R1"), fit.names.index("R2")
    var = fit.errors[i] ** 2 + fit.errors[j] ** 2 + 2 * fit.covariance[i, j]
    assert total_err == pytest.approx(math.sqrt(var), rel=1e-12)
    assert total_err < math.hypot(fit.errors[i], fit.errors[j])  # R1, R2 anticorrelated
    assert fit.capacitance_F(1) < fit.capacitance_F(2)  # bulk ~pF, grain boundary ~nF
    assert fit.relaxation_frequency_Hz(1) > fit.relaxation_frequency_Hz(2)


def test_model_selection_by_bic() -> None:
    one = noisy(circuit_Z(BULK, BULK_PARAMS), 0.01, 4)
    fit, sel = select_circuit(FREQ_HZ, one)
    assert sel.chosen == "bulk" and fit.circuit == BULK
    two = noisy(circuit_Z(BULK_GB, GB_PARAMS), 0.01, 5)
    fit, sel = select_circuit(FREQ_HZ, two)
    assert sel.chosen == "bulk_gb" and sel.bic["bulk"] - sel.bic["bulk_gb"] > 10
    assert fit.R_bulk_ohm[0] == pytest.approx(GB_PARAMS[1], rel=0.02)


def test_fitted_custom_circuit_predicts_the_fit() -> None:
    z = noisy(circuit_Z(BULK, BULK_PARAMS), 0.01, 6)
    fit = fit_circuit(FREQ_HZ, z, BULK)
    cc = fit.to_custom_circuit()
    np.testing.assert_allclose(cc.predict(FREQ_HZ), circuit_impedance(BULK, FREQ_HZ,
                                                                      fit.parameters), rtol=1e-12)
    np.testing.assert_allclose(cc.conf_, fit.errors)
    with pytest.raises(ValueError, match="unknown circuit"):
        fit_circuit(FREQ_HZ, z, "R0-L1")


def test_reaches_at_least_the_minimum_of_impedance_customcircuit_fit() -> None:
    import warnings

    from impedance.models.circuits import CustomCircuit

    from superionic.experiment.circuits import initial_guesses

    z = noisy(circuit_Z(BULK, BULK_PARAMS), 0.01, 8)
    ours = fit_circuit(FREQ_HZ, z, BULK)
    cc = CustomCircuit(BULK, initial_guess=list(initial_guesses(FREQ_HZ, z, BULK)[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cc.fit(FREQ_HZ, z, weight_by_modulus=True)
    d = (circuit_impedance(BULK, FREQ_HZ, cc.parameters_) - z) / np.abs(z)
    peer_chi2 = float(np.sum(d.real**2 + d.imag**2))
    assert ours.chi2 <= peer_chi2 * (1 + 1e-9)
