"""The other versions of a collapsed story, as the page links them ("n versi lain")."""

from __future__ import annotations

from typing import Any

from searchlib import Hit, Index

__all__ = ["versions"]


def versions(index: Index, hit: Hit) -> list[dict[str, Any]]:
    """Each other version of ``hit``'s story: its id, title, url (as stored: the page
    checks it like a hit's) and source. A version deleted since the search is left out."""
    found = []
    for doc_id in hit.duplicates:
        doc = index.get(doc_id)
        if doc is None:
            continue
        url = doc.get("url")
        found.append(
            {
                "id": doc_id,
                "title": str(doc.get("title") or doc_id),
                "url": url if isinstance(url, str) else None,
                "source": doc.get("source"),
            }
        )
    return found
