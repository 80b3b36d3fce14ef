"""The package's layering, checked on its source with ``ast`` (docs/architecture.md, Rules).

Each rule is a function from a package directory to its violations: the tests run every rule
on searchlib itself (no violations) and on a small package written with one violation of
each kind (the rule finds it), so a rule that cannot fail is itself a failure here.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "searchlib"

#: The engine package: the only place that imports whoosh.
ENGINE = "searchlib.backends.embedded"
#: Import paths that format-4 tables of contents pickle; they re-export engine classes only.
PICKLED_PATHS = "searchlib._whoosh"
#: What index.py may import of the backends: the registry and the interface.
SEAM = ("searchlib.backends", "searchlib.backends.base")
#: Packages that know no storage engine and no backend.
ENGINE_FREE = ("searchlib.analysis", "searchlib.query", "searchlib.snippets")
#: The faces and the packages each may import besides ``searchlib``'s public names.
FACES = {
    "searchlib.cli": ("searchlib.cli", "searchlib.web"),  # ``serve`` starts the web face
    "searchlib.web": ("searchlib.web",),
}
#: Modules a face imports outside the public API, and why.
FACE_EXCEPTIONS = {
    # The built-in sample's location, for ``--index`` defaults and ``serve`` with no index.
    "searchlib._sample": "sample_path is the CLI's default, not a library feature",
    # ``searchlib evaluate`` is the command line of the evaluation package, which itself
    # uses only the public API (Index, load_config).
    "searchlib.evaluation.runner": "the evaluate command's engine",
    "searchlib.evaluation.systems": "the evaluate command's engine",
    # ``searchlib cluster init/start/stop/status`` manage local searchd processes: node
    # administration, not index access (indexes are reached through Index and a config).
    "searchlib.backends.sphinxql.nodes": "cluster node administration",
}
MAX_FUNCTION_LINES = 60

Violation = str


# -- reading the source -------------------------------------------------------------------


@cache
def parsed(path: Path) -> ast.Module:
    """A source file's tree, parsed once per run (every rule reads every module)."""
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def modules(root: Path) -> Iterator[tuple[str, Path, ast.Module]]:
    """Every module below the package directory ``root`` as (dotted name, path, tree)."""
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path, parsed(path)


def imports(name: str, path: Path, tree: ast.Module) -> Iterator[tuple[int, str, str | None]]:
    """(line, module, imported name or None) for every import, nested ones included;
    relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield node.lineno, base, alias.name


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def public_names(root: Path) -> set[str]:
    tree = ast.parse((root / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return set()


# -- the rules ----------------------------------------------------------------------------


def whoosh_outside_engine(root: Path) -> list[Violation]:
    """whoosh is imported only in the engine package (and, for now, analysis/); the
    pickled import paths re-export from the engine package and import nothing else."""
    found = []
    for name, path, tree in modules(root):
        for line, module, _ in imports(name, path, tree):
            where = f"{name}:{line}"
            if within(name, PICKLED_PATHS):
                if not (within(module, ENGINE) or module == "__future__"):
                    found.append(f"{where} imports {module} (only {ENGINE} allowed)")
            elif within(module, "whoosh") and not may_import_whoosh(name):
                found.append(f"{where} imports {module}")
    return found


def may_import_whoosh(name: str) -> bool:
    return within(name, ENGINE)


def index_names_a_backend(root: Path) -> list[Violation]:
    """index.py imports the registry and the interface, no backend, and names none."""
    found = []
    for name, path, tree in modules(root):
        if name != "searchlib.index":
            continue
        for line, module, what in imports(name, path, tree):
            target = f"{module}.{what}" if what else module
            if within(module, "whoosh") or (
                within(module, "searchlib.backends") and module not in SEAM
            ):
                found.append(f"{name}:{line} imports {module}")
            elif module == "searchlib.backends" and what not in (None, "backend_type"):
                found.append(f"{name}:{line} imports {target}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in ("whoosh", "sphinxql"):
                found.append(f"{name}:{node.lineno} names the backend {node.value!r}")
    return found


def faces_beyond_public_api(root: Path) -> list[Violation]:
    """cli/ and web/ import searchlib's public names (``from searchlib import X`` with X
    in ``searchlib.__all__``), their own package, and the listed exceptions only."""
    public = public_names(root)
    found = []
    for name, path, tree in modules(root):
        face = next((f for f in FACES if within(name, f)), None)
        if face is None:
            continue
        for line, module, what in imports(name, path, tree):
            if not within(module, "searchlib") or module in FACE_EXCEPTIONS:
                continue
            if any(within(module, own) for own in FACES[face]):
                continue
            if module == "searchlib" and (what is None or what in public):
                continue
            target = f"{module}.{what}" if what and module == "searchlib" else module
            found.append(f"{name}:{line} imports {target} (not public API)")
    return list(dict.fromkeys(found))


def engine_in_engine_free_code(root: Path) -> list[Violation]:
    """analysis/, query/ and snippets import no backend and (once analysis/ is free of
    it) no whoosh."""
    found = []
    for name, path, tree in modules(root):
        if not any(within(name, p) for p in ENGINE_FREE):
            continue
        for line, module, _ in imports(name, path, tree):
            backend = within(module, "searchlib.backends") or within(module, PICKLED_PATHS)
            if backend or (within(module, "whoosh") and not may_import_whoosh(name)):
                found.append(f"{name}:{line} imports {module}")
    return found


def long_functions(root: Path) -> list[Violation]:
    """No function (docstring and body) over MAX_FUNCTION_LINES lines."""
    found = []
    for name, _path, tree in modules(root):
        for node, qualname in _functions(tree, name):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{qualname}:{node.lineno} has {length} lines")
    return found


def _functions(tree: ast.AST, prefix: str) -> Iterator[tuple[ast.AST, str]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node, f"{prefix}.{node.name}"
            yield from _functions(node, f"{prefix}.{node.name}")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}.{node.name}")


RULES: list[Callable[[Path], list[Violation]]] = [
    whoosh_outside_engine,
    index_names_a_backend,
    faces_beyond_public_api,
    engine_in_engine_free_code,
    long_functions,
]


# -- the tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_searchlib_keeps_the_rule(rule):
    assert rule(PACKAGE) == []


def test_the_allow_lists_name_things_that_exist():
    names = {name for name, _, _ in modules(PACKAGE)}
    for module in [*FACE_EXCEPTIONS, ENGINE, PICKLED_PATHS]:
        assert module in names, module


BAD_PACKAGE = {
    "__init__.py": '__all__ = ["Index"]\nfrom searchlib.index import Index\n',
    "index.py": """
        from searchlib.backends import backend_type
        from searchlib.backends.embedded.store import WhooshStore

        def kind(cfg):
            return "sphinxql" if cfg else backend_type("x")
        """,
    "hits.py": "import whoosh.highlight\n",
    "_whoosh/__init__.py": "from searchlib.index import Index\n",
    "backends/__init__.py": "",
    "backends/base.py": "",
    "backends/embedded/__init__.py": "",
    "backends/embedded/store.py": "from whoosh import index\n",
    "cli/__init__.py": "from searchlib.config import load_config\nfrom searchlib import Index\n",
    "cli/query.py": "from searchlib import _sample_helper\nfrom ..results import Hit\n",
    "web/app.py": "from searchlib.cli import cli\n",
    "query/parser.py": "from searchlib.backends.base import RawHit\n",
    "snippets.py": "from whoosh.analysis import Token\n",
    "long.py": "def long():\n" + "    x = 1\n" * 60,
}


@pytest.fixture
def bad_package(tmp_path: Path) -> Path:
    root = tmp_path / "searchlib"
    for name, text in BAD_PACKAGE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_each_rule_finds_its_violations(bad_package: Path):
    assert whoosh_outside_engine(bad_package) == [
        "searchlib._whoosh:1 imports searchlib.index (only searchlib.backends.embedded allowed)",
        "searchlib.hits:1 imports whoosh.highlight",
        "searchlib.snippets:1 imports whoosh.analysis",
    ]
    assert index_names_a_backend(bad_package) == [
        "searchlib.index:3 imports searchlib.backends.embedded.store",
        "searchlib.index:6 names the backend 'sphinxql'",
    ]
    assert faces_beyond_public_api(bad_package) == [
        "searchlib.cli:1 imports searchlib.config (not public API)",
        "searchlib.cli.query:1 imports searchlib._sample_helper (not public API)",
        "searchlib.cli.query:2 imports searchlib.results (not public API)",
        "searchlib.web.app:1 imports searchlib.cli (not public API)",
    ]
    assert engine_in_engine_free_code(bad_package) == [
        "searchlib.query.parser:1 imports searchlib.backends.base",
        "searchlib.snippets:1 imports whoosh.analysis",
    ]
    assert long_functions(bad_package) == ["searchlib.long.long:1 has 61 lines"]


def test_analysis_may_not_import_whoosh(bad_package: Path):
    (bad_package / "analysis").mkdir()
    (bad_package / "analysis" / "chain.py").write_text("from whoosh.analysis import Token\n")
    found = whoosh_outside_engine(bad_package)
    assert any(v.startswith("searchlib.analysis.chain") for v in found), found


# -- imports resolve through the installed package and the repository root ------------------

REPO = PACKAGE.parent
#: The trees that hold Python code: none of them reaches for its imports by editing sys.path
#: (tests import ``benchmarks`` as a package from the root: pytest's ``pythonpath``).
CODE_TREES = ("searchlib", "tests", "benchmarks", "analyzers")
_PATH_EDITS = {"insert", "append", "extend", "remove", "pop", "clear"}


def sys_path_edits(root: Path) -> list[Violation]:
    """Every statement below ``root`` that changes ``sys.path``."""
    found: list[tuple[str, int]] = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(parsed(path)):
            target = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in _PATH_EDITS:
                    target = node.func.value
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                target = next((t for t in targets if ast.unparse(t) == "sys.path"), None)
            if target is not None and ast.unparse(target) == "sys.path":
                found.append((str(path.relative_to(root.parent)), node.lineno))
    return [f"{name}:{line} edits sys.path" for name, line in sorted(found)]


@pytest.mark.parametrize("tree", CODE_TREES)
def test_nothing_edits_sys_path(tree: str):
    assert sys_path_edits(REPO / tree) == []


def test_the_sys_path_rule_finds_edits(tmp_path: Path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "a.py").write_text("import sys\nsys.path.insert(0, 'x')\nsys.path += ['y']\n")
    (code / "b.py").write_text("import sys\nsys.path = []\npaths = list(sys.path)\n")
    assert sys_path_edits(code) == [
        "code/a.py:2 edits sys.path",
        "code/a.py:3 edits sys.path",
        "code/b.py:2 edits sys.path",
    ]


def test_the_library_never_imports_the_benchmarks():
    imported = [
        f"{name}:{node.lineno}"
        for name, _, tree in modules(PACKAGE)
        for node in ast.walk(tree)
        if (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "benchmarks")
        or (
            isinstance(node, ast.Import)
            and any(a.name.split(".")[0] == "benchmarks" for a in node.names)
        )
    ]
    assert imported == []
