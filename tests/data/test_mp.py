"""The Materials Project adapter against a local replay server (no key, no internet).

The real ``mp-api`` client talks to a server on 127.0.0.1 that answers ``/heartbeat``,
``/materials/summary/`` and ``/materials/thermo/`` with recorded documents built from real MP
entries (tests/fixtures/data/make_mp_replay.py).
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from pathlib import Path

import pytest
from pymatgen.analysis.phase_diagram import PhaseDiagram
from pymatgen.core import Element

from superionic.data.mp import MPSource

FIXTURES = Path(__file__).parents[1] / "fixtures" / "data"


class _Replay(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server API
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        type(self).requests.append(url.path)
        if url.path == "/heartbeat":
            body = {"version": "0.90.0", "db_version": "replay", "access_controlled_batch_ids": []}
        elif url.path == "/materials/summary/":
            docs = json.loads((FIXTURES / "mp_summary_Li.json").read_text())
            assert query["elements"] == ["Li"]
            body = {"data": docs, "meta": {"total_doc": len(docs), "max_limit": 1000}}
        elif url.path == "/materials/thermo/":
            wanted = set(query["chemsys"][0].split(","))
            table = json.loads((FIXTURES / "mp_thermo_Li-Cl.json").read_text())
            docs = [d for cs, ds in table.items() if cs in wanted for d in ds]
            body = {"data": docs, "meta": {"total_doc": len(docs), "max_limit": 1000}}
        else:
            self.send_error(404)
            return
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture
def replay():
    _Replay.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Replay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_compounds_through_the_real_client(replay, tmp_path):
    src = MPSource("k" * 32, endpoint=replay, cache_dir=tmp_path)
    mats = src.compounds("Li")
    licl = [m for m in mats if m.reduced_formula == "LiCl"]
    assert licl and all(m.structure is not None for m in licl)
    ground = min(licl, key=lambda m: m.e_above_hull_eV_per_atom)
    assert ground.e_above_hull_eV_per_atom == pytest.approx(0.0, abs=1e-8)
    assert ground.band_gap_eV == pytest.approx(6.32)
    assert ground.structure.composition.reduced_formula == "LiCl"
    assert ground.provenance.dataset == "materials_project"
    n_requests = len(_Replay.requests)
    # a second call is answered from the disk cache: no request reaches the server
    assert [m.material_id for m in src.compounds("Li")] == [m.material_id for m in mats]
    assert len(_Replay.requests) == n_requests


def test_entries_build_the_licl_window(replay, tmp_path):
    src = MPSource("k" * 32, endpoint=replay, cache_dir=tmp_path)
    entries = src.entries_in_chemsys(["Li", "Cl"])
    assert len(entries) == 14
    pd = PhaseDiagram(entries)
    licl = min((e for e in entries if e.composition.reduced_formula == "LiCl"),
               key=lambda e: e.energy_per_atom)
    profile = pd.get_element_profile(Element("Li"), licl.composition)
    mu_li_metal = pd.el_refs[Element("Li")].energy_per_atom
    potentials = sorted(-(p["chempot"] - mu_li_metal) for p in profile)
    assert potentials[-1] == pytest.approx(4.27, abs=0.05)  # Zhu, He & Mo 2015: 4.26 V


def test_missing_key_is_refused():
    with pytest.raises(ValueError, match="MP_API_KEY"):
        MPSource("")
