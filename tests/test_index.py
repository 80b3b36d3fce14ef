"""Index lifecycle: create/open, add/replace/delete, atomic batches, metadata checks."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import searchlib
from searchlib import Index
from searchlib.backends.permissions import writing
from searchlib.errors import (
    IndexLockedError,
    IndexMismatchError,
    IndexNotFoundError,
    IngestError,
    StorageError,
)


def doc(i, **extra):
    base = {
        "id": f"d{i}",
        "title": f"Berita nomor {i}",
        "body": f"Isi berita ke-{i} tentang harga beras di pasar Bekasi.",
        "date": "2022-03-10",
        "category": "Ekonomi",
        "source": "Warta Contoh",
        "tags": ["beras", "pasar"],
    }
    base.update(extra)
    return base


@pytest.fixture
def ix(tmp_path):
    with Index.create(tmp_path / "ix") as index:
        yield index


def test_create_add_len_and_stored_fields(ix):
    summary = ix.add([doc(1), doc(2)])
    assert (summary.added, summary.replaced, summary.skipped) == (2, 0, [])
    assert len(ix) == 2
    stored = ix.get("d1")
    assert stored["title"] == "Berita nomor 1"
    # A date without a zone is in the index's zone (default WIB) and comes back in it.
    assert stored["date"] == datetime(2022, 3, 10, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert stored["date"].isoformat() == "2022-03-10T00:00:00+07:00"
    # Keyword values come back as written; they match case-insensitively.
    assert stored["category"] == "Ekonomi"
    assert stored["source"] == "Warta Contoh"
    assert stored["tags"] == ["beras", "pasar"]
    assert ix.search("harga", filters={"category": "ekonomi"}).total == 2


def test_same_id_replaces(ix):
    ix.add([doc(1), doc(2)])
    summary = ix.add([doc(1, title="Judul baru")])
    assert (summary.added, summary.replaced) == (0, 1)
    assert len(ix) == 2
    assert ix.get("d1")["title"] == "Judul baru"
    assert ix.search("Judul baru").hits[0].id == "d1"
    assert ix.search("nomor").total == 1  # the old d1 title is gone


def test_delete(ix):
    ix.add([doc(1), doc(2), doc(3)])
    assert ix.delete(["d1", "nope"]) == 1
    assert ix.delete("d2") == 1
    assert len(ix) == 1
    assert ix.get("d1") is None


def test_failed_batch_commits_nothing(ix):
    ix.add([doc(1)])
    with pytest.raises(IngestError, match="nothing from this run was committed"):
        ix.add([doc(2), doc(3), {"id": "bad"}])  # no body
    assert len(ix) == 1
    assert ix.get("d2") is None


def test_skip_mode_commits_the_good_and_lists_the_bad(ix):
    later = doc(1, title="Versi terakhir")
    summary = ix.add([doc(1), {"id": "kosong", "body": "   "}, doc(2), later], on_error="skip")
    assert summary.added == 2
    assert [(s.line, s.reason) for s in summary.skipped] == [
        (1, "duplicate id 'd1': replaced by document 4"),
        (2, "empty document"),
    ]
    assert ix.get("d1")["title"] == "Versi terakhir"


def test_within_one_run_the_last_occurrence_wins_as_a_later_upsert_would(ix):
    ix.add([doc(1, title="Lama")])
    summary = ix.add([doc(1, title="Kedua"), doc(2), doc(1, title="Ketiga")], on_error="skip")
    assert (summary.added, summary.replaced) == (1, 1)
    assert len(ix) == 2 and ix.get("d1")["title"] == "Ketiga"
    assert ix.search("title:ketiga").total == 1 and ix.search("title:kedua").total == 0


def test_duplicate_ids_in_one_batch_fail_by_default(ix):
    with pytest.raises(IngestError, match=r"^duplicate id 'd1': also at document 1;") as info:
        ix.add([doc(1), doc(1)])
    assert info.value.line == 2
    assert len(ix) == 0


def test_a_duplicate_id_across_files_names_both_places(ix, tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps(doc(1)) + "\n" + json.dumps(doc(7)) + "\n")
    second.write_text(json.dumps(doc(2)) + "\n" + json.dumps(doc(7, title="Baru")) + "\n")
    with pytest.raises(IngestError) as info:
        ix.add_files([first, second])
    assert str(info.value).startswith(f"{second}:2: duplicate id 'd7': also at {first}:2;")
    assert len(ix) == 0
    summary = ix.add_files([first, second], on_error="skip")
    assert summary.added == 3 and ix.get("d7")["title"] == "Baru"
    assert [str(s) for s in summary.skipped] == [
        f"{first}:2: duplicate id 'd7': replaced by {second}:2"
    ]


def test_add_files_reports_file_and_line(ix, tmp_path):
    path = tmp_path / "artikel.jsonl"
    lines = [json.dumps(doc(1)), "{not json", json.dumps(doc(2))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        ix.add_files([path])
    assert f"{path}:2:" in str(info.value)
    assert len(ix) == 0
    summary = ix.add_files([path], on_error="skip")
    assert summary.added == 2 and summary.skipped[0].line == 2


def test_open_reads_back_config_and_documents(tmp_path):
    path = tmp_path / "ix"
    with Index.create(path, {"protected_words": ["kediri"], "bm25": {"k1": 1.6}}) as ix:
        ix.add([doc(1)])
    with Index.open(path) as again:
        assert len(again) == 1
        assert again.config.protected_words == ("kediri",)
        assert again.config.bm25_k1 == 1.6
        assert again.stats()["documents"] == 1


def test_open_missing_index(tmp_path):
    with pytest.raises(IndexNotFoundError, match="no searchlib index"):
        Index.open(tmp_path / "nothing")


def test_create_refuses_to_clobber(tmp_path):
    Index.create(tmp_path / "ix").close()
    with pytest.raises(StorageError, match="already exists"):
        Index.create(tmp_path / "ix")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(StorageError, match="not an empty directory"):
        Index.create(tmp_path / "other")
    Index.create(tmp_path / "ix", overwrite=True).close()


def test_mismatched_analysis_is_a_clear_error_with_the_rebuild_command(tmp_path):
    path = tmp_path / "ix"
    Index.create(path).close()
    with pytest.raises(IndexMismatchError, match=r"does not match .*: stopwords changed") as info:
        Index.open(path, {"stopwords": {"add": ["amazon"]}})
    assert "searchlib reindex --index" in (info.value.hint or "")
    # Query-time settings may differ freely.
    Index.open(path, {"bm25": {"k1": 2.0}, "snippets": {"chars": 300}}).close()


def test_changed_analysis_code_is_detected(tmp_path):
    path = tmp_path / "ix"
    Index.create(path).close()
    meta_path = path / "searchlib.json"
    meta = json.loads(meta_path.read_text())
    meta["fingerprint"] = "0" * 16  # as if built by another version's analyzer
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(IndexMismatchError, match="another analysis version") as info:
        Index.open(path)
    assert (
        info.value.hint == f"rebuild it from its stored documents: searchlib reindex --index {path}"
    )
    meta["format_version"] = 999
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(IndexMismatchError, match="format 999"):
        Index.open(path)


def test_index_pickles_no_pystemmer_object(tmp_path):
    path = tmp_path / "ix"
    Index.create(path).close()
    toc = next(p for p in path.iterdir() if p.suffix == ".toc")
    assert b"Stemmer" not in toc.read_bytes().replace(b"IndonesianStemFilter", b"")


def test_second_writer_waits_then_fails_clearly(tmp_path):
    path = tmp_path / "ix"
    Index.create(path).close()
    holder = textwrap.dedent(
        f"""
        import sys, time
        from searchlib import Index
        ix = Index.open({str(path)!r})
        def docs():
            yield {{"id": "x", "body": "isi"}}
            print("locked", flush=True)
            time.sleep(30)
        ix.add(docs())
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        ix = Index.open(path)
        ix.lock_timeout = 0.5
        started = time.monotonic()
        with pytest.raises(IndexLockedError, match="another writer"):
            ix.add([doc(1)])
        assert time.monotonic() - started >= 0.4
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    # The killed writer's lock is gone with its process: writing works again.
    with Index.open(path) as ix:
        ix.lock_timeout = 5
        ix.add([doc(1)])
        assert len(ix) == 1


def test_killed_indexing_process_leaves_last_commit_intact(tmp_path):
    path = tmp_path / "ix"
    with Index.create(path) as ix:
        ix.add([doc(i) for i in range(50)])
    script = textwrap.dedent(
        f"""
        from searchlib import Index
        ix = Index.open({str(path)!r})
        def docs():
            i = 1000
            while True:
                yield {{"id": f"n{{i}}", "title": "baru", "body": "isi berita baru " * 50}}
                i += 1
                if i == 3000:
                    print("busy", flush=True)
        ix.add(docs())
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "busy"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    with Index.open(path) as ix:
        assert len(ix) == 50
        assert ix.search("harga beras").total == 50
        ix.add([doc(99)])  # the stale lock does not block
        assert len(ix) == 51


def test_public_api_names():
    for name in ("Index", "SearchResults", "Hit", "analyze", "stem", "get_analyzer"):
        assert name in searchlib.__all__
        assert hasattr(searchlib, name)


def test_extra_fields_are_indexed_with_their_types(tmp_path):
    config = {
        "fields": {
            "diubah": {"type": "date"},
            "desk": {"type": "keyword"},
            "ringkasan": {"type": "text"},
        }
    }
    with Index.create(tmp_path / "ix", config) as ix:
        ix.add([doc(1, diubah="10/03/2022", desk="Metro", ringkasan="Harga cabai melonjak")])
        stored = ix.get("d1")
        assert stored["diubah"] == datetime(2022, 3, 10, tzinfo=ZoneInfo("Asia/Jakarta"))
        assert stored["desk"] == "Metro"
        assert ix.search("desk:metro").total == 1
        assert ix.search("ringkasan:cabai").total == 1


def test_compact_positions_round_trip():
    from searchlib.backends.embedded.formats import CompactPositions

    fmt = CompactPositions()
    for positions in ([0], [3], [0, 1, 2], [5, 130, 20_000, 2_000_000], list(range(0, 5000, 7))):
        encoded = fmt.encode(positions)
        assert fmt.decode_positions(encoded) == positions
        assert fmt.decode_frequency(encoded) == len(positions)
    assert len(fmt.encode([3])) == 2  # count + one delta, where Whoosh's pickle takes ~13


def test_posting_runs_spilled_to_disk_merge_correctly(tmp_path, monkeypatch):
    from searchlib.backends.embedded import posting_buffer

    monkeypatch.setattr(posting_buffer, "RUN_POSTINGS", 50)  # many runs, several chunks each
    monkeypatch.setattr(posting_buffer, "CHUNK", 7)
    with Index.create(tmp_path / "ix") as ix:
        ix.add(doc(i, title=f"Judul unik{i}") for i in range(120))
        assert len(ix) == 120
        assert ix.search("harga beras").total == 120
        assert [h.id for h in ix.search("unik7").hits] == ["d7"]
        assert ix.search('"harga beras"').total == 120


def test_title_boost_is_a_bm25f_weight(tmp_path):
    docs = [
        {"id": "judul", "title": "Gempa di Cianjur", "body": "Warga mengungsi ke tenda."},
        {"id": "isi", "title": "Warga mengungsi", "body": "Gempa mengguncang Cianjur pagi ini."},
    ]
    with Index.create(tmp_path / "ix") as ix:
        ix.add(docs)
        assert [h.id for h in ix.search("gempa").hits] == ["judul", "isi"]
        # body: searches the article text; title: only titles.
        assert {h.id for h in ix.search("body:tenda").hits} == {"judul"}
        assert [h.id for h in ix.search("title:gempa").hits] == ["judul"]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.EACCES, "permission denied: this user may not write to"),
        (errno.EPERM, "permission denied: this user may not write to"),
        (errno.EROFS, "the file system is read-only at"),
    ],
)
def test_a_refused_write_names_the_directory_and_the_permission(tmp_path, code, reason):
    # What the OS raises when it refuses the writer's lock file (tests/test_cli.py makes
    # the OS really refuse it; this covers the errno values a root test run cannot cause).
    lock = tmp_path / "ix" / "MAIN_WRITELOCK"
    with pytest.raises(StorageError) as info, writing(tmp_path / "ix"):
        raise OSError(code, os.strerror(code), str(lock))
    assert (
        str(info.value) == f"cannot write to the index at {tmp_path / 'ix'}: {reason} {lock.parent}"
    )
    assert "searching it still works" in (info.value.hint or "")
    # Other OS errors are not about permission.
    with pytest.raises(FileNotFoundError), writing(tmp_path):
        raise FileNotFoundError(errno.ENOENT, "gone", str(lock))
