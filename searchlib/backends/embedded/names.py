"""Names for new segments and for a writer's temporary directory.

They come from :mod:`secrets`, never from the global :mod:`random` generator: an
application that seeds ``random`` (``random.seed(0)`` in a notebook or a training script)
would otherwise give two commits the same segment name, and the second would find the
first one's compound file already there.
"""

from __future__ import annotations

import re
import secrets
import string

__all__ = ["TEMP_SUFFIX", "segment_id", "temp_name", "temp_pattern"]

#: Whoosh's file-name alphabet: lower-case letters and digits.
_ALPHABET = string.ascii_lowercase + string.digits
#: A new segment id: 16 characters, as Whoosh's own.
SEGMENT_ID_LENGTH = 16
TEMP_SUFFIX = ".tmp"


def segment_id() -> str:
    """A fresh segment id (``<indexname>_<id>`` names the segment's files)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(SEGMENT_ID_LENGTH))


def temp_name(indexname: str) -> str:
    """A directory of the index's storage for one writer's run files: ``MAIN.<id>.tmp``.

    Each writer (and each bulk-add helper process) has its own, so a helper that writes
    beside the parent never shares or destroys the parent's files."""
    return f"{indexname}.{segment_id()}{TEMP_SUFFIX}"


def temp_pattern(indexname: str) -> re.Pattern[str]:
    """The temporary directories of :func:`temp_name`, and Whoosh's own ``MAIN.tmp``."""
    return re.compile(rf"^{re.escape(indexname)}(\.[a-z0-9]+)?{re.escape(TEMP_SUFFIX)}$")
