"""Helpers and hand-made inputs of the screen tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: LiCl formation energy used by the hand-made entries, eV per formula unit. LiCl -> Li + 1/2 Cl2
#: then happens at mu_Li = mu_Li(metal) + E_f, i.e. at +4.27 V vs Li/Li+ (the MP2020 value).
LICL_E_FORM_EV = -4.27


def write_csv(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


#: A hand-made pool: (formula, e_hull eV/atom, gap eV) and where each must leave the funnel.
HAND_POOL = [
    {"formula": "LiCl", "e_above_hull_eV_per_atom": 0.0, "band_gap_eV": 6.0},
    {"formula": "Li3PS4", "e_above_hull_eV_per_atom": 0.0, "band_gap_eV": 2.8},
    {"formula": "Li2S", "e_above_hull_eV_per_atom": 0.0, "band_gap_eV": 3.4},
    {"formula": "Li7P3S11", "e_above_hull_eV_per_atom": 0.02, "band_gap_eV": 2.4},
    {"formula": "Li3InCl6", "e_above_hull_eV_per_atom": 0.0, "band_gap_eV": 3.4},
    {"formula": "LiCoO2", "e_above_hull_eV_per_atom": 0.0, "band_gap_eV": 1.0},
    {"formula": "Li2O2", "e_above_hull_eV_per_atom": 0.1, "band_gap_eV": 2.0},
    {"formula": "LiBr", "e_above_hull_eV_per_atom": "", "band_gap_eV": 5.0},
    {"formula": "LiI", "e_above_hull_eV_per_atom": 0.0, "band_gap_eV": ""},
]
