"""Pool construction: seed split, top-1 % threshold, featurised pool, candidate files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from superionic.active.candidates import read_candidates
from superionic.active.md_oracle import MDOracle
from superionic.active.pool import labels_from_table, pool_matrix, seed_split, top_threshold


def test_seed_split_is_a_seeded_partition_avoiding_targets() -> None:
    labels = {f"c{i}": float(i) for i in range(200)}
    top = [f"c{i}" for i in range(190, 200)]
    seed, rest = seed_split(labels, 0.05, seed=4, avoid=top)
    assert len(seed) == 10 and not set(seed) & set(rest)
    assert {**seed, **rest} == labels
    assert not set(seed) & set(top)
    assert seed_split(labels, 0.05, seed=4, avoid=top)[0] == seed
    assert seed_split(labels, 0.05, seed=5, avoid=top)[0] != seed
    with pytest.raises(ValueError, match="fraction"):
        seed_split(labels, 1.5, 0)


def test_top_threshold_counts_the_top_percent() -> None:
    labels = {f"c{i}": float(v) for i, v in enumerate(np.random.default_rng(0).normal(size=250))}
    thr = top_threshold(labels, 0.01)
    assert sum(v >= thr for v in labels.values()) == 3  # ceil(0.01 * 250)
    table = pd.DataFrame({"reduced_formula": ["LiCl", "Li3ClO", "LiCl", "LiF"],
                          "log10_sigma_S_cm": [-9.0, -6.1, -8.0, -10.0],
                          "censor": [None, None, None, "upper"]})
    assert labels_from_table(table) == {"LiCl": -9.0, "Li3ClO": -6.1}  # bounds are not values


def test_pool_matrix_rejects_bad_formulas_and_keeps_order() -> None:
    pool = pool_matrix(["a", "b", "c"], ["Li3ClO", "Li3(Xx)2", "LiCl"])
    assert pool.ids == ["a", "c"] and pool.X.shape == (2, len(pool.feature_names))
    assert len(pool.rejected) == 1 and pool.rejected[0].row == 2 and "b:" in pool.rejected[0].reason
    col = pool.feature_names.index("MagpieData mean Number")
    # mean atomic number of Li3ClO = (3*3 + 17 + 8) / 5, of LiCl = (3 + 17) / 2
    np.testing.assert_allclose(pool.X[:, col], [(9 + 17 + 8) / 5, 10.0])


def test_candidates_from_csv_and_cif_folder(tmp_path) -> None:
    from superionic.defects.library import get_structure

    folder = tmp_path / "cifs"
    folder.mkdir()
    get_structure("LiCl").to(filename=str(folder / "rocksalt.cif"))
    (tmp_path / "cands.csv").write_text(
        "id,formula,structure,n_vacancies\nanti,,Li3ClO,2\nrs,,cifs/rocksalt.cif,\n"
        "ghost,,no_such.cif,\nplain,Li2S,,\n")
    cands = read_candidates(tmp_path / "cands.csv")
    assert cands.ids == ["anti", "rs", "plain"] and cands.formulas == ["Li3ClO", "LiCl", "Li2S"]
    assert set(cands.structures) == {"anti", "rs"}
    assert cands.md_overrides == {"anti": {"n_vacancies": 2}}
    oracle = MDOracle(cands.structures, tmp_path / "md", overrides=cands.md_overrides)
    assert oracle.protocol_for("anti").cell.n_vacancies == 2
    assert oracle.protocol_for("rs") == oracle.protocol and oracle.protocol.cell.n_vacancies == 0
    assert [r.row for r in cands.rejected] == [4] and "no_such.cif" in cands.rejected[0].reason
    md = read_candidates(tmp_path / "cands.csv", need_structures=True)
    assert "plain" not in md.ids and {r.row for r in md.rejected} == {4, 5}
    from_folder = read_candidates(folder)
    assert from_folder.ids == ["rocksalt"] and from_folder.formulas == ["LiCl"]
