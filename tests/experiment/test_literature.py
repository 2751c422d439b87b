"""Ea from literature temperature series (Liverpool format) and the comparison with reported Ea,
read through the data stage's loaders."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from superionic.experiment.literature import (
    compare_ea,
    fit_compositions,
    read_laskowski_ea,
    read_liverpool,
)

from .conftest import sigma_arrhenius

HEADER = "ID,composition,source,temperature,target,log_target,family,ChemicalFamily"
LASK_HEADER = ("row,composition_raw,sigma_raw,Ea_raw,space_group_raw,sg_number_raw,note_raw,"
               "icsd_id_raw,ref_number,sigma_RT_S_cm,sigma_is_upper_bound,Ea_eV,reduced_formula,"
               "contains_Li,DOI")


def _data_dir(root: Path) -> Path:
    rows = []
    for k, t_c in enumerate([25.0, 50.0, 75.0, 100.0]):  # one paper's series of Li3InCl6
        s = float(sigma_arrhenius(t_c + 273.15, 0.35, 1e-3, 298.15))
        rows.append(f"{k},Li3InCl6,10.1/a,{t_c},{s!r},0,Halide,Halides")
    rows.append("9,Li3InCl6,10.1/b,25,5e-6,0,Halide,Halides")  # another paper, one point
    for k, t_c in enumerate([25.0, 80.0, 120.0]):  # a glass in pseudo-binary notation
        s = float(sigma_arrhenius(t_c + 273.15, 0.60, 1e-8, 298.15))
        rows.append(f'{20 + k},"""(Li2O)50 (P2O5)50""",10.1/c,{t_c},{s!r},0,Glass,Oxides')
    rows.append("30,Li7La3Zr2O12,10.1/d,25,3e-4,0,Garnet,Oxides")  # two temperatures only
    rows.append("31,Li7La3Zr2O12,10.1/d,60,1e-3,0,Garnet,Oxides")
    rows.append("32,Li3PS4,10.1/e,twenty,1e-4,0,x,y")  # data row 11: not a number
    (root / "liverpool_ionics").mkdir(parents=True)
    (root / "liverpool_ionics" / "LiIonDatabase.csv").write_text(
        "\ufeff" + HEADER + "\n" + "\n".join(rows) + "\n")
    lask = ["1,Li3InCl6,1E-3,0.30,,,,,1,0.001,False,0.30,Li3InCl6,True,10.x/1",
            "2,Li3InCl6,2E-3,0.34,,,,,1,0.002,False,0.34,Li3InCl6,True,10.x/2",
            "3,LiPO3,1E-9,0.70,,,,,2,1e-9,False,0.70,LiPO3,True,10.x/3",
            "4,Li3PS4,1E-4,,,,,,3,1e-4,False,,Li3PS4,True,10.x/4"]
    (root / "laskowski_2023").mkdir(parents=True)
    (root / "laskowski_2023" / "laskowski_parsed.csv").write_text(
        LASK_HEADER + "\n" + "\n".join(lask) + "\n")
    return root


def test_fits_one_paper_series_per_composition(tmp_path: Path) -> None:
    pts, bad = read_liverpool(_data_dir(tmp_path))
    assert [b.row for b in bad] == [11]  # loader rows: 1 = first data row
    fits = {f.reduced_formula: f for f in fit_compositions(pts)}
    assert set(fits) == {"Li3InCl6", "LiPO3"}  # the glass (Li2O)50 (P2O5)50 is LiPO3
    ic = fits["Li3InCl6"]
    assert ic.Ea_eV == pytest.approx(0.35, abs=1e-9)  # exact data, form sigmaT
    assert ic.source == "10.1/a" and not ic.mixed_sources and ic.n_sources == 2
    assert ic.sigma300_S_cm == pytest.approx(float(sigma_arrhenius(300.0, 0.35, 1e-3, 298.15)),
                                             rel=1e-9)
    # the plain-sigma form absorbs the 1/T: its Ea is lower by about k_B T_mean
    assert 0.02 < ic.Ea_eV - ic.Ea_sigma_form_eV < 0.04
    assert fits["LiPO3"].Ea_eV == pytest.approx(0.60, abs=1e-9)


def test_compare_with_reported_ea(tmp_path: Path) -> None:
    d = _data_dir(tmp_path)
    pts, _ = read_liverpool(d)
    reported = read_laskowski_ea(d)
    assert reported == {"Li3InCl6": [0.30, 0.34], "LiPO3": [0.70]}
    cmp = compare_ea(fit_compositions(pts), reported)
    assert cmp.n == 2
    assert cmp.mae_eV == pytest.approx((abs(0.35 - 0.32) + abs(0.60 - 0.70)) / 2, abs=1e-9)


def test_every_liverpool_composition_with_three_temperatures_is_fitted(data_dir: Path) -> None:
    pts, bad = read_liverpool(data_dir)
    assert len(pts) + len(bad) == 820
    temps: dict[str, set[float]] = defaultdict(set)
    for p in pts:
        temps[p.reduced_formula].add(p.temperature_K)
    expected = {k for k, t in temps.items() if len(t) >= 3}
    fits = fit_compositions(pts)
    assert {f.reduced_formula for f in fits} == expected and len(expected) >= 71
    assert all(f.n_temperatures >= 3 and np.isfinite(f.Ea_eV) for f in fits)
