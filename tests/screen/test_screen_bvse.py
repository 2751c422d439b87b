"""BVSE percolation barriers (against bvlain itself), their cache, the structure resolver and
the BVSE column and filter of a screen."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
from pymatgen.core import Structure

from superionic.config import Thresholds
from superionic.defects.library import get_structure
from superionic.features.bvse import BVSECache, BVSEError, bvse_barriers, structure_key
from superionic.screen import ScreenOptions, cif_folder_pool, run_screen
from superionic.screen.structures import StructureResolver, mp_structures


def _servers():
    """tests/data/servers.py (the MP replay server), loaded by path: tests/ is no package."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "_mp_replay_servers", Path(__file__).parents[1] / "data" / "servers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RES = 0.3  # Angstrom: the screen's default grid (fast enough for tests)


@pytest.fixture(scope="module")
def li3n() -> Structure:
    return get_structure("Li3N")


def test_barrier_is_bvlains_percolation_energy(li3n):
    """Our wrapper returns bvlain's E_1D/E_2D/E_3D for the same decorated structure."""
    from bvlain import Lain

    res = bvse_barriers(li3n, "Li", resolution_A=RES)
    s = li3n.copy()
    s.add_oxidation_state_by_element({"Li": 1, "N": -3})
    calc = Lain(verbose=False)
    calc.read_structure(s, oxi_check=False)
    calc.bvse_distribution(mobile_ion="Li1+", resolution=RES)
    ref = calc.percolation_barriers(encut=5.0)
    assert res.barrier_1d_eV == pytest.approx(ref["E_1D"], abs=1e-3)
    assert res.barrier_3d_eV == pytest.approx(ref["E_3D"], abs=1e-3)
    # Li3N is a fast 3D Li conductor (measured Ea ~0.25-0.3 eV): a low barrier, 3D network
    assert 0.05 < res.barrier_eV < 0.4 and res.dim == 3


def test_fast_conductor_below_rock_salt(li3n):
    """Li3N (sigma ~1e-3 S/cm) has a lower BVSE barrier than rock-salt LiCl (~1e-9 S/cm)."""
    assert bvse_barriers(li3n, resolution_A=RES).barrier_eV < \
        bvse_barriers(get_structure("LiCl"), resolution_A=RES).barrier_eV


def test_cache_by_content_hash(tmp_path, li3n):
    cache = BVSECache(tmp_path)
    first = cache.get(li3n, "Li", RES)
    again = BVSECache(tmp_path).get(li3n.copy(), "Li", RES)  # same content, new object
    assert again == first and len(list(tmp_path.glob("*.json"))) == 1
    moved = li3n.copy()
    moved.translate_sites([0], [0.01, 0, 0])
    assert structure_key(moved, "Li", RES) != structure_key(li3n, "Li", RES)
    no_li = Structure(li3n.lattice, ["Na", "Na", "Na", "N"], li3n.frac_coords)
    err = cache.get(no_li, "Li", RES)
    assert isinstance(err, BVSEError) and "holds no Li" in str(err)
    assert isinstance(BVSECache(tmp_path).get(no_li, "Li", RES), BVSEError)  # cached too


def test_resolver_offline_sources(data_dir):
    r = StructureResolver(data_dir, api_key="", prototypes=False)
    licl = r.resolve("LiCl")
    assert licl.source.startswith("MP fixture mp-") and licl.material_id in licl.source
    assert licl.structure.composition.reduced_formula == "LiCl"
    lic = r.resolve("Li3InCl6")
    assert lic.source == "structure library"
    assert r.resolve("Li3InCl6", allow_prototype=False).structure == lic.structure
    assert r.resolve("Li5B7S13", allow_prototype=False) is None


def test_mp_structures_from_the_replay_server(tmp_path):
    servers = _servers()
    with gzip.open(servers.FIXTURES / "mp_summary_LiClO.json.gz", "rt") as fh:
        docs = {d["material_id"]: d for d in json.load(fh)}
    ids = sorted(docs)[:2]
    with servers.mp_replay() as endpoint:
        got = mp_structures([*ids, "mp-000000"], "k" * 32, endpoint, tmp_path)
    assert sorted(got) == ids  # only what was asked for, an unknown id absent
    for mid in ids:
        want = Structure.from_dict(docs[mid]["structure"])
        assert got[mid].composition == want.composition
        np.testing.assert_allclose(got[mid].lattice.abc, want.lattice.abc)


def test_screen_bvse_column_and_filter(tmp_path, predictors, surrogate, licl_entries, data_dir):
    folder = tmp_path / "cifs"
    folder.mkdir()
    for name in ("Li3N", "LiCl"):
        get_structure(name).to(filename=str(folder / f"{name}.cif"))
    pool = cif_folder_pool(folder, data_dir=data_dir)
    thr = Thresholds(e_above_hull_max_eV_per_atom=0.5, band_gap_min_eV=0.0,
                     oxidation_min_V=-100, reduction_max_V=100)
    cache = BVSECache(tmp_path / "bvse")
    opts = ScreenOptions(thresholds=thr, structures_top=0, bvse_resolution_A=RES)
    res = run_screen(pool, predictors, opts, surrogate=surrogate, entry_sources=licl_entries,
                     bvse_cache=cache)
    t = res.table.set_index("reduced_formula")
    for f in ("Li3N", "LiCl"):
        assert t.loc[f, "structure_source"] == f"user CIF {(folder / f'{f}.cif').resolve()}"
        direct = bvse_barriers(get_structure(f), resolution_A=RES).barrier_eV
        assert t.loc[f, "bvse_barrier_eV"] == pytest.approx(direct)
    cut = float(t["bvse_barrier_eV"].mean())  # between the two barriers
    opts = ScreenOptions(thresholds=thr, structures_top=0, bvse_resolution_A=RES,
                         max_bvse_barrier_eV=cut)
    res = run_screen(pool, predictors, opts, surrogate=surrogate, entry_sources=licl_entries,
                     bvse_cache=cache)
    t = res.table.set_index("reduced_formula")
    assert t.loc["LiCl", "left_at"] == "bvse" and t.loc["LiCl", "rank"] == 0
    assert t.loc["LiCl", "reasons"] == f"bvse_barrier>{cut:g}"
    assert t.loc["Li3N", "rank"] == 1
    assert res.stages["bvse"] == 1
    cand = res.candidates()[0]
    assert cand["bvse_dim"] == 3 and any("BVSE barrier" in r for r in cand["reasons"])


def test_prototype_substitution_is_cached(tmp_path, monkeypatch, data_dir):
    """Li3ErCl6 has no structure offline: prototype substitution from the Li3YCl6 (P-3m1)
    library entry gives one of its composition; a second resolver reads it from the cache."""
    r = StructureResolver(data_dir, api_key="", cache_dir=tmp_path)
    got = r.resolve("Li3ErCl6")
    assert got.source.startswith("prototype substitution from Li3YCl6")
    assert got.structure.composition.reduced_formula == "Li3ErCl6"
    again = StructureResolver(data_dir, api_key="", cache_dir=tmp_path)
    monkeypatch.setattr(again, "_substitute", lambda *a: pytest.fail("not cached"))
    hit = again.resolve("Li3ErCl6")
    assert hit.source == got.source
    np.testing.assert_allclose(hit.structure.frac_coords, got.structure.frac_coords)
