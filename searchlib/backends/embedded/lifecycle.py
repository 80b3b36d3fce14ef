"""Creating, opening and recognising embedded indexes (the registry's ``whoosh`` entry)."""

from __future__ import annotations

import shutil
from pathlib import Path

from searchlib.backends.base import Fill
from searchlib.backends.embedded import metadata
from searchlib.backends.embedded.check import check_index
from searchlib.backends.embedded.rebuild import rebuild
from searchlib.backends.embedded.store import WhooshStore
from searchlib.config import Config
from searchlib.errors import IndexNotFoundError, StorageError
from searchlib.results import CheckReport


class EmbeddedBackend:
    """A Whoosh index in a local directory, with its ``searchlib.json``."""

    @staticmethod
    def create(path: Path, config: Config, *, overwrite: bool) -> WhooshStore:
        if metadata.exists(path):
            if not overwrite:
                raise StorageError(
                    f"an index already exists at {path}",
                    hint="open it with Index.open, or pass overwrite=True (CLI: --rebuild)",
                )
            shutil.rmtree(path)
        elif path.exists() and any(path.iterdir()):
            raise StorageError(f"{path} exists and is not an empty directory or a searchlib index")
        store = WhooshStore.create(path, config)
        metadata.write_meta(path, metadata.new_meta(config))
        return store

    @staticmethod
    def open(path: Path, config: Config | None) -> WhooshStore:
        meta = metadata.read_meta(path)
        cfg, written_with = metadata.config_for(path, meta, config)
        return WhooshStore.open(
            path,
            cfg,
            written_with=written_with,
            upgrade=metadata.FormatUpgrade(path, meta),
        )

    @staticmethod
    def exists(path: Path, config: Config | None) -> bool:
        return metadata.exists(path)

    @staticmethod
    def rebuild(path: Path, config: Config | None, fill: Fill, *, timeout: float) -> None:
        """From the index's stored documents, atomically; see :mod:`.rebuild`."""
        rebuild(path, config, fill, timeout=timeout)

    @staticmethod
    def check(path: Path, config: Config | None) -> CheckReport:
        """Every file of the index read and verified; see :mod:`.check`."""
        if not path.is_dir():
            raise IndexNotFoundError(f"no searchlib index at {path}")
        report = check_index(path)
        try:
            EmbeddedBackend.open(path, None).close()  # the metadata, as every open checks it
        except StorageError as error:
            if not report.files() & {error.path or str(path)}:
                report.add(error.path or str(path), str(error))
        return report
