"""Named analyzers defined in YAML under ``analyzers/``.

An analyzer definition names its stopword list, stemmer mode and lexicon; the resolved
definition (with the word lists' contents) is hashed into a fingerprint that every index
records, so an index is never searched with an analyzer other than the one it was built with.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import yaml

from searchlib._resources import analyzers_dir
from searchlib.analysis.base import Filter
from searchlib.analysis.chain import IndonesianAnalyzer
from searchlib.analysis.filters import IndonesianStemFilter, SnowballStemFilter, StopwordFilter
from searchlib.analysis.lexicon import load_variants, load_wordlist
from searchlib.analysis.snowball import snowball_version
from searchlib.analysis.tokenizer import IndonesianTokenizer
from searchlib.errors import AnalyzerError

#: Bump when tokenizer or stemmer code changes the terms it produces: indexes built with an
#: older analysis then report a fingerprint mismatch instead of silently missing matches.
ANALYSIS_VERSION = 5

#: full and light: searchlib's stemmer (lexicon, spelling variants); snowball: Snowball's
#: Indonesian stemmer (PyStemmer), for terms that match a Snowball-stemmed system's.
STEMMER_MODES = ("full", "light", "none", "snowball")
#: The modes that use the root lexicon and the spelling variants.
LEXICON_MODES = ("full", "light")

_TOP_KEYS = {"description", "extends", "max_token_length", "stopwords", "stemmer"}
_STOP_KEYS = {"file", "add", "remove", "words"}
_STEM_KEYS = {"mode", "lexicon", "protected", "protected_file", "variants_file"}


@dataclass(frozen=True)
class AnalyzerSpec:
    """A resolved analyzer definition: everything that decides which terms come out."""

    name: str
    description: str = ""
    max_token_length: int = 64
    stopwords: frozenset[str] = field(default_factory=frozenset)
    stemmer_mode: str = "full"
    lexicon: str = "roots-id.txt"
    protected: frozenset[str] = field(default_factory=frozenset)
    #: A spelling-variant list in ``analyzers/`` (empty: none).
    variants: str = ""

    def build(self) -> IndonesianAnalyzer:
        """The analyzer: tokenizer, stopwords, stemmer (picklable, fused)."""
        filters: list[Filter] = []
        if self.stopwords:
            filters.append(StopwordFilter(self.stopwords))
        if self.stemmer_mode == "snowball":
            filters.append(SnowballStemFilter(self.protected))
        elif self.stemmer_mode != "none":
            filters.append(
                IndonesianStemFilter(self.stemmer_mode, self.lexicon, self.protected, self.variants)
            )
        return IndonesianAnalyzer(IndonesianTokenizer(self.max_token_length), *filters)

    @property
    def fingerprint(self) -> str:
        lexicon_hash = variants_hash = ""
        if self.stemmer_mode in LEXICON_MODES:
            words = load_wordlist(self.lexicon)
            lexicon_hash = hashlib.sha256("\n".join(sorted(words)).encode()).hexdigest()
            if self.variants:
                pairs = sorted(load_variants(self.variants).items())
                variants_hash = hashlib.sha256(json.dumps(pairs).encode()).hexdigest()
        payload = {
            "analysis_version": ANALYSIS_VERSION,
            "max_token_length": self.max_token_length,
            "stopwords": sorted(self.stopwords),
            "stemmer_mode": self.stemmer_mode,
            "lexicon": lexicon_hash,
            "protected": sorted(self.protected),
            "variants": variants_hash,
        }
        if self.stemmer_mode == "snowball":  # another Snowball release may stem otherwise
            payload["snowball"] = snowball_version()
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def with_overrides(self, overrides: dict[str, Any], *, where: str = "config") -> AnalyzerSpec:
        """A copy with a config's additions applied (stopwords add/remove, protected words)."""
        return _apply(self, overrides, where)


def available_analyzers() -> list[str]:
    """Names of the analyzers shipped in ``analyzers/``."""
    return sorted(p.stem for p in analyzers_dir().glob("*.yaml"))


@lru_cache(maxsize=32)
def load_spec(name: str) -> AnalyzerSpec:
    """The named analyzer's resolved definition."""
    path = analyzers_dir() / f"{name}.yaml"
    if not path.is_file() or "/" in name:
        raise AnalyzerError(
            f"unknown analyzer {name!r}",
            hint="available: " + ", ".join(available_analyzers()),
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise AnalyzerError(f"{path.name}: invalid YAML: {error}") from None
    if not isinstance(data, dict):
        raise AnalyzerError(f"{path.name}: an analyzer definition must be a mapping")
    base = AnalyzerSpec(name=name)
    if "extends" in data:
        base = replace(load_spec(_expect(data["extends"], str, "extends", path.name)), name=name)
    return _apply(base, data, path.name)


def _expect(value: Any, kind: type | tuple[type, ...], key: str, where: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise AnalyzerError(f"{where}: {key} must be {names}, got {type(value).__name__}")
    return value


def _words(value: Any, key: str, where: str) -> frozenset[str]:
    items = _expect(value, list, key, where)
    for item in items:
        _expect(item, str, f"{key}[]", where)
    return frozenset(w.strip().lower() for w in items if w.strip())


def _check_keys(data: dict[str, Any], allowed: set[str], prefix: str, where: str) -> None:
    for key in data:
        if key not in allowed:
            raise AnalyzerError(
                f"{where}: unknown key {prefix}{key}",
                hint="allowed: " + ", ".join(sorted(allowed)),
            )


def _apply(spec: AnalyzerSpec, data: dict[str, Any], where: str) -> AnalyzerSpec:
    _check_keys(data, _TOP_KEYS, "", where)
    changes: dict[str, Any] = {}
    if "description" in data:
        changes["description"] = _expect(data["description"], str, "description", where)
    if "max_token_length" in data:
        length = _expect(data["max_token_length"], int, "max_token_length", where)
        if not 1 <= length <= 10_000:
            raise AnalyzerError(f"{where}: max_token_length must be between 1 and 10000")
        changes["max_token_length"] = length
    stop = data.get("stopwords")
    if stop is not None:
        _expect(stop, dict, "stopwords", where)
        _check_keys(stop, _STOP_KEYS, "stopwords.", where)
        words = set(spec.stopwords)
        if stop.get("file") is not None:
            words = set(load_wordlist(_expect(stop["file"], str, "stopwords.file", where)))
        if "words" in stop:  # replaces the list outright
            words = set(_words(stop["words"], "stopwords.words", where))
        words |= _words(stop.get("add", []), "stopwords.add", where)
        words -= _words(stop.get("remove", []), "stopwords.remove", where)
        changes["stopwords"] = frozenset(words)
    stem = data.get("stemmer")
    if stem is not None:
        _expect(stem, dict, "stemmer", where)
        _check_keys(stem, _STEM_KEYS, "stemmer.", where)
        if "mode" in stem:
            mode = _expect(stem["mode"], str, "stemmer.mode", where)
            if mode not in STEMMER_MODES:
                raise AnalyzerError(
                    f"{where}: stemmer.mode must be one of {', '.join(STEMMER_MODES)}, got {mode!r}"
                )
            changes["stemmer_mode"] = mode
        if "lexicon" in stem:
            changes["lexicon"] = _expect(stem["lexicon"], str, "stemmer.lexicon", where)
        protected = set(spec.protected)
        if stem.get("protected_file") is not None:
            name = _expect(stem["protected_file"], str, "stemmer.protected_file", where)
            protected |= load_wordlist(name)
        protected |= _words(stem.get("protected", []), "stemmer.protected", where)
        if "variants_file" in stem:
            name = _expect(stem["variants_file"], (str, type(None)), "stemmer.variants_file", where)
            if name:
                load_variants(name)  # a malformed list is an error when the analyzer loads
            changes["variants"] = name or ""
        changes["protected"] = frozenset(protected)
    return replace(spec, **changes)
