"""Shared fixtures for the defects tests: library structures ordered once per session."""

from __future__ import annotations

import functools

import pytest

from superionic.defects import library


@functools.cache
def _ordered(name: str):
    return library.ordered(name, seed=0)


@pytest.fixture(scope="session")
def ordered_lib():
    """name -> lowest-Ewald ordering of the library entry (computed once, shared)."""
    return _ordered
