"""``searchlib check`` and damaged files: each problem named with its file, never an internal
error. (Random damage over many trials: tests/test_faults.py.)"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import searchlib.backends.embedded.store as store_module
from searchlib import Index, IndexDamagedError, IndexNotFoundError, StorageError
from searchlib._sample import sample_articles
from searchlib.backends.embedded.check import VERIFY_METHOD
from searchlib.backends.embedded.codec import EmbeddedCodec
from searchlib.backends.embedded.perdoc import PerDocReader
from searchlib.cli import cli


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in sample in two commits, with a deletion: two segments or one merged."""
    path = tmp_path_factory.mktemp("check") / "ix"
    docs = [json.loads(line) for line in sample_articles().read_text("utf-8").splitlines()]
    with Index.create(path) as ix:
        ix.add(docs[: len(docs) // 2])
        ix.add(docs[len(docs) // 2 :])
        ix.delete([docs[0]["id"]])
    return path


@pytest.fixture
def index(built_once: Path, tmp_path: Path) -> Path:
    """A copy of :func:`built_once`, this test's own to damage."""
    return Path(shutil.copytree(built_once, tmp_path / "ix"))


def _segments(path: Path) -> list[Path]:
    return sorted(path.glob("*.seg"))


def _toc(path: Path) -> Path:
    return max(path.glob("_MAIN_*.toc"))


def _check_cli(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["check", *args])
    return result.exit_code, result.output.splitlines()


def test_a_whole_index_checks_clean_and_everything_was_read(index):
    report = Index.check(index)
    assert report.ok, report.problems
    with Index.open(index) as ix:
        assert report.documents == len(ix)
    assert report.segments == len(_segments(index))
    assert report.terms > 100 and report.postings > report.terms
    code, lines = _check_cli("--index", str(index))
    assert code == 0 and len(lines) == 1 and lines[0].startswith(f"{index}: ok")


def test_a_truncated_segment_is_a_storage_error_naming_it_everywhere(index):
    segment = _segments(index)[-1]
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])
    with Index.open(index) as ix:
        for read in (
            lambda: ix.search("harga"),
            lambda: ix.get("x"),
            lambda: len(ix),
            ix.stats,
            lambda: ix.similar("x"),
        ):
            with pytest.raises(IndexDamagedError) as caught:
                read()
            assert caught.value.path == str(segment)
            assert str(segment) in str(caught.value)
            assert "restore the index from a backup" in (caught.value.hint or "")
    report = Index.check(index)
    assert report.files() == {str(segment)}
    code, lines = _check_cli("--index", str(index))
    assert code == 1 and lines and all(line.startswith(f"{segment}: ") for line in lines)


def test_the_cli_reports_a_damaged_file_in_one_line_and_exits_2(index):
    segment = _segments(index)[-1]
    segment.write_bytes(b"")
    result = CliRunner().invoke(cli, ["query", "harga", "--index", str(index)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and str(segment) in lines[0]
    assert "internal error" not in result.output and "Traceback" not in result.output


def test_a_damaged_table_of_contents_is_named_by_open_and_check(index):
    toc = _toc(index)
    data = bytearray(toc.read_bytes())
    data[len(data) // 2 :] = b"\xff" * (len(data) - len(data) // 2)
    toc.write_bytes(bytes(data))
    with pytest.raises(IndexDamagedError) as caught:
        Index.open(index)
    assert caught.value.path == str(toc)
    report = Index.check(index)
    assert str(toc) in report.files()


def test_damaged_metadata_is_a_problem_in_searchlib_json(index):
    meta = index / "searchlib.json"
    meta.write_text(meta.read_text("utf-8")[:-20], "utf-8")
    with pytest.raises(StorageError) as caught:
        Index.open(index)
    assert caught.value.path == str(meta)
    assert Index.check(index).files() == {str(meta)}


def test_a_missing_segment_file_is_named(index):
    segment = _segments(index)[0]
    segment.unlink()
    with Index.open(index) as ix, pytest.raises(IndexDamagedError) as caught:
        ix.search("harga")
    assert caught.value.path == str(segment)
    assert str(segment) in Index.check(index).files()


def test_check_reports_in_json(index):
    _segments(index)[-1].write_bytes(b"short")
    code, lines = _check_cli("--index", str(index), "--json")
    assert code == 1
    report = json.loads("\n".join(lines))
    assert report["ok"] is False and report["problems"][0]["file"].endswith(".seg")


def test_an_error_outside_the_files_is_not_blamed_on_them(index, monkeypatch):
    """A bug in query compilation is not damage: it passes through as itself."""

    def broken(*args, **kwargs):
        raise TypeError("a bug, not a damaged file")

    monkeypatch.setattr(store_module, "plan_search", broken)
    with Index.open(index) as ix, pytest.raises(TypeError, match="a bug"):
        ix.search("harga")


def test_check_asks_a_codec_that_can_verify_its_own_checksums(index, monkeypatch):
    asked = []

    def verify(self, storage, segment):
        asked.append(segment.segment_id())
        return [f"block 3 of {segment.segment_id()}: checksum mismatch"]

    monkeypatch.setattr(EmbeddedCodec, VERIFY_METHOD, verify, raising=False)
    report = Index.check(index)
    assert len(asked) == len(_segments(index)) == report.checksummed
    assert {p.file for p in report.problems} == {str(p) for p in _segments(index)}
    assert all("checksum mismatch" in p.problem for p in report.problems)


def test_check_asks_segment_part_readers_that_can_verify_themselves(index, monkeypatch):
    def verify(self):
        return ["stored block 2: checksum mismatch"]

    monkeypatch.setattr(PerDocReader, VERIFY_METHOD, verify, raising=False)
    report = Index.check(index)
    assert report.checksummed == len(_segments(index))
    assert [p.problem for p in report.problems] == ["stored block 2: checksum mismatch"] * len(
        _segments(index)
    )


def test_a_damaged_memo_index_in_a_pickle_is_refused_before_unpickling(index):
    """Unpickled as it is, this table of contents would grow the unpickler's memo to
    gigabytes for minutes before failing."""
    toc = _toc(index)
    data = bytearray(toc.read_bytes())
    # LONG_BINPUT ('r', a 4-byte little-endian memo index) before a word (BINUNICODE 'X').
    found = re.search(rb"r..\x00\x00X", bytes(data), re.DOTALL)
    assert found is not None
    data[found.start() + 4] = 0x4E  # the index's high byte: about 1.3 billion
    toc.write_bytes(bytes(data))
    with pytest.raises(IndexDamagedError, match="memo index") as caught:
        Index.open(index)
    assert caught.value.path == str(toc)
    assert Index.check(index).files() == {str(toc)}


def test_a_write_that_reads_a_damaged_segment_names_it_and_releases_the_lock(index):
    segment = _segments(index)[-1]
    segment.write_bytes(segment.read_bytes()[:100])
    with Index.open(index) as ix:
        ix.lock_timeout = 0.5
        for _ in range(2):  # the second would be IndexLockedError if the first kept the lock
            with pytest.raises(IndexDamagedError) as caught:
                ix.add([{"id": "new", "title": "Harga beras", "body": "Harga beras naik."}])
            assert caught.value.path == str(segment)


def test_check_of_no_index_says_so(tmp_path):
    with pytest.raises(IndexNotFoundError):
        Index.check(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    report = Index.check(tmp_path / "empty")
    assert not report.ok and report.files() == {str(tmp_path / "empty")}
