"""The MD oracle: the MD workflow -> Arrhenius verdict -> log10 sigma(300 K) and Ea.

The end-to-end test runs the real MD protocol and transport analysis on an ideal gas of Li atoms
under a Langevin thermostat (a calculator with zero forces), whose answer is known in closed form:
D = k_B T / (m gamma) (Einstein), hence sigma = n e^2 / (m gamma) at every T (Nernst-Einstein)
and the Arrhenius fits of two temperatures have known slopes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from ase.calculators.calculator import Calculator, all_changes
from ase.data import atomic_masses, atomic_numbers
from pymatgen.core import Lattice, Structure
from scipy.constants import Boltzmann, atomic_mass, elementary_charge

from superionic.active.md_oracle import MDOracle
from superionic.md.workflow import ArrheniusProtocol, CellOptions

KB_EV = Boltzmann / elementary_charge


class IdealGas(Calculator):
    """No interactions: every atom is a free Brownian particle under the Langevin thermostat."""

    implemented_properties = ["energy", "forces"]
    name = "ideal-gas"

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes) -> None:
        super().calculate(atoms, properties, system_changes)
        self.results = {"energy": 0.0, "forces": np.zeros((len(self.atoms), 3))}


def test_ideal_gas_md_label_matches_einstein_and_nernst_einstein(tmp_path) -> None:
    gamma_ps, temps = 20.0, (600.0, 1200.0)
    protocol = ArrheniusProtocol.fixed(temps, 4.0, equil_ps=0.2, timestep_fs=10.0, save_every=2,
                                       cell=CellOptions(atom_range=(125, 125)), relax_steps=0,
                                       thermostat="langevin", friction_per_ps=gamma_ps,
                                       potential=IdealGas(), seed=1, min_temperatures=2)
    gas = Structure(Lattice.cubic(3.0), ["Li"], [[0, 0, 0]]) * (5, 5, 5)  # 125 atoms
    no_li = Structure(Lattice.cubic(3.6), ["Cu"], [[0, 0, 0]])
    oracle = MDOracle({"gas": gas, "copper": no_li}, tmp_path, protocol, mobile_ion="Li")
    labels, failed = oracle.label(["gas", "missing", "copper"])

    assert set(labels) == {"gas"}  # the batch survives two bad candidates
    assert "no structure" in failed["missing"] and "no mobile Li" in failed["copper"]
    d = oracle.details["gas"]
    m_kg = atomic_masses[atomic_numbers["Li"]] * atomic_mass
    gamma_s = gamma_ps * 1e12
    D_einstein = np.array([Boltzmann * T / (m_kg * gamma_s) * 1e4 for T in temps])  # cm^2/s
    np.testing.assert_allclose(d["D_cm2_s"], D_einstein, rtol=0.12)
    # D ~ T  =>  ln D vs 1/T through two points has slope -k_B ln(T2/T1) / (1/T1 - 1/T2)
    Ea_expected = KB_EV * math.log(temps[1] / temps[0]) / (1 / temps[0] - 1 / temps[1])
    assert d["Ea_eV"] == pytest.approx(Ea_expected, rel=0.2)
    # Nernst-Einstein: sigma = n e^2 / (m gamma), the same at every T
    n_m3 = 125 / (15.0e-10) ** 3
    sigma0 = n_m3 * elementary_charge**2 / (m_kg * gamma_s) / 100.0  # S/cm
    np.testing.assert_allclose(d["sigma_T_S_cm"], sigma0, rtol=0.12)

    def at_300K(sigmas: np.ndarray) -> float:  # the sigma*T line through the points, at 300 K
        slope, icpt = np.polyfit(1 / np.array(temps), np.log(sigmas * np.array(temps)), 1)
        return math.exp(icpt + slope / 300.0) / 300.0

    assert labels["gas"] == pytest.approx(math.log10(at_300K(np.array(d["sigma_T_S_cm"]))),
                                          abs=1e-9)
    # the exact answer, within what 12 % errors at 600 and 1200 K allow after extrapolating
    assert labels["gas"] == pytest.approx(math.log10(at_300K(np.full(2, sigma0))), abs=0.2)
    assert len(d["runs"]) == 2 and all((tmp_path / "gas").iterdir())


def test_a_candidate_without_an_arrhenius_verdict_is_a_failure_not_a_label(tmp_path) -> None:
    """One temperature cannot give an Arrhenius result: the oracle reports the verdict."""
    protocol = ArrheniusProtocol.fixed([600.0], 1.0, equil_ps=0.1, timestep_fs=10.0,
                                       save_every=2, cell=CellOptions(atom_range=(27, 27)),
                                       relax_steps=0, thermostat="langevin", potential=IdealGas())
    gas = Structure(Lattice.cubic(3.0), ["Li"], [[0, 0, 0]]) * (3, 3, 3)
    labels, failed = MDOracle({"gas": gas}, tmp_path, protocol).label(["gas"])
    assert labels == {} and "inconclusive" in failed["gas"] and "4 needed" in failed["gas"]
