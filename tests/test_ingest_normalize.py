"""normalize_document: mapping, required fields, types, tags, dates, size limit."""

from __future__ import annotations

from datetime import datetime

import pytest

from searchlib.ingest import CANONICAL_FIELDS, normalize_document

MAPPING = {"judul": "title", "isi": "body", "tanggal": "date", "penulis": "author"}


def test_full_document_has_every_canonical_key():
    doc = normalize_document(
        {
            "id": " a1 ",
            "title": " Judul ",
            "body": "\n Isi berita. \n",
            "url": "https://contoh.id/a1",
            "source": "contoh.id",
            "category": "Ekonomi",
            "date": "2022-03-10T14:30:00+07:00",
            "author": "Ani",
            "tags": ["ekonomi", " rusia ", "ekonomi", ""],
        }
    )
    assert tuple(doc) == (
        "id",
        "title",
        "body",
        "url",
        "source",
        "category",
        "author",
        "date",
        "tags",
    )
    assert set(doc) == set(CANONICAL_FIELDS)
    assert doc["id"] == "a1" and doc["title"] == "Judul" and doc["body"] == "Isi berita."
    assert doc["date"] == datetime(2022, 3, 10, 7, 30)
    assert doc["tags"] == ["ekonomi", "rusia"]


def test_minimal_document_gets_empty_defaults():
    doc = normalize_document({"id": 7, "body": "isi"})
    assert doc == {
        "id": "7",
        "title": "",
        "body": "isi",
        "url": "",
        "source": "",
        "category": "",
        "author": "",
        "date": None,
        "tags": [],
    }


def test_mapping_is_applied_first():
    doc = normalize_document(
        {
            "id": "b",
            "judul": "Banjir",
            "isi": "Air naik.",
            "tanggal": "10 Maret 2022",
            "penulis": "Budi",
        },
        mapping=MAPPING,
    )
    assert (doc["title"], doc["body"], doc["date"], doc["author"]) == (
        "Banjir",
        "Air naik.",
        datetime(2022, 3, 9, 17),  # midnight WIB, the default zone, as UTC
        "Budi",
    )


def test_two_names_for_one_field_is_an_error():
    with pytest.raises(ValueError, match="fields 'judul' and 'title' both give 'title'"):
        normalize_document({"id": "x", "judul": "A", "title": "B", "body": "c"}, mapping=MAPPING)
    # an empty value does not count
    doc = normalize_document({"id": "x", "judul": "A", "title": "", "body": "c"}, mapping=MAPPING)
    assert doc["title"] == "A"


def test_names_match_case_insensitively_and_unknown_keys_are_ignored():
    doc = normalize_document({"ID": "x", "Title": "T", "BODY": "b", "summary": "s", "views": 3})
    assert (doc["id"], doc["title"], doc["body"]) == ("x", "T", "b")
    assert "summary" not in doc and "views" not in doc


def test_extra_fields_are_strings_or_dates():
    doc = normalize_document(
        {"id": "x", "body": "b", "lokasi": " Bandung ", "halaman": 12},
        extra_fields=("lokasi", "halaman", "kosong"),
    )
    assert (doc["lokasi"], doc["halaman"], doc["kosong"]) == ("Bandung", "12", "")
    doc = normalize_document(
        {"id": "x", "body": "b", "diubah": "11/03/2022"}, extra_fields={"diubah": "date"}
    )
    assert doc["diubah"] == datetime(2022, 3, 10, 17)  # 11 March, midnight WIB, as UTC
    with pytest.raises(ValueError, match="field 'diubah': impossible date"):
        normalize_document(
            {"id": "x", "body": "b", "diubah": "32/03/2022"}, extra_fields={"diubah": "date"}
        )


def test_tags_as_comma_separated_string():
    doc = normalize_document({"id": "x", "body": "b", "tags": "politik, pemilu ,, Politik"})
    assert doc["tags"] == ["politik", "pemilu", "Politik"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"body": "isi"}, "^missing id$"),
        ({"id": None, "body": "isi"}, "^missing id$"),
        ({"id": "  ", "body": "isi"}, "^empty id$"),
        ({"id": "x"}, "^empty document$"),
        ({"id": "x", "title": "Judul saja"}, "^missing body$"),
        ({"id": "x", "title": "Judul", "body": " \n\t "}, "^empty body$"),
        ({"id": "x", "body": "   "}, "^empty document$"),
        ({"id": "x", "body": ""}, "^empty document$"),
        (
            {"id": 1.5, "body": "b"},
            "field 'id' \\(id\\) must be a string or an integer, got a number",
        ),
        ({"id": True, "body": "b"}, "got true/false"),
        ({"id": ["x"], "body": "b"}, "got an array"),
        ({"id": "x", "body": {"teks": "b"}}, "field 'body' must be text, got an object"),
        ({"id": "x", "body": "b", "title": ["a"]}, "field 'title' must be text, got an array"),
        ({"id": "x", "body": "b", "category": False}, "field 'category' must be text"),
        ({"id": "x", "body": "b", "tags": 5}, "field 'tags' must be a list or a comma-separated"),
        ({"id": "x", "body": "b", "tags": ["a", {"b": 1}]}, "field 'tags': every tag must be text"),
        (
            {"id": "x", "body": "b", "date": "31/02/2022"},
            "field 'date': impossible date '31/02/2022'",
        ),
        ({"id": "x", "body": "b", "date": ["2022"]}, "field 'date' must be a date, got an array"),
        ({"id": "x", "body": "b\ud800"}, "field 'body' contains invalid Unicode"),
        # JSON's NaN and Infinity are numbers Python reads, but not text.
        ({"id": "x", "body": float("nan")}, "field 'body' must be text or a finite number"),
        ({"id": "x", "body": "b", "title": float("inf")}, "field 'title' must be text or a"),
        # Text under names no field takes: the error names them and points to mapping:.
        (
            {"id": "x", "judul": "Banjir", "isi": "Banjir melanda kota"},
            r"^empty document: unknown fields 'judul', 'isi'; .* mapping: in the config "
            r"\(e\.g\. mapping: \{isi: body\}\)$",
        ),
        (
            {"id": "x", "title": "Banjir", "isi": "Banjir melanda kota"},
            "^missing body: unknown fields 'isi'; map them .* with mapping:",
        ),
        (
            {"id": "x", **{f"kolom{i}": "teks" for i in range(10)}},
            "unknown fields 'kolom0', .* 'kolom7' and 2 more;",
        ),
    ],
)
def test_bad_documents(raw, message):
    with pytest.raises(ValueError, match=message):
        normalize_document(raw)


def test_wrong_type_names_the_input_field_not_the_mapped_one():
    with pytest.raises(ValueError, match="field 'isi' must be text, got an array"):
        normalize_document({"id": "x", "isi": ["b"]}, mapping=MAPPING)


def test_not_an_object():
    with pytest.raises(ValueError, match="expected an object with fields, got an array"):
        normalize_document(["id", "body"])  # type: ignore[arg-type]


def test_size_limit_counts_utf8_bytes_of_the_text():
    body = "é" * 50  # 100 bytes of UTF-8
    assert normalize_document({"id": "x", "body": body}, max_doc_bytes=100)["body"] == body
    with pytest.raises(ValueError, match="document is 101 bytes, over the limit of 100"):
        normalize_document({"id": "x", "title": "a", "body": body}, max_doc_bytes=100)


def test_mapping_onto_no_field_is_refused():
    with pytest.raises(ValueError, match="'judul' -> 'titel': 'titel' is not a field"):
        normalize_document({"id": "x", "body": "b"}, mapping={"judul": "titel"})
