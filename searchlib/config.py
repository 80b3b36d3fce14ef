"""``searchlib.yaml``: validated configuration with documented defaults.

A config is a YAML file or a dict. Unknown keys and wrong types are :class:`ConfigError`\\ s that
name the key and the file, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from searchlib.analysis import AnalyzerSpec, load_spec
from searchlib.backends import BACKENDS
from searchlib.errors import AnalyzerError, ConfigError
from searchlib.query.synonyms import SynonymSettings, inline_groups, read_groups
from searchlib.signatures import SIGNATURE_FIELD
from searchlib.zones import DEFAULT_TIMEZONE, load_zone

__all__ = ["BUILTIN_FIELDS", "CONFIG_ENV", "Config", "FieldConfig", "find_config", "load_config"]

#: The config file searched for in the current folder.
CONFIG_FILE = "searchlib.yaml"
#: Environment variable naming a config file (below ``--config``, above ./searchlib.yaml).
CONFIG_ENV = "SEARCHLIB_CONFIG"
#: Where an index goes when its config names no ``index_path``: ``indexes/<name>/``.
DEFAULT_INDEX_ROOT = "indexes"
#: An index name is one folder name, so ``indexes/<name>/`` stays inside ``indexes/``.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

FIELD_TYPES = ("text", "keyword", "date", "stored")
#: The keyword fields counted in facets unless the config's ``facets`` says otherwise.
DEFAULT_FACETS = ("category", "source")
#: Names searchlib uses inside the index.
RESERVED_FIELDS = frozenset({"alltext", SIGNATURE_FIELD})
#: Fields every index has for searchlib's own use, beside the article schema: each
#: document's story signature (:mod:`searchlib.signatures`), stored for the collapse of
#: near-duplicate stories. No analysis reads them, so they are left out of the index's
#: fingerprint and of the config's fields as written: an index built without them opens
#: and searches as before (its documents gain a signature when they are added again).
INTERNAL_FIELDS = (SIGNATURE_FIELD,)

#: The article schema. Text fields use the config's analyzer; keyword fields are exact-match
#: facets (lowercased); ``stored`` fields are returned with hits but not searchable.
BUILTIN_FIELDS: dict[str, tuple[str, float]] = {
    "id": ("keyword", 1.0),
    "title": ("text", 8.0),
    "body": ("text", 1.0),
    "url": ("stored", 1.0),
    "source": ("keyword", 1.0),
    "category": ("keyword", 1.0),
    "date": ("date", 1.0),
    "author": ("text", 1.0),
    "tags": ("keyword", 1.0),
}


@dataclass(frozen=True)
class FieldConfig:
    name: str
    type: str
    boost: float = 1.0
    stored: bool = True
    analyzer: str | None = None  # text fields only; None means the config's analyzer


@dataclass(frozen=True)
class Config:
    """Everything that configures one index. Defaults are the best on the quality tasks
    (docs/quality.md)."""

    name: str = "default"
    index_path: str | None = None
    backend: str = "whoosh"
    analyzer: str = "indonesian"
    protected_words: tuple[str, ...] = ()
    stopwords_add: tuple[str, ...] = ()
    stopwords_remove: tuple[str, ...] = ()
    fields: tuple[FieldConfig, ...] = ()
    default_fields: tuple[str, ...] = ("title", "body")
    mapping: tuple[tuple[str, str], ...] = ()
    #: The IANA zone whose calendar days dates are filtered and shown in (docs/dates.md).
    timezone: str = DEFAULT_TIMEZONE
    #: Keyword fields whose values are counted for every search (``SearchResults.facets``).
    facets: tuple[str, ...] = DEFAULT_FACETS
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    recency_half_life_days: float | None = None
    #: A title counts fully only when it holds two of the query's words
    #: (:func:`searchlib.ranking.heading_field`); false: plain BM25F, as a peer ranks.
    title_rule: bool = True
    fallback: bool = True
    #: Whether a search collapses near-duplicate stories into one hit unless it asks
    #: otherwise (docs/duplicates.md).
    collapse_duplicates: bool = True
    #: The estimated share of shingles two documents must share to be one story.
    duplicate_threshold: float = 0.45
    #: Acronyms and equivalents searched for one another (searchlib.query.synonyms).
    synonyms: SynonymSettings = field(default_factory=SynonymSettings)
    snippet_fragments: int = 2
    snippet_chars: int = 160
    max_query_chars: int = 1000
    max_expansions: int = 256
    search_timeout_s: float = 5.0
    max_doc_bytes: int = 5_000_000
    #: Processes a large add may use: "auto" or 1 to MAX_BUILD_PROCESSES (docs/build.md).
    build_processes: int | str = "auto"
    #: backend sphinxql: the nodes' SphinxQL addresses (host:port), in shard order.
    sphinxql_nodes: tuple[str, ...] = ()
    sphinxql_index: str = "searchlib"
    source_file: str | None = field(default=None, compare=False)
    #: The folder of the config file, against which its relative paths resolve.
    base_dir: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.fields:
            object.__setattr__(self, "fields", _default_fields())

    # -- derived views ------------------------------------------------------------------

    def field(self, name: str) -> FieldConfig:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def extra_fields(self) -> tuple[str, ...]:
        return tuple(
            f.name
            for f in self.fields
            if f.name not in BUILTIN_FIELDS and f.name not in INTERNAL_FIELDS
        )

    def analyzer_spec(self, name: str | None = None) -> AnalyzerSpec:
        """The resolved analyzer for a text field, with this config's word additions."""
        spec = load_spec(name or self.analyzer)
        overrides: dict[str, Any] = {}
        if self.stopwords_add or self.stopwords_remove:
            overrides["stopwords"] = {
                "add": list(self.stopwords_add),
                "remove": list(self.stopwords_remove),
            }
        if self.protected_words and spec.stemmer_mode != "none":
            overrides["stemmer"] = {"protected": list(self.protected_words)}
        return spec.with_overrides(overrides, where=self.where) if overrides else spec

    @property
    def index_dir(self) -> Path:
        """Where this config's index lives: ``index_path``, else ``indexes/<name>/``, both
        relative to the config file's folder (to the current folder for a dict config)."""
        base = Path(self.base_dir) if self.base_dir else Path()
        if self.index_path:
            return base / Path(self.index_path).expanduser()
        return base / DEFAULT_INDEX_ROOT / self.name

    @property
    def where(self) -> str:
        return self.source_file or "config"

    def to_dict(self) -> dict[str, Any]:
        """The config as plain data (YAML-shaped), for index metadata and ``config show``."""
        return {
            "name": self.name,
            "index_path": self.index_path,
            "backend": self.backend,
            "analyzer": self.analyzer,
            "protected_words": list(self.protected_words),
            "stopwords": {"add": list(self.stopwords_add), "remove": list(self.stopwords_remove)},
            "fields": {
                f.name: {
                    "type": f.type,
                    "boost": f.boost,
                    "stored": f.stored,
                    "analyzer": f.analyzer,
                }
                for f in self.fields
                if f.name != "id" and f.name not in INTERNAL_FIELDS
            },
            "default_fields": list(self.default_fields),
            "mapping": dict(self.mapping),
            "timezone": self.timezone,
            "facets": list(self.facets),
            "bm25": {"k1": self.bm25_k1, "b": self.bm25_b},
            "ranking": {
                "recency_half_life_days": self.recency_half_life_days,
                "title_rule": self.title_rule,
            },
            "search": {"fallback": self.fallback},
            "duplicates": {
                "collapse": self.collapse_duplicates,
                "threshold": self.duplicate_threshold,
            },
            "synonyms": {
                "expand": self.synonyms.expand,
                "builtin": self.synonyms.builtin,
                "file": self.synonyms.file,
                "add": {g[0]: list(g[1:]) for g in self.synonyms.add},
                "remove": list(self.synonyms.remove),
                "weight": self.synonyms.weight,
            },
            "snippets": {"fragments": self.snippet_fragments, "chars": self.snippet_chars},
            "limits": {
                "max_query_chars": self.max_query_chars,
                "max_expansions": self.max_expansions,
                "search_timeout_s": self.search_timeout_s,
                "max_doc_bytes": self.max_doc_bytes,
            },
            "build": {"processes": self.build_processes},
        } | (
            {"sphinxql": {"nodes": list(self.sphinxql_nodes), "index": self.sphinxql_index}}
            if self.backend == "sphinxql"
            else {}
        )

    def index_fingerprint(self) -> str:
        """What decides the index's contents: fields, their types and analyzers."""
        import hashlib

        parts = []
        for f in self.fields:
            if f.name in INTERNAL_FIELDS:
                continue
            analyzer = ""
            if f.type == "text":
                analyzer = self.analyzer_spec(f.analyzer).fingerprint
            # Default text fields are folded into one BM25F field with their boosts as
            # index-time weights, so those boosts decide the index's contents too.
            boost = f.boost if f.type == "text" and f.name in self.default_fields else ""
            parts.append(f"{f.name}:{f.type}:{int(f.stored)}:{analyzer}:{boost}")
        parts.append("default:" + ",".join(self.default_fields))
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _default_fields() -> tuple[FieldConfig, ...]:
    # Author names are matched as written: stemming "Setiawan" or "Pertiwi" only does harm.
    article = tuple(
        FieldConfig(name, kind, boost, analyzer="simple" if name == "author" else None)
        for name, (kind, boost) in BUILTIN_FIELDS.items()
    )
    return article + tuple(FieldConfig(name, "stored") for name in INTERNAL_FIELDS)


# -- loading and validation ---------------------------------------------------------------

_SCHEMA: dict[str, Any] = {
    "name": str,
    "index_path": (str, type(None)),
    "backend": str,
    "analyzer": str,
    "protected_words": list,
    "stopwords": {"add": list, "remove": list},
    "fields": dict,
    "default_fields": list,
    "mapping": dict,
    "timezone": str,
    "facets": list,
    "bm25": {"k1": (int, float), "b": (int, float)},
    "ranking": {"recency_half_life_days": (int, float, type(None)), "title_rule": bool},
    "search": {"fallback": bool},
    "duplicates": {"collapse": bool, "threshold": (int, float)},
    "synonyms": {
        "expand": bool,
        "builtin": bool,
        "file": (str, type(None)),
        "add": dict,
        "remove": list,
        "weight": (int, float),
    },
    "snippets": {"fragments": int, "chars": int},
    "limits": {
        "max_query_chars": int,
        "max_expansions": int,
        "search_timeout_s": (int, float),
        "max_doc_bytes": int,
    },
    "sphinxql": {"nodes": list, "index": str},
    "build": {"processes": (int, str)},
}
_FIELD_KEYS: dict[str, Any] = {
    "type": str,
    "boost": (int, float),
    "stored": bool,
    "analyzer": (str, type(None)),
}
#: The most processes an add may use: the parent and one helper (docs/build.md).
MAX_BUILD_PROCESSES = 2


def check_processes(value: object, key: str = "processes") -> int | str:
    """``value`` as a valid ``processes`` setting, else a ConfigError naming ``key``."""
    if value == "auto":
        return "auto"
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_BUILD_PROCESSES:
        return value
    raise ConfigError(
        f"{key} must be 'auto' or a whole number from 1 to {MAX_BUILD_PROCESSES}, got {value!r}",
        hint="1 builds in this process only; 2 adds a helper process; auto: a helper "
        "when the machine has more than one core",
    )


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The config file a command uses: ``explicit`` (``--config``), else the file named by
    ``SEARCHLIB_CONFIG``, else ``./searchlib.yaml`` when it exists, else None."""
    if explicit is not None:
        return Path(explicit)
    named = os.environ.get(CONFIG_ENV, "").strip()
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ConfigError(f"{CONFIG_ENV} names {path}, which is not a file")
        return path
    local = Path(CONFIG_FILE)
    return local if local.is_file() else None


def load_config(source: str | os.PathLike[str] | Mapping[str, Any] | Config | None) -> Config:
    """A validated :class:`Config` from a YAML path, a dict, or ``None`` (all defaults)."""
    if source is None:
        return Config()
    if isinstance(source, Config):
        return source
    where = "config"
    base_dir = None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        where = str(path)
        base_dir = os.path.dirname(os.path.abspath(path))
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: cannot read config: {error}") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ConfigError(f"{path}: invalid YAML: {error}") from None
        if data is None:
            data = {}
    else:
        data = dict(source)
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: the config must be a mapping, got {type(data).__name__}")
    config = _build(data, where)
    return replace(config, base_dir=base_dir) if base_dir else config


def _check(
    data: Mapping[str, Any], schema: Mapping[str, Any], where: str, prefix: str = ""
) -> None:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key not in schema:
            raise ConfigError(
                f"{where}: unknown key {dotted!r}",
                hint="allowed here: " + ", ".join(sorted(schema)),
            )
        expected = schema[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: {dotted} must be a mapping, got {_tname(value)}")
            _check(value, expected, where, dotted + ".")
        elif not isinstance(value, expected) or (
            isinstance(value, bool) and expected in (int, (int, float))
        ):
            raise ConfigError(
                f"{where}: {dotted} must be {_describe(expected)}, got {_tname(value)}"
            )
        elif isinstance(value, float) and not math.isfinite(value):
            # YAML's .nan and .inf are floats: a NaN weight makes every score NaN (and the
            # JSON output invalid), an infinite one makes every score infinite.
            raise ConfigError(f"{where}: {dotted} must be a finite number, got {value!r}")


def _tname(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _describe(expected: Any) -> str:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    names = {
        int: "a number",
        float: "a number",
        str: "a string",
        bool: "true/false",
        list: "a list",
        dict: "a mapping",
        type(None): "null",
    }
    return " or ".join(dict.fromkeys(names[k] for k in kinds))


def _strings(values: list[Any], key: str, where: str) -> tuple[str, ...]:
    for v in values:
        if not isinstance(v, str):
            raise ConfigError(f"{where}: every item of {key} must be a string, got {_tname(v)}")
    return tuple(v.strip() for v in values if v.strip())


def _positive(value: float, key: str, where: str, *, minimum: float = 0.0) -> None:
    if value <= minimum:
        raise ConfigError(f"{where}: {key} must be greater than {minimum:g}, got {value!r}")


def _build(data: dict[str, Any], where: str) -> Config:
    _check(data, _SCHEMA, where)
    kw: dict[str, Any] = {"source_file": where if where != "config" else None}
    _identity(data, where, kw)
    _sphinxql(data, where, kw)
    _words(data, where, kw)
    fields = _fields(data, where)
    kw["fields"] = tuple(fields.values())
    _field_references(data, where, fields, kw)
    _zone_and_facets(data, where, fields, kw)
    _ranking(data, where, kw)
    _tuning(data, where, kw)
    kw["synonyms"] = _synonyms(data.get("synonyms", {}), where)
    config = Config(**kw)
    try:
        for f in config.fields:
            if f.type == "text":
                config.analyzer_spec(f.analyzer)
    except AnalyzerError as error:
        raise ConfigError(f"{where}: {error}", hint=error.hint) from None
    return config


def _identity(data: dict[str, Any], where: str, kw: dict[str, Any]) -> None:
    """The index's name, place, backend and analyzer."""
    for key in ("name", "index_path", "backend", "analyzer"):
        if key in data:
            kw[key] = data[key]
    if "name" in kw and not _NAME.fullmatch(kw["name"]):
        raise ConfigError(
            f"{where}: name must be a plain folder name (letters, digits, '.', '_', '-'), "
            f"got {kw['name']!r}",
            hint="the index goes to indexes/<name>/; set index_path to put it elsewhere",
        )
    if kw.get("backend", "whoosh") not in BACKENDS:
        raise ConfigError(
            f"{where}: backend must be one of {', '.join(BACKENDS)}, got {kw['backend']!r}"
        )


def _sphinxql(data: dict[str, Any], where: str, kw: dict[str, Any]) -> None:
    """The cluster's nodes and index name (needed when the backend is sphinxql)."""
    sphinxql = data.get("sphinxql", {})
    kw["sphinxql_nodes"] = _strings(sphinxql.get("nodes", []), "sphinxql.nodes", where)
    for node in kw["sphinxql_nodes"]:
        host, _, port = node.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"{where}: sphinxql.nodes: {node!r} is not host:port")
    if "index" in sphinxql:
        if not sphinxql["index"].isidentifier():
            raise ConfigError(f"{where}: sphinxql.index must be a plain identifier")
        kw["sphinxql_index"] = sphinxql["index"]
    if kw.get("backend") == "sphinxql" and not kw["sphinxql_nodes"]:
        raise ConfigError(
            f"{where}: backend sphinxql needs sphinxql.nodes (host:port of each node)",
            hint="searchlib cluster init DIR --nodes 2 writes a config for local nodes",
        )


def _words(data: dict[str, Any], where: str, kw: dict[str, Any]) -> None:
    """Protected words and stopword changes."""
    if "protected_words" in data:
        kw["protected_words"] = _strings(data["protected_words"], "protected_words", where)
    stop = data.get("stopwords", {})
    kw["stopwords_add"] = _strings(stop.get("add", []), "stopwords.add", where)
    kw["stopwords_remove"] = _strings(stop.get("remove", []), "stopwords.remove", where)


def _fields(data: dict[str, Any], where: str) -> dict[str, FieldConfig]:
    """The built-in fields with the config's fields added or changed, by name."""
    fields = {f.name: f for f in _default_fields()}
    for name, spec in data.get("fields", {}).items():
        fields[name] = _field(name, spec, fields.get(name), where)
    return fields


def _field(name: Any, spec: Any, base: FieldConfig | None, where: str) -> FieldConfig:
    """One ``fields.NAME`` entry; ``base`` is the built-in field of that name, if any."""
    key = f"fields.{name}"
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise ConfigError(f"{where}: {key}: a field name must be a plain identifier")
    if name in RESERVED_FIELDS:
        raise ConfigError(f"{where}: {key}: {name!r} is reserved for searchlib's own use")
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: {key} must be a mapping, got {_tname(spec)}")
    _check(spec, _FIELD_KEYS, where, key + ".")
    kind = spec.get("type", base.type if base else "text")
    if kind not in FIELD_TYPES:
        raise ConfigError(f"{where}: {key}.type must be one of {', '.join(FIELD_TYPES)}")
    if base is not None and kind != base.type:
        raise ConfigError(f"{where}: {key}.type: the built-in field {name!r} is {base.type}")
    if name == "id" and set(spec) - {"type"}:
        raise ConfigError(f"{where}: {key}: the id field cannot be changed")
    boost = float(spec.get("boost", base.boost if base else 1.0))
    _positive(boost, f"{key}.boost", where)
    # Keys a config leaves out keep the built-in field's settings.
    analyzer = spec.get("analyzer", base.analyzer if base else None)
    if analyzer is not None and kind != "text":
        raise ConfigError(f"{where}: {key}.analyzer applies to text fields only")
    stored = spec.get("stored", base.stored if base else True)
    return FieldConfig(name, kind, boost, stored, analyzer)


def _field_references(
    data: dict[str, Any], where: str, fields: dict[str, FieldConfig], kw: dict[str, Any]
) -> None:
    """default_fields and mapping, which must name fields that exist."""
    if "default_fields" in data:
        names = _strings(data["default_fields"], "default_fields", where)
        for name in names:
            if name not in fields or fields[name].type not in ("text", "keyword"):
                raise ConfigError(f"{where}: default_fields: {name!r} is not a searchable field")
        if not names:
            raise ConfigError(f"{where}: default_fields must name at least one field")
        kw["default_fields"] = names
    mapping = data.get("mapping", {})
    for src, dst in mapping.items():
        if not isinstance(dst, str) or dst not in fields:
            raise ConfigError(
                f"{where}: mapping.{src} must name a field ({', '.join(fields)}), got {dst!r}"
            )
    kw["mapping"] = tuple((str(k), v) for k, v in mapping.items())


def _zone_and_facets(
    data: dict[str, Any], where: str, fields: dict[str, FieldConfig], kw: dict[str, Any]
) -> None:
    """The index's time zone (an IANA name) and its facet fields (keyword fields)."""
    if "timezone" in data:
        try:
            load_zone(data["timezone"])
        except ConfigError as error:
            raise ConfigError(f"{where}: {error}", hint=error.hint) from None
        kw["timezone"] = data["timezone"]
    if "facets" in data:
        names = _strings(data["facets"], "facets", where)
        keyword = [n for n, f in fields.items() if f.type == "keyword" and n != "id"]
        for name in names:
            if name not in keyword:
                raise ConfigError(
                    f"{where}: facets: {name!r} is not a keyword field",
                    hint="keyword fields: " + ", ".join(keyword),
                )
        kw["facets"] = tuple(dict.fromkeys(names))


def _ranking(data: dict[str, Any], where: str, kw: dict[str, Any]) -> None:
    """BM25 parameters, recency decay and the search fallback."""
    bm25 = data.get("bm25", {})
    kw["bm25_k1"] = float(bm25.get("k1", 1.2))
    kw["bm25_b"] = float(bm25.get("b", 0.75))
    _positive(kw["bm25_k1"], "bm25.k1", where)
    if not 0.0 <= kw["bm25_b"] <= 1.0:
        raise ConfigError(f"{where}: bm25.b must be between 0 and 1, got {kw['bm25_b']!r}")
    half_life = data.get("ranking", {}).get("recency_half_life_days")
    if half_life is not None:
        _positive(half_life, "ranking.recency_half_life_days", where)
        kw["recency_half_life_days"] = float(half_life)
    if "title_rule" in data.get("ranking", {}):
        kw["title_rule"] = data["ranking"]["title_rule"]
    if "fallback" in data.get("search", {}):
        kw["fallback"] = data["search"]["fallback"]
    _duplicates(data.get("duplicates", {}), where, kw)


def _duplicates(duplicates: dict[str, Any], where: str, kw: dict[str, Any]) -> None:
    """Whether searches collapse near-duplicate stories, and how alike they must be."""
    if "collapse" in duplicates:
        kw["collapse_duplicates"] = duplicates["collapse"]
    if "threshold" in duplicates:
        threshold = float(duplicates["threshold"])
        if not 0.0 < threshold <= 1.0:
            raise ConfigError(
                f"{where}: duplicates.threshold must be above 0 and at most 1, got {threshold!r}"
            )
        kw["duplicate_threshold"] = threshold


def _synonyms(section: dict[str, Any], where: str) -> SynonymSettings:
    """The synonyms section; its file is read now, so a bad line fails when the config
    loads, naming the file and the line. A relative path is against the config's folder."""
    file = section.get("file")
    if file is not None:
        base = Path(where).parent if where != "config" else Path()
        file = str((base / Path(file).expanduser()).resolve())
        try:
            read_groups(file)
        except ConfigError as error:
            raise ConfigError(f"{where}: synonyms.file: {error}", hint=error.hint) from None
    return SynonymSettings(
        expand=section.get("expand", SynonymSettings.expand),
        builtin=section.get("builtin", True),
        file=file,
        add=inline_groups(section.get("add", {}), where),
        remove=_strings(section.get("remove", []), "synonyms.remove", where),
        weight=_synonym_weight(section.get("weight", SynonymSettings.weight), where),
    )


def _synonym_weight(value: float, where: str) -> float:
    if not 0 < value <= 1:
        raise ConfigError(
            f"{where}: synonyms.weight must be above 0 and at most 1, got {value}",
            hint="a form the user did not type counts this much against the typed form's 1",
        )
    return float(value)


def _tuning(data: dict[str, Any], where: str, kw: dict[str, Any]) -> None:
    """Snippet sizes, build processes and limits."""
    snippets = data.get("snippets", {})
    for src, dst, low in (("fragments", "snippet_fragments", 0), ("chars", "snippet_chars", 19)):
        if src in snippets:
            _positive(snippets[src], f"snippets.{src}", where, minimum=low)
            kw[dst] = snippets[src]
    if "processes" in data.get("build", {}):
        kw["build_processes"] = check_processes(
            data["build"]["processes"], f"{where}: build.processes"
        )
    for key, value in data.get("limits", {}).items():
        _positive(value, f"limits.{key}", where)
        kw[key] = float(value) if key == "search_timeout_s" else value
