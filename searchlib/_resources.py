"""Where searchlib's package data lives, installed or in a checkout.

The wheel carries the repository's ``analyzers/`` directory as ``searchlib/_analyzers`` and
the built-in sample as ``searchlib/sample``; an editable install or a plain checkout has
``analyzers/`` beside the package instead.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def analyzers_dir() -> Path:
    """The directory holding analyzer YAML definitions and word lists."""
    for candidate in (_PACKAGE_DIR / "_analyzers", _PACKAGE_DIR.parent / "analyzers"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "searchlib's analyzer data is missing: neither searchlib/_analyzers nor analyzers/ "
        "exists; reinstall searchlib"
    )


def sample_dir() -> Path:
    """The directory holding the built-in sample articles."""
    return _PACKAGE_DIR / "sample"
