"""Haven ratio H = D_tracer / D_sigma.

D_sigma comes from the collective (charge) MSD of the summed displacement of all mobile ions,
divided by their number, so H = 1 for uncorrelated ions and H < 1 for concerted migration
(Murch, Solid State Ionics 7, 177 (1982)). The uncertainty is propagated to first order assuming
independent errors of the two D's (the collective error, from a single "particle", dominates):
sigma_H = H sqrt((sigma_t / D_t)^2 + (sigma_s / D_s)^2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from superionic.transport.diffusion import DiffusionFit


@dataclass(frozen=True)
class HavenRatio:
    """H = D_tracer / D_sigma and its 1-sigma uncertainty; NaN when D_sigma <= 0."""

    value: float
    err: float
    D_tracer_cm2_s: float
    D_sigma_cm2_s: float


def haven_ratio(tracer: DiffusionFit, collective: DiffusionFit) -> HavenRatio:
    """Haven ratio from the tracer and collective diffusion fits (same window)."""
    if tracer.kind != "tracer" or collective.kind != "collective":
        raise ValueError(f"need a tracer and a collective fit, got {tracer.kind}, {collective.kind}")
    dt, ds = tracer.D_cm2_s, collective.D_cm2_s
    if not ds > 0 or not dt > 0:
        return HavenRatio(math.nan, math.nan, dt, ds)
    h = dt / ds
    err = h * math.hypot(tracer.D_err_cm2_s / dt, collective.D_err_cm2_s / ds)
    return HavenRatio(h, err, dt, ds)
