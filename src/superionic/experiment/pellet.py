"""Pellet geometry and the conductivity of a resistance: sigma = L / (R A).

L is the pellet thickness (given in mm, used in cm), A the electrode area in cm^2, R in ohm, so
sigma is in S/cm. Errors are propagated to first order (independent R, L and A):
(d sigma / sigma)^2 = (dR / R)^2 + (dL / L)^2 + (dA / A)^2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MM_PER_CM = 10.0


@dataclass(frozen=True)
class Pellet:
    """A cylindrical pellet between blocking electrodes: thickness (mm), area (cm^2) and their
    1-sigma uncertainties (0 when unknown)."""

    thickness_mm: float
    area_cm2: float
    thickness_err_mm: float = 0.0
    area_err_cm2: float = 0.0

    def __post_init__(self) -> None:
        for name in ("thickness_mm", "area_cm2"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"{name} must be a positive number, got {v}")
        for name in ("thickness_err_mm", "area_err_cm2"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"{name} must be >= 0, got {v}")

    @property
    def thickness_cm(self) -> float:
        return self.thickness_mm / MM_PER_CM

    @property
    def cell_constant_per_cm(self) -> float:
        """L / A in 1/cm: multiply a conductance (S) by this to get S/cm."""
        return self.thickness_cm / self.area_cm2

    @property
    def relative_error(self) -> float:
        """Relative 1-sigma error of L / A."""
        return math.hypot(self.thickness_err_mm / self.thickness_mm,
                          self.area_err_cm2 / self.area_cm2)


def conductivity_S_cm(R_ohm: float, pellet: Pellet, R_err_ohm: float = 0.0) -> tuple[float, float]:
    """(sigma, 1-sigma error) in S/cm of a pellet with resistance ``R_ohm`` +- ``R_err_ohm``."""
    if not (math.isfinite(R_ohm) and R_ohm > 0):
        raise ValueError(f"resistance must be a positive number (ohm), got {R_ohm}")
    sigma = pellet.cell_constant_per_cm / R_ohm
    rel_r = R_err_ohm / R_ohm if math.isfinite(R_err_ohm) else math.nan
    return sigma, sigma * math.hypot(rel_r, pellet.relative_error)
