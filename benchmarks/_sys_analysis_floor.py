"""``analysis_floor``: the least any Python indexer must do, regex tokenizing and Snowball
stemming of all text on one core, with nothing indexed. Its build time is a floor for the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks._system import Searcher, Settings

_WORD = re.compile(r"\w+")


def unavailable() -> str | None:
    try:
        import Stemmer  # noqa: F401
    except ImportError as error:
        return f"PyStemmer is not installed ({error})"
    return None


def build(docs: Iterable[dict[str, Any]], path: Path, settings: Settings) -> None:
    import Stemmer

    stem_words = Stemmer.Stemmer("indonesian").stemWords
    terms = 0
    for doc in docs:
        for field in ("title", "body"):
            terms += len(stem_words(_WORD.findall(str(doc.get(field) or "").lower())))
    # Written so the work cannot be optimized away and the directory is not empty.
    (path / "terms.txt").write_text(str(terms), encoding="utf-8")


def open_searcher(path: Path, settings: Settings) -> Searcher | None:
    return None
