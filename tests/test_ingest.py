"""read_documents as a whole: format choice, request errors, laziness and memory."""

from __future__ import annotations

import json
import os
import threading
import tracemalloc
from itertools import islice
from pathlib import Path

import pytest

from searchlib.errors import IngestError
from searchlib.ingest import FORMATS, Problem, Record, format_of, read_documents


def article(n: int, body_words: int = 5) -> dict[str, object]:
    return {"id": f"a{n}", "title": f"Judul {n}", "body": " ".join(["kata"] * body_words) + f" {n}"}


@pytest.fixture
def files(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps(article(1)) + "\n", encoding="utf-8")
    (tmp_path / "b.NDJSON").write_text(json.dumps(article(2)) + "\n", encoding="utf-8")
    (tmp_path / "c.json").write_text(json.dumps([article(3)]), encoding="utf-8")
    (tmp_path / "d.csv").write_text("id,body\na4,isi\n", encoding="utf-8")
    (tmp_path / "e.tsv").write_text("id\tbody\na5\tisi\n", encoding="utf-8")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "f.txt").write_text("Judul\nIsi", encoding="utf-8")
    (tmp_path / "g.html").write_text("<title>T</title><p>isi</p>", encoding="utf-8")
    return tmp_path


def test_auto_format_by_extension(files):
    names = ["a.jsonl", "b.NDJSON", "c.json", "d.csv", "e.tsv", "dir", "g.html"]
    assert [format_of(files / n) for n in names] == [
        "jsonl",
        "jsonl",
        "json",
        "csv",
        "csv",
        "dir",
        "file",
    ]
    items = list(read_documents([files / n for n in names]))
    assert [i.doc["id"] for i in items] == ["a1", "a2", "a3", "a4", "a5", "f.txt", "g.html"]
    assert all(isinstance(i, Record) for i in items)


def test_explicit_format_overrides_the_extension(tmp_path):
    path = tmp_path / "ekspor.txt"
    path.write_text(json.dumps(article(1)) + "\n" + json.dumps(article(2)) + "\n")
    assert [i.doc["id"] for i in read_documents(path, format="jsonl")] == ["a1", "a2"]
    (item,) = read_documents(path)  # auto: a text file is one document
    assert item.doc["id"] == "ekspor.txt"


def test_a_single_path_may_be_given_without_a_list(files):
    assert [i.doc["id"] for i in read_documents(str(files / "a.jsonl"))] == ["a1"]
    assert [i.doc["id"] for i in read_documents(files / "a.jsonl")] == ["a1"]


def test_request_errors_raise_before_anything_is_read(files):
    good = files / "a.jsonl"
    with pytest.raises(IngestError, match=r"tidak-ada\.jsonl: no such file or directory") as info:
        read_documents([good, files / "tidak-ada.jsonl"])  # raised by the call, not the loop
    assert info.value.source == str(files / "tidak-ada.jsonl")
    (files / "data.xml").write_text("<x/>")
    with pytest.raises(
        IngestError, match=r"cannot tell the format from the extension '\.xml'"
    ) as info:
        read_documents([files / "data.xml"])
    assert "--format jsonl|json|csv|dir" in (info.value.hint or "")
    (files / "README").write_text("x")
    with pytest.raises(IngestError, match="file without an extension"):
        read_documents([files / "README"])
    with pytest.raises(IngestError, match="is a directory, but the format is 'jsonl'"):
        read_documents([files / "dir"], format="jsonl")
    with pytest.raises(IngestError, match=r"format 'dir' reads .*, not \.csv"):
        read_documents([files / "d.csv"], format="dir")
    with pytest.raises(IngestError, match="unknown format 'xml'; use auto, jsonl, json, csv, dir"):
        read_documents([good], format="xml")
    with pytest.raises(IngestError, match="'judul' -> 'titel': 'titel' is not a field"):
        read_documents([good], mapping={"judul": "titel"})
    with pytest.raises(IngestError, match="max_doc_bytes must be a positive integer"):
        read_documents([good], max_doc_bytes=0)
    assert FORMATS == ("jsonl", "json", "csv", "dir")


def test_problem_to_error_names_file_and_line(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(article(1)) + "\n{rusak\n", encoding="utf-8")
    problem = list(read_documents([path]))[1]
    assert isinstance(problem, Problem)
    error = problem.to_error()
    assert isinstance(error, IngestError)
    assert (error.source, error.line) == (str(path), 2)
    assert str(error) == f"{path}:2: {problem.reason}" == str(problem)
    assert error.reason == problem.reason


def test_records_come_in_input_order_across_files(tmp_path):
    paths = []
    for f in range(3):
        path = tmp_path / f"{f}.jsonl"
        path.write_text("".join(json.dumps(article(10 * f + i)) + "\n" for i in range(3)))
        paths.append(path)
    assert [i.doc["id"] for i in read_documents(paths)] == [
        f"a{10 * f + i}" for f in range(3) for i in range(3)
    ]


# -- streaming ----------------------------------------------------------------------------


def _endless_writer(fifo: Path, head: bytes, item: bytes, sep: bytes, written: list[int]):
    """Feed ``fifo`` with ``head`` then items until the reader hangs up (or 20 MB)."""

    def run() -> None:
        try:
            with open(fifo, "wb", buffering=0) as fh:
                fh.write(head)
                while written[0] < 20_000_000:
                    written[0] += fh.write(item + sep)
        except BrokenPipeError:
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
@pytest.mark.parametrize(
    ("name", "head", "sep"), [("s.jsonl", b"", b"\n"), ("s.json", b"[", b",\n")]
)
def test_first_records_arrive_before_the_input_ends(tmp_path, name, head, sep):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    written = [0]
    thread = _endless_writer(fifo, head, json.dumps(article(1, 50)).encode(), sep, written)
    records = read_documents([fifo])
    first = list(islice(records, 3))
    seen_at = written[0]
    records.close()  # closes the pipe: the writer stops
    thread.join(timeout=10)
    assert [r.doc["id"] for r in first] == ["a1"] * 3
    assert seen_at < 1_000_000, "the reader waited for far more input than three records"
    assert not thread.is_alive()


def _big_input(tmp_path: Path, kind: str, docs: int, words: int) -> Path:
    tmp_path.mkdir(exist_ok=True)
    body = " ".join(["berita"] * words)
    if kind == "csv":
        path = tmp_path / "big.csv"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("id,title,body\n")
            for i in range(docs):
                fh.write(f"b{i},Judul {i},{body}\n")
        return path
    path = tmp_path / f"big.{kind}"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("[\n" if kind == "json" else "")
        for i in range(docs):
            line = json.dumps({"id": f"b{i}", "title": f"Judul {i}", "body": body})
            fh.write(line + (",\n" if kind == "json" and i < docs - 1 else "\n"))
        fh.write("]\n" if kind == "json" else "")
    return path


def _peak_memory(path: Path) -> tuple[int, int]:
    """(records read, peak bytes allocated while reading them all)."""
    tracemalloc.start()
    try:
        count = 0
        for item in read_documents([path]):
            assert isinstance(item, Record)
            count += 1
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("kind", ["jsonl", "json", "csv"])
def test_memory_does_not_grow_with_the_input(tmp_path, kind):
    small = _big_input(tmp_path / "s", kind, docs=500, words=700)  # about 2.5 MB
    big = _big_input(tmp_path / "b", kind, docs=2000, words=700)  # about 10 MB
    small_count, small_peak = _peak_memory(small)
    big_count, big_peak = _peak_memory(big)
    assert (small_count, big_count) == (500, 2000)
    # Four times the input, the same peak (a document is about 4.9 kB; reading buffers are
    # 64 kB): anything that held the input, or a share of it, would grow fourfold.
    assert big_peak < 1.25 * small_peak + 50_000, (small_peak, big_peak)
    assert big_peak < 0.05 * big.stat().st_size, (big_peak, big.stat().st_size)


# -- real data ----------------------------------------------------------------------------


def test_detik_corpus_reads_without_problems(detik_path):
    items = list(read_documents([detik_path]))
    problems = [str(i) for i in items if isinstance(i, Problem)]
    assert problems == []
    assert len(items) == 1000
    assert len({i.doc["id"] for i in items}) == 1000
    assert [i.line for i in items] == list(range(1, 1001))
    assert all(i.doc["title"] and i.doc["body"] and i.doc["date"] for i in items)
