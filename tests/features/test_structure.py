"""Structure descriptors on hand-built structures with known answers and on OBELiX CIFs."""

from __future__ import annotations

import math
import tarfile
import warnings

import numpy as np
import pandas as pd
import pytest
from matminer.featurizers.structure import DensityFeatures
from pymatgen.core import Element, Lattice, Structure

from superionic.features.structure import anion_symbols, structure_features, structure_table

A_LICL = 5.13  # Angstrom, rock-salt LiCl
A_LI2O = 4.61  # Angstrom, antifluorite Li2O
AMU_G = 1.66053906660e-24  # g per atomic mass unit


def rock_salt(a: float, cation: str = "Li", anion: str = "Cl") -> Structure:
    return Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(a), [cation, anion], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )


def test_rock_salt_licl():
    s = rock_salt(A_LICL)
    f = structure_features(s)
    assert f["space_group_number"] == 225 and f["crystal_system"] == "cubic"
    assert f["crystal_system_number"] == 7
    assert f["mobile_ion_nn_distance_A"] == pytest.approx(A_LICL / math.sqrt(2), rel=1e-9)
    assert f["mobile_ion_coordination"] == 6
    assert f["volume_per_atom_A3"] == pytest.approx(A_LICL**3 / 8, rel=1e-12)
    assert f["volume_per_anion_A3"] == pytest.approx(A_LICL**3 / 4, rel=1e-12)
    mass = 4 * (float(Element("Li").atomic_mass) + float(Element("Cl").atomic_mass))
    assert f["density_g_cm3"] == pytest.approx(mass * AMU_G / (A_LICL * 1e-8) ** 3, rel=1e-6)
    r_li, r_cl = Element("Li").atomic_radius, Element("Cl").atomic_radius
    packing = 4 * 4 / 3 * math.pi * (r_li**3 + r_cl**3) / A_LICL**3
    assert f["packing_fraction"] == pytest.approx(packing, rel=1e-12)
    # same definition as matminer's DensityFeatures for an ordered structure
    density, vpa, pf = DensityFeatures().featurize(s)
    assert (f["density_g_cm3"], f["volume_per_atom_A3"]) == pytest.approx((density, vpa))
    assert f["packing_fraction"] == pytest.approx(pf, rel=1e-12)


def test_antifluorite_li2o_tetrahedral_li():
    s = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(A_LI2O), ["Li", "O"], [[0.25, 0.25, 0.25], [0, 0, 0]]
    )
    f = structure_features(s)
    assert f["mobile_ion_coordination"] == 4
    assert f["mobile_ion_nn_distance_A"] == pytest.approx(A_LI2O / 2, rel=1e-9)
    assert f["volume_per_anion_A3"] == pytest.approx(A_LI2O**3 / 4, rel=1e-12)
    assert f["volume_per_atom_A3"] == pytest.approx(A_LI2O**3 / 12, rel=1e-12)


def test_mobile_ion_is_a_parameter():
    nacl = rock_salt(5.64, "Na", "Cl")
    na = structure_features(nacl, mobile_ion="Na")
    assert na["mobile_ion_coordination"] == 6
    assert na["mobile_ion_nn_distance_A"] == pytest.approx(5.64 / math.sqrt(2), rel=1e-9)
    li = structure_features(nacl, mobile_ion="Li")  # no Li in NaCl
    assert math.isnan(li["mobile_ion_nn_distance_A"]) and math.isnan(li["mobile_ion_coordination"])
    assert li["space_group_number"] == 225
    with pytest.raises(ValueError, match="mobile_ion"):
        structure_features(nacl, mobile_ion="Mg")


def test_partial_occupancy_half_filled_li_site():
    s = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(A_LICL), [{"Li": 0.5}, "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )
    assert not s.is_ordered
    f = structure_features(s)
    assert f["space_group_number"] == 225
    assert f["volume_per_atom_A3"] == pytest.approx(A_LICL**3 / 6, rel=1e-12)  # 2 Li + 4 Cl
    assert f["mobile_ion_coordination"] == 6  # a Li, when present, still has 6 Cl
    mixed = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(A_LICL), [{"Li": 0.5, "Na": 0.5}, "Cl"], [[0, 0, 0], [0.5] * 3]
    )
    assert structure_features(mixed, "Na")["mobile_ion_nn_distance_A"] == pytest.approx(
        A_LICL / math.sqrt(2)
    )


def test_anions_from_oxidation_states():
    assert anion_symbols(rock_salt(A_LICL).composition) == {"Cl"}
    from pymatgen.core import Composition

    assert anion_symbols(Composition("Li3PS4")) == {"S"}  # P is +5 here
    assert anion_symbols(Composition("Li3ClO")) == {"Cl", "O"}
    # non-integral, large composition: nearest-neutral assignment
    assert anion_symbols(Composition("Li6.4La3Zr1.4Ta0.6O11.9F0.1")) == {"O", "F"}


def test_obelix_space_groups_agree(data_dir):
    """OBELiX CIFs (partial occupancies) give the space group the data set lists."""
    table = pd.read_csv(data_dir / "obelix" / "all.csv").drop_duplicates("ID").set_index("ID")
    structures, expected = [], []
    with tarfile.open(data_dir / "obelix" / "all_cifs.tar.gz") as tar:
        members = sorted((m for m in tar.getmembers() if m.name.endswith(".cif")), key=str)
        rng = np.random.default_rng(3)
        for m in rng.choice(members, 30, replace=False):
            cid = m.name.rsplit("/", 1)[-1][:-4]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                structures.append(Structure.from_str(tar.extractfile(m).read().decode(), "cif"))
            expected.append(int(table.loc[cid, "Space group #"]))
    df, problems = structure_table(structures)
    assert problems == [None] * len(structures)
    assert sum(not s.is_ordered for s in structures) >= 10  # the set has partial occupancies
    agree = (df["space_group_number"].to_numpy() == np.asarray(expected)).mean()
    assert agree >= 0.9
    assert (df["packing_fraction"] > 0).all() and (df["density_g_cm3"] > 0.5).all()
    assert (df["mobile_ion_nn_distance_A"].dropna() >= 1.5).all()
