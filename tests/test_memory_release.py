"""A large add gives the memory it freed back to the operating system at its commit."""

from __future__ import annotations

import platform
import sys

import pytest

from searchlib import Index, IngestError
from searchlib.backends.embedded import memory, store


def _docs(n):
    return (
        {"id": f"d{i}", "title": f"Judul {i}", "body": f"isi berita nomor {i}"} for i in range(n)
    )


@pytest.fixture
def trims(monkeypatch):
    calls = []
    monkeypatch.setattr(store, "TRIM_AFTER", 20)
    monkeypatch.setattr(store, "release_freed_memory", lambda: calls.append(1) or True)
    return calls


def test_a_large_add_trims_a_small_one_does_not(tmp_path, trims):
    with Index.create(tmp_path / "ix") as ix:
        ix.add(_docs(5), processes=1)
        assert trims == []
        ix.add(_docs(25), processes=1)
        assert trims == [1]
        assert len(ix) == 25


def test_a_failed_large_add_trims_too(tmp_path, trims):
    with Index.create(tmp_path / "ix") as ix:
        bad = [*_docs(25), {"id": "x", "title": 5 + 0j}]
        with pytest.raises(IngestError):
            ix.add(bad, processes=1)
        assert trims == [1] and len(ix) == 0


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="malloc_trim is glibc's",
)
def test_glibc_gives_freed_pages_back():
    assert memory.release_freed_memory() is True
