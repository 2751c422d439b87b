"""The Materials Project adapter through the real ``mp-api`` client against a local replay server
(tests/data/servers.py): no key, no internet. The documents are real MP entries of the Li-Cl-O
system (tests/fixtures/data/make_mp_replay.py)."""

from __future__ import annotations

import json

import pytest
from pymatgen.analysis.phase_diagram import PhaseDiagram
from pymatgen.core import Element

from superionic.config import load_settings
from superionic.data.mp import MPSource

from .servers import MPReplay, mp_replay

KEY = "k" * 32


def _oxidation_limit(pd: PhaseDiagram, formula: str) -> float:
    """Li potential (V vs Li/Li+) at which the ground state of ``formula``, stable against Li
    metal, first loses Li: the lowest transition above 0 V of its Li element profile."""
    entry = min((e for e in pd.all_entries if e.composition.reduced_formula == formula),
                key=lambda e: e.energy_per_atom)
    mu_li = pd.el_refs[Element("Li")].energy_per_atom
    potentials = [-(p["chempot"] - mu_li) for p in pd.get_element_profile(Element("Li"),
                                                                           entry.composition)]
    assert min(potentials) == pytest.approx(0.0, abs=1e-6)  # stable against Li metal
    return min(v for v in potentials if v > 1e-6)


def test_compounds_paginated_through_the_real_client(tmp_path):
    with mp_replay() as endpoint:
        src = MPSource(KEY, endpoint=endpoint, cache_dir=tmp_path, chunk_size=10)
        mats = src.compounds("Li")
        pages = [q for path, q in MPReplay.requests if path == "/materials/summary/"]
    assert len(mats) == 37  # every Li compound of the recorded Li-Cl-O system
    assert len(pages) == 4  # 37 documents in pages of 10: the client followed _skip/_limit
    assert [int(q.get("_skip", ["0"])[0]) for q in pages] == [0, 10, 20, 30]
    assert all(q["elements"] == ["Li"] for q in pages)
    assert set(pages[0]["_fields"][0].split(",")) >= {"structure", "energy_above_hull"}
    assert len({m.material_id for m in mats}) == 37
    assert all("Li" in m.reduced_formula and m.structure is not None for m in mats)
    ground = {m.reduced_formula: m for m in sorted(mats, key=lambda m: m.e_above_hull_eV_per_atom,
                                                   reverse=True)}
    # Li2O and LiCl are on the hull; antiperovskite Li3ClO is metastable by 0.028 eV/atom
    assert ground["Li2O"].e_above_hull_eV_per_atom == pytest.approx(0.0, abs=1e-9)
    assert ground["LiCl"].e_above_hull_eV_per_atom == pytest.approx(0.0, abs=1e-9)
    assert ground["Li3ClO"].e_above_hull_eV_per_atom == pytest.approx(0.028, abs=0.002)
    assert ground["Li2O"].space_group_number == 225  # antifluorite Fm-3m
    assert ground["Li2O"].structure.composition.reduced_formula == "Li2O"
    assert ground["Li2O"].e_form_eV_per_atom < -1.5  # strongly bound oxide (eV/atom)
    assert ground["Li2O"].provenance.dataset == "materials_project"


def test_cached_query_never_reaches_the_server(tmp_path):
    with mp_replay() as endpoint:
        first = MPSource(KEY, endpoint=endpoint, cache_dir=tmp_path).compounds("Li")
        n_requests = len(MPReplay.requests)
        again = MPSource(KEY, endpoint=endpoint, cache_dir=tmp_path).compounds("Li")
        assert len(MPReplay.requests) == n_requests
    cached = list(tmp_path.glob("materials_summary-*.json"))
    assert len(cached) == 1 and len(json.loads(cached[0].read_text())) == 37
    assert [m.material_id for m in again] == [m.material_id for m in first]
    assert again[0].structure == first[0].structure


def test_server_side_e_hull_filter(tmp_path):
    with mp_replay() as endpoint:
        stable = MPSource(KEY, endpoint=endpoint, cache_dir=tmp_path).compounds("Li", e_hull_max=0.0)
        query = [q for p, q in MPReplay.requests if p == "/materials/summary/"][0]
    assert query["energy_above_hull_max"] == ["0.0"]
    assert {m.reduced_formula for m in stable} >= {"Li2O", "LiCl", "Li2O2"}
    assert all(m.e_above_hull_eV_per_atom <= 1e-9 for m in stable)


def test_entries_build_the_li_windows(tmp_path):
    with mp_replay() as endpoint:
        entries = MPSource(KEY, endpoint=endpoint, cache_dir=tmp_path).entries_in_chemsys(
            ["Li", "Cl", "O"])
        thermo = [q for p, q in MPReplay.requests if p == "/materials/thermo/"]
    assert len(entries) == 70
    assert set(thermo[0]["chemsys"][0].split(",")) == {"Li", "Cl", "O", "Cl-Li", "Li-O", "Cl-O",
                                                        "Cl-Li-O"}
    assert thermo[0]["thermo_types"] == ["GGA_GGA+U"]
    pd = PhaseDiagram(entries)
    # Zhu, He & Mo, ACS Appl. Mater. Interfaces 7, 23685 (2015): LiCl 0-4.26 V, Li2O 0-2.91 V
    assert _oxidation_limit(pd, "LiCl") == pytest.approx(4.27, abs=0.05)  # -> Cl2
    assert _oxidation_limit(pd, "Li2O") == pytest.approx(2.88, abs=0.05)  # -> Li2O2
    # the server is gone: the same query (elements in any order) is answered from the disk cache
    again = MPSource(KEY, endpoint=endpoint, cache_dir=tmp_path).entries_in_chemsys(["O", "Li", "Cl"])
    assert [(e.entry_id, e.energy) for e in again] == [(e.entry_id, e.energy) for e in entries]


def test_from_settings_uses_key_endpoint_and_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("MP_API_KEY", KEY)
    with mp_replay() as endpoint:
        monkeypatch.setenv("SUPERIONIC_MP_ENDPOINT", endpoint)
        src = MPSource.from_settings(load_settings())
        assert (src.api_key, src.endpoint) == (KEY, endpoint)
        assert src.cache_dir == tmp_path / "superionic" / "mp"
        assert len(src.compounds("Li", e_hull_max=0.0)) > 0
    assert list((tmp_path / "superionic" / "mp").glob("*.json"))


def test_missing_key_and_bad_ion_are_refused(tmp_path):
    with pytest.raises(ValueError, match="MP_API_KEY"):
        MPSource("")
    with pytest.raises(ValueError, match="mobile_ion"):
        MPSource(KEY, cache_dir=tmp_path).compounds("Xx")
