"""Acronyms and equivalents, searched for one another at query time.

Indonesian news writes ``KPK`` and ``Komisi Pemberantasan Korupsi``, ``AS`` and ``Amerika
Serikat`` interchangeably. A query naming one form also searches the others (a form of several
words as a phrase), so no index needs rebuilding when the list changes. The shipped list is
``analyzers/acronyms-id.txt``; a config extends, replaces or removes its groups
(``synonyms:`` in docs/configuration.md).

Only what the user typed as plain words is expanded: a quoted phrase, a prefix, a fuzzy word
and keyword fields (``category:``, ``source:``) are taken as written. A form and its
equivalents become one :class:`~searchlib.query.Forms` group, which a backend scores as its
best form, and a query that names two forms of one group is taken as written.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from searchlib._resources import analyzers_dir
from searchlib.errors import ConfigError
from searchlib.query.parser import And, Forms, Node, Not, Or, Phrase, Word

__all__ = [
    "BUILTIN_LIST",
    "SynonymSettings",
    "Synonyms",
    "builtin_groups",
    "parse_form",
    "parse_groups",
    "synonyms_for",
]

#: The shipped list, in ``analyzers/``.
BUILTIN_LIST = "acronyms-id.txt"
#: Marks a form that is also an ordinary word: recognised only when typed exactly so.
EXACT_MARK = "!"
#: One-word forms this short are recognised only when typed exactly as listed (AS, BI).
EXACT_MAX_LETTERS = 2
_STRIP = string.punctuation.replace("-", "").replace("/", "") + "“”‘’«»"

Group = tuple[str, ...]
#: A listed form a query spells: its group's index and its words (lower case).
Found = tuple[int, tuple[str, ...]]


@dataclass(frozen=True)
class SynonymSettings:
    """The ``synonyms:`` section of a config (validated by :mod:`searchlib.config`)."""

    expand: bool = True
    builtin: bool = True
    #: A list in the shipped format, as an absolute path (resolved by the config).
    file: str | None = None
    #: Inline groups, applied after the file's.
    add: tuple[Group, ...] = ()
    #: Forms whose groups are dropped.
    remove: tuple[str, ...] = ()
    #: What a match of a form the user did not type counts for, against the typed form's 1:
    #: an article in the other form is found, the articles in the typed form stay first.
    weight: float = 0.2


def _key(word: str) -> str:
    """A typed word as it is compared with a form: lower case, outer punctuation gone."""
    return word.strip(_STRIP).lower()


def parse_form(text: str) -> tuple[str, bool]:
    """A listed form without its mark, and whether it must be typed exactly as listed."""
    exact = text.startswith(EXACT_MARK)
    form = " ".join(text.removeprefix(EXACT_MARK).split())
    return form, exact or (" " not in form and len(form) <= EXACT_MAX_LETTERS)


def parse_groups(text: str, where: str) -> list[Group]:
    """Groups of ``FORM = FORM [= FORM ...]`` lines; ``#`` starts a comment.

    A malformed line is a :class:`ConfigError` naming ``where`` and the line number.
    """
    groups = []
    for number, line in enumerate(text.splitlines(), 1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        groups.append(check_group(content.split("="), f"{where}:{number}"))
    return groups


def check_group(forms: Iterable[object], where: str) -> Group:
    """``forms`` as one group: two or more different non-empty forms."""
    cleaned = []
    for form in forms:
        if not isinstance(form, str):
            raise ConfigError(f"{where}: every form must be a string, got {type(form).__name__}")
        name, _ = parse_form(form.strip())
        if not name or name == EXACT_MARK:
            raise ConfigError(f"{where}: an empty form", hint="write FORM = FORM [= FORM ...]")
        cleaned.append(form.strip())
    names = [parse_form(f)[0].lower() for f in cleaned]
    if len(names) < 2:
        raise ConfigError(f"{where}: a group needs two or more forms", hint="e.g. KPK = Komisi ...")
    if len(set(names)) != len(names):
        raise ConfigError(f"{where}: a form is listed twice in one group")
    return tuple(cleaned)


@lru_cache(maxsize=8)
def read_groups(path: str) -> tuple[Group, ...]:
    """The groups of a list file (the shipped one or a config's)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the synonym list {path}: {error}") from None
    return tuple(parse_groups(text, path))


def merge(base: Sequence[Group], changes: Iterable[Group], remove: Iterable[str]) -> list[Group]:
    """``base`` with each changed group replacing the base group of the same name (its
    first form, any case) or else added, then every group holding a removed form dropped."""
    merged = {parse_form(g[0])[0].lower(): g for g in base}
    for group in changes:
        merged[parse_form(group[0])[0].lower()] = group
    gone = {parse_form(r)[0].lower() for r in remove}
    return [g for g in merged.values() if not gone & {parse_form(f)[0].lower() for f in g}]


class Synonyms:
    """Expands the plain words of a query tree that spell a listed form."""

    def __init__(
        self, groups: Iterable[Group] = (), text_fields: Iterable[str] = (), weight: float = 1.0
    ) -> None:
        self._weight = weight
        self._forms: list[tuple[str, ...]] = []
        self._text_fields = frozenset(text_fields)
        # A form listed in several groups belongs to the last of them (a config's own
        # group wins over the shipped one).
        owner: dict[tuple[str, ...], tuple[tuple[str, ...] | None, int]] = {}
        for index, group in enumerate(groups):
            forms = [parse_form(f) for f in group]
            self._forms.append(tuple(name for name, _ in forms))
            for name, exact in forms:
                words = tuple(name.split())
                owner[tuple(w.lower() for w in words)] = (words if exact else None, index)
        #: first word (lower case) -> [(words, exact spelling or None, group)], longest first
        self._starts: dict[str, list[tuple[tuple[str, ...], tuple[str, ...] | None, int]]] = {}
        for words, (spelling, index) in sorted(owner.items(), key=lambda item: -len(item[0])):
            self._starts.setdefault(words[0], []).append((words, spelling, index))

    def __len__(self) -> int:
        return len(self._forms)

    def expand(self, node: Node) -> Node:
        """``node`` with every listed form it spells also searching its group's other forms
        (a :class:`Forms` group, typed form first). A group the query already names in two
        of its forms is left as typed: the writer spelled both out ("Menteri Keuangan
        (Menkeu)"), so the documents that matter use the forms typed."""
        if not self._starts:
            return node
        found: list[Found] = []
        expanded = self._expand(node, frozenset(), found)
        spelled: dict[int, set[tuple[str, ...]]] = {}
        for index, words in found:
            spelled.setdefault(index, set()).add(words)
        both = frozenset(index for index, forms in spelled.items() if len(forms) > 1)
        return self._expand(node, both, []) if both else expanded

    def _expand(self, node: Node, skip: frozenset[int], found: list[Found]) -> Node:
        if isinstance(node, Word):
            return self._sequence((node,), Or, skip, found)[0]
        if isinstance(node, Not):
            return Not(self._expand(node.child, skip, found))
        if isinstance(node, (And, Or)) and not isinstance(node, Forms):
            children = self._sequence(node.children, type(node), skip, found)
            return children[0] if len(children) == 1 else type(node)(tuple(children))
        return node

    def _sequence(
        self, children: Sequence[Node], kind: type, skip: frozenset[int], found: list[Found]
    ) -> list[Node]:
        """The children of an And or an Or, each listed form they spell (added to
        ``found``) made a group with its group's other forms, unless its group is in
        ``skip``. In an Or, the words of a form of several words stay alternatives of
        their own (a question's words need not all match)."""
        out: list[Node] = []
        i = 0
        while i < len(children):
            child = children[i]
            match = self._match(children, i) if self._expandable(child) else None
            if match is not None:
                found.append(match)
            if match is None or match[0] in skip:
                out.append(child if isinstance(child, Word) else self._expand(child, skip, found))
                i += 1
                continue
            index, words = match
            span = tuple(children[i : i + len(words)])
            assert isinstance(child, Word)
            others = self._others(index, " ".join(words), child)
            typed = span[0] if len(span) == 1 else kind(span)
            out.append(Forms((typed, *others)))
            i += len(words)
        return out

    def _expandable(self, node: Node) -> bool:
        return isinstance(node, Word) and (node.field is None or node.field in self._text_fields)

    def _match(self, children: Sequence[Node], i: int) -> Found | None:
        """The longest listed form starting at ``children[i]``: its group and its words
        (lower case)."""
        first = children[i]
        assert isinstance(first, Word)
        for words, exact, index in self._starts.get(_key(first.text), ()):
            typed = [
                w
                for w in children[i : i + len(words)]
                if isinstance(w, Word) and self._expandable(w) and w.field == first.field
            ]
            if len(typed) < len(words):
                continue
            texts = [w.text.strip(_STRIP) for w in typed]
            if [t.lower() for t in texts] != list(words) or (exact and tuple(texts) != exact):
                continue
            return index, words
        return None

    def _others(self, index: int, matched: str, typed: Word) -> list[Node]:
        others: list[Node] = []
        for form in self._forms[index]:
            if form.lower() == matched:
                continue
            # A phrase scores about the sum of its words' scores: scaled by the two forms'
            # lengths, an added form counts about ``weight`` times the typed one, whether
            # the user typed the acronym or its long form.
            boost = min(1.0, self._weight * len(matched.split()) / len(form.split()))
            if " " in form:
                others.append(Phrase(form, typed.field, boost=boost))
            else:
                others.append(replace(typed, text=form, boost=boost))
        return others


def builtin_groups() -> tuple[Group, ...]:
    """The shipped list's groups."""
    return read_groups(str(analyzers_dir() / BUILTIN_LIST))


@lru_cache(maxsize=16)
def _build(settings: SynonymSettings, text_fields: frozenset[str]) -> Synonyms:
    base: Sequence[Group] = ()
    if settings.builtin:
        base = builtin_groups()
    changes = list(read_groups(settings.file)) if settings.file else []
    groups = merge(base, changes + list(settings.add), settings.remove)
    return Synonyms(groups, text_fields, settings.weight)


def synonyms_for(settings: SynonymSettings, text_fields: Iterable[str]) -> Synonyms:
    """The expander a config's settings describe (one per distinct settings, shared)."""
    if not settings.expand:
        return Synonyms()
    return _build(settings, frozenset(text_fields))


def inline_groups(add: Mapping[object, object], where: str) -> tuple[Group, ...]:
    """``synonyms.add`` of a config: ``FORM: OTHER`` or ``FORM: [OTHER, ...]``."""
    groups = []
    for name, others in add.items():
        forms = [name, *(others if isinstance(others, list) else [others])]
        groups.append(check_group(forms, f"{where}: synonyms.add.{name}"))
    return tuple(groups)
