"""DC polarisation: steady state of an exponential decay and sigma_e = I_ss L / (V A)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from superionic.experiment import (
    DataFileError,
    Pellet,
    electronic_conductivity,
    polarization_labels,
    read_polarization,
)

PELLET = Pellet(thickness_mm=1.0, area_cm2=0.785)
SIGMA_E, VOLTAGE = 1.0e-8, 0.5  # S/cm (the paper's ~1e-8), V
I_SS = SIGMA_E * VOLTAGE * PELLET.area_cm2 / PELLET.thickness_cm  # 3.925e-8 A
TAU_S = 300.0


def decay_csv(path: Path, t_end_s: float, seed: int = 0, header: str = "time_s,current_A",
              t_scale: float = 1.0, i_scale: float = 1.0) -> Path:
    """I(t) = I_ss + (I0 - I_ss) exp(-t / tau) + 0.5% noise of I_ss, one point per 10 s."""
    t = np.arange(0.0, t_end_s + 1e-9, 10.0)
    rng = np.random.default_rng(seed)
    i = I_SS + 50 * I_SS * np.exp(-t / TAU_S) + 0.005 * I_SS * rng.normal(size=t.size)
    path.write_text(header + "\n" + "\n".join(f"{float(a / t_scale)!r},{float(b / i_scale)!r}"
                                             for a, b in zip(t, i, strict=True)) + "\n")
    return path


def test_steady_state_of_exponential_decay(tmp_path: Path) -> None:
    trace = read_polarization(decay_csv(tmp_path / "dc.csv", 20 * TAU_S))
    res = electronic_conductivity(trace, VOLTAGE, PELLET)
    ss = res.steady_state
    assert ss.steady and ss.drift_fraction < 0.02
    assert ss.window_start_s == pytest.approx(0.9 * 20 * TAU_S, abs=10.0)  # final 10%
    assert ss.I_ss_A == pytest.approx(I_SS, rel=0.005)
    assert res.sigma_e_S_cm == pytest.approx(SIGMA_E, rel=0.005)
    # the standard error of the plateau mean: 0.5% noise / sqrt(n)
    assert ss.I_ss_err_A == pytest.approx(0.005 * I_SS / np.sqrt(ss.n_window), rel=0.35)


def test_run_stopped_during_the_decay_is_not_steady(tmp_path: Path) -> None:
    trace = read_polarization(decay_csv(tmp_path / "short.csv", 3 * TAU_S))
    res = electronic_conductivity(trace, VOLTAGE, PELLET)
    assert not res.steady_state.steady and res.steady_state.drift_fraction > 0.02
    assert res.sigma_e_S_cm > SIGMA_E  # still decaying: an upper bound
    with pytest.raises(ValueError, match="no steady state"):
        polarization_labels(res, "Li2VCl5", 298.15)


def test_units_in_headers_are_converted(tmp_path: Path) -> None:
    ref = read_polarization(decay_csv(tmp_path / "a.csv", 20 * TAU_S))
    alt = read_polarization(decay_csv(tmp_path / "b.csv", 20 * TAU_S, header="time/min,<I>/nA",
                                      t_scale=60.0, i_scale=1e-9))
    np.testing.assert_allclose(alt.time_s, ref.time_s, rtol=1e-12)
    np.testing.assert_allclose(alt.current_A, ref.current_A, rtol=1e-12)


def test_unitless_and_truncated_traces_are_refused(tmp_path: Path) -> None:
    path = decay_csv(tmp_path / "plain.csv", 20 * TAU_S, header="time,current")
    with pytest.raises(DataFileError, match="plain.csv.*time_s,current_A"):
        read_polarization(path)
    cut = tmp_path / "cut.csv"
    cut.write_text("time_s,current_A\n" + "\n".join(f"{k},{1e-8}" for k in range(6)) + "\n")
    with pytest.raises(DataFileError, match="only 6 data points"):
        read_polarization(cut)
