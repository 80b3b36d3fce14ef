"""Options and index resolution shared by the CLI commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from searchlib import Config, Index, load_config, sample_index
from searchlib._sample import sample_path

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_INDEX_ROOT = Path("indexes")


def index_options(func: F) -> F:
    """``--index DIR`` and ``--config FILE``, in that order in ``--help``."""
    func = click.option(
        "--config",
        "-c",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="searchlib.yaml with fields, analyzers, ranking, limits.",
    )(func)
    func = click.option(
        "--index",
        "-i",
        "index_path",
        type=click.Path(file_okay=False, path_type=Path),
        help="Index directory (default: the config's index_path, else indexes/<name>/).",
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
    return load_config(config_path)


def target_path(index_path: Path | None, config: Config) -> Path:
    """Where ``searchlib index`` writes: --index, else config, else indexes/<name>/."""
    if index_path is not None:
        return index_path
    if config.index_path:
        return Path(config.index_path)
    return DEFAULT_INDEX_ROOT / config.name


def open_for_reading(index_path: Path | None, config_path: Path | None) -> Index:
    """The index a query command uses; the built-in sample when none is configured."""
    config = load(config_path) if config_path is not None else None
    if index_path is not None:
        return Index.open(index_path, config)
    path = target_path(None, config or Config())
    remote = config is not None and config.backend != "whoosh"
    if Index.exists(path) or (config is not None and config.index_path) or remote:
        return Index.open(path, config)
    if not Index.exists(sample_path()):
        click.echo(
            f"No index configured: building the built-in sample index in {sample_path()}",
            err=True,
        )
    return sample_index()
