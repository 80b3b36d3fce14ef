"""Fixtures shared by several test files."""

from __future__ import annotations

import pytest
from _synthetic import build


@pytest.fixture(scope="session")
def synthetic_index(tmp_path_factory):
    """The synthetic index of ``_synthetic.py``, built once per test session."""
    index = build(tmp_path_factory.mktemp("synthetic") / "ix")
    yield index
    index.close()
