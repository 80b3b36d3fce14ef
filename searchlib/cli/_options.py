"""Options and index resolution shared by the CLI commands."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from searchlib import Config, Index, find_config, load_config, sample_index
from searchlib._sample import sample_path

F = TypeVar("F", bound=Callable[..., Any])

HOW_TO = "your own: searchlib index FILE, or --index/--config"

#: Environment variable naming the index directory (below ``--index``).
INDEX_ENV = "SEARCHLIB_INDEX"


def index_options(func: F) -> F:
    """``--index DIR`` and ``--config FILE``, in that order in ``--help``."""
    func = click.option(
        "--config",
        "-c",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="searchlib.yaml with fields, analyzers, ranking, limits "
        "(default: $SEARCHLIB_CONFIG, else ./searchlib.yaml).",
    )(func)
    func = click.option(
        "--index",
        "-i",
        "index_path",
        type=click.Path(file_okay=False, path_type=Path),
        help=f"Index directory (default: ${INDEX_ENV}, else the config's index_path, "
        "else indexes/<name>/).",
    )(func)
    return func


def lock_timeout_option(func: F) -> F:
    """``--lock-timeout SECONDS`` for the commands that write."""
    return click.option(
        "--lock-timeout",
        default=Index.lock_timeout,
        show_default=True,
        type=click.FloatRange(0, 24 * 3600),
        metavar="SECONDS",
        help="How long to wait for another writer to finish before giving up.",
    )(func)


def load(config_path: Path | None) -> Config:
    """``--config``, else the config found (see :func:`searchlib.config.find_config`),
    else the defaults."""
    return load_config(find_config(config_path))


def given(config: Config) -> Config | None:
    """The config to open an existing index with: a file's, or None for the index's own."""
    return config if config.source_file else None


def target_path(index_path: Path | None, config: Config) -> Path:
    """The index a command uses: --index, else $SEARCHLIB_INDEX, else the config's."""
    if index_path is not None:
        return index_path
    named = os.environ.get(INDEX_ENV, "").strip()
    if named:
        return Path(named).expanduser()
    return config.index_dir


def open_for_reading(index_path: Path | None, config_path: Path | None) -> Index:
    """The index a query command uses; the built-in sample only when no index or config was
    given or found, and then stderr says so (stdout stays clean for pipes)."""
    config = load(config_path)
    path = target_path(index_path, config)
    asked = index_path is not None or os.environ.get(INDEX_ENV, "").strip()
    if asked or config.source_file or Index.exists(path):
        return Index.open(path, given(config))
    if Index.exists(sample_path()):
        click.echo(f"No index configured: searching the built-in sample ({HOW_TO})", err=True)
    else:
        click.echo(
            f"No index configured: building the built-in sample index in {sample_path()} "
            f"and searching it ({HOW_TO})",
            err=True,
        )
    return sample_index()
