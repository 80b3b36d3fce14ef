"""Whoosh's own test suite, run with searchlib's codec as Whoosh's default codec.

``.ci/whoosh-suite`` copies the ``tests/`` directory of the whoosh-reloaded 2.7.5 sdist
next to this file (as its ``conftest.py``) and runs it: every index those tests create
without naming a codec is written and read by ``EmbeddedCodec``, so Whoosh's own
expectations (merges, ``add_reader``, deletions, sorting, highlighting, the multiprocess
writer, ...) check searchlib's format classes.

With ``WHOOSH_SUITE_WRITER=bulk`` the writer ``Index.writer()`` gives is searchlib's
``BulkWriter`` too (Whoosh's multiprocess writer stays Whoosh's), so the same tests check
that it is a faithful ``IndexWriter``.

The repository's own test run never imports this file: pytest's ``norecursedirs`` in
pyproject.toml skips this directory, because installing the codec changes Whoosh for the
whole process.

Tests of a feature searchlib deliberately does not support are listed in
:data:`UNSUPPORTED` with the reason and the error they must fail with: strict expected
failures, so a listed test that passes, or fails with another error, fails the run.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
import whoosh.codec
from whoosh import fields
from whoosh.filedb.filestore import RamStorage
from whoosh.index import FileIndex

from searchlib.backends.embedded.bulk_writer import BulkWriter
from searchlib.backends.embedded.codec import EmbeddedCodec
from searchlib.errors import ConfigError

#: Tests Whoosh's sdist holds (whoosh-reloaded 2.7.5): fewer collected means a broken copy.
EXPECTED_TESTS = 588

#: Which writer ``Index.writer()`` gives: Whoosh's ("whoosh") or searchlib's ("bulk").
WRITER = os.environ.get("WHOOSH_SUITE_WRITER", "whoosh")

_SPELLING = (
    "the bulk writer writes no separate spelling words (a stemmed field with "
    "spelling=True); searchlib suggests from a field's own terms"
)
#: test file::name -> (why the feature is deliberately unsupported, the error it raises).
UNSUPPORTED: dict[str, tuple[str, type[BaseException]]] = {
    "test_codecs.py::test_fieldwriter_multiblock": (
        "the posting block size is part of searchlib's format (128 postings), not an option",
        TypeError,
    ),
} | (
    {
        name: (_SPELLING, ConfigError)
        for name in (
            "test_codecs.py::test_plaintext_codec",
            "test_spelling.py::test_spelling_field",
            "test_spelling.py::test_correct_spell_field",
            "test_writing.py::test_add_reader_spelling",
            "test_writing.py::test_spellable_list",
        )
    }
    if WRITER == "bulk"
    else {}
)


def searchlib_codec(*args: Any, **kwargs: Any) -> EmbeddedCodec:
    """Whoosh's ``default_codec``, replaced: searchlib's codec with Whoosh's arguments."""
    return EmbeddedCodec(*args, **kwargs)


def _bulk_writer(ix: Any, procs: int = 1, **kwargs: Any) -> Any:
    """``FileIndex.writer`` giving searchlib's writer (Whoosh's ``SegmentWriter`` ignores
    arguments it does not know, so this one does too)."""
    if procs > 1 or kwargs.get("multisegment"):
        return _stock_writer(ix, procs=procs, **kwargs)
    codec = kwargs.get("codec") or searchlib_codec()
    options = {key: kwargs[key] for key in ("timeout", "delay") if key in kwargs}
    return BulkWriter(ix, codec=codec, **options)


_stock_writer = FileIndex.writer


def _install() -> None:
    """Make ``searchlib_codec`` Whoosh's default codec, also in modules that imported the
    function by name before this ran; with ``WRITER`` "bulk", searchlib's writer too."""
    stock = whoosh.codec.default_codec
    whoosh.codec.default_codec = searchlib_codec
    for module in list(sys.modules.values()):
        if getattr(module, "default_codec", None) is stock:
            module.default_codec = searchlib_codec  # type: ignore[attr-defined]
    if WRITER == "bulk":
        FileIndex.writer = _bulk_writer  # type: ignore[method-assign]
    elif WRITER != "whoosh":
        raise pytest.UsageError(f"WHOOSH_SUITE_WRITER={WRITER!r}: use 'whoosh' or 'bulk'")


_install()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to run unless an index Whoosh creates on its own really uses our codec."""
    ix = RamStorage().create_index(fields.Schema(text=fields.TEXT))
    with ix.writer() as writer:
        writer.add_document(text="alfa bravo")
    with ix.reader() as reader:
        codecs = {type(leaf.segment().codec()) for leaf, _ in reader.leaf_readers()}
    if codecs != {EmbeddedCodec}:
        raise pytest.UsageError(f"Whoosh wrote its index with {codecs}, not EmbeddedCodec")
    writer = ix.writer()
    writer.cancel()
    if (WRITER == "bulk") != isinstance(writer, BulkWriter):
        raise pytest.UsageError(f"Index.writer() gives {type(writer).__name__} ({WRITER=})")


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if len(items) != EXPECTED_TESTS:
        raise pytest.UsageError(
            f"collected {len(items)} of Whoosh's tests, expected {EXPECTED_TESTS}: "
            "is this the whoosh-reloaded 2.7.5 sdist's tests/ directory?"
        )
    listed = UNSUPPORTED
    found = set()
    for item in items:
        key = f"{item.path.name}::{item.name}"
        if key in listed:
            reason, error = listed[key]
            item.add_marker(
                pytest.mark.xfail(reason=f"unsupported: {reason}", raises=error, strict=True)
            )
            found.add(key)
    if listed.keys() - found:
        raise pytest.UsageError(f"listed tests not in the suite: {sorted(listed.keys() - found)}")
