"""``Index.reindex`` / ``searchlib reindex``: an index rebuilt from its stored documents
under a new config or analysis version, atomically; and the mismatch error that sends a
user there, naming what changed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from searchlib import Index, IndexLockedError, IndexMismatchError, StorageError
from searchlib.cli import cli
from searchlib.ingestion import PROGRESS_EVERY

#: More documents than one progress step, so a test can act while the rebuild runs.
COUNT = PROGRESS_EVERY + 100


def _documents(count: int = COUNT) -> list[dict[str, Any]]:
    return [
        {
            "id": f"d{n}",
            "title": f"Banjir di Kampung {n}",
            "body": f"Warga mengungsi karena banjir. Nomor {n}. Mereka berlari ke masjid.",
            "category": "Megapolitan",
            "date": f"2025-01-{1 + n % 28:02d}T08:30:00",
            "tags": ["banjir"],
        }
        for n in range(count)
    ]


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reindex") / "ix"
    with Index.create(path) as ix:
        ix.add(_documents())
    return path


@pytest.fixture
def built(built_once: Path, tmp_path: Path) -> Path:
    """A copy of the index of :func:`_documents`, this test's own to change."""
    return Path(shutil.copytree(built_once, tmp_path / "ix"))


def _files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}


def _answers(path: Path) -> tuple[Any, ...]:
    with Index.open(path) as ix:
        results = ix.search("banjir masjid", limit=5)
        docs = sorted(ix.documents(), key=lambda d: d["id"])
        return results.total, [(h.id, h.score) for h in results.hits], docs


# -- what changed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"fields": {"topic": {"type": "keyword"}}}, "field 'topic' added (keyword)"),
        ({"fields": {"photo": {"type": "stored"}}}, "field 'photo' added (stored)"),
        ({"analyzer": "simple"}, "analyzer indonesian -> simple"),
        (
            {"fields": {"title": {"analyzer": "simple"}}},
            "field 'title' analyzer indonesian -> simple",
        ),
        ({"fields": {"url": {"stored": False}}}, "field 'url' stored true -> false"),
        ({"fields": {"title": {"boost": 3}}}, "field 'title' boost 8 -> 3"),
        ({"protected_words": ["beras"]}, "protected words changed"),
        ({"default_fields": ["title"]}, "default_fields ['title', 'body'] -> ['title']"),
    ],
)
def test_a_mismatched_config_names_what_changed_and_reindex(
    tmp_path: Path, change: dict[str, Any], said: str
) -> None:
    path = tmp_path / "ix"
    Index.create(path).close()
    config = tmp_path / "new.yaml"
    config.write_text(json.dumps(change))
    with pytest.raises(IndexMismatchError) as info:
        Index.open(path, config)
    assert str(info.value) == f"{config} does not match the index at {path}: {said}"
    assert "analyzes text differently" not in str(info.value)
    assert info.value.hint is not None
    assert f"searchlib reindex --index {path} --config {config}" in info.value.hint


def test_a_removed_field_is_named(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    Index.create(path, {"fields": {"topic": {"type": "keyword"}}}).close()
    with pytest.raises(IndexMismatchError, match="field 'topic' removed"):
        Index.open(path, {})


# -- reindex --------------------------------------------------------------------------------


def test_reindex_under_a_new_config_keeps_every_document(built: Path) -> None:
    total, _, docs = _answers(built)
    config = {"fields": {"topic": {"type": "keyword"}}, "stopwords": {"add": ["warga"]}}
    summary = Index.reindex(built, config)
    assert summary.added == COUNT and summary.skipped == []
    with Index.open(built, config) as ix:  # the new config now matches
        assert sorted(ix.documents(), key=lambda d: d["id"]) == docs
        assert ix.search("banjir masjid", limit=5).total == total
        assert ix.search("warga").total == 0  # the new stopword is the new analysis
    with pytest.raises(IndexMismatchError, match="stopwords changed"):
        Index.open(built, {})
    assert sorted(os.listdir(built.parent)) == ["ix"]  # nothing left beside it


def test_reindex_after_an_analysis_version_change(built: Path) -> None:
    meta_path = built / "searchlib.json"
    meta = json.loads(meta_path.read_text())
    meta["fingerprint"] = "0" * 16  # as if built by another version's analysis
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(IndexMismatchError, match="another analysis version") as info:
        Index.open(built)
    assert (
        info.value.hint
        == f"rebuild it from its stored documents: searchlib reindex --index {built}"
    )
    Index.reindex(built)
    total, _, docs = _answers(built)
    assert total == COUNT and len(docs) == COUNT


def test_the_old_index_answers_and_refuses_writers_until_the_new_one_is_complete(
    built: Path,
) -> None:
    before = _answers(built)
    config = {"fields": {"topic": {"type": "keyword"}}}
    seen: list[Any] = []

    def progress(done: int) -> None:
        seen.append(_answers(built))
        with Index.open(built) as ix:
            ix.lock_timeout = 0
            with pytest.raises(IndexLockedError):
                ix.add([{"id": "late", "body": "lost if it were allowed"}])
        with pytest.raises(IndexMismatchError):
            Index.open(built, config)

    Index.reindex(built, config, progress=progress)
    assert seen == [before]
    Index.open(built, config).close()


class Boom(Exception):
    pass


@pytest.mark.parametrize("where", ["documents", "commit"])
def test_a_failed_reindex_leaves_the_old_index_untouched(
    built: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    files, answers = _files(built), _answers(built)
    from searchlib.backends.embedded.bulk_writer import BulkWriter
    from searchlib.backends.embedded.store import WhooshStore

    if where == "documents":  # the read of the old documents dies half way
        read = WhooshStore.documents

        def documents(self: WhooshStore) -> Any:
            for n, doc in enumerate(read(self)):
                if n == COUNT // 2:
                    raise Boom
                yield doc

        monkeypatch.setattr(WhooshStore, "documents", documents)
        expected: type[Exception] = Boom
    else:  # the new index's commit fails (a full disk)

        def commit(self: BulkWriter, *args: Any, **kwargs: Any) -> None:
            self.cancel()
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(BulkWriter, "commit", commit)
        expected = StorageError
    with pytest.raises(expected):
        Index.reindex(built, {"fields": {"topic": {"type": "keyword"}}})
    monkeypatch.undo()
    assert _files(built) == files
    assert _answers(built) == answers
    assert sorted(os.listdir(built.parent)) == ["ix"]
    with Index.open(built) as ix:  # the lock was released
        ix.lock_timeout = 0
        ix.add([{"id": "after", "body": "banjir lagi"}])


def test_reindex_command(built: Path) -> None:
    result = CliRunner().invoke(cli, ["reindex", "--index", str(built), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == COUNT
    missing = CliRunner().invoke(cli, ["reindex", "--index", str(built.parent / "none")])
    assert missing.exit_code == 2
    assert missing.stderr.count("\n") == 1 and "no searchlib index" in missing.stderr
