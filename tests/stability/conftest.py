"""Shared fixtures of the stability tests: the real MP computed-entries fixture."""

from __future__ import annotations

import pytest

from superionic.stability.sources import EntryList


@pytest.fixture(scope="session")
def mp_source(data_dir) -> EntryList:  # noqa: ANN001 - pytest fixture
    """The 1326 MP2020-corrected entries of the C-Cl-K-Li-Mn-Na-O-Y fixture."""
    return EntryList.mp_fixture(data_dir)
