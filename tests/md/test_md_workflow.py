"""The MD workflow: segment-wise extension and resume, the adaptive ladder, the budget, and the
verdict rules on typed results.

MD tests use a cheap physical model instead of CHGNet: Li atoms are free Brownian particles under
the Langevin thermostat (D = k_B T / (m gamma), Einstein; gamma = 20/ps so that the 1.2 ps runs are many
velocity relaxation times and their MSD grows by more than one hop length squared across the fit
window twice, the protocol's diffusive-regime test) in a framework of Cl atoms tethered
harmonically to their sites (a solid that never flows). ``run_md``'s extension is checked with
ASE's EMT copper under the deterministic Nose-Hoover chain.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.calculator import Calculator, all_changes
from ase.calculators.emt import EMT
from ase.io import read
from pymatgen.core import Lattice, Structure

from superionic.md.protocol import MDParams, run_md
from superionic.md.workflow import (
    ArrheniusProtocol,
    CellOptions,
    Mode,
    Verdict,
    resolve_structure,
)
from superionic.transport.significance import (
    DiffusionStatus,
    FrameworkCheck,
    TemperatureResult,
)

KB_EV = 8.617333262e-5


class TetheredFramework(Calculator):
    """Li free; every other atom tied to its first-seen position by a spring (eV/A^2)."""

    implemented_properties = ["energy", "forces"]
    name = "tethered"

    def __init__(self, k_eV_A2: float = 5.0) -> None:
        super().__init__()
        self.k = k_eV_A2
        self.sites: np.ndarray | None = None

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes) -> None:
        super().calculate(atoms, properties, system_changes)
        pos = self.atoms.get_positions()
        if self.sites is None or len(self.sites) != len(pos):
            self.sites = pos.copy()
        tied = np.array([s != "Li" for s in self.atoms.get_chemical_symbols()])
        d = (pos - self.sites) * tied[:, None]
        self.results = {"energy": 0.5 * self.k * float(np.sum(d * d)), "forces": -self.k * d}


def tethered() -> Calculator:
    return TetheredFramework()


def licl() -> Structure:
    return Structure(Lattice.cubic(4.0), ["Li", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])


def gas_protocol(**kw) -> ArrheniusProtocol:
    base = dict(potential=tethered, cell=CellOptions(atom_range=(54, 54)), timestep_fs=5.0,
                equil_ps=0.05, segment_ps=0.6, max_ps_per_temperature=1.2, target_rel_err=1e-3,
                T_start_K=1000.0, T_step_K=200.0, T_min_K=600.0, min_temperatures=3,
                relax_steps=0, thermostat="langevin", friction_per_ps=20.0, save_every=4,
                seed=3)
    return ArrheniusProtocol(**{**base, **kw})


def test_extending_a_run_gives_the_same_frames_as_one_long_run(tmp_path: Path) -> None:
    cu = bulk("Cu", "fcc", a=3.61, cubic=True) * (2, 2, 2)
    p = dict(temperature_K=800.0, timestep_fs=4.0, equil_ps=0.02, save_every=5,
             thermostat="nhc")
    run_md(cu, MDParams(prod_ps=0.2, **p), tmp_path / "long", EMT(), relax_params=None,
           progress=False)
    run_md(cu, MDParams(prod_ps=0.1, **p), tmp_path / "ext", EMT(), relax_params=None,
           progress=False)
    res = run_md(cu, MDParams(prod_ps=0.2, **p), tmp_path / "ext", EMT(), resume=True,
                 relax_params=None, progress=False)
    assert res.completed and res.n_frames == 11
    ext = read(tmp_path / "ext" / "frames.extxyz", ":")
    long = read(tmp_path / "long" / "frames.extxyz", ":")
    assert [f.info["step"] for f in ext] == [f.info["step"] for f in long]
    # the same trajectory (EMT's fresh neighbour list after the restart reorders float sums:
    # differences at the 1e-14 level, not bit for bit as with CHGNet in test_md_kill_resume)
    np.testing.assert_allclose([f.positions for f in ext], [f.positions for f in long],
                               atol=1e-8)
    stored = json.loads((tmp_path / "ext" / "params.json").read_text())
    assert stored["md"]["prod_ps"] == 0.2 and stored["extended"][0]["prod_ps"] == 0.2
    with pytest.raises(ValueError, match="timestep_fs"):  # anything else changed: refused
        run_md(cu, MDParams(prod_ps=0.3, **{**p, "timestep_fs": 2.0}), tmp_path / "ext", EMT(),
               resume=True, relax_params=None, progress=False)


def test_adaptive_series_extends_segments_resumes_and_fits(tmp_path: Path) -> None:
    proto = gas_protocol()
    assert proto.mode is Mode.ADAPTIVE and proto.ladder() == (1000.0, 800.0, 600.0)
    series = proto.run(licl(), tmp_path)
    temps = [t.temperature_K for t in series.temperatures]
    assert temps == [600.0, 800.0, 1000.0]
    for t in series.temperatures:
        # target 0.1 % is never met: every temperature ran its 2 segments to the 1.2 ps cap
        assert t.time_ps == pytest.approx(1.2) and not t.converged
        assert t.status is DiffusionStatus.SIGNIFICANT and not t.framework.molten
        # Einstein: D = k_B T / (m gamma) for the free Li
        D_true = 1.380649e-23 * t.temperature_K / (6.94e-3 / 6.02214076e23 * 2e13) * 1e4
        assert abs(t.D_cm2_s - D_true) < 4 * t.D_err_cm2_s + 0.15 * D_true
        params = json.loads((series.run_dir(t.temperature_K) / "params.json").read_text())
        assert [e["prod_ps"] for e in params["extended"]] == [1.2]
    # D ~ T: ln D vs 1/T has slope -k_B ln(T2/T1)/(1/T1 - 1/T2) ~ 0.05 eV over 600-1000 K
    assert series.verdict.value is Verdict.ARRHENIUS, series.verdict.reasons
    Ea_expected = KB_EV * math.log(1000 / 600) / (1 / 600 - 1 / 1000)
    assert abs(series.arrhenius.Ea_eV - Ea_expected) < 4 * series.arrhenius.Ea_err_eV + 0.01
    d = series.to_dict()
    assert d["verdict"] == "arrhenius" and d["sigma300_S_cm"] == series.arrhenius.sigma300_S_cm
    assert d["sigma300_upper_S_cm"] is None
    # rerun: everything is resumed from the run folders, nothing is recomputed
    frames = {T: (series.run_dir(T) / "frames.extxyz").stat().st_mtime_ns for T in temps}
    again = proto.run(licl(), tmp_path)
    assert again.to_dict()["temperatures"] == d["temperatures"]
    assert frames == {T: (series.run_dir(T) / "frames.extxyz").stat().st_mtime_ns for T in temps}
    # a larger cap extends the same runs; their first frames are unchanged
    first = read(series.run_dir(1000.0) / "frames.extxyz", ":")
    longer = gas_protocol(max_ps_per_temperature=1.8).run(licl(), tmp_path)
    assert all(t.time_ps == pytest.approx(1.8) for t in longer.temperatures)
    now = read(series.run_dir(1000.0) / "frames.extxyz", ":")
    np.testing.assert_array_equal(now[len(first) - 1].positions, first[-1].positions)


def test_budget_stops_the_ladder_with_an_honest_verdict(tmp_path: Path) -> None:
    proto = gas_protocol(max_total_ps=1.5, target_rel_err=0.5, min_temperatures=4,
                         T_min_K=400.0)
    series = proto.run(licl(), tmp_path)
    assert len(series.temperatures) < len(proto.ladder())
    assert series.verdict.value is Verdict.BUDGET
    assert any("budget" in r for r in series.verdict.reasons)
    d = series.to_dict()
    assert d["Ea_eV"] is None and d["sigma300_S_cm"] is None and d["sigma300_upper_S_cm"] > 0


def test_fixed_protocol_runs_exactly_the_given_temperatures(tmp_path: Path) -> None:
    proto = gas_protocol(temperatures_K=(700.0,), segment_ps=1.2, max_ps_per_temperature=1.2)
    assert proto.mode is Mode.FIXED
    series = proto.run(licl(), tmp_path)
    assert [t.temperature_K for t in series.temperatures] == [700.0]
    assert series.temperatures[0].time_ps == pytest.approx(1.2)
    assert series.temperatures[0].status is DiffusionStatus.SIGNIFICANT
    assert series.verdict.value is Verdict.INCONCLUSIVE
    with pytest.raises(ValueError, match="other cell"):  # the folder belongs to this cell
        gas_protocol(cell=CellOptions(atom_range=(16, 16))).run(licl(), tmp_path)


# --- verdict rules on typed results ----------------------------------------------------------

def sig(T: float, D: float, rel: float = 0.05, molten: bool = False) -> TemperatureResult:
    fw = FrameworkCheck(flowing_species=("Cl",), molten=True) if molten else FrameworkCheck()
    if molten:
        return TemperatureResult(T, 2.0, DiffusionStatus.MOLTEN, None, None, None, None, None,
                                 None, fw)
    sigma = D * 1e4 / T  # any positive sigma proportional to D/T
    return TemperatureResult(T, 2.0, DiffusionStatus.SIGNIFICANT, D, rel * D, None, sigma,
                             rel * sigma, None, fw, converged=rel <= 0.2)


def bound(T: float, D_up: float) -> TemperatureResult:
    return TemperatureResult(T, 2.0, DiffusionStatus.BOUND, None, D_up / 3, D_up, None, None,
                             D_up * 1e4 / T)


def arrhenius_D(T: float, Ea: float = 0.3, D0: float = 1e-2) -> float:
    return D0 * math.exp(-Ea / (KB_EV * T))


def test_verdict_arrhenius_and_a_molten_point_never_in_the_fit() -> None:
    proto = ArrheniusProtocol()
    temps = [600.0, 750.0, 900.0, 1050.0]
    good = [sig(T, arrhenius_D(T)) for T in temps]
    fit, verdict = proto.judge([*good, sig(1200.0, 0, molten=True)])
    assert verdict.value is Verdict.ARRHENIUS
    assert fit.Ea_eV == pytest.approx(0.3, rel=1e-6) and fit.temperatures_K == tuple(temps)
    assert any("framework flows (Cl) at 1200 K" in r for r in verdict.reasons)


def test_a_solid_looking_run_above_a_melt_is_superheated_and_never_in_the_fit() -> None:
    """Melting is monotonic in T: CHGNet Li3N flowed at 1050 K but its N stayed (9.4e-6 cm^2/s,
    just under the flow threshold) at 1200 K. The 1200 K run enters neither the fit nor the
    sigma(300 K) bound, whatever its D."""
    from superionic.transport.significance import sigma300_upper_bound, superheated

    proto = ArrheniusProtocol()
    temps = [600.0, 700.0, 800.0, 900.0]
    good = [sig(T, arrhenius_D(T)) for T in temps]
    liquid = sig(1050.0, 0, molten=True)
    hot_outlier = sig(1200.0, 1e-9)  # would wreck the fit, and make the tightest bound
    results = [*good, liquid, hot_outlier]
    assert superheated(results) == (1200.0,)
    fit, verdict = proto.judge(results)
    assert verdict.value is Verdict.ARRHENIUS and fit.temperatures_K == tuple(temps)
    assert fit.Ea_eV == pytest.approx(0.3, rel=1e-6)
    assert any(r.startswith("1200 K: above 1050 K") for r in verdict.reasons)
    assert sigma300_upper_bound(results) == pytest.approx(sigma300_upper_bound(good))
    assert sigma300_upper_bound([*good, hot_outlier]) < sigma300_upper_bound(good)
    # colder than the melt is untouched; no melt, nothing superheated
    assert superheated(good) == () and superheated([liquid, *good]) == ()


def test_verdicts_without_an_arrhenius_result() -> None:
    proto = ArrheniusProtocol()
    few = [sig(T, arrhenius_D(T)) for T in (900.0, 1050.0, 1200.0)]
    fit, v = proto.judge([*few, bound(750.0, 1e-7)])
    assert fit is None and v.value is Verdict.BUDGET and "3 temperature(s)" in v.reasons[0]
    # CHGNet Li3N: significant at 900 and 750 K, bounds at 825 and 600 K: the reason names the
    # bounds, not "below 825 K" (750 K is below 825 K and significant)
    _, v = proto.judge([sig(900.0, 4e-5), bound(825.0, 3e-5), sig(750.0, 3e-5), bound(600.0, 2e-5)])
    assert v.value is Verdict.BUDGET and v.reasons[-1].startswith("at 825, 600 K D is not")
    fit, v = proto.judge([bound(1200.0, 2e-7), bound(1050.0, 1e-7)])
    assert fit is None and v.value is Verdict.NO_DIFFUSION
    # a loose bound (a 0.1 ps run) rules nothing out
    fit, v = proto.judge([bound(1200.0, 2e-4)])
    assert fit is None and v.value is Verdict.BUDGET and "longer runs" in v.reasons[-1]
    fit, v = proto.judge([sig(1200.0, 0, molten=True), sig(1050.0, 0, molten=True)])
    assert fit is None and v.value is Verdict.MOLTEN
    # D rising on cooling: a negative Ea is never reported
    fit, v = proto.judge([sig(T, arrhenius_D(T, Ea=-0.1)) for T in (600.0, 750, 900, 1050)])
    assert fit is None and v.value is Verdict.INCONCLUSIVE and "not positive" in v.reasons[-1]
    # a kink far outside the 2 % errors: not a straight line
    kinked = [sig(T, arrhenius_D(T, Ea=0.1 if T > 800 else 0.6), rel=0.02)
              for T in (600.0, 700.0, 900.0, 1000.0, 1100.0)]
    fit, v = proto.judge(kinked)
    assert fit is None and v.value is Verdict.INCONCLUSIVE and "straight line" in v.reasons[-1]


def test_refinement_tries_the_gaps_between_significant_temperatures_after_a_cold_bound() -> None:
    """The ladder of SevenNet-0 Li6PS5Cl: 1200/1050/900 K significant, 750 K a bound at the cap.
    The first midpoint is 825 K, below the coldest significant one; a second slot (two workers)
    or a second round, once 825 K is a bound too, tries the gap 975 K rather than halving
    900-825 K again. Nothing is proposed once four are significant."""
    proto = ArrheniusProtocol()  # min_temperatures 4, T_step_K 150
    done = {T: sig(T, arrhenius_D(T)) for T in (900.0, 1050.0, 1200.0)}
    done[750.0] = bound(750.0, 1e-5)
    assert proto._refinement(done) == [825.0]
    assert proto._refinement(done, width=2) == [825.0, 975.0]
    done[825.0] = bound(825.0, 2e-5)
    assert proto._refinement(done) == [975.0]
    assert proto._refinement(done, width=2) == [975.0, 1125.0]
    done[975.0] = sig(975.0, arrhenius_D(975.0))
    assert proto._refinement(done, width=2) == []


def test_library_names_resolve() -> None:
    s, source = resolve_structure("Li6PS5Cl")
    assert source == "structure library" and s.composition.reduced_formula == "Li6PS5Cl"
    with pytest.raises(FileNotFoundError, match="structure-library"):
        resolve_structure("NoSuchThing")


def test_a_temperature_that_cannot_become_diffusive_within_the_cap_stops_early(
        tmp_path: Path) -> None:
    """Li tethered like the framework (a crystal with no Li hops): after the first segment the
    MSD's growth projects far beyond the cap, so the run stops there as a bound, the verdict
    names the projection, and no extension is spent."""

    class AllTethered(TetheredFramework):
        def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
            Calculator.calculate(self, atoms, properties, system_changes)
            pos = self.atoms.get_positions()
            if self.sites is None or len(self.sites) != len(pos):
                self.sites = pos.copy()
            d = pos - self.sites
            self.results = {"energy": 0.5 * self.k * float(np.sum(d * d)), "forces": -self.k * d}

    proto = gas_protocol(potential=AllTethered, temperatures_K=(800.0,), segment_ps=1.2,
                         max_ps_per_temperature=6.0)
    series = proto.run(licl(), tmp_path)
    t = series.temperatures[0]
    assert t.status is DiffusionStatus.BOUND and not t.diffusive
    assert t.time_ps == pytest.approx(1.2)  # one segment, not five
    assert t.regime.projected_run_ps(t.time_ps) > 6.0
    # a window that starts in the ballistic regime (< 0.1 ps) projects nothing
    assert replace(t.regime, fit_window_ps=(0.01, 0.07)).projected_run_ps(0.1) is None
    assert any("not yet diffusive" in r and "does not grow" in r for r in series.verdict.reasons)


def test_a_series_folder_refuses_another_potential(tmp_path: Path) -> None:
    """A folder's relaxed cell and finished runs belong to the potential that made them: rerun
    with another one (a CHGNet folder after the default became SevenNet-0) it is refused with
    the flag that continues it, and nothing in it changes; the same potential resumes it."""

    def other() -> Calculator:
        return TetheredFramework()

    proto = gas_protocol(temperatures_K=(800.0,), segment_ps=0.3, max_ps_per_temperature=0.3)
    first = proto.run(licl(), tmp_path)
    stamp = json.loads((tmp_path / "potential.json").read_text())
    assert stamp == {"potential": "tethered"} and first.potential == "tethered"
    before = (tmp_path / "T800K" / "frames.extxyz").read_bytes()
    with pytest.raises(ValueError, match="made with the tethered potential, not other; "
                                         "pass --model tethered"):
        replace(proto, potential=other).run(licl(), tmp_path)
    assert (tmp_path / "T800K" / "frames.extxyz").read_bytes() == before
    again = proto.run(licl(), tmp_path)  # the same potential resumes (here: finds it finished)
    assert again.temperatures[0].D_upper_cm2_s == first.temperatures[0].D_upper_cm2_s
    (tmp_path / "potential.json").unlink()  # a folder from before the stamp: its series.json
    with pytest.raises(ValueError, match="made with the tethered potential"):
        replace(proto, potential=other).run(licl(), tmp_path)
