"""What a field of an index does to text: the analysis its own configuration sets up.

Like Elasticsearch's ``_analyze``: ``searchlib analyze --index DIR`` and the JSON API's
``/api/analyze`` show the terms a text becomes in that index (its analyzer, stopword
changes and protected words), not in the default analyzer.
"""

from __future__ import annotations

from searchlib.analysis import AnalyzedToken, analyze_tokens
from searchlib.config import Config
from searchlib.errors import QueryError

__all__ = ["analyze_field", "text_fields"]


def text_fields(config: Config) -> tuple[str, ...]:
    """The analyzed fields of ``config``, in schema order."""
    return tuple(f.name for f in config.fields if f.type == "text")


def analyze_field(config: Config, text: str, field: str = "body") -> list[AnalyzedToken]:
    """The tokens ``text`` becomes in the text field ``field`` under ``config``."""
    chosen = next((f for f in config.fields if f.name == field and f.type == "text"), None)
    if chosen is None:
        raise QueryError(
            f"{field!r} is not a text field of this index",
            hint="text fields: " + ", ".join(text_fields(config)),
        )
    return analyze_tokens(text, config.analyzer_spec(chosen.analyzer))
