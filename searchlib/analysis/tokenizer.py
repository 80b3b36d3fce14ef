"""TEMPORARY stand-in tokenizer. Replaced by the real one (issue 11)."""

from __future__ import annotations

from whoosh.analysis import RegexTokenizer


class IndonesianTokenizer(RegexTokenizer):
    def __init__(self, max_token_length: int = 64) -> None:
        super().__init__(r"\w+(?:[-.,]\w+)*")
        self.max_token_length = max_token_length

    def __call__(self, value, **kwargs):  # type: ignore[no-untyped-def]
        for t in super().__call__(value, **kwargs):
            t.text = t.text.lower()
            t.protected = False
            yield t


def normalize_word(word: str) -> str:
    return word.lower()
