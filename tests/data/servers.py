"""Local HTTP servers on 127.0.0.1 for the data tests: a static file mirror and a Materials
Project API replay. Both are bounded: they serve in a daemon thread, stop when the ``with`` block
ends, and stop by themselves after ``lifetime_s`` whatever happens to the test."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parents[1] / "fixtures" / "data"
#: A small data directory with malformed rows and a malformed CIF (make_bad_fixtures.py).
BAD_DATA = FIXTURES / "bad_data"


@contextmanager
def bounded_server(handler: Any, lifetime_s: float = 60.0) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 (free port); yields the base URL ``http://127.0.0.1:P``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    watchdog = threading.Timer(lifetime_s, server.shutdown)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        watchdog.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def file_mirror(root: Path, lifetime_s: float = 60.0) -> Iterator[str]:
    """A static mirror of ``root`` (``<url>/<set>/<file>``)."""
    with bounded_server(functools.partial(_QuietFiles, directory=str(root)), lifetime_s) as url:
        yield url


def _load(name: str) -> list[dict]:
    with gzip.open(FIXTURES / name, "rt") as fh:
        return json.load(fh)


class MPReplay(http.server.BaseHTTPRequestHandler):
    """Answers the routes the mp-api client calls, from the recorded documents, like the API:
    ``/heartbeat``; ``/materials/summary/`` (``elements`` all present, ``energy_above_hull_min/
    max``) and ``/materials/thermo/`` (``chemsys`` any of, ``thermo_types``), each honouring
    ``_fields``, ``_skip`` and ``_limit`` and answering ``{"data": [...], "meta": {"total_doc":
    N}}``. A request without the ``x-api-key`` header gets 403, as from the real API."""

    requests: list[tuple[str, dict[str, list[str]]]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        type(self).requests.append((url.path, query))
        if url.path == "/heartbeat":
            return self._send(200, {"version": "0.90.0", "db_version": "2025_09_25",
                                    "access_controlled_batch_ids": []})
        if not self.headers.get("x-api-key"):
            return self._send(403, {"detail": "API key required"})
        if url.path == "/materials/summary/":
            docs = [d for d in _load("mp_summary_LiClO.json.gz") if _summary_match(d, query)]
        elif url.path == "/materials/thermo/":
            docs = [d for d in _load("mp_thermo_LiClO.json.gz") if _thermo_match(d, query)]
        else:
            return self._send(404, {"detail": "Not Found"})
        skip = int(query.get("_skip", ["0"])[0])
        limit = int(query.get("_limit", ["1000"])[0])
        page = docs[skip:skip + limit]
        if "_fields" in query:
            keep = query["_fields"][0].split(",")
            page = [{k: d[k] for k in keep if k in d} for d in page]
        self._send(200, {"data": page, "meta": {"total_doc": len(docs), "max_limit": 1000}})

    def _send(self, status: int, body: dict) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


def _summary_match(doc: dict, query: dict[str, list[str]]) -> bool:
    if "elements" in query and not set(query["elements"][0].split(",")) <= set(doc["elements"]):
        return False
    lo = float(query.get("energy_above_hull_min", ["-inf"])[0])
    hi = float(query.get("energy_above_hull_max", ["inf"])[0])
    return lo <= doc["energy_above_hull"] <= hi


def _thermo_match(doc: dict, query: dict[str, list[str]]) -> bool:
    if "chemsys" in query and doc["chemsys"] not in query["chemsys"][0].split(","):
        return False
    return "thermo_types" not in query or doc["thermo_type"] in query["thermo_types"][0].split(",")


@contextmanager
def mp_replay(lifetime_s: float = 60.0) -> Iterator[str]:
    """The MP replay server; yields its base URL with a trailing slash (an MP endpoint)."""
    MPReplay.requests = []
    with bounded_server(MPReplay, lifetime_s) as url:
        yield url + "/"
