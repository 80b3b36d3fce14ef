"""An index written by the format-4 release keeps opening, searching and taking writes.

``tests/data/format4-index`` was built from the built-in sample in two commits (40 + 6
articles) and one deletion, with the code that wrote format 4; ``format4-expected.json``
holds what that code answered.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import searchlib

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "format4-expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def old_index(tmp_path: Path) -> Path:
    path = tmp_path / "format4"
    shutil.copytree(DATA / "format4-index", path)
    return path


def test_format4_index_answers_as_it_did(old_index: Path) -> None:
    # The recorded answers are plain BM25F over the words typed: the title rule and the
    # acronym expansion came later, so they are off here.
    config = {"ranking": {"title_rule": False}, "synonyms": {"expand": False}}
    with searchlib.Index.open(old_index, config) as ix:
        assert len(ix) == EXPECTED["count"]
        assert ix.get(EXPECTED["deleted"]) is None
        for query, want in EXPECTED["queries"].items():
            got = ix.search(query, limit=10)
            assert [h.id for h in got.hits] == want["ids"], query
            assert [h.score for h in got.hits] == pytest.approx(want["scores"], abs=1e-6)
            assert [h.snippet for h in got.hits] == want["snippets"], query
            assert got.total == want["total"], query


def test_format4_index_takes_writes(old_index: Path) -> None:
    with searchlib.Index.open(old_index) as ix:
        first = EXPECTED["get"]
        summary = ix.add(
            [{"id": "baru-1", "title": "Kapal selam baru", "body": "Kapal selam buatan PAL."}]
        )
        assert summary.added == 1
        ix.delete([first["id"]])
    with searchlib.Index.open(old_index) as ix:
        assert len(ix) == EXPECTED["count"]
        assert ix.get(first["id"]) is None
        assert ix.get("baru-1")["title"] == "Kapal selam baru"
        assert "baru-1" in [h.id for h in ix.search("kapal selam").hits]
        # The old segments still answer next to the new one.
        want = [i for i in EXPECTED["queries"]["banjir jakarta"]["ids"] if i != first["id"]]
        got = [h.id for h in ix.search("banjir jakarta").hits]
        assert got[: len(want)] == want
