"""The built-in sample (searchlib/sample/articles.jsonl): shape, metadata and coverage.

The sample is what ``searchlib query`` searches with no index configured, and it doubles as
test data for Indonesian analysis, so these tests pin both its schema and the word forms it
was written to contain.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from searchlib._sample import sample_articles

CATEGORIES = {
    "ekonomi",
    "teknologi",
    "olahraga",
    "politik",
    "hukum",
    "kesehatan",
    "pendidikan",
    "lingkungan",
    "hiburan",
    "internasional",
}
KEYS = {"id", "title", "body", "url", "source", "category", "date", "author", "tags"}
STRING_KEYS = KEYS - {"tags"}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
WORD = re.compile(r"\w+")

# Each family's forms are spread over different articles, so that a query in one form can
# only find some documents through another form (the analyzer's job, not exact matching).
FAMILIES = {
    "setop": ["setop", "menyetop", "disetop", "penyetopan"],
    "tulis": ["tulis", "menulis", "ditulis", "penulis", "tulisan"],
    "main": ["main", "bermain", "memainkan", "permainan", "pemain"],
    "kirim": ["kirim", "mengirim", "dikirim", "pengiriman"],
    "kapal": ["kapal", "pengapalan"],
    "layan": ["layan", "melayani", "layanan", "pelayanan"],
}
# Surface strings the sample must contain somewhere (case-sensitive).
PRESENT = [
    "anak-anak",
    "buku-buku",
    "perusahaan-perusahaan",
    "berlari-lari",
    "sayur-mayur",
    "Itulah",
    "Apakah",
    "Bisakah",
    "Meskipun",
    "1.000",
    "2,5 persen",
    "15%",
    "Jokowi",
    "Jakarta",
    "Bekasi",
    "Kediri",
    "Pertamina",
    "Netflix",
    "e-commerce",
    "streaming",
]
ACRONYMS = ["AS", "UU", "PT", "DPR", "KPK", "BI"]


def _load() -> list[dict[str, Any]]:
    text = sample_articles().read_text(encoding="utf-8")
    # Split on "\n" only: bodies could legitimately contain other Unicode line breaks.
    lines = text.split("\n")
    assert lines[-1] == "", "the file must end with a newline"
    return [json.loads(line) for line in lines[:-1]]


@pytest.fixture(scope="module")
def articles() -> list[dict[str, Any]]:
    return _load()


def _words(doc: dict[str, Any]) -> set[str]:
    return {w.lower() for w in WORD.findall(doc["title"] + " " + doc["body"])}


def test_at_least_forty_articles_with_unique_ids(articles):
    assert len(articles) >= 40
    counts = Counter(a["id"] for a in articles)
    assert [i for i, n in counts.items() if n > 1] == []


def test_every_article_has_exactly_the_schema(articles):
    for a in articles:
        assert set(a) == KEYS, a.get("id")
        for key in STRING_KEYS:
            assert isinstance(a[key], str) and a[key].strip() == a[key] and a[key], (a["id"], key)
        assert SLUG.fullmatch(a["id"]) and len(a["id"]) <= 48, a["id"]
        assert a["category"] in CATEGORIES, a["id"]
        assert isinstance(a["tags"], list) and 2 <= len(a["tags"]) <= 5, a["id"]
        assert all(isinstance(t, str) and t == t.lower() and t.strip() for t in a["tags"])
        assert len(set(a["tags"])) == len(a["tags"]), a["id"]


def test_dates_are_iso_in_western_indonesian_time_and_match_the_url(articles):
    for a in articles:
        assert DATE.fullmatch(a["date"]), a["id"]
        when = datetime.fromisoformat(a["date"])
        assert when.utcoffset() == timedelta(hours=7)
        assert 2021 <= when.year <= 2024, a["id"]
        prefix = f"https://example.com/{a['category']}/{when:%Y/%m/%d}/"
        assert a["url"].startswith(prefix), a["id"]
        assert SLUG.fullmatch(a["url"][len(prefix) :]), a["url"]
    assert len({a["url"] for a in articles}) == len(articles)


def test_spread_over_years_categories_sources_and_authors(articles):
    years = Counter(a["date"][:4] for a in articles)
    assert set(years) == {"2021", "2022", "2023", "2024"}
    assert min(years.values()) >= 5
    assert {a["category"] for a in articles} == CATEGORIES
    assert len({a["source"] for a in articles}) >= 4
    assert len({a["author"] for a in articles}) >= 8


def test_bodies_are_short_news_articles(articles):
    for a in articles:
        paragraphs = a["body"].split("\n\n")
        assert 2 <= len(paragraphs) <= 5, a["id"]
        assert all(p.strip() == p and p and "\n" not in p for p in paragraphs), a["id"]
        assert 120 <= len(WORD.findall(a["body"])) <= 300, a["id"]


def test_sample_is_plain_text(articles):
    # Hostile input belongs to the ingestion tests, not to the demo everyone sees first.
    for a in articles:
        for key in STRING_KEYS:
            assert not re.search(r"[<>]|&\w+;", a[key]), (a["id"], key)


def test_sources_are_fictional_outlets(articles):
    assert all(a["source"].endswith(" Contoh") for a in articles)


def test_the_amazon_russia_article_is_there_and_central(articles):
    [amazon] = [a for a in articles if a["id"] == "tek-2022-amazon-rusia"]
    assert "Amazon" in amazon["title"] and "Rusia" in amazon["title"]
    assert amazon["category"] == "teknologi"
    assert amazon["date"].startswith("2022-03-10T")
    body = amazon["body"]
    assert body.count("Amazon") >= 5 and body.count("Rusia") >= 5
    assert "Belarus" in body and "Prime Video" in body


def test_other_articles_mention_amazon_or_russia_less_centrally(articles):
    others = [a for a in articles if a["id"] != "tek-2022-amazon-rusia"]
    amazon = [a["id"] for a in others if "Amazon" in a["title"] + a["body"]]
    russia = [a["id"] for a in others if "Rusia" in a["title"] + a["body"]]
    assert len(amazon) >= 2 and len(russia) >= 2
    # None of them has both words, so "Amazon Rusia" has one clear best answer.
    assert set(amazon).isdisjoint(russia)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_word_forms_sit_in_different_articles(articles, family):
    forms = FAMILIES[family]
    words = [_words(a) for a in articles]
    for form in forms:
        others = set(forms) - {form}
        alone = [w for w in words if form in w and not (others & w)]
        assert alone, f"no article uses {form!r} without another form of {family!r}"


@pytest.mark.parametrize("text", PRESENT)
def test_sample_contains(articles, text):
    assert any(text in a["title"] + "\n" + a["body"] for a in articles)


@pytest.mark.parametrize("acronym", ACRONYMS)
def test_sample_contains_acronym(articles, acronym):
    assert any(acronym in WORD.findall(a["title"] + " " + a["body"]) for a in articles)


def test_clitics_appear(articles):
    words = set().union(*(_words(a) for a in articles))
    for clitic in ("nya", "lah", "kah", "pun"):
        assert len({w for w in words if w.endswith(clitic) and len(w) > len(clitic) + 2}) >= 2
