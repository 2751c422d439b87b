"""Figures carry the numbers they claim to show, and are written as images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from superionic.transport import fit_arrhenius, fit_msd, mean_squared_displacement
from superionic.transport.arrhenius import KB_EV_K
from superionic.transport.plots import plot_arrhenius, plot_msd, plot_vanhove
from superionic.transport.vanhove import van_hove


def test_msd_plot_shows_msd_and_fit_window(walk, tmp_path: Path) -> None:  # noqa: ANN001
    msd = mean_squared_displacement(walk(n_ions=20, n_frames=200, seed=1))
    fit = fit_msd(msd)
    fig = plot_msd(msd, fit, ion="Li", path=tmp_path / "msd.png")
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), msd.tracer_A2)
    fit_line = next(ln for ln in ax.lines if ln.get_linestyle() == "--")
    np.testing.assert_allclose(fit_line.get_xdata(), [fit.fit_start_ps, fit.fit_end_ps])
    assert (tmp_path / "msd.png").read_bytes()[:4] == b"\x89PNG"


def test_arrhenius_plot_extrapolates_to_300K(tmp_path: Path) -> None:
    T = np.array([600.0, 800.0, 1000.0, 1200.0])
    rng = np.random.default_rng(0)
    D = 1e-3 * np.exp(-0.3 / (KB_EV_K * T) + rng.normal(0, 0.05, T.size))
    fit = fit_arrhenius(T, D)
    fig = plot_arrhenius(fit, path=tmp_path / "arr.pdf")
    line = next(ln for ln in fig.axes[0].lines if ln.get_label().startswith("Ea ="))
    x = np.asarray(line.get_xdata())
    assert 1000.0 / x.max() == pytest.approx(300.0)  # the curve reaches 300 K
    np.testing.assert_allclose(np.asarray(line.get_ydata())[np.argmax(x)],
                               float(fit.predict(300.0)[0]), rtol=1e-9)
    assert (tmp_path / "arr.pdf").read_bytes()[:4] == b"%PDF"


def test_vanhove_map_holds_the_self_function(walk) -> None:  # noqa: ANN001
    vh = van_hove(walk(n_ions=30, n_frames=100, seed=2), n_lags=10, distinct=True)
    fig = plot_vanhove(vh)
    np.testing.assert_allclose(np.asarray(fig.axes[0].collections[0].get_array()).ravel(),
                               vh.radial_self.ravel())
    fig_d = plot_vanhove(vh, part="distinct")
    np.testing.assert_allclose(np.asarray(fig_d.axes[0].collections[0].get_array()).ravel(),
                               vh.distinct.ravel())
