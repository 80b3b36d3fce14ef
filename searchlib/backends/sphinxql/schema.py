"""The engine-side schema a searchlib config needs, and the searchd index sections for it.

Every searchable field becomes a full-text field ``t_<name>`` holding pre-analyzed, encoded
terms (the engine's own morphology, stopwords and case folding stay off). The article as
stored (title, body, ...) travels in one JSON string attribute ``doc``, so snippets are
made by searchlib from the same text the embedded backend stores. Date fields are integer
attributes ``d_<name>`` (seconds since 1970; no date sorts last), and the facet fields (the
config's ``facets``) are string attributes ``f_<name>`` holding the value as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from searchlib.config import Config
from searchlib.errors import BackendNotSupportedError

#: The keyword field whose value is a list: one string attribute cannot count it.
LIST_FIELD = "tags"

#: A full-text field holding one token in every document, so a query of only exclusions
#: (``-rusia``) has something to exclude from: Sphinx refuses a lone NOT.
ALL_FIELD = "t_all_"
ALL_TOKEN = "a"
#: The date attribute value of a document without that date (before any real date).
NO_DATE = -(1 << 62)


@dataclass(frozen=True)
class EngineSchema:
    index: str
    text_fields: tuple[str, ...]  # searchlib text fields
    keyword_fields: tuple[str, ...]  # searchlib keyword fields (id excluded)
    date_fields: tuple[str, ...]
    facet_fields: tuple[str, ...]

    @property
    def rt_index(self) -> str:
        return self.index

    @property
    def dist_index(self) -> str:
        return self.index + "_dist"

    @property
    def meta_index(self) -> str:
        return self.index + "_meta"

    def fulltext(self) -> list[str]:
        names = [ftname(n) for n in self.text_fields + self.keyword_fields]
        return [*names, ALL_FIELD]

    def attributes(self) -> list[tuple[str, str]]:
        """(name, sphinx type) in declaration order."""
        attrs = [("sid", "string"), ("doc", "string")]
        attrs += [(f"d_{n}", "bigint") for n in self.date_fields]
        attrs += [(f"f_{n}", "string") for n in self.facet_fields]
        return attrs

    def describe(self) -> list[tuple[str, str]]:
        """What ``DESCRIBE <rt index>`` answers for this schema (Sphinx 2.2's spelling)."""
        rows = [("id", "bigint")]
        rows += [(n, "field") for n in self.fulltext()]
        rows += self.attributes()
        return rows


def ftname(field: str) -> str:
    return "t_" + field


def engine_schema(config: Config, index: str) -> EngineSchema:
    text = tuple(f.name for f in config.fields if f.type == "text")
    keyword = tuple(f.name for f in config.fields if f.type == "keyword" and f.name != "id")
    dates = tuple(f.name for f in config.fields if f.type == "date")
    facets = tuple(n for n in config.facets if n in keyword)
    if LIST_FIELD in facets:
        raise BackendNotSupportedError(
            f"{config.where}: facets: the sphinxql backend counts single-valued keyword "
            f"fields only, and {LIST_FIELD!r} holds a list",
            hint=f"leave {LIST_FIELD} out of facets for a cluster index",
        )
    return EngineSchema(index, text, keyword, dates, facets)


def index_sections(
    schema: EngineSchema,
    data_dir: str,
    agents: list[str],
    *,
    agent_query_timeout_ms: int = 5000,
) -> str:
    """The ``index`` sections of one node's searchd config: the node's RT shard, the
    distributed index that searches it plus every other node's shard (``agents``:
    ``host:api_port``), and the small meta index searchlib checks the node against."""
    lines = [
        f"index {schema.rt_index}",
        "{",
        "    type = rt",
        f"    path = {data_dir}/{schema.rt_index}",
    ]
    lines += [f"    rt_field = {name}" for name in schema.fulltext()]
    kinds = {"string": "rt_attr_string", "bigint": "rt_attr_bigint"}
    lines += [f"    {kinds[kind]} = {name}" for name, kind in schema.attributes()]
    lines += [
        "    # searchlib sends analyzed, encoded terms: the engine must not change them",
        "    charset_table = 0..9, a..z, _",
        "    dict = keywords",
        "    min_prefix_len = 2",
        "    index_field_lengths = 1",
        "    rt_mem_limit = 256M",
        "}",
        "",
        f"index {schema.dist_index}",
        "{",
        "    type = distributed",
        f"    local = {schema.rt_index}",
    ]
    # Persistent: a new agent connection per search costs the remote node a thread start.
    lines += [f"    agent_persistent = {agent}:{schema.rt_index}" for agent in agents]
    lines += [
        "    agent_connect_timeout = 500",
        f"    agent_query_timeout = {agent_query_timeout_ms}",
        "}",
        "",
        f"index {schema.meta_index}",
        "{",
        "    type = rt",
        f"    path = {data_dir}/{schema.meta_index}",
        "    rt_field = unused",
        "    rt_attr_string = value",
        "}",
        "",
    ]
    return "\n".join(lines)
