"""What changed between the config an index was built with and another one, in words.

An index refuses a config that would write or search it differently (its fingerprint,
:meth:`searchlib.Config.index_fingerprint`); the error says which part differs, so a user
knows whether the index needs rebuilding (``searchlib reindex``) or the config a fix.
"""

from __future__ import annotations

from searchlib.config import Config, FieldConfig

__all__ = ["changes"]


def changes(built: Config, given: Config) -> list[str]:
    """The differences of ``given`` from ``built`` that decide an index's contents, each a
    short phrase ("field 'topic' added", "analyzer indonesian -> simple"). Empty when the
    configs agree and only the analysis code (its word lists or rules) changed."""
    found = _field_changes(built, given)
    if built.analyzer != given.analyzer:
        found.append(f"analyzer {built.analyzer} -> {given.analyzer}")
    if (built.stopwords_add, built.stopwords_remove) != (
        given.stopwords_add,
        given.stopwords_remove,
    ):
        found.append("stopwords changed")
    if built.protected_words != given.protected_words:
        found.append("protected words changed")
    if built.default_fields != given.default_fields:
        found.append(f"default_fields {list(built.default_fields)} -> {list(given.default_fields)}")
    return found


def _field_changes(built: Config, given: Config) -> list[str]:
    old = {f.name: f for f in built.fields}
    new = {f.name: f for f in given.fields}
    found = [f"field {name!r} added ({new[name].type})" for name in new if name not in old]
    found += [f"field {name!r} removed" for name in old if name not in new]
    for name in old.keys() & new.keys():
        found += _one_field(built, given, old[name], new[name])
    return found


def _one_field(built: Config, given: Config, old: FieldConfig, new: FieldConfig) -> list[str]:
    name = repr(old.name)
    if old.type != new.type:
        return [f"field {name} type {old.type} -> {new.type}"]
    found = []
    if old.stored != new.stored:
        found.append(f"field {name} stored {str(old.stored).lower()} -> {str(new.stored).lower()}")
    if old.type == "text" and old.analyzer != new.analyzer:
        found.append(
            f"field {name} analyzer {old.analyzer or built.analyzer} -> "
            f"{new.analyzer or given.analyzer}"
        )
    weighted = old.type == "text" and old.name in built.default_fields
    if weighted and old.boost != new.boost:
        # A default text field's boost is its weight inside the combined field.
        found.append(f"field {name} boost {old.boost:g} -> {new.boost:g}")
    return found
