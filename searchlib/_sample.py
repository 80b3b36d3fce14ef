"""The built-in sample: a few dozen articles we wrote, indexed on first use.

It lets ``searchlib query "Amazon Rusia"`` work right after ``pip install`` with no index
configured. The index lives in the user's cache directory, keyed by searchlib version and
analysis fingerprint, and is built atomically (a temporary directory renamed into place) so
two first uses at once cannot leave half an index behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from searchlib._resources import sample_dir
from searchlib._version import __version__
from searchlib.config import Config
from searchlib.index import Index

SAMPLE_FILE = "articles.jsonl"


def cache_dir() -> Path:
    base = os.environ.get("SEARCHLIB_CACHE") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return root / "searchlib" if not os.environ.get("SEARCHLIB_CACHE") else root


def sample_path() -> Path:
    """Where the sample index for this version and analysis lives."""
    return cache_dir() / f"sample-{__version__}-{Config().index_fingerprint()}"


def sample_articles() -> Path:
    return sample_dir() / SAMPLE_FILE


def sample_index() -> Index:
    """The built-in sample index, built on first use."""
    path = sample_path()
    if Index.exists(path):
        return Index.open(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=path.name + ".", dir=path.parent))
    try:
        with Index.create(tmp / "ix") as ix:
            ix.add_files([sample_articles()])
        try:
            os.rename(tmp / "ix", path)
        except OSError:
            if not Index.exists(path):  # not a lost race: a real failure
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Index.open(path)
