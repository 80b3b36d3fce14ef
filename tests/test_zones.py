"""An index's time zone: WIB/WITA/WIT and offsets converted into it, naive dates read in
it, its calendar days for since/until, date: and the date sort, ISO 8601 with the offset
out (library, CLI, JSON API, page), and indexes built before the zone was recorded."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchlib import ConfigError, Index
from searchlib.cli import cli
from searchlib.ingest import normalize_document, parse_date
from searchlib.zones import IndexZone

DATA = Path(__file__).parent / "data"

#: Articles near midnight in several zones: 05:00 WIB on 1 July is 22:00 UTC on 30 June.
ARTICLES = [
    {"id": "pagi", "title": "Gempa pagi", "body": "Gempa guncang Bantul.",
     "date": "1 Juli 2025 05:00 WIB"},
    {"id": "malam", "title": "Gempa malam", "body": "Gempa guncang Palu.",
     "date": "2025-06-30 23:30"},
    {"id": "timur", "title": "Gempa timur", "body": "Gempa guncang Jayapura.",
     "date": "Senin, 30 Jun 2025 | 23:30 WIT"},
    {"id": "utc", "title": "Gempa utara", "body": "Gempa guncang Manado.",
     "date": "2025-06-30T23:30:00Z"},
]  # fmt: skip


def _write_jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """The articles indexed through the CLI with the default config (Asia/Jakarta)."""
    source = _write_jsonl(tmp_path / "gempa.jsonl", ARTICLES)
    result = CliRunner().invoke(cli, ["index", str(source), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    return tmp_path / "ix"


def _ids(data: dict) -> set[str]:
    return {h["id"] for h in data["hits"]}


# -- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("Senin, 07 Jul 2025 14:30 WIB", datetime(2025, 7, 7, 7, 30)),
        ("Senin, 07 Jul 2025 | 10:00 WIB", datetime(2025, 7, 7, 3, 0)),
        ("Kamis, 10 Jul 2025 - 08:30 WIB", datetime(2025, 7, 10, 1, 30)),
        ("Jum\u2019at, 11 Jul 2025 13:45 WITA", datetime(2025, 7, 11, 5, 45)),
        ("Jum'at, 11 Jul 2025 13:45 WIT", datetime(2025, 7, 11, 4, 45)),
        ("07/07/2025, 14:30 WIB", datetime(2025, 7, 7, 7, 30)),
        ("2025-07-01T05:00:00+07:00", datetime(2025, 6, 30, 22, 0)),
    ],
)
def test_newsroom_print_formats_parse(text: str, utc: datetime) -> None:
    assert parse_date(text) == utc


@pytest.mark.parametrize("text", ["Jum'at, 13.45 WIB", "Jum\u2019at, 13.45 WIB", "13:45 WIB"])
def test_a_time_without_a_date_is_refused_clearly(text: str) -> None:
    with pytest.raises(ValueError, match="a time without a date: give the day too"):
        parse_date(text)


def test_naive_dates_are_taken_as_in_the_given_zone() -> None:
    jakarta, makassar = IndexZone("Asia/Jakarta").tz, IndexZone("Asia/Makassar").tz
    assert parse_date("2025-07-01 05:00", jakarta) == datetime(2025, 6, 30, 22, 0)
    assert parse_date("2025-07-01 05:00", makassar) == datetime(2025, 6, 30, 21, 0)
    assert parse_date("2025-07-01", jakarta) == datetime(2025, 6, 30, 17, 0)
    # An explicit zone wins over the index's.
    assert parse_date("2025-07-01 05:00 WIT", jakarta) == datetime(2025, 6, 30, 20, 0)
    assert parse_date(datetime(2025, 7, 1, 5), jakarta) == datetime(2025, 6, 30, 22, 0)
    aware = datetime(2025, 7, 1, 5, tzinfo=timezone.utc)
    assert parse_date(aware, jakarta) == datetime(2025, 7, 1, 5)
    doc = normalize_document({"id": 1, "body": "x", "date": "1 Juli 2025"}, timezone="UTC")
    assert doc["date"] == datetime(2025, 7, 1)


def test_a_time_without_a_date_in_a_file_names_file_line_and_field(tmp_path: Path) -> None:
    bad = [ARTICLES[0], {"id": "jumat", "body": "Gempa lagi.", "tanggal": "Jum'at, 13.45 WIB"}]
    source = _write_jsonl(tmp_path / "a.jsonl", bad)
    (tmp_path / "c.yaml").write_text("mapping: {tanggal: date}\n", encoding="utf-8")
    args = ["index", str(source), "--index", str(tmp_path / "ix")]
    result = CliRunner().invoke(cli, [*args, "--config", str(tmp_path / "c.yaml")])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    first = result.stderr.strip().splitlines()[0]
    assert f"{source}:2: field 'tanggal':" in first
    assert "time without a date" in first


# -- the index's calendar -------------------------------------------------------------------


def test_since_finds_an_early_morning_wib_article(
    built: Path, query_json: Callable[..., dict]
) -> None:
    """05:00 WIB on 1 July is on 1 July, though it is 30 June in UTC."""
    data = query_json(built, "gempa", "--since", "2025-07-01")
    assert _ids(data) == {"pagi", "utc"}  # 23:30 UTC on 30 June is 06:30 WIB on 1 July
    (hit,) = [h for h in data["hits"] if h["id"] == "pagi"]
    assert hit["date"] == "2025-07-01T05:00:00+07:00"
    assert _ids(query_json(built, "gempa", "--until", "2025-06-30")) == {"malam", "timur"}


def test_zones_and_offsets_are_converted_into_the_index_zone(
    built: Path, query_json: Callable[..., dict]
) -> None:
    dates = {h["id"]: h["date"] for h in query_json(built, "gempa")["hits"]}
    assert dates == {
        "pagi": "2025-07-01T05:00:00+07:00",
        "malam": "2025-06-30T23:30:00+07:00",  # naive: taken as WIB
        "timur": "2025-06-30T21:30:00+07:00",  # 23:30 WIT
        "utc": "2025-07-01T06:30:00+07:00",
    }


def test_date_ranges_in_the_query_use_the_zone_days(
    built: Path, query_json: Callable[..., dict]
) -> None:
    assert _ids(query_json(built, "gempa date:2025-07-01")) == {"pagi", "utc"}
    assert _ids(query_json(built, "gempa date:2025-06-30")) == {"malam", "timur"}
    assert _ids(query_json(built, "gempa date:..2025-06")) == {"malam", "timur"}
    # The first and last days a date can name stay bounds, not overflows.
    assert _ids(query_json(built, "gempa date:0001..2025-06-30")) == {"malam", "timur"}
    assert _ids(query_json(built, "gempa", "--since", "0001-01-01", "--until", "9999-12-30")) == {
        "pagi",
        "malam",
        "timur",
        "utc",
    }


def test_date_sort_orders_instants_and_the_cli_shows_zone_days(
    built: Path, query_json: Callable[..., dict]
) -> None:
    ids = [h["id"] for h in query_json(built, "gempa", "--sort", "date")["hits"]]
    assert ids == ["utc", "pagi", "malam", "timur"]
    plain = CliRunner().invoke(cli, ["query", "gempa bantul", "--index", str(built)])
    assert plain.exit_code == 0, plain.output
    assert "2025-07-01" in plain.stdout and "2025-06-30" not in plain.stdout


def test_get_library_and_since_bounds_of_every_kind(built: Path) -> None:
    with Index.open(built) as ix:
        assert ix.get("pagi")["date"].isoformat() == "2025-07-01T05:00:00+07:00"
        hits = ix.search("gempa", since="2025-07-01").hits
        assert {h.id for h in hits} == {"pagi", "utc"}
        assert hits[0].date.utcoffset().total_seconds() == 7 * 3600
        aware = datetime(2025, 6, 30, 23, tzinfo=timezone.utc)  # 06:00 WIB on 1 July
        assert {h.id for h in ix.search("gempa", until=aware).hits} == {"pagi", "malam", "timur"}


def test_dates_at_the_ends_of_the_calendar_are_shown(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as ix:
        ix.add([{"id": "akhir", "body": "Akhir zaman.", "date": "9999-12-31T23:00:00Z"}])
        assert ix.get("akhir")["date"].isoformat() == "9999-12-31T23:00:00+00:00"
        assert ix.search("zaman", since="9999-12-31").total == 1


def test_another_zone_uses_its_own_calendar(tmp_path: Path) -> None:
    config = {"timezone": "Asia/Makassar"}
    with Index.create(tmp_path / "ix", config) as ix:
        ix.add(ARTICLES)
        assert ix.get("malam")["date"].isoformat() == "2025-06-30T23:30:00+08:00"
        assert ix.get("pagi")["date"].isoformat() == "2025-07-01T06:00:00+08:00"
        # 23:30 UTC on 30 June is 07:30 WITA on 1 July; 23:30 WIT is 22:30 WITA.
        got = {h.id for h in ix.search("gempa", since="2025-07-01").hits}
        assert got == {"pagi", "utc"}
    meta = json.loads((tmp_path / "ix" / "searchlib.json").read_text(encoding="utf-8"))
    assert meta["config"]["timezone"] == "Asia/Makassar"
    with Index.open(tmp_path / "ix") as ix:  # the zone comes from the index's metadata
        assert ix.config.timezone == "Asia/Makassar"


def test_an_unknown_zone_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="timezone: unknown time zone 'Asia/Jakrta'"):
        Index.create(tmp_path / "ix", {"timezone": "Asia/Jakrta"})
    (tmp_path / "c.yaml").write_text("timezone: WIB\n", encoding="utf-8")
    source = _write_jsonl(tmp_path / "a.jsonl", ARTICLES)
    args = ["index", str(source), "--index", str(tmp_path / "ix2")]
    result = CliRunner().invoke(cli, [*args, "--config", str(tmp_path / "c.yaml")])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "timezone: unknown time zone 'WIB'" in result.stderr


# -- indexes built before the zone was recorded ---------------------------------------------


def test_an_older_index_is_read_as_utc_and_shown_in_wib(tmp_path: Path) -> None:
    """The format-4 fixture stored naive UTC and records no zone: its dates are shown in
    the default zone, and its days are WIB days, without a rebuild."""
    path = tmp_path / "old"
    shutil.copytree(DATA / "format4-index", path)
    meta = json.loads((path / "searchlib.json").read_text(encoding="utf-8"))
    assert "timezone" not in meta["config"]
    with Index.open(path) as ix:
        # Written as 2021-03-29T22:10:00+07:00 (stored 15:10 UTC).
        doc = ix.get("int-2021-ever-given-terusan-suez")
        assert doc["date"].isoformat() == "2021-03-29T22:10:00+07:00"
        # 06:30 WIB on 18 October is 23:30 UTC on the 17th: on the 18th in WIB.
        day = {h.id for h in ix.search("thomas", since="2021-10-18", until="2021-10-18").hits}
        assert day == {"olr-2021-juara-piala-thomas"}


# -- JSON API and page ----------------------------------------------------------------------


def test_api_and_page_show_the_zone(built: Path, web_client) -> None:
    with Index.open(built) as ix, web_client(ix) as client:
        data = client.get("/api/search", params={"q": "gempa", "since": "2025-07-01"}).json()
        assert {h["id"]: h["date"] for h in data["hits"]}["pagi"] == "2025-07-01T05:00:00+07:00"
        doc = client.get("/api/docs/pagi").json()
        assert doc["date"] == "2025-07-01T05:00:00+07:00"
        page = client.get("/", params={"q": "gempa bantul"}).text
        assert "1 Juli 2025" in page and 'datetime="2025-07-01"' in page
