"""Settings: defaults, TOML, environment and overrides, in that order of precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from superionic.config import Settings, load_settings


def test_paper_thresholds_are_the_defaults():
    s = Settings()
    assert s.thresholds.e_above_hull_max_eV_per_atom == 0.03
    assert s.thresholds.band_gap_min_eV == 1.5
    assert s.mobile_ion == "Li"


def test_precedence_toml_env_override(tmp_path, monkeypatch):
    cfg = tmp_path / "superionic.toml"
    cfg.write_text('mobile_ion = "Na"\nseed = 7\n[thresholds]\nband_gap_min_eV = 2.0\n')
    monkeypatch.setenv("SUPERIONIC_CONFIG", str(cfg))
    s = load_settings()
    assert (s.mobile_ion, s.seed, s.thresholds.band_gap_min_eV) == ("Na", 7, 2.0)
    monkeypatch.setenv("SUPERIONIC_SEED", "11")
    assert load_settings().seed == 11
    assert load_settings(seed=3).seed == 3
    assert load_settings(seed=None).seed == 11  # None overrides (unset CLI options) are ignored


def test_store_url_defaults_to_sqlite_in_workspace(tmp_path):
    s = Settings(workspace=tmp_path)
    assert s.store_url == f"sqlite:///{tmp_path / 'campaign.db'}"


def test_data_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPERIONIC_DATA", str(tmp_path))
    assert load_settings().data_dir == Path(tmp_path).resolve()


@pytest.mark.parametrize("bad", [{"mobile_ion": "Xx"}, {"executor": "mpi"}])
def test_bad_settings_are_refused(bad):
    with pytest.raises(ValueError):
        Settings(**bad)


def test_unknown_toml_key_names_the_file(tmp_path):
    cfg = tmp_path / "s.toml"
    cfg.write_text("mobil_ion = 'Li'\n")
    with pytest.raises(ValueError, match="s.toml.*mobil_ion"):
        load_settings(cfg)


def test_only_settings_look_at_the_working_directory(tmp_path, monkeypatch):
    """The library's fallback data folder never depends on the working directory; Settings (the
    CLI) finds ``shared/data`` below it once; an explicit or environment value wins for both."""
    from superionic.config import Settings, default_data_dir

    (tmp_path / "shared" / "data").mkdir(parents=True)
    monkeypatch.delenv("SUPERIONIC_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    library = default_data_dir()
    assert library != (tmp_path / "shared" / "data").resolve()
    assert Settings().data_dir == (tmp_path / "shared" / "data").resolve()
    monkeypatch.chdir(tmp_path / "shared")
    assert default_data_dir() == library  # same answer from any working directory
    monkeypatch.setenv("SUPERIONIC_DATA", str(tmp_path))
    assert default_data_dir() == Settings().data_dir == tmp_path.resolve()
