"""The embedded engine uses Whoosh through its public names only.

Every name Whoosh itself defines or uses with a leading underscore (dunder names aside) is
collected from the installed Whoosh's source. The engine package's code must not reference
one -- as an attribute (``x._name``), through ``getattr``/``setattr``/``hasattr``/
``delattr``, as an imported name or a keyword argument -- nor define one as a method or
attribute of a class derived from a Whoosh class (that would override or shadow Whoosh's
private). A class of our own that derives from nothing of Whoosh's may keep ``self._x``
attributes of its own. Nothing may be assigned onto an object imported from Whoosh.
"""

from __future__ import annotations

import ast
import warnings
from functools import cache
from pathlib import Path

import pytest
import whoosh

import searchlib

ENGINE = Path(searchlib.__file__).parent / "backends" / "embedded"
ATTRIBUTE_CALLS = {"getattr", "setattr", "hasattr", "delattr"}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@cache
def whoosh_privates() -> frozenset[str]:
    """Every underscore name in Whoosh's source: defined, assigned, read or a parameter."""
    names: set[str] = set()
    for path in Path(whoosh.__file__).parent.rglob("*.py"):
        with warnings.catch_warnings():  # Whoosh's old string escapes
            warnings.simplefilter("ignore")
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[-1])
    return frozenset(n for n in names if is_private(n))


def whoosh_imports(tree: ast.Module) -> set[str]:
    """The names a module binds to something imported from whoosh."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "whoosh":
            bound.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "whoosh":
                    bound.add(alias.asname or alias.name.split(".")[0])
    return bound


def root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


@cache
def engine_modules() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(ENGINE.rglob("*.py"))
    }


def class_bases(tree: ast.Module) -> tuple[dict[str, list[str]], set[str]]:
    """The classes ``tree`` defines, each with the root names of its bases, and the names
    it imports from Whoosh."""
    classes = {
        node.name: [r for b in node.bases if (r := root_name(b)) is not None]
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    return classes, whoosh_imports(tree)


@cache
def engine_class_bases() -> tuple[dict[str, list[str]], frozenset[str]]:
    classes: dict[str, list[str]] = {}
    imported: set[str] = set()
    for tree in engine_modules().values():
        more, names = class_bases(tree)
        classes.update(more)
        imported |= names
    return classes, frozenset(imported)


def whoosh_derived(tree: ast.Module) -> frozenset[str]:
    """Names of the classes in the engine and ``tree`` that derive (through each other or
    directly) from a Whoosh class."""
    engine_classes, engine_imported = engine_class_bases()
    own_classes, imported = class_bases(tree)
    classes = {**engine_classes, **own_classes}
    imported |= engine_imported
    derived = {name for name, bases in classes.items() if imported.intersection(bases)}
    while True:
        more = {name for name, bases in classes.items() if derived.intersection(bases)}
        if more <= derived:
            return frozenset(derived)
        derived |= more


def violations(path: Path, tree: ast.Module) -> list[str]:
    privates = whoosh_privates()
    derived = whoosh_derived(tree)
    from_whoosh = whoosh_imports(tree)
    found: list[str] = []

    def flag(node: ast.AST, what: str) -> None:
        found.append(f"{path.name}:{getattr(node, 'lineno', '?')}: {what}")

    own_self: set[int] = set()  # ids of `self` attribute nodes inside our own classes
    for cls in ast.walk(tree):
        if not isinstance(cls, ast.ClassDef):
            continue
        for item in cls.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if cls.name in derived and item.name in privates:
                    flag(item, f"{cls.name} overrides Whoosh's {item.name}")
                if cls.name not in derived:
                    for sub in ast.walk(item):
                        if (
                            isinstance(sub, ast.Attribute)
                            and isinstance(sub.value, ast.Name)
                            and sub.value.id in ("self", "cls")
                        ):
                            own_self.add(id(sub))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in privates and id(node) not in own_self:
            flag(node, f"references Whoosh's private name {node.attr}")
        elif isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Name)
                and func.id in ATTRIBUTE_CALLS
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in privates
            ):
                flag(node, f"{func.id}(..., {node.args[1].value!r}) names a Whoosh private")
            if (
                isinstance(func, ast.Name)
                and func.id == "setattr"
                and node.args
                and root_name(node.args[0]) in from_whoosh
            ):
                flag(node, "setattr onto an object imported from whoosh")
            for keyword in node.keywords:
                if keyword.arg in privates:
                    flag(keyword, f"passes Whoosh's private parameter {keyword.arg}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            for alias in node.names:
                if is_private(alias.name):
                    flag(node, f"imports Whoosh's private {alias.name}")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, (ast.Attribute, ast.Subscript))
                    and root_name(target) in from_whoosh
                ):
                    flag(node, "assigns onto an object imported from whoosh")
    return found


def test_whoosh_privates_are_collected() -> None:
    # A sanity check that the collection sees Whoosh's code: names its W3 codec defines.
    assert {"_mini_ids", "_write_block", "_goto", "_read_data", "_terminfo"} <= whoosh_privates()


@pytest.mark.parametrize("path", list(engine_modules()), ids=lambda p: p.name)
def test_engine_module_uses_no_whoosh_private(path: Path) -> None:
    assert violations(path, engine_modules()[path]) == []


def test_the_check_finds_violations(tmp_path: Path) -> None:
    source = (
        "from whoosh.codec import whoosh3\n"
        "from whoosh.codec.base import Segment\n"
        "from whoosh.codec.whoosh3 import _lenfield\n"
        "class Mine(whoosh3.W3LeafMatcher):\n"
        "    def _goto(self, position):\n"
        "        self._data = None\n"
        "class Own:\n"
        "    def __init__(self):\n"
        "        self._data = None\n"
        "def f(reader, w):\n"
        "    getattr(reader, '_terms')\n"
        "    w.commit(_lk=False)\n"
        "    Segment._random_id = None\n"
        "    setattr(Segment, 'x', 1)\n"
        "    return reader._perdoc\n"
        "class Other:\n"
        "    def size(self):\n"
        "        return self._ix._segments()\n"
    )
    found = violations(tmp_path / "bad.py", ast.parse(source))
    lines = sorted({int(v.split(":")[1]) for v in found})
    # Own's self._data (line 9) is its own attribute; everything else is flagged.
    assert lines == [3, 5, 6, 11, 12, 13, 14, 15, 18], found
