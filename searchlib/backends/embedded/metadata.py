"""``searchlib.json``: what an embedded index is (format, config, analysis fingerprint).

The file sits next to Whoosh's table of contents. It says which on-disk format the segments
are in, which searchlib wrote them, and the config the index was built with, so opening
checks that this searchlib reads the format and that the config still analyzes text the
same way (a different stemmer would make query terms miss indexed ones).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from searchlib._version import __version__
from searchlib.backends.permissions import writing
from searchlib.config import Config, load_config
from searchlib.config_changes import changes
from searchlib.errors import IndexMismatchError, IndexNotFoundError, SearchlibError, StorageError

META_FILE = "searchlib.json"
#: Bump when the on-disk layout searchlib writes changes incompatibly.
#: 2: stored fields compressed with a per-segment dictionary (stored.py).
#: 3: posting blocks with bare ids and weights (codec.py).
#: 4: term dictionary in compressed blocks, one-posting lists inlined (terms.py).
#: 5: no pickles in the engine's files, a checksum on every block (codec.py).
#: 6: story signatures in a fixed-width column, not the stored fields (signature_column.py).
#: 7: common words' posting lists end their table with a bitmap (block_table.py).
#: 8: posting parts as raw run-length deflate, bitmaps deflated (postings.py).
FORMAT_VERSION = 8
#: Formats this searchlib opens; an older one is recorded as current before its first
#: commit adds segments of the current format.
READ_FORMATS = (1, 2, 3, 4, 5, 6, 7, 8)


def exists(root: Path) -> bool:
    return (root / META_FILE).is_file()


def new_meta(config: Config) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "searchlib_version": __version__,
        "fingerprint": config.index_fingerprint(),
        "created": datetime.now().isoformat(timespec="seconds"),
        "config": config.to_dict(),
    }


def read_meta(root: Path) -> dict[str, Any]:
    path = root / META_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexNotFoundError(
            f"no searchlib index at {root}",
            hint=f"build one with: searchlib index FILE --index {root}",
        ) from None
    except (OSError, ValueError) as error:
        raise StorageError(f"{path}: unreadable index metadata: {error}", path=str(path)) from None
    if not isinstance(meta, dict):
        raise StorageError(f"{path}: unreadable index metadata: not a JSON object", path=str(path))
    return meta


def write_meta(root: Path, meta: Mapping[str, Any]) -> None:
    tmp = root / (META_FILE + ".tmp")
    with writing(root):
        tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, root / META_FILE)


def config_for(root: Path, meta: Mapping[str, Any], given: Config | None) -> tuple[Config, Config]:
    """The config to search the index with (``given`` if it analyzes text as the index was
    built, else the index's own) and the one it was built with; a format or analysis this
    searchlib cannot read is an :class:`IndexMismatchError` saying what changed and how
    to rebuild."""
    where = str(root / META_FILE)
    stored = readable_config(root, meta)
    if stored.index_fingerprint() != meta.get("fingerprint"):
        raise IndexMismatchError(
            f"the index at {root} was built with another analysis version ({where} "
            f"records searchlib {meta.get('searchlib_version')}, whose word lists or rules "
            f"differ from searchlib {__version__}'s), or that file is damaged; its terms "
            "would not match queries",
            hint=f"rebuild it from its stored documents: searchlib reindex --index {root}",
            path=where,
        )
    if given is None:
        return stored, stored
    if given.index_fingerprint() != meta["fingerprint"]:
        source = given.source_file or "the given config"
        changed = changes(stored, given) or ["the analysis of its text fields"]
        raise IndexMismatchError(
            f"{source} does not match the index at {root}: {'; '.join(changed)}",
            hint="rebuild it from its stored documents under this config: searchlib "
            f"reindex --index {root} --config {given.source_file or 'CONFIG'}",
        )
    return given, stored


def readable_config(root: Path, meta: Mapping[str, Any]) -> Config:
    """The config the index was built with, when this searchlib reads its format (its
    analysis is not checked: the stored documents of any analysis can be read back)."""
    if meta.get("format_version") not in READ_FORMATS:
        raise IndexMismatchError(
            f"the index at {root} has format {meta.get('format_version')}, "
            f"this searchlib {__version__} reads format {FORMAT_VERSION}",
            hint=f"rebuild it: searchlib index SOURCE... --index {root} --rebuild",
            path=str(root / META_FILE),
        )
    return stored_config(root, meta)


def stored_config(root: Path, meta: Mapping[str, Any]) -> Config:
    """The config the index was built with, from its metadata."""
    where = root / META_FILE
    try:
        return load_config(meta["config"])
    except (KeyError, SearchlibError) as error:
        raise StorageError(
            f"{where}: the index's config is unreadable: {error}", path=str(where)
        ) from None


class FormatUpgrade:
    """Before the first commit to an older-format index: its new segments will be of the
    current format, so that is recorded first (an older searchlib then refuses the index
    with a clear error instead of misreading it)."""

    def __init__(self, root: Path, meta: Mapping[str, Any]) -> None:
        self._root = root
        self._meta: Mapping[str, Any] | None = (
            None if meta.get("format_version") == FORMAT_VERSION else meta
        )

    @property
    def pending(self) -> bool:
        return self._meta is not None

    def before_write(self) -> None:
        if self._meta is not None:
            write_meta(self._root, {**self._meta, "format_version": FORMAT_VERSION})
            self._meta = None
