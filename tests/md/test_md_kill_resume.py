"""``kill -9`` during a CHGNet MD run, then ``--resume``: the trajectory equals an uninterrupted
run with the same seed (no frame lost or duplicated, energies continuous at the junction).

Both runs go through the real command line (``python -m superionic md ...``) in subprocesses
with one torch thread each, on a 10-atom Li3ClO cell.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from ase.io import read
from pymatgen.core import Lattice, Structure

from superionic.md.protocol import load_checkpoint

ARGS = ["--temperatures", "1000", "--time-ps", "0.08", "--equil-ps", "0.02", "--timestep-fs", "2",
        "--atoms", "10-10", "--save-every", "5", "--checkpoint-every", "10", "--relax-steps", "5",
        "--seed", "3", "--threads", "1", "--workers", "1", "--json"]
N_FRAMES = 40 // 5 + 1  # production steps / save_every + the frame at production start


def md_command(cif: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "superionic", "md", str(cif), "--out", str(out), *ARGS, *extra]


def env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}


def test_kill9_then_resume_matches_uninterrupted_run(tmp_path: Path) -> None:
    cif = tmp_path / "Li3ClO.cif"
    Structure(Lattice.cubic(3.908), ["Li", "Li", "Li", "Cl", "O"],
              [[0, .5, .5], [.5, 0, .5], [.5, .5, 0], [0, 0, 0], [.5, .5, .5]]).to(filename=str(cif))
    ref_out, cut_out = tmp_path / "ref", tmp_path / "cut"
    ref = subprocess.Popen(md_command(cif, ref_out), stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, env=env(), text=True)
    victim = subprocess.Popen(md_command(cif, cut_out), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env())
    run = cut_out / "T1000K"
    deadline = time.time() + 240
    while time.time() < deadline:
        ckpt = load_checkpoint(run) if (run / "checkpoint.npz").exists() else None
        if ckpt is not None and int(ckpt["step"]) >= 20:
            break
        assert victim.poll() is None, "the run ended before it could be killed"
        time.sleep(0.05)
    time.sleep(0.2)  # land between checkpoints
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    ckpt = load_checkpoint(run)
    assert 20 <= int(ckpt["step"]) < 50 and not (run / "result.json").exists()
    with open(run / "frames.extxyz", "a") as fh:  # a frame torn by the kill
        fh.write("10\nLattice=\"7.8 0 0 0 3.9 0 0 0 3.9\" Properties=species:S:1:pos:R:3\nLi 0.1")

    resumed = subprocess.run(md_command(cif, cut_out, "--resume"), capture_output=True,
                             env=env(), text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    ref_stdout, _ = ref.communicate(timeout=300)
    assert ref.returncode == 0

    got, want = json.loads(resumed.stdout)["runs"][0], json.loads(ref_stdout)["runs"][0]
    assert got["n_frames"] == want["n_frames"] == N_FRAMES
    a = read(run / "frames.extxyz", ":")
    b = read(ref_out / "T1000K" / "frames.extxyz", ":")
    steps = [f.info["step"] for f in a]
    assert steps == [f.info["step"] for f in b] == list(range(10, 51, 5))  # none lost/duplicated
    # same seed + deterministic Nose-Hoover chain + restored thermostat state + CHGNet rebuilding
    # its graph on every call: the trajectory is the same bit for bit
    assert (run / "frames.extxyz").read_bytes() == (ref_out / "T1000K" / "frames.extxyz").read_bytes()
    assert (run / "log.csv").read_bytes() == (ref_out / "T1000K" / "log.csv").read_bytes()
    end_a, end_b = load_checkpoint(run), load_checkpoint(ref_out / "T1000K")
    for key in ("positions", "momenta", "nhc_eta", "nhc_p_eta"):
        np.testing.assert_array_equal(end_a[key], end_b[key])
    # continuity at the junction: the conserved energy of the chain does not jump there
    log = np.genfromtxt(run / "log.csv", delimiter=",", names=True, dtype=None, encoding=None)
    econs = log["Econs_eV"]
    k = int(np.searchsorted(log["step"], int(ckpt["step"])))
    assert np.abs(np.diff(econs)).max() < 0.05
    assert abs(econs[min(k + 1, len(econs) - 1)] - econs[k - 1]) < 0.05
