"""NVT protocol: thermostat statistics, exact resume after an interrupt, run-directory rules.

These use ASE's EMT potential for copper: the thermostat and the checkpoint logic do not depend
on the potential, and EMT makes thousands of steps affordable in a test.
"""

from __future__ import annotations

import csv
import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import read

from superionic.md.protocol import MDParams, load_checkpoint, run_md


def copper(n: int = 2) -> object:
    return bulk("Cu", "fcc", a=3.61, cubic=True) * (n, n, 1 if n == 2 else n)


def production_temperatures(run_dir: Path) -> np.ndarray:
    with open(run_dir / "log.csv", newline="") as fh:
        return np.array([float(r["T_K"]) for r in csv.DictReader(fh) if r["phase"] == "prod"])


def block_sem(x: np.ndarray, n_blocks: int = 10) -> float:
    """Standard error of the mean from ``n_blocks`` block averages (Flyvbjerg-Petersen)."""
    blocks = x[: len(x) // n_blocks * n_blocks].reshape(n_blocks, -1).mean(axis=1)
    return float(blocks.std(ddof=1) / np.sqrt(n_blocks))


@pytest.mark.parametrize("thermostat, cells, prod_ps", [("nhc", 2, 5.0), ("langevin", 2, 3.0)])
def test_nvt_temperature_is_canonical(tmp_path: Path, thermostat: str, cells: int,
                                      prod_ps: float) -> None:
    atoms = bulk("Cu", "fcc", a=3.61, cubic=True) * (cells, cells, cells)  # 32 atoms
    target = 600.0
    p = MDParams(temperature_K=target, timestep_fs=5.0, equil_ps=1.0, prod_ps=prod_ps,
                 save_every=5, checkpoint_every=1000, thermostat=thermostat,
                 tdamp_fs=100.0, friction_per_ps=5.0, seed=2)
    result = run_md(atoms, p, tmp_path / thermostat, EMT(), relax_params=None, progress=False)
    temps = production_temperatures(tmp_path / thermostat)
    sem = block_sem(temps)
    assert sem < 0.03 * target  # the run is long enough for the test to mean something
    assert abs(temps.mean() - target) < min(4 * sem, 0.05 * target)
    assert result.mean_temperature_K == pytest.approx(temps.mean(), rel=1e-6)
    if thermostat == "nhc":
        # canonical kinetic-energy fluctuations: std(T)/<T> = sqrt(2 / 3N)
        assert temps.std() / temps.mean() == pytest.approx(np.sqrt(2 / (3 * len(atoms))), rel=0.25)


class InterruptingEMT(EMT):
    """EMT that sends SIGINT to this process on its ``n``-th force call, as Ctrl-C would."""

    name = "emt"  # the same potential as EMT, so the run may be resumed with plain EMT

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n, self.calls = n, 0

    def calculate(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().calculate(*args, **kwargs)
        self.calls += 1
        if self.calls == self.n:
            os.kill(os.getpid(), signal.SIGINT)


def test_interrupted_langevin_run_resumes_exactly(tmp_path: Path) -> None:
    """Ctrl-C mid-run leaves a checkpoint at the last whole step (RNG state included); the
    resumed stochastic trajectory is identical to an uninterrupted one with the same seed."""
    p = MDParams(temperature_K=900.0, timestep_fs=4.0, equil_ps=0.04, prod_ps=0.4, save_every=5,
                 checkpoint_every=20, thermostat="langevin", friction_per_ps=2.0, seed=7)
    ref = run_md(copper(), p, tmp_path / "ref", EMT(), relax_params=None, progress=False)

    run = tmp_path / "cut"
    with pytest.raises(KeyboardInterrupt):
        run_md(copper(), p, run, InterruptingEMT(57), relax_params=None, progress=False)
    ckpt = load_checkpoint(run)
    assert 0 < int(ckpt["step"]) < p.n_total
    assert int(ckpt["step"]) % p.checkpoint_every != 0  # written by the interrupt itself
    assert not (run / "result.json").exists()

    done = run_md(copper(), p, run, EMT(), resume=True, relax_params=None, progress=False)
    assert done.n_frames == ref.n_frames == p.n_frames
    got, want = read(run / "frames.extxyz", ":"), read(tmp_path / "ref" / "frames.extxyz", ":")
    assert [f.info["step"] for f in got] == [f.info["step"] for f in want]
    # EMT rebuilds its neighbour list on resume, which reorders sums: equal to round-off
    np.testing.assert_allclose([f.positions for f in got], [f.positions for f in want], atol=1e-8)
    np.testing.assert_allclose([f.get_potential_energy() for f in got],
                               [f.get_potential_energy() for f in want],
                               rtol=1e-10)
    np.testing.assert_allclose(load_checkpoint(run)["momenta"],
                               load_checkpoint(tmp_path / "ref")["momenta"], atol=1e-9)
    with open(run / "log.csv") as a, open(tmp_path / "ref" / "log.csv") as b:
        steps = [[r.split(",")[0] for r in f.read().splitlines()] for f in (a, b)]
    assert steps[0] == steps[1]  # no log line lost or duplicated


def test_frames_are_unwrapped_and_timed(tmp_path: Path) -> None:
    p = MDParams(temperature_K=1200.0, timestep_fs=4.0, equil_ps=0.0, prod_ps=0.2, save_every=5,
                 thermostat="nhc")
    res = run_md(copper(), p, tmp_path, EMT(), relax_params=None, progress=False)
    frames = read(tmp_path / "frames.extxyz", ":")
    assert len(frames) == res.n_frames == 11
    times = [f.info["time_ps"] for f in frames]
    np.testing.assert_allclose(np.diff(times), res.timestep_ps)
    assert res.timestep_ps == pytest.approx(0.02)
    # unwrapped: no displacement between stored frames jumps by a cell vector
    steps = np.diff([f.positions for f in frames], axis=0)
    assert np.abs(steps).max() < 1.0


def test_existing_run_needs_resume_and_same_parameters(tmp_path: Path) -> None:
    p = MDParams(temperature_K=600.0, timestep_fs=4.0, equil_ps=0.0, prod_ps=0.04, save_every=5)
    run_md(copper(), p, tmp_path, EMT(), relax_params=None, progress=False)
    with pytest.raises(FileExistsError):
        run_md(copper(), p, tmp_path, EMT(), relax_params=None, progress=False)
    with pytest.raises(ValueError, match="timestep_fs"):
        run_md(copper(), MDParams(temperature_K=600.0, timestep_fs=2.0, equil_ps=0.0,
                                  prod_ps=0.04, save_every=5),
               tmp_path, EMT(), resume=True, relax_params=None, progress=False)
    again = run_md(copper(), p, tmp_path, EMT(), resume=True, relax_params=None, progress=False)
    assert again.completed and again.n_frames == p.n_frames
    params = json.loads((tmp_path / "params.json").read_text())
    assert params["md"]["seed"] == 0 and params["md"]["thermostat"] == "nhc"
    assert params["model"]["name"] == "emt"
    with pytest.raises(ValueError, match="model: 'emt' -> 'sevennet'; pass --model emt"):
        run_md(copper(), p, tmp_path, "sevennet", resume=True, relax_params=None,
               progress=False)  # finished: refused before any calculator is built


def test_moved_run_folder_resolves_its_own_frames(tmp_path: Path) -> None:
    """A finished run folder moved elsewhere is resumed from its new place: the result names the
    frames there, not the absolute path stored when it finished (a benchmark's runs moved into a
    new output root once failed with 'trajectory file not found')."""
    import shutil

    p = MDParams(temperature_K=600.0, timestep_fs=4.0, equil_ps=0.0, prod_ps=0.04, save_every=5)
    first = run_md(copper(), p, tmp_path / "old", EMT(), relax_params=None, progress=False)
    shutil.move(tmp_path / "old", tmp_path / "new")
    moved = run_md(copper(), p, tmp_path / "new", EMT(), resume=True, relax_params=None,
                   progress=False)
    assert moved.run_dir == tmp_path / "new"
    assert moved.frames_path == tmp_path / "new" / "frames.extxyz" and moved.frames_path.exists()
    assert moved.n_frames == first.n_frames


def test_temperatures_run_in_parallel_processes(tmp_path: Path) -> None:
    from superionic.md.protocol import MDRunResult, run_temperatures
    from superionic.parallel import Executor

    p = MDParams(temperature_K=1.0, timestep_fs=4.0, equil_ps=0.0, prod_ps=0.04, save_every=5)
    results = run_temperatures(copper(), [500.0, 1000.0], tmp_path, p, model=EMT(),
                               executor=Executor(n_workers=2, progress=False), relax_params=None,
                               progress=False)
    assert all(isinstance(r, MDRunResult) for r in results)
    assert [r.temperature_K for r in results] == [500.0, 1000.0]
    for r in results:
        assert r.run_dir == tmp_path / f"T{r.temperature_K:g}K" and r.n_frames == p.n_frames
        stored = json.loads((r.run_dir / "params.json").read_text())
        assert stored["md"]["temperature_K"] == r.temperature_K
        assert stored["provenance"]["temperatures_K"] == [500.0, 1000.0]
    # the first stored frame starts from Maxwell-Boltzmann velocities at exactly 2 T (a cell at
    # its energy minimum gives half its kinetic energy to the potential energy: equipartition)
    first = [float((r.run_dir / "log.csv").read_text().splitlines()[1].split(",")[3])
             for r in results]
    assert first == pytest.approx([1000.0, 2000.0], rel=1e-3)
