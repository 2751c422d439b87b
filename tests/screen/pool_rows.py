"""A pool CSV with broken rows 2-7 (1-based data rows): shared by the pool and CLI tests."""

BROKEN = [
    {"formula": "LiCl", "e_above_hull_eV_per_atom": "0", "band_gap_eV": "6.0", "cif": ""},
    {"formula": "Xx2O", "e_above_hull_eV_per_atom": "0", "band_gap_eV": "3", "cif": ""},
    {"formula": "", "e_above_hull_eV_per_atom": "0", "band_gap_eV": "3", "cif": ""},
    {"formula": "NaCl", "e_above_hull_eV_per_atom": "0", "band_gap_eV": "5", "cif": ""},
    {"formula": "Li3PS4", "e_above_hull_eV_per_atom": "abc", "band_gap_eV": "2.8", "cif": ""},
    {"formula": "Li2S", "e_above_hull_eV_per_atom": "0", "band_gap_eV": "-1", "cif": ""},
    {"formula": "LiBr", "e_above_hull_eV_per_atom": "0", "band_gap_eV": "5", "cif": "nope.cif"},
    {"formula": "Li3InCl6", "e_above_hull_eV_per_atom": "0", "band_gap_eV": "3.4", "cif": ""},
    {"formula": "Li7P3S11", "e_above_hull_eV_per_atom": "0.01", "band_gap_eV": "2.4", "cif": ""},
]

