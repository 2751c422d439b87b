"""Significance, bounds and the melt check on typed results, with synthetic trajectories of
known D: a D that is not significant is an upper bound (never a number, never negative), a run
too short for diffusion (ballistic motion, a handful of hops) is not a measurement, and the stated
error of D is calibrated (the true D lies within one error about 68 % of the time)."""

from __future__ import annotations

import numpy as np
import pytest

from superionic.transport import Trajectory, analyze_trajectory
from superionic.transport.significance import (
    DiffusionStatus,
    FrameworkCheck,
    classify,
    estimated_hops,
    fit_usable_arrhenius,
    is_significant,
    sigma300_upper_bound,
    upper_bound,
)
from superionic.transport.synthetic import caged_hopper

KB_EV = 8.617333262e-5


def walk(n_ions: int, n_frames: int, D_A2_ps: float, dt_ps: float, seed: int,
         vib_A: float = 0.0, temperature_K: float = 1000.0) -> Trajectory:
    """Unwrapped random walkers (per-axis step variance 2 D dt) plus vibration ``vib_A``."""
    rng = np.random.default_rng(seed)
    steps = rng.normal(0, np.sqrt(2 * D_A2_ps * dt_ps), (n_frames, n_ions, 3))
    steps[0] = rng.uniform(0, 12, (n_ions, 3))
    pos = np.cumsum(steps, axis=0) + rng.normal(0, vib_A, (n_frames, n_ions, 3))
    return Trajectory(positions=pos, cell=np.eye(3) * 12.0, timestep_ps=dt_ps, ion="Li",
                      temperature_K=temperature_K)


def test_a_vibrating_crystal_gives_a_positive_bound_never_a_number() -> None:
    for seed in range(6):
        traj = walk(32, 300, 0.0, 0.02, seed, vib_A=0.3)  # no diffusion at all
        res = classify(analyze_trajectory(traj), FrameworkCheck())
        assert res.status is DiffusionStatus.BOUND and not res.usable
        assert res.D_cm2_s is None and res.sigma_S_cm is None
        assert res.D_upper_cm2_s > 0 and res.sigma_upper_S_cm > 0
        d = res.to_dict()
        assert d["D_cm2_s"] is None and d["status"] == "bound" and d["D_upper_cm2_s"] > 0


def test_ballistic_motion_of_a_10_fs_run_is_not_diffusion() -> None:
    """Ions flying straight at thermal speed for 10 fs: the MSD rises steeply (a random-walk
    error model calls it significant) but it implies far fewer than 5 hops: a bound."""
    rng = np.random.default_rng(0)
    v = rng.normal(0, 12.0, (24, 3))  # A/ps: Li at ~900 K
    t = np.arange(6) * 0.002
    pos = rng.uniform(0, 8, (24, 3))[None] + t[:, None, None] * v[None]
    traj = Trajectory(positions=pos, cell=np.eye(3) * 8.0, timestep_ps=0.002, ion="Li",
                      temperature_K=900.0)
    result = analyze_trajectory(traj)
    fit = result.tracer
    assert is_significant(fit.D_cm2_s, fit.D_err_cm2_s)  # the error model alone would accept it
    assert estimated_hops(fit.D_cm2_s, 24, 0.01) < 1
    res = classify(result, FrameworkCheck())
    assert res.status is DiffusionStatus.BOUND and res.D_cm2_s is None
    assert res.D_upper_cm2_s >= fit.D_cm2_s  # the bound covers what was seen


def test_upper_bound_is_positive_for_a_negative_estimate() -> None:
    assert upper_bound(-3e-6, 2e-6) == pytest.approx(4e-6)
    assert upper_bound(1e-6, 2e-6, n_sigma=2) == pytest.approx(5e-6)
    assert not is_significant(-1e-5, 1e-6) and not is_significant(1e-6, 1e-6)
    assert not is_significant(1e-5, float("nan"))


def test_error_of_D_is_calibrated_over_seeds() -> None:
    """The true D lies within one stated error in ~68 % of independent runs."""
    D = 0.5  # A^2/ps
    inside = []
    for seed in range(40):
        fit = analyze_trajectory(walk(40, 300, D, 0.02, 1000 + seed)).tracer
        inside.append(abs(fit.D_cm2_s - D * 1e-4) <= fit.D_err_cm2_s)
    frac = float(np.mean(inside))
    assert 0.5 <= frac <= 0.85, frac


def test_stopping_rule_relative_error_falls_with_run_length() -> None:
    """The same walk analysed over its first 15 % and over all of it: the short run has not
    reached a 20 % error, the long one has (the rule that extends a temperature segment by
    segment)."""
    traj = walk(16, 1000, 0.4, 0.02, 7)  # 20 ps: the MSD gains ~29 A^2 over its fit window
    short = Trajectory(positions=traj.positions[:150], cell=traj.cell, timestep_ps=0.02,
                       ion="Li", temperature_K=1000.0)
    res_short = classify(analyze_trajectory(short), FrameworkCheck(), target_rel_err=0.2)
    res_long = classify(analyze_trajectory(traj), FrameworkCheck(), target_rel_err=0.2)
    assert not res_short.converged and res_short.rel_err > 0.2
    assert res_long.status is DiffusionStatus.SIGNIFICANT and res_long.converged
    assert res_long.rel_err <= 0.2
    assert abs(res_long.D_cm2_s - 0.4e-4) < 3 * res_long.D_err_cm2_s


def test_arrhenius_fit_uses_only_significant_temperatures() -> None:
    Ea, D0 = 0.3, 2e-3  # eV, cm^2/s
    temps = [700.0, 850.0, 1000.0, 1200.0]
    results = []
    for i, T in enumerate(temps):
        D_A2 = D0 * np.exp(-Ea / (KB_EV * T)) * 1e4
        # 40 ps: at 700 K (D 0.14 A^2/ps) the MSD gains ~20 A^2 over the fit window (diffusive)
        results.append(classify(analyze_trajectory(walk(64, 2000, D_A2, 0.02, 50 + i,
                                                        temperature_K=T)),
                                FrameworkCheck()))
    bound = classify(analyze_trajectory(walk(32, 300, 0.0, 0.02, 9, vib_A=0.3,
                                                     temperature_K=600.0)), FrameworkCheck())
    fit = fit_usable_arrhenius([*results, bound])
    assert fit.temperatures_K == tuple(temps)  # the bound never enters
    assert abs(fit.Ea_eV - Ea) < 3 * fit.Ea_err_eV + 0.02
    assert fit.sigma300_low_S_cm < fit.sigma300_S_cm < fit.sigma300_high_S_cm
    assert fit.p_value > 0.01
    # a bound on sigma(300 K) needs no fit: sigma(T) T / 300 at every solid T is above it
    assert sigma300_upper_bound([*results, bound]) >= fit.sigma300_S_cm


def test_a_caged_ion_in_a_short_run_is_not_diffusion_and_gives_no_arrhenius_energy() -> None:
    """The artefact of the first MD benchmark: 0.75 ps runs at 600-1200 K read the rise of the
    vibrational MSD as diffusion. Its slope passes the error test (D > 2 errors, > 5 'hops' by
    n 6 D t / a^2) and, since the cage amplitude grows ~T, an Arrhenius fit through those slopes
    gives Ea ~ k_B T (~0.05-0.1 eV) for ions that never hop. The diffusive-regime test (the MSD
    must grow by two hop lengths squared across the fit window) turns every one into a bound."""
    temps = [600.0, 750.0, 900.0, 1050.0, 1200.0]
    naive_D, naive_err = [], []
    for i, T in enumerate(temps):
        res = analyze_trajectory(caged_hopper(24, 76, 0.01, temperature_K=T, seed=20 + i))
        D, err = res.tracer.D_cm2_s, res.tracer.D_err_cm2_s
        # the trap: statistically "significant" by the error test and the hop estimate alone
        assert is_significant(D, err, n_ions=24, time_ps=0.75)
        naive_D.append(D)
        naive_err.append(err)
        out = classify(res, FrameworkCheck())
        assert out.status is DiffusionStatus.BOUND and not out.usable and out.D_cm2_s is None
        assert out.regime is not None and not out.regime.diffusive
        assert out.regime.msd_gain_A2 < 6.25 and out.D_upper_cm2_s >= D  # a bound, above the slope
    from superionic.transport.arrhenius import fit_arrhenius

    naive = fit_arrhenius(temps, np.array(naive_D), np.array(naive_err), form="D")
    assert 0.0 < naive.Ea_eV < 0.15  # what the old rule would have reported as Ea


def test_hops_between_cages_over_a_long_run_are_diffusion() -> None:
    """The same cages with lattice hops of the cage centres (D = 1 A^2/ps) over 10 ps: the MSD
    leaves the cage (gain >> 12.5 A^2), D is significant and recovered."""
    traj = caged_hopper(24, 1001, 0.01, temperature_K=900.0, D_A2_ps=1.0, seed=5)
    out = classify(analyze_trajectory(traj), FrameworkCheck())
    assert out.status is DiffusionStatus.SIGNIFICANT and out.regime.diffusive
    assert out.regime.msd_gain_A2 > 20
    assert abs(out.D_cm2_s - 1e-4) < 3 * out.D_err_cm2_s + 0.1 * 1e-4


def test_early_stop_needs_twice_the_cap_at_the_present_slope() -> None:
    """CHGNet Li3YCl6 at 825 K: 1.2 A^2 of gain over 0.15-1.05 ps after 1.5 ps projects 15.6 ps
    (12.5 / 1.2 x 1.5), yet the run was diffusive at 9 ps. With a 12 ps cap that is no reason
    to stop; with a 6 ps cap it is. A run that does not grow, or is diffusive, is decided."""
    from superionic.transport.significance import PROJECTION_SAFETY, DiffusiveRegime

    early = DiffusiveRegime(msd_gain_A2=1.2, fit_window_ps=(0.15, 1.05))
    assert early.projected_run_ps(1.5) == pytest.approx(12.5 / 1.2 * 1.5)
    assert PROJECTION_SAFETY == 2.0
    assert not early.futile(1.5, cap_ps=12.0) and early.futile(1.5, cap_ps=6.0)
    assert DiffusiveRegime(msd_gain_A2=0.0, fit_window_ps=(0.15, 1.05)).futile(1.5, 1e6)
    assert not DiffusiveRegime(msd_gain_A2=13.0, fit_window_ps=(0.6, 4.2)).futile(6.0, 1.0)
    # inside the ballistic start nothing is projected, so nothing is futile
    assert not DiffusiveRegime(msd_gain_A2=0.1, fit_window_ps=(0.01, 0.07)).futile(0.1, 1.0)


def test_head_is_the_run_stopped_early() -> None:
    """``Trajectory.head(t)``: the frames a run stopped at t would hold, every field kept; its
    analysis equals that of a trajectory built from those frames alone."""
    full = caged_hopper(8, 301, 0.01, temperature_K=900.0, D_A2_ps=0.5, seed=3)
    head = full.head(1.5)
    assert head.n_frames == 151 and head.duration_ps == pytest.approx(1.5)
    np.testing.assert_array_equal(head.positions, full.positions[:151])
    alone = Trajectory(positions=full.positions[:151], cell=full.cell, timestep_ps=0.01,
                       ion="Li", temperature_K=900.0)
    assert analyze_trajectory(head).tracer.D_cm2_s == analyze_trajectory(alone).tracer.D_cm2_s
    with pytest.raises(ValueError, match="head of 4"):
        full.head(4.0)
