"""Leakage groups and splits: no composition and no family on both sides of a group split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from superionic.models.evaluate import inner_cv, obelix_split_indices, outer_splits
from superionic.models.groups import family_keys, leakage_groups, normalize_family
from superionic.models.targets import TargetData


def test_normalize_family() -> None:
    assert normalize_family("Perovskites") == normalize_family("perovskite") == "perovskite"
    assert normalize_family("garnet-like") == "garnet"
    assert normalize_family("cholorides") == normalize_family("chlorides") == "chloride"
    assert normalize_family("argyrodites") == "argyrodite"
    assert normalize_family("NASICON") == "nasicon"
    assert normalize_family("") is None and normalize_family(None) is None


def test_fallback_chemistry_key() -> None:
    keys = family_keys(["Li6PS5Cl", "Li6PS5Br", "Li7La3Zr2O12"], [None, None, float("nan")])
    assert keys[0] == "chem:Li|Cl-S" and keys[1] == "chem:Li|Br-S" and keys[2] == "chem:Li|O"


def test_shared_composition_joins_families() -> None:
    formulas = ["A", "B", "C", "A", "D"]
    families = ["f1", "f2", "f3", "f2", "f4"]
    g = leakage_groups(formulas, families)
    assert g[0] == g[1] == g[3]  # A links f1 and f2
    assert len({g[0], g[2], g[4]}) == 3


def _assert_disjoint(data: TargetData, tr: np.ndarray, te: np.ndarray) -> None:
    comps_tr = {data.formulas[i] for i in tr}
    comps_te = {data.formulas[i] for i in te}
    assert not comps_tr & comps_te
    fam = family_keys(data.formulas, data.families)
    assert not {fam[i] for i in tr} & {fam[i] for i in te}


def test_group_split_leaks_nothing_on_obelix(data_dir) -> None:
    df = pd.read_csv(data_dir / "obelix" / "all.csv")
    df = df[df["Reduced Composition"].astype(str).str.contains("Li")].reset_index(drop=True)
    n = len(df)
    data = TargetData(target="log10_sigma", X=pd.DataFrame({"z": np.zeros(n)}), y=np.zeros(n),
                      formulas=df["Reduced Composition"].tolist(),
                      families=df["Family"].tolist(), censored=np.zeros(n, bool))
    folds = outer_splits(data, "group", n_splits=5)
    assert len(folds) == 5
    covered = np.concatenate([te for _, te in folds])
    assert np.array_equal(np.sort(covered), np.arange(n))  # every row tested exactly once
    for tr, te in folds:
        _assert_disjoint(data, tr, te)
        for itr, ite in inner_cv(data, tr, "group", 3):  # inner folds too
            _assert_disjoint(data, tr[itr], tr[ite])


def test_obelix_split_extra_rows_never_leak() -> None:
    n = 6
    data = TargetData(
        target="log10_sigma", X=pd.DataFrame({"z": np.zeros(n)}), y=np.zeros(n),
        formulas=["A", "B", "C", "C", "D", "E"], families=[None] * n, censored=np.zeros(n, bool),
        obelix_split=np.array(["train", "test", "test", "", "", ""], dtype=object),
        sources=["10.1/a", "10.1/b", "10.1/c", "10.1/x", "doi:10.1/B", "10.1/e"])
    tr, te = obelix_split_indices(data)
    assert list(te) == [1, 2]
    # row 3 shares composition C with a test row, row 4 the DOI of test row 1 -> both dropped
    assert list(tr) == [0, 5]


def test_random_split_is_labelled_optimistic() -> None:
    from superionic.models.evaluate import SPLITS

    assert "optimistic" in SPLITS["random"] and "paper-style" in SPLITS["random"]
    with pytest.raises(ValueError, match="unknown split"):
        outer_splits(TargetData("log10_sigma", pd.DataFrame({"z": [0.0, 1.0]}), np.zeros(2),
                                ["A", "B"], [None, None], np.zeros(2, bool)), "loo")


def test_unlabelled_repeat_inherits_its_family_and_does_not_bridge_families() -> None:
    """NASICON and garnet compositions each reported once more without a label: the bare rows
    take their composition's family, so the two families stay two groups (the fallback key
    Li|O used to join them, and every unlabelled oxide, into one group)."""
    formulas = ["LiTi2(PO4)3", "LiTi2(PO4)3", "Li7La3Zr2O12", "Li7La3Zr2O12", "Li2SiO3"]
    families = ["NASICON", None, "garnet", None, None]
    assert family_keys(formulas, families) == [
        "family:nasicon", "family:nasicon", "family:garnet", "family:garnet", "chem:Li|O"]
    g = leakage_groups(formulas, families)
    assert g[0] == g[1] and g[2] == g[3] and len({g[0], g[2], g[4]}) == 3
