"""Transport analysis of MD trajectories (any source; never imports :mod:`superionic.md`).

One concept per module, kinisi-style: trajectory (unwrapping, drift), msd (FFT), diffusion
(fit window, D and its uncertainty), conductivity (Nernst-Einstein), haven, arrhenius, vanhove,
hops, density (CHGCAR/cube), plots; io/ holds one adapter per source (ASE, VASP).
"""

from superionic.transport.analysis import TransportResult, analyze_trajectory
from superionic.transport.arrhenius import ArrheniusFit, fit_arrhenius
from superionic.transport.conductivity import Conductivity, conductivity, nernst_einstein_sigma
from superionic.transport.density import DensityGrid, probability_density
from superionic.transport.diffusion import DiffusionFit, FitWindowError, fit_msd, fit_window
from superionic.transport.haven import HavenRatio, haven_ratio
from superionic.transport.hops import HopResult, count_hops
from superionic.transport.io import read_trajectory, trajectory_from_atoms
from superionic.transport.msd import MSDResult, mean_squared_displacement
from superionic.transport.trajectory import Trajectory, TrajectoryError
from superionic.transport.vanhove import VanHove, van_hove

__all__ = [
    "ArrheniusFit", "Conductivity", "DensityGrid", "DiffusionFit", "FitWindowError", "HavenRatio",
    "HopResult", "MSDResult", "Trajectory", "TrajectoryError", "TransportResult", "VanHove",
    "analyze_trajectory", "conductivity", "count_hops", "fit_arrhenius", "fit_msd", "fit_window",
    "haven_ratio", "mean_squared_displacement", "nernst_einstein_sigma", "probability_density",
    "read_trajectory", "trajectory_from_atoms", "van_hove",
]
