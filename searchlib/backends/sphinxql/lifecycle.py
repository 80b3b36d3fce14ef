"""Attaching to a cluster's nodes (the registry's ``sphinxql`` entry).

The nodes hold the data and the metadata; the index path only names the index, and the
config (which lists the nodes) is required.
"""

from __future__ import annotations

from pathlib import Path

from searchlib.backends.base import Fill
from searchlib.backends.sphinxql.store import SphinxStore
from searchlib.config import Config
from searchlib.errors import BackendNotSupportedError, ConfigError, IndexNotFoundError
from searchlib.results import CheckReport


def _required(config: Config | None) -> Config:
    if config is None:
        raise ConfigError(
            "a sphinxql index is opened with its config (the config lists the nodes)",
            hint="pass the config: Index.open(PATH, CONFIG) (CLI: --config CONFIG)",
        )
    return config


class ClusterBackend:
    @staticmethod
    def create(path: Path, config: Config, *, overwrite: bool) -> SphinxStore:
        return SphinxStore.attach(config, create=True, overwrite=overwrite)

    @staticmethod
    def open(path: Path, config: Config | None) -> SphinxStore:
        return SphinxStore.attach(_required(config), create=False)

    @staticmethod
    def exists(path: Path, config: Config | None) -> bool:
        try:
            SphinxStore.attach(_required(config), create=False).close()
        except IndexNotFoundError:
            return False
        return True

    @staticmethod
    def check(path: Path, config: Config | None) -> CheckReport:
        raise BackendNotSupportedError(
            "searchlib check verifies embedded indexes; a cluster's nodes check their own data",
            hint="use the engine's own tools on each node (indextool --check)",
        )

    @staticmethod
    def rebuild(path: Path, config: Config | None, fill: Fill, *, timeout: float) -> None:
        raise BackendNotSupportedError(
            "searchlib reindex rebuilds embedded indexes; a cluster's index cannot be built "
            "beside the one that answers",
            hint="export its documents (searchlib export --config CONFIG -o FILE), then "
            "searchlib index FILE --config NEW_CONFIG --rebuild",
        )
