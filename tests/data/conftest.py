"""Fixtures of the data tests: each shared set loaded once per session, list_sets once, the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from superionic.data.base import LoadResult
from superionic.data.registry import list_sets, load_set


@pytest.fixture(scope="session")
def loaded(data_dir) -> Callable[[str], LoadResult]:
    """``loaded(name)``: the set's LoadResult, loaded at most once per session."""
    memo: dict[str, LoadResult] = {}

    def get(name: str) -> LoadResult:
        if name not in memo:
            memo[name] = load_set(name, data_dir)
        return memo[name]

    return get


@pytest.fixture(scope="session")
def summary_cache(tmp_path_factory) -> Path:
    """XDG cache root shared by the list tests (``<root>/superionic`` is Settings.cache_dir)."""
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(scope="session")
def summaries(data_dir, summary_cache) -> dict[str, dict]:
    """``list_sets`` of the shared data, counts cached where ``superionic data list`` finds them."""
    return {s["name"]: s for s in list_sets(data_dir, summary_cache / "superionic")}


@pytest.fixture
def cli() -> Callable[..., object]:
    """Run ``superionic ARGS...`` in-process; returns Click's Result (stdout, stderr, exit_code)."""
    from superionic.cli import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])
