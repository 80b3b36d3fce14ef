"""Fixtures shared by several test files: the indexes many tests read are built once per
run (the built-in sample, detik-1000, the synthetic index). Tests only read them; a test
that changes an index builds its own."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from _synthetic import build

from searchlib import Index
from searchlib._sample import sample_index as built_in_sample

#: Real Indonesian data beside the repository (developer machines and CI only).
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DETIK = SHARED / "corpus" / "detik-1000.jsonl"


def shared_file(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (shared data is only on developer machines and CI)")
    return path


@pytest.fixture(scope="session")
def detik_path() -> Path:
    """detik-1000: 1,000 real detik.com articles, 5 categories x 200."""
    return shared_file(DETIK)


@pytest.fixture(scope="session")
def detik_index(detik_path, tmp_path_factory):
    """An index of detik-1000 with the default config, built once per test session."""
    path = tmp_path_factory.mktemp("detik") / "ix"
    with Index.create(path) as ix:
        ix.add_files([detik_path])
    index = Index.open(path)
    yield index
    index.close()


@pytest.fixture(scope="session")
def synthetic_index(tmp_path_factory):
    """The synthetic index of ``_synthetic.py``, built once per test session."""
    index = build(tmp_path_factory.mktemp("synthetic") / "ix")
    yield index
    index.close()


@pytest.fixture
def web_client() -> Callable[[Index], AbstractContextManager[Any]]:
    """``web_client(index)``: a context manager giving a test client of searchlib serve's
    app (JSON API and page) over ``index``."""
    from searchlib.web import create_app

    with warnings.catch_warnings():
        # Starlette 1.x prefers the httpx2 fork for its TestClient and warns when it finds
        # httpx (which the test extra installs); the client works the same with either.
        warnings.filterwarnings("ignore", message=".*httpx2")
        from starlette.testclient import TestClient

    @contextmanager
    def client(index: Index) -> Iterator[Any]:
        with TestClient(create_app(index)) as c:
            yield c

    return client


@pytest.fixture(scope="session")
def sample_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``SEARCHLIB_CACHE`` directory whose built-in sample index is already built, for
    commands that fall back to the sample (set it with monkeypatch or a child's env)."""
    cache = tmp_path_factory.mktemp("sample-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEARCHLIB_CACHE", str(cache))
        built_in_sample().close()
    return cache


@pytest.fixture(scope="session")
def sample_index(sample_cache: Path) -> Iterator[Index]:
    """The built-in sample index (the one in :func:`sample_cache`), opened once per run."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEARCHLIB_CACHE", str(sample_cache))
        index = built_in_sample()
    yield index
    index.close()


@pytest.fixture
def query_json() -> Callable[..., dict[str, Any]]:
    """``query_json(index, *args)``: runs ``searchlib query ARGS --index INDEX --json``,
    checks that it succeeded, and returns the JSON it printed."""
    from click.testing import CliRunner

    from searchlib.cli import cli

    def run(index: Path, *args: str) -> dict[str, Any]:
        result = CliRunner().invoke(cli, ["query", *args, "--index", str(index), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run
