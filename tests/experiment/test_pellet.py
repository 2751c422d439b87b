"""sigma = L / (R A) with L in cm (from mm) and A in cm^2, checked by hand."""

from __future__ import annotations

import math

import pytest

from superionic.experiment import Pellet, conductivity_S_cm


def test_conductivity_unit_conversion_by_hand() -> None:
    # 10 mm diameter pellet, 1.00 mm thick, R = 1000 ohm:
    # L = 0.100 cm, A = pi (0.5 cm)^2 = 0.785398 cm^2, sigma = 0.1 / (1000 * 0.785398)
    pellet = Pellet(thickness_mm=1.0, area_cm2=math.pi * 0.5**2)
    sigma, err = conductivity_S_cm(1000.0, pellet)
    assert sigma == pytest.approx(1.2732395e-4, rel=1e-7)
    assert err == 0.0
    assert pellet.cell_constant_per_cm == pytest.approx(0.12732395, rel=1e-7)


def test_error_propagation_adds_relative_errors_in_quadrature() -> None:
    pellet = Pellet(thickness_mm=2.0, area_cm2=0.5, thickness_err_mm=0.02, area_err_cm2=0.01)
    sigma, err = conductivity_S_cm(400.0, pellet, R_err_ohm=8.0)
    assert sigma == pytest.approx(0.2 / (400.0 * 0.5), rel=1e-12)  # 1e-3 S/cm
    # 2% (R), 1% (L), 2% (A) -> 3%
    assert err / sigma == pytest.approx(0.03, rel=1e-12)


@pytest.mark.parametrize(("thickness", "area"), [(0.0, 1.0), (-1.0, 1.0), (1.0, float("nan"))])
def test_bad_geometry_is_refused(thickness: float, area: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        Pellet(thickness, area)
    with pytest.raises(ValueError, match="resistance"):
        conductivity_S_cm(-5.0, Pellet(1.0, 1.0))
