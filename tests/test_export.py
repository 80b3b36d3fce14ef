"""Documents out of an index: ``Index.documents``, ``searchlib export``, and the JSONL it
writes read back by ``searchlib index`` into the same documents."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from searchlib import Index
from searchlib.cli import cli

#: Extra fields of every kind, so each type's value goes out and comes back.
CONFIG = {
    "fields": {
        "topic": {"type": "keyword"},
        "updated": {"type": "date"},
        "photo": {"type": "stored"},
        "lead": {"type": "text"},
    }
}


def synthetic_documents() -> list[dict[str, Any]]:
    """Articles using every field: dates with times, tags, quotes and non-ASCII text."""
    docs = []
    for n in range(30):
        doc: dict[str, Any] = {
            "id": f"art-{n}",
            "title": f'Harga beras "naik" {n}% di pasar Kramat Jati',
            "body": f"Pedagang di Jakarta mengeluh. Harga naik lagi hari ke-{n}.\nBaris baru — é.",
            "category": "Ekonomi & Keuangan" if n % 2 else "Megapolitan",
            "source": "Detik News",
            "date": f"2025-07-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00",
            "url": f"https://example.test/berita/{n}",
            "author": "Siti Nurhaliza",
            "tags": ["beras", "harga pangan"] if n % 3 else [],
            "topic": "Pangan",
            "updated": f"2025-08-{1 + n % 28:02d}",
            "photo": f"foto-{n}.jpg",
            "lead": "Ringkasan berita",
        }
        if n % 5 == 0:
            del doc["date"], doc["author"], doc["url"]
        docs.append(doc)
    return docs


def _by_id(ix: Index) -> dict[str, dict[str, Any]]:
    return {doc["id"]: doc for doc in ix.documents()}


def _run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output + result.stderr
    return result


def _round_trip(first: Path, tmp_path: Path, config: Path | None = None) -> None:
    """Export the index ``first``, index the export: the same documents, every field."""
    options = ["--config", str(config)] if config else []
    second, exported = tmp_path / "second", tmp_path / "out.jsonl"
    result = _run("export", "--index", str(first), *options, "-o", str(exported))
    assert "exported" in result.stderr
    _run("index", str(exported), "--index", str(second), *options)
    with Index.open(first) as a, Index.open(second) as b:
        original, again = _by_id(a), _by_id(b)
        assert len(original) == len(a)
        assert original == again
        assert all(a.get(doc_id) == doc for doc_id, doc in original.items())


def test_synthetic_round_trip_keeps_every_field_and_date(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in synthetic_documents()))
    config = tmp_path / "searchlib.yaml"
    config.write_text(json.dumps(CONFIG))
    first = tmp_path / "first"
    _run("index", str(source), "--index", str(first), "--config", str(config))
    _round_trip(first, tmp_path, config)
    with Index.open(tmp_path / "second", config) as ix:
        doc, undated = ix.get("art-7"), ix.get("art-15")
    assert doc is not None and undated is not None
    # written without a zone, so read in the index's (Asia/Jakarta), and back with it
    jakarta = ZoneInfo("Asia/Jakarta")
    assert doc["date"] == datetime(2025, 7, 8, 7, 7, tzinfo=jakarta)
    assert doc["date"].utcoffset() == timedelta(hours=7)
    assert doc["updated"] == datetime(2025, 8, 8, tzinfo=jakarta)
    assert doc["tags"] == ["beras", "harga pangan"]
    assert doc["photo"] == "foto-7.jpg"
    assert "date" not in undated and "tags" not in undated


def test_detik_round_trip(detik_index: Index, tmp_path: Path) -> None:
    _round_trip(detik_index.path, tmp_path)
    with Index.open(tmp_path / "second") as ix:
        assert len(ix) == 1000
        assert all(isinstance(doc["date"], datetime) for doc in ix.documents())


def test_documents_are_the_live_ones_after_replace_and_delete(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as ix:
        ix.add([{"id": "a", "body": "satu"}, {"id": "b", "body": "dua"}])
        ix.add([{"id": "b", "body": "dua lagi"}, {"id": "c", "body": "tiga"}])
        ix.delete("a")
        documents = sorted(ix.documents(), key=lambda d: d["id"])
        # Searching meanwhile (this thread's searcher refreshes) does not end the iteration.
        it = ix.documents()
        first = next(it)
        ix.add([{"id": "d", "body": "empat"}])
        assert ix.search("empat").total == 1
        rest = list(it)
    assert documents == [{"id": "b", "body": "dua lagi"}, {"id": "c", "body": "tiga"}]
    assert sorted(d["id"] for d in [first, *rest]) == ["b", "c"]


def test_export_to_stdout_is_jsonl_with_the_id_first(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as ix:
        ix.add([{"id": "x1", "title": "Gempa", "body": "Gempa di Palu", "date": "2025-07-01"}])
    result = _run("export", "--index", str(tmp_path / "ix"))
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith('{"id": "x1"')
    assert json.loads(lines[0])["date"] == "2025-07-01T00:00:00+07:00"
    assert result.stderr == ""


def test_export_errors_are_one_line_and_leave_no_file(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["export", "--index", str(tmp_path / "none"), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "no searchlib index" in result.stderr
    assert list(tmp_path.iterdir()) == []
