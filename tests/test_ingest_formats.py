"""read_documents over each format: records, line numbers and every kind of bad input."""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchlib.ingest import Problem, Record, read_documents
from searchlib.ingest import jsonarray as jsonarray_module

MAPPING = {"judul": "title", "isi": "body", "tanggal": "date"}
#: 10 March 2022, a date without a zone, read in the default zone (WIB) and stored as UTC.
MARCH_10_WIB = datetime(2022, 3, 9, 17)


def read(*paths, **kwargs):
    return list(read_documents(list(paths), **kwargs))


def summary(items):
    """(kind, line, id-or-reason) per item: short to compare whole runs at once."""
    return [
        ("doc", i.line, i.doc["id"]) if isinstance(i, Record) else ("bad", i.line, i.reason)
        for i in items
    ]


def write_lines(path: Path, lines: list[str | bytes], end: bytes = b"\n") -> Path:
    path.write_bytes(end.join(x if isinstance(x, bytes) else x.encode() for x in lines) + end)
    return path


def art(n: int, **extra: object) -> str:
    return json.dumps({"id": f"a{n}", "title": f"Judul {n}", "body": f"Isi berita {n}.", **extra})


# -- JSON Lines -------------------------------------------------------------------------


def test_jsonl_records_with_line_numbers(tmp_path):
    path = write_lines(
        tmp_path / "a.jsonl", [art(1), "", "   ", art(2, date="10 Maret 2022"), art(3)]
    )
    items = read(path)
    assert summary(items) == [("doc", 1, "a1"), ("doc", 4, "a2"), ("doc", 5, "a3")]
    assert all(i.source == str(path) for i in items)
    assert items[1].doc["date"] == MARCH_10_WIB


def test_jsonl_splits_on_newline_only(tmp_path):
    body = "baris satu\u2028baris dua\u2029tiga\x85empat\x0bv\x0cf\rcr"
    path = write_lines(
        tmp_path / "a.jsonl", [json.dumps({"id": "u", "body": body}, ensure_ascii=False), art(2)]
    )
    items = read(path)
    assert summary(items) == [("doc", 1, "u"), ("doc", 2, "a2")]
    assert items[0].doc["body"] == body


def test_jsonl_crlf_bom_and_no_final_newline(tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_bytes(b"\xef\xbb\xbf" + f"{art(1)}\r\n{art(2)}\r\n{art(3)}".encode())
    assert summary(read(path)) == [("doc", 1, "a1"), ("doc", 2, "a2"), ("doc", 3, "a3")]


def test_jsonl_mapping(tmp_path):
    line = json.dumps({"id": 5, "judul": "Banjir", "isi": "Air naik.", "tanggal": "10/03/2022"})
    (item,) = read(write_lines(tmp_path / "a.jsonl", [line]), mapping=MAPPING)
    assert item.doc["id"] == "5" and item.doc["title"] == "Banjir"
    assert item.doc["body"] == "Air naik." and item.doc["date"] == MARCH_10_WIB


def test_jsonl_bad_lines_each_reported_with_their_line(tmp_path):
    path = write_lines(
        tmp_path / "rusak.jsonl",
        [
            art(1),
            '{"id": "a2", "body": "tanpa penutup"',  # 2 malformed
            '["id", "body"]',  # 3 not an object
            '{"title": "Tanpa id", "body": "isi"}',  # 4 missing id
            '{"id": "a5", "title": "Tanpa isi"}',  # 5 missing body
            b'{"id": "a6", "body": "caf\xe9"}',  # 6 Latin-1, not UTF-8
            '{"id": "a7", "body": "   "}',  # 7 empty
            art(8, date="31/02/2022"),  # 8 impossible date
            art(9, tags={"a": 1}),  # 9 wrong type
            "null",  # 10
            art(11),
        ],
    )
    assert summary(read(path)) == [
        ("doc", 1, "a1"),
        ("bad", 2, "malformed JSON: Expecting ',' delimiter at column 37"),
        ("bad", 3, "expected a JSON object, got an array"),
        ("bad", 4, "missing id"),
        ("bad", 5, "missing body"),
        ("bad", 6, "not valid UTF-8: byte 0xe9 at column 26 (save the file as UTF-8)"),
        ("bad", 7, "empty document"),
        ("bad", 8, "field 'date': impossible date '31/02/2022': day is out of range for month"),
        ("bad", 9, "field 'tags' must be a list or a comma-separated string, got an object"),
        ("bad", 10, "expected a JSON object, got null"),
        ("doc", 11, "a11"),
    ]


def test_jsonl_size_limits(tmp_path):
    big = json.dumps({"id": "big", "body": "x" * 200})
    huge = json.dumps({"id": "huge", "body": "y" * 5000})  # over 6x the limit: never parsed
    path = write_lines(tmp_path / "a.jsonl", [art(1), big, huge, art(4)])
    assert summary(read(path, max_doc_bytes=100)) == [
        ("doc", 1, "a1"),
        ("bad", 2, "document is 200 bytes, over the limit of 100"),
        ("bad", 3, f"line is {len(huge):,} bytes, too large for a document of at most 100 bytes"),
        ("doc", 4, "a4"),
    ]


def test_deeply_nested_json_is_a_problem_not_a_crash(tmp_path):
    path = write_lines(tmp_path / "a.jsonl", ['{"id": "x", "body": ' + "[" * 100_000, art(2)])
    items = read(path)
    assert isinstance(items[0], Problem) and items[0].line == 1
    assert items[0].reason.startswith("malformed JSON")
    assert summary(items[1:]) == [("doc", 2, "a2")]


# -- JSON arrays --------------------------------------------------------------------------

ARRAY = """[
  {"id": "j1", "title": "Satu", "body": "Isi [dengan] {kurung} dan \\"kutip\\" \\\\",
   "tags": ["a", "b"], "meta": {"x": [1, 2, {"y": "]"}]}},
  {"id": "j2",
   "body": "baris\\nbaru"},

  {"id": "j3", "body": "tiga"}
]
"""


def test_json_array_records_with_element_lines(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(ARRAY, encoding="utf-8")
    items = read(path)
    assert summary(items) == [("doc", 2, "j1"), ("doc", 4, "j2"), ("doc", 7, "j3")]
    assert items[0].doc["body"] == 'Isi [dengan] {kurung} dan "kutip" \\'
    assert items[0].doc["tags"] == ["a", "b"]
    assert items[1].doc["body"] == "baris\nbaru"


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_json_array_same_result_at_any_chunk_boundary(tmp_path, monkeypatch, chunk):
    path = tmp_path / "a.json"
    path.write_text(ARRAY + "\n", encoding="utf-8")
    expected = summary(read(path))
    monkeypatch.setattr(jsonarray_module, "_CHUNK", chunk)
    assert summary(read(path)) == expected


def test_json_array_bad_elements_are_reported_and_the_rest_read(tmp_path):
    path = tmp_path / "rusak.json"
    path.write_bytes(
        b"[\n"
        b'  {"id": "j1", "body": "satu"},\n'  # 2
        b'  {"id": "j2", "body": "koma",},\n'  # 3 malformed
        b"  42,\n"  # 4 not an object
        b'  "teks",\n'  # 5 not an object
        b'  {"id": "j6", "body": "caf\xe9"},\n'  # 6 not UTF-8
        b'  {"id": "j7"},\n'  # 7 no body
        b'  {"id": "j8", "body": "delapan"}\n'  # 8
        b"]\n"
    )
    got = summary(read(path))
    # The json module's wording (and column) for a trailing comma differs across Python
    # versions (3.13: "Illegal trailing comma before end of object"); the line may not.
    kind, line, reason = got[1]
    assert (kind, line) == ("bad", 3)
    assert re.fullmatch(r"malformed JSON: .+ at column \d+", reason)
    assert got[:1] + got[2:] == [
        ("doc", 2, "j1"),
        ("bad", 4, "expected a JSON object, got a number"),
        ("bad", 5, "expected a JSON object, got a string"),
        ("bad", 6, "not valid UTF-8 (save the file as UTF-8)"),
        ("bad", 7, "empty document"),
        ("doc", 8, "j8"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[]", []),
        ("", []),
        ("  \n ", []),
        (
            '[{"id": "a", "body": "b"},\n]',
            [("doc", 1, "a"), ("bad", 2, "malformed JSON: ',' before ']' (trailing comma)")],
        ),
        (
            '[{"id": "a", "body": "b"}\n{"id": "c", "body": "d"}]',
            [
                ("doc", 1, "a"),
                ("bad", 2, "malformed JSON: expected ',' or ']' after an element, found '{'"),
            ],
        ),
        (
            '[{"id": "a", "body": "b"}',
            [("doc", 1, "a"), ("bad", 1, "malformed JSON: the array is not closed with ']'")],
        ),
        (
            '[\n{"id": "a", "body": "b',
            [
                (
                    "bad",
                    2,
                    "malformed JSON: the element starting here is not "
                    "closed before the end of the file",
                )
            ],
        ),
        (
            '[{"id": "a", "body": "b"}]\n]',
            [("doc", 1, "a"), ("bad", 2, "unexpected ']' after the end of the JSON array")],
        ),
        ('"teks"', [("bad", 1, "expected a JSON array of objects, found '\"'")]),
        (
            "[1",
            [
                ("bad", 1, "expected a JSON object, got a number"),
                ("bad", 1, "malformed JSON: the array is not closed with ']'"),
            ],
        ),
    ],
)
def test_json_array_structure_errors(tmp_path, text, expected):
    path = tmp_path / "a.json"
    path.write_text(text, encoding="utf-8")
    assert summary(read(path)) == expected


def test_json_array_error_position_inside_a_multiline_element(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('[\n  {"id": "x",\n   "body": tidak}\n]', encoding="utf-8")
    assert summary(read(path)) == [
        ("bad", 2, "malformed JSON: Expecting value at line 3 column 12")
    ]


def test_json_file_holding_json_lines_is_read_as_a_sequence(tmp_path):
    path = write_lines(tmp_path / "a.json", [art(1), art(2), "", art(4)])
    assert summary(read(path)) == [("doc", 1, "a1"), ("doc", 2, "a2"), ("doc", 4, "a4")]


def test_json_array_oversized_element_is_skipped_without_parsing(tmp_path):
    path = tmp_path / "a.json"
    huge = json.dumps({"id": "huge", "body": "y" * 5000})
    path.write_text(f"[{art(1)},\n{huge},\n{art(3)}]", encoding="utf-8")
    assert summary(read(path, max_doc_bytes=100)) == [
        ("doc", 1, "a1"),
        (
            "bad",
            2,
            f"element is {len(huge):,} characters, too large for a document of at most 100 bytes",
        ),
        ("doc", 3, "a3"),
    ]


def test_json_array_with_mapping_and_bom(tmp_path):
    path = tmp_path / "a.json"
    doc = {"id": "m", "judul": "Gempa", "isi": "Guncangan.", "tanggal": "Kamis, 10 Maret 2022"}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([doc]).encode())
    (item,) = read(path, mapping=MAPPING)
    assert (item.doc["title"], item.doc["date"]) == ("Gempa", MARCH_10_WIB)


# -- CSV ----------------------------------------------------------------------------------


def test_csv_with_mapping_and_multiline_fields(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        "id,judul,isi,tanggal,tags\n"
        '1,Banjir,"Air naik\ndi dua baris",10/03/2022,"banjir, jakarta"\n'
        "2,Gempa,Guncangan,10 Maret 2022,\n"
        "\n"
        '3,"Judul, dengan koma","Isi ""dikutip""",,\n',
        encoding="utf-8",
    )
    items = read(path, mapping=MAPPING)
    assert summary(items) == [("doc", 2, "1"), ("doc", 4, "2"), ("doc", 6, "3")]
    first, second, third = (i.doc for i in items)
    assert first["body"] == "Air naik\ndi dua baris" and first["tags"] == ["banjir", "jakarta"]
    assert first["date"] == second["date"] == MARCH_10_WIB
    assert third["title"] == "Judul, dengan koma" and third["body"] == 'Isi "dikutip"'
    assert third["date"] is None and third["tags"] == []


@pytest.mark.parametrize(("name", "sep"), [("a.csv", ";"), ("a.tsv", "\t"), ("b.csv", "|")])
def test_csv_delimiter_is_taken_from_the_header(tmp_path, name, sep):
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=sep).writerows(
            [["id", "title", "body"], ["1", "Satu, dua; tiga|empat", "isi\tlima"]]
        )
    (item,) = read(path)
    assert (item.doc["title"], item.doc["body"]) == ("Satu, dua; tiga|empat", "isi\tlima")


def test_csv_bom_crlf_and_capitalized_headers(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfID,Title,Body\r\n1,Satu,Isi satu\r\n2,Dua,Isi dua\r\n")
    assert summary(read(path)) == [("doc", 2, "1"), ("doc", 3, "2")]


def test_csv_unknown_columns_reported_once_on_the_header(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,body,penulis,halaman\n1,isi,Ani,3\n2,isi dua,Budi,4\n", encoding="utf-8")
    assert summary(read(path)) == [
        (
            "bad",
            1,
            "unknown CSV columns 'penulis', 'halaman': not a field, not mapped and not "
            "declared in the config; their values are not indexed",
        ),
        ("doc", 2, "1"),
        ("doc", 3, "2"),
    ]
    items = read(path, mapping={"penulis": "author"}, extra_fields=("halaman",))
    assert summary(items) == [("doc", 2, "1"), ("doc", 3, "2")]
    assert (items[0].doc["author"], items[0].doc["halaman"]) == ("Ani", "3")


def test_csv_header_without_id_or_body_is_one_problem(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("kode,judul,isi\n1,a,b\n2,c,d\n", encoding="utf-8")
    assert summary(read(path, mapping={"judul": "title"})) == [
        (
            "bad",
            1,
            "unknown CSV columns 'kode', 'isi': not a field, not mapped and not declared "
            "in the config; their values are not indexed",
        ),
        ("bad", 1, "no 'id' column (map yours with the config's mapping)"),
        ("bad", 1, "no 'body' column (map yours with the config's mapping)"),
    ]
    path.write_text("id,body,body\n1,a,b\n", encoding="utf-8")
    assert summary(read(path)) == [("bad", 1, "columns 'body' and 'body' both give 'body'")]


def test_csv_bad_rows_each_reported_with_their_line(tmp_path):
    path = tmp_path / "rusak.csv"
    path.write_bytes(
        b"id,title,body,date\n"
        b"1,Satu,isi,2022-03-10\n"  # 2
        b"2,Dua,tanpa kolom tanggal\n"  # 3 short row
        b"3,Tiga,isi,2022-03-10,lebih\n"  # 4 long row
        b"4,Empat,caf\xe9,2022-03-10\n"  # 5 not UTF-8
        b",Lima,tanpa id,\n"  # 6
        b"6,Enam,,\n"  # 7 title only
        b"7,,,\n"  # 8 empty
        b"8,Delapan,isi,31/02/2022\n"  # 9
        b'9,"Sembilan","isi\n'  # 10 opens a quote never closed
        b"10,Sepuluh,isi,\n"
    )
    assert summary(read(path)) == [
        ("doc", 2, "1"),
        ("bad", 3, "row has 3 fields, the header has 4"),
        ("bad", 4, "row has 5 fields, the header has 4"),
        ("bad", 5, "not valid UTF-8: byte 0xe9 at column 12 (save the file as UTF-8)"),
        ("bad", 6, "missing id"),
        ("bad", 7, "empty body"),
        ("bad", 8, "empty document"),
        ("bad", 9, "field 'date': impossible date '31/02/2022': day is out of range for month"),
        (
            "bad",
            10,
            "row has 3 fields, the header has 4 (the row runs to line 11: is a quote left open?)",
        ),
    ]


def test_csv_fields_larger_than_the_csv_module_default(tmp_path):
    body = "kata " * 100_000  # 500 kB, above csv's default 128 kB field limit
    path = tmp_path / "a.csv"
    path.write_text(f'id,body\n1,"{body}"\n2,kecil\n', encoding="utf-8")
    items = read(path)
    assert summary(items) == [("doc", 2, "1"), ("doc", 3, "2")]
    assert items[0].doc["body"] == body.strip()


def test_csv_field_over_the_csv_limit_stops_the_file(tmp_path):
    path = tmp_path / "a.csv"
    runaway = "\n".join(["x" * 1000] * 140)  # 140 kB in one quoted field
    path.write_text(f'id,body\n1,isi\n2,"{runaway}"\n3,isi\n', encoding="utf-8")
    old = csv.field_size_limit(131_072)  # the csv module's default; the reader only raises it
    try:
        items = read(path, max_doc_bytes=10)
    finally:
        csv.field_size_limit(old)
    assert summary(items) == [
        ("doc", 2, "1"),
        (
            "bad",
            3,
            "unreadable CSV: field larger than field limit (131072); the rest of the "
            "file was not read",
        ),
    ]


def test_csv_document_over_the_limit(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(f"id,body\n1,{'x' * 150}\n2,kecil\n", encoding="utf-8")
    assert summary(read(path, max_doc_bytes=100)) == [
        ("bad", 2, "document is 150 bytes, over the limit of 100"),
        ("doc", 3, "2"),
    ]


def test_csv_header_only_or_empty(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,body\n", encoding="utf-8")
    assert read(path) == []
    path.write_text("", encoding="utf-8")
    assert read(path) == []


# -- directories of text files ------------------------------------------------------------


@pytest.fixture
def tree(tmp_path, monkeypatch):
    # The built-in HTML extractor's reading; tests/test_ingest_html.py covers trafilatura's.
    monkeypatch.setenv("SEARCHLIB_HTML_EXTRACTOR", "builtin")
    root = tmp_path / "berita"
    (root / "ekonomi" / "2022").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "satu.txt").write_text("\n  Judul Teks  \n\nIsi baris satu.\nIsi baris dua.\n")
    (root / "ekonomi" / "dua.md").write_text(
        "---\ntitle: abaikan\n---\nPengantar.\n\n## Judul Markdown ##\n\nIsi *markdown*.\n"
    )
    (root / "ekonomi" / "2022" / "tiga.html").write_text(
        "<html><head><title>Judul HTML</title><script>x()</script></head>"
        "<body><h1>Besar</h1><p>Isi &amp; lainnya.</p></body></html>"
    )
    (root / "empat.HTM").write_text("<body><h1>Judul H1</h1><p>Isi empat.</p></body>")
    (root / "lima.txt").write_text("Satu baris saja")
    (root / ".tersembunyi.txt").write_text("abaikan")
    (root / ".git" / "x.txt").write_text("abaikan")
    (root / "gambar.png").write_bytes(b"\x89PNG")
    (root / "catatan.json").write_text("{}")
    return root


def test_directory_ids_titles_and_bodies(tree):
    items = read(tree)
    docs = {i.doc["id"]: i.doc for i in items}
    assert [i.doc["id"] for i in items] == [
        "ekonomi/2022/tiga.html",
        "ekonomi/dua.md",
        "empat.HTM",
        "lima.txt",
        "satu.txt",
    ]
    assert all(i.line is None for i in items)
    assert items[0].source == str(tree / "ekonomi" / "2022" / "tiga.html")
    assert (docs["satu.txt"]["title"], docs["satu.txt"]["body"]) == (
        "Judul Teks",
        "Isi baris satu.\nIsi baris dua.",
    )
    assert (docs["ekonomi/dua.md"]["title"], docs["ekonomi/dua.md"]["body"]) == (
        "Judul Markdown",
        "Pengantar.\n\n\nIsi *markdown*.",
    )
    assert (docs["ekonomi/2022/tiga.html"]["title"], docs["ekonomi/2022/tiga.html"]["body"]) == (
        "Judul HTML",
        "Besar\nIsi & lainnya.",
    )
    assert (docs["empat.HTM"]["title"], docs["empat.HTM"]["body"]) == (
        "Judul H1",
        "Judul H1\nIsi empat.",
    )
    assert (docs["lima.txt"]["title"], docs["lima.txt"]["body"]) == ("Satu baris saja",) * 2


def test_markdown_without_heading_uses_its_first_line(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("Kalimat pertama.\nKalimat kedua.\n")
    (item,) = read(path)
    assert (item.doc["title"], item.doc["body"]) == ("Kalimat pertama.", "Kalimat kedua.")


def test_single_text_file_gets_its_name_as_id(tree):
    (item,) = read(tree / "ekonomi" / "dua.md")
    assert item.doc["id"] == "dua.md" and item.doc["title"] == "Judul Markdown"
    (item,) = read(tree / "lima.txt", format="dir")
    assert item.doc["id"] == "lima.txt"


def test_directory_bad_files(tmp_path):
    root = tmp_path / "d"
    root.mkdir()
    (root / "a.txt").write_bytes(b"Judul\nbaris dua\nbaris tiga caf\xe9\n")
    (root / "b.txt").write_text("  \n\n")
    (root / "c.html").write_text("<script>only()</script>")
    (root / "d.txt").write_text("Judul\n" + "x" * 200)
    (root / "e.txt").write_text("Judul\n" + "y" * 5000)
    assert summary(read(root, max_doc_bytes=100)) == [
        ("bad", 3, "not valid UTF-8: byte 0xe9 at column 15 (save the file as UTF-8)"),
        ("bad", None, "empty document"),
        ("bad", None, "empty document"),
        ("bad", None, "document is 205 bytes, over the limit of 100"),
        ("bad", None, "file is over 4,696 bytes, too large for a document of at most 100 bytes"),
    ]


def test_html_declared_charset_is_honoured(tmp_path):
    path = tmp_path / "lama.html"
    path.write_bytes(b'<meta charset="windows-1252"><title>Caf\xe9</title><p>\x93kutip\x94</p>')
    (item,) = read(path)
    assert (item.doc["title"], item.doc["body"]) == ("Café", "“kutip”")


def test_symlinked_directories_are_not_followed(tmp_path):
    root = tmp_path / "d"
    root.mkdir()
    (root / "a.txt").write_text("Judul\nIsi")
    try:
        (root / "loop").symlink_to(root, target_is_directory=True)
    except OSError:
        pytest.skip("symbolic links are not available here")
    assert [i.doc["id"] for i in read(root)] == ["a.txt"]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab[]{}",:\\ \n\u2028é😀'),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(_JSON, max_size=5),
    indent=st.sampled_from([None, 0, 2]),
    chunk=st.integers(min_value=1, max_value=9),
)
def test_json_array_scanner_splits_like_the_json_module(values, indent, chunk):
    text = json.dumps(values, indent=indent, ensure_ascii=False)
    chunks = [text[i : i + chunk] for i in range(0, len(text), chunk)]
    found = list(jsonarray_module._elements(iter(chunks), cap=10**6))
    assert [json.loads(v.text) for v in found] == values
    lines = text.split("\n")
    for value in found:  # each element starts where its line and column say
        assert lines[value.line - 1][value.column - 1 :].startswith(value.text.split("\n")[0])
