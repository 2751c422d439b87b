"""``data fetch`` against a local HTTP mirror on 127.0.0.1: checksums, atomic writes, skips."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from superionic.data.fetch import ChecksumError, FetchError, fetch
from superionic.data.registry import DATASETS, get_spec

from .servers import file_mirror


@pytest.fixture
def mirror_root(tmp_path, data_dir):
    """A mirror holding the real Liverpool file and a corrupted copy of the Kang file."""
    root = tmp_path / "mirror"
    (root / "liverpool_ionics").mkdir(parents=True)
    shutil.copy(data_dir / "liverpool_ionics" / "LiIonDatabase.csv", root / "liverpool_ionics")
    (root / "kang2023_ic").mkdir()
    good = (data_dir / "kang2023_ic" / "Ionic_conductivity_training_dataset.csv").read_bytes()
    (root / "kang2023_ic" / "Ionic_conductivity_training_dataset.csv").write_bytes(
        good.replace(b"4.5e-06", b"4.5e-07", 1))  # one digit changed
    return root


def test_registry_checksums_are_those_of_the_shared_files(data_dir):
    for spec in DATASETS.values():
        for f in spec.files:
            digest = hashlib.sha256((spec.path(data_dir) / f.name).read_bytes()).hexdigest()
            assert digest == f.sha256, f"{spec.name}/{f.name}"
            assert f.origin or f.derived_from
            if f.origin:  # raw GitHub at a full 40-hex commit
                parts = f.origin.split("/")
                assert parts[2] == "raw.githubusercontent.com" and len(parts[5]) == 40


def test_fetch_verifies_then_skips(mirror_root, tmp_path, data_dir):
    dest = tmp_path / "cache"
    with file_mirror(mirror_root) as url:
        report = fetch("liverpool_ionics", dest, base_url=url, timeout_s=10)
        assert report.downloaded == ["LiIonDatabase.csv"]
        got = dest / "liverpool_ionics" / "LiIonDatabase.csv"
        assert got.read_bytes() == (data_dir / "liverpool_ionics" / "LiIonDatabase.csv").read_bytes()
        again = fetch("liverpool_ionics", dest, base_url=url, timeout_s=10)
        assert again.skipped == ["LiIonDatabase.csv"] and again.downloaded == []
        # a present file with the wrong checksum is downloaded again and replaced
        got.write_text("tampered\n")
        third = fetch("liverpool_ionics", dest, base_url=url, timeout_s=10)
        assert third.downloaded == ["LiIonDatabase.csv"]
        assert hashlib.sha256(got.read_bytes()).hexdigest() == \
            get_spec("liverpool_ionics").files[0].sha256
    assert [p.name for p in got.parent.iterdir()] == ["LiIonDatabase.csv"]  # no temp files left


def test_corrupted_download_is_not_written(mirror_root, tmp_path):
    dest = tmp_path / "cache"
    with file_mirror(mirror_root) as url, pytest.raises(ChecksumError, match="sha256"):
        fetch("kang2023_ic", dest, base_url=url, timeout_s=10)
    folder = dest / "kang2023_ic"
    assert not folder.exists() or list(folder.iterdir()) == []  # no partial or temp file


def test_http_error_names_the_url(mirror_root, tmp_path):
    with file_mirror(mirror_root) as url, pytest.raises(FetchError, match="HTTP 404") as exc:
        fetch("obelix", tmp_path / "cache", base_url=url, timeout_s=10)
    assert f"{url}/obelix/all.csv" in str(exc.value)


def test_derived_files_are_reported_not_fetched(tmp_path, data_dir):
    dest = tmp_path / "cache"
    for f in get_spec("laskowski_2023").files:
        if f.origin:  # the verbatim upstream files are already in place
            (dest / "laskowski_2023").mkdir(parents=True, exist_ok=True)
            shutil.copy(data_dir / "laskowski_2023" / f.name, dest / "laskowski_2023")
    report = fetch("laskowski_2023", dest)  # no network needed: nothing to download
    assert sorted(report.skipped) == ["doi_lookup_table.csv", "laskowski_semi-formatted.csv"]
    assert len(report.derived) == 1 and report.derived[0].startswith("laskowski_parsed.csv")


def test_cli_fetch_json(mirror_root, tmp_path, cli):
    with file_mirror(mirror_root) as url:
        ok = cli("data", "fetch", "liverpool_ionics", "--dest", str(tmp_path / "c"),
                 "--base-url", url, "--json")
        bad = cli("data", "fetch", "kang2023_ic", "--dest", str(tmp_path / "c"),
                  "--base-url", url, "--json")
    assert ok.exit_code == 0, ok.output
    doc = json.loads(ok.stdout)
    assert doc["fetched"][0]["downloaded"] == ["LiIonDatabase.csv"] and doc["n_errors"] == 0
    assert bad.exit_code == 2
    err = json.loads(bad.stdout)
    assert err["n_errors"] == 1 and "sha256" in err["errors"][0]["error"]
