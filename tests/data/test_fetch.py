"""``data fetch`` against a local HTTP server on 127.0.0.1: checksums, atomic writes, skip."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import sys
import threading

import pytest

from superionic.data.fetch import ChecksumError, fetch


@pytest.fixture
def mirror(tmp_path, data_dir):
    root = tmp_path / "mirror"
    (root / "liverpool_ionics").mkdir(parents=True)
    shutil.copy(data_dir / "liverpool_ionics" / "LiIonDatabase.csv", root / "liverpool_ionics")
    (root / "kang2023_ic").mkdir()
    (root / "kang2023_ic" / "Ionic_conductivity_training_dataset.csv").write_text("corrupted\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_verifies_and_skips(mirror, tmp_path, data_dir):
    dest = tmp_path / "cache"
    report = fetch("liverpool_ionics", dest, base_url=mirror, timeout_s=10)
    assert report.downloaded == ["LiIonDatabase.csv"]
    assert (dest / "liverpool_ionics" / "LiIonDatabase.csv").read_bytes() == \
        (data_dir / "liverpool_ionics" / "LiIonDatabase.csv").read_bytes()
    again = fetch("liverpool_ionics", dest, base_url=mirror, timeout_s=10)
    assert again.skipped == ["LiIonDatabase.csv"] and again.downloaded == []


def test_corrupted_download_is_not_written(mirror, tmp_path):
    dest = tmp_path / "cache"
    with pytest.raises(ChecksumError, match="sha256"):
        fetch("kang2023_ic", dest, base_url=mirror, timeout_s=10)
    folder = dest / "kang2023_ic"
    assert not folder.exists() or list(folder.iterdir()) == []  # no partial file left


def test_missing_file_on_server(mirror, tmp_path):
    with pytest.raises(ConnectionError, match="404|Not Found"):
        fetch("obelix", tmp_path / "cache", base_url=mirror, timeout_s=10)


def test_cli_fetch_json(mirror, tmp_path):
    out = subprocess.run([sys.executable, "-m", "superionic", "data", "fetch", "liverpool_ionics",
                          "--dest", str(tmp_path / "c"), "--base-url", mirror, "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["fetched"][0]["downloaded"] == ["LiIonDatabase.csv"]
    bad = subprocess.run([sys.executable, "-m", "superionic", "data", "fetch", "kang2023_ic",
                          "--dest", str(tmp_path / "c"), "--base-url", mirror, "--json"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "sha256" in json.loads(bad.stdout)["error"]
