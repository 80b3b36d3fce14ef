"""Concurrency: one writer at a time (the second waits, then a clear error), searches that
stay consistent while commits land, and long-lived readers that follow every commit."""

from __future__ import annotations

from searchlib import Index


def _docs(prefix: str, count: int, word: str = "berita") -> list[dict[str, str]]:
    return [{"id": f"{prefix}{i}", "body": f"isi {word} nomor {prefix}{i}"} for i in range(count)]


# -- a reader that lives across commits -----------------------------------------------------


def test_long_lived_index_follows_deletes_replacements_and_merges(tmp_path):
    """One Index object, searched after each of its own commits, must see exactly the index.

    Whoosh's Searcher.refresh() (whoosh-reloaded 2.7.5) reuses readers by segment id: it
    kept each segment's old deletions and the segments a merge had replaced, so deleted
    documents stayed findable and merged ones were counted twice.
    """
    with Index.create(tmp_path / "ix") as ix:
        ix.add(_docs("a", 5))
        assert len(ix) == 5
        ix.delete("a1")
        assert len(ix) == 4
        assert ix.get("a1") is None
        assert ix.search("berita").total == 4
        ix.add([{"id": "a2", "body": "isi diganti"}])
        assert len(ix) == 4
        assert ix.search("berita").total == 3
        for k in range(8):  # enough small commits for Whoosh to merge segments
            ix.add(_docs(f"b{k}-", 1, "lain"))
        assert len(ix) == 12
        assert ix.search("berita").total == 3
        assert ix.search("lain").total == 8
        ix.optimize()
        assert len(ix) == 12
        assert ix.search("berita OR lain", limit=50).total == 11
        assert ix.stats()["segments"] == 1
