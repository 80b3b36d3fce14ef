"""The search page's error messages in Indonesian.

The library and the parameter checks speak English (the JSON API and the CLI show that);
the page is Indonesian, so each known message is recognised by its pattern and said again
in Indonesian with the same particulars (column, field, date). A message no pattern knows
still gets an Indonesian sentence, with the original after it for a bug report.
"""

from __future__ import annotations

import re

__all__ = ["indonesian"]

_COL = r"(?: at column| \(column) (?P<col>\d+)\)?"
#: (English pattern, Indonesian template); named groups fill the template.
_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"unbalanced quote" + _COL, 'Tanda kutip di kolom {col} tidak ditutup: tutup "frasa".'),
    (
        r"unbalanced parenthesis: '\(' at column (?P<col>\d+) is never closed",
        "Tanda kurung buka di kolom {col} tidak ditutup.",
    ),
    (
        r"unbalanced parenthesis: unexpected '\)' at column (?P<col>\d+)",
        "Tanda kurung tutup di kolom {col} tidak punya pasangan.",
    ),
    (r"empty parentheses" + _COL, "Tanda kurung di kolom {col} kosong."),
    (r"empty phrase" + _COL, "Frasa di kolom {col} kosong."),
    (
        r"(?P<op>OR|AND|NOT) at column (?P<col>\d+) needs a term after it",
        "{op} di kolom {col} harus diikuti kata.",
    ),
    (
        r"(?P<op>OR|AND) at column (?P<col>\d+) needs a term before it",
        "{op} di kolom {col} harus didahului kata.",
    ),
    (r"the query ends where a term was expected", "Kueri berakhir padahal masih perlu kata."),
    (r"the query nests deeper than (?P<n>\d+) levels", "Kueri bersarang lebih dari {n} tingkat."),
    (
        r"unknown field '(?P<field>[^']*)'" + _COL + "?",
        "Kolom pencarian '{field}' tidak dikenal.",
    ),
    (
        r"field (?P<field>\S+): at column (?P<col>\d+) needs a term after it",
        "{field}: di kolom {col} harus diikuti kata.",
    ),
    (
        r"a prefix search needs at least (?P<n>\d+) letters before '\*'" + _COL,
        "Pencarian awalan perlu sedikitnya {n} huruf sebelum '*' (kolom {col}).",
    ),
    (
        r"only trailing wildcards are supported: (?P<text>.*) at column (?P<col>\d+)",
        "Tanda * hanya boleh di akhir kata: {text} (kolom {col}).",
    ),
    (r"fuzzy distance must be 1 or (?P<n>\d+)" + _COL, "Jarak ~ harus 1 atau {n} (kolom {col})."),
    (r"invalid date (?P<text>'.*')" + _COL, "Tanggal {text} tidak sah (kolom {col})."),
    (r"impossible date (?P<text>'.*')" + _COL, "Tanggal {text} tidak ada (kolom {col})."),
    (
        r"date range (?P<text>'.*') ends before it starts" + _COL,
        "Rentang tanggal {text} berakhir sebelum dimulai (kolom {col}).",
    ),
    (r"a date range needs at least one end" + _COL, "Rentang tanggal perlu batas (kolom {col})."),
    (r"(?P<name>since|until): invalid date (?P<text>'.*')", "Tanggal {text} tidak sah."),
    (r"until is before since", "Tanggal akhir lebih awal daripada tanggal mulai."),
    (
        r"query too long: (?P<n>\d+) characters \(limit (?P<max>\d+)\)",
        "Kueri terlalu panjang: {n} karakter (batas {max}).",
    ),
    (r"empty query", "Kueri kosong: ketik kata kunci."),
    (
        r"(?P<what>.*) matches more than (?P<n>\d+) terms",
        "{what} cocok dengan lebih dari {n} kata; ketik lebih banyak huruf.",
    ),
    (
        r"the search took longer than (?P<s>[\d.]+) s and was stopped",
        "Pencarian lebih lama dari {s} detik dan dihentikan; perjelas kuerinya.",
    ),
    (
        r"(?P<name>limit|page) must be an integer from (?P<low>\d+) to (?P<high>\d+), "
        r"got (?P<v>.*)",
        "{name} harus bilangan bulat {low} sampai {high}, bukan {v}.",
    ),
    (
        r"(?P<name>\w+) must be one of (?P<options>.*), got (?P<v>.*)",
        "{name} harus salah satu dari {options}, bukan {v}.",
    ),
    (r"cannot filter on unknown field (?P<field>'.*')", "Tidak dapat menyaring kolom {field}."),
)
_COMPILED = tuple((re.compile(p), t) for p, t in _MESSAGES)
_NAMES = {
    "since": "Dari tanggal",
    "until": "Sampai tanggal",
    "limit": "Hasil per halaman",
    "page": "Halaman",
    "sort": "Urutkan",
}


def indonesian(message: str) -> str:
    """``message`` (an English error of the library or the parameter checks) in Indonesian."""
    for pattern, template in _COMPILED:
        m = pattern.match(message)
        if m:
            values = {k: _NAMES.get(v, v) if k == "name" else v for k, v in m.groupdict().items()}
            return template.format(**values)
    return f"Pencarian tidak dapat diproses ({message})."
