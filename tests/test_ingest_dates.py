"""parse_date: every accepted format, zones to naive UTC, and readable refusals."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from searchlib.ingest import parse_date

MAR10 = datetime(2022, 3, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ISO 8601
        ("2022-03-10", MAR10),
        ("2022-3-9", datetime(2022, 3, 9)),
        ("2022-03-10T14:30", datetime(2022, 3, 10, 14, 30)),
        ("2022-03-10 14:30:05", datetime(2022, 3, 10, 14, 30, 5)),
        ("2022-03-10T14:30:05.25", datetime(2022, 3, 10, 14, 30, 5, 250000)),
        ("2022-03-10T14:30:00Z", datetime(2022, 3, 10, 14, 30)),
        ("2022-03-10T14:30:00+07:00", datetime(2022, 3, 10, 7, 30)),
        ("2022-03-10T14:30:00+0700", datetime(2022, 3, 10, 7, 30)),
        ("2022-03-10T14:30:00+07", datetime(2022, 3, 10, 7, 30)),
        ("2022-03-10T01:00:00+07:00", datetime(2022, 3, 9, 18, 0)),
        ("2022-03-10T20:30-05:00", datetime(2022, 3, 11, 1, 30)),
        ("2022-03-10T14:30:00.123456789+05:30", datetime(2022, 3, 10, 9, 0, 0, 123456)),
        # day first (Indonesian convention) and year first
        ("10/03/2022", MAR10),
        ("10-03-2022", MAR10),
        ("10.03.2022", MAR10),
        ("1/3/2022", datetime(2022, 3, 1)),
        ("10/03/2022 14:30", datetime(2022, 3, 10, 14, 30)),
        ("Kamis, 10/03/2022 14.30 WIB", datetime(2022, 3, 10, 7, 30)),
        ("2022/03/10", MAR10),
        ("2022.03.10", MAR10),
        ("20220310", MAR10),
        # month names, Indonesian and English
        ("10 Mar 2022", MAR10),
        ("10 Maret 2022", MAR10),
        ("10 MARET 2022", MAR10),
        ("10 Mar. 2022", MAR10),
        ("10-Mar-2022", MAR10),
        ("March 10, 2022", MAR10),
        ("Mar 10 2022", MAR10),
        ("March 10th, 2022", MAR10),
        ("Thursday, March 10, 2022", MAR10),
        ("Kamis, 10 Maret 2022", MAR10),
        ("Kamis 10 Maret 2022", MAR10),
        ("Jum'at, 11 Maret 2022", datetime(2022, 3, 11)),
        ("17-Aug-20", datetime(2020, 8, 17)),
        ("17 Agu 98", datetime(1998, 8, 17)),
        # times and zones
        ("Kamis, 10 Maret 2022 14:30 WIB", datetime(2022, 3, 10, 7, 30)),
        ("10 Maret 2022 14:30 WITA", datetime(2022, 3, 10, 6, 30)),
        ("10 Maret 2022 14:30 WIT", datetime(2022, 3, 10, 5, 30)),
        ("10 Maret 2022, 14:30", datetime(2022, 3, 10, 14, 30)),
        ("10 Maret 2022 pukul 14.30 WIB", datetime(2022, 3, 10, 7, 30)),
        ("10 Maret 2022 14:30:15", datetime(2022, 3, 10, 14, 30, 15)),
        ("10 Mar 2022 14:30 UTC", datetime(2022, 3, 10, 14, 30)),
        ("10 Mar 2022 14:30 GMT+7", datetime(2022, 3, 10, 7, 30)),
        ("10 Mar 2022 14:30 +07:00", datetime(2022, 3, 10, 7, 30)),
        ("Mar 10, 2022 2:30 PM", datetime(2022, 3, 10, 14, 30)),
        ("Mar 10, 2022 12:05 am", datetime(2022, 3, 10, 0, 5)),
        ("Mar 10, 2022 12:05 p.m.", datetime(2022, 3, 10, 12, 5)),
        ("  10   Maret\u00a02022  ", MAR10),
        # Unix epoch as text
        ("1646870400", MAR10),
        ("1646870400.5", datetime(2022, 3, 10, 0, 0, 0, 500000)),
    ],
)
def test_accepted_formats(text, expected):
    assert parse_date(text) == expected


MONTHS = {
    1: ["Januari", "January", "Jan"],
    2: ["Februari", "Pebruari", "February", "Feb"],
    3: ["Maret", "March", "Mar"],
    4: ["April", "Apr"],
    5: ["Mei", "May"],
    6: ["Juni", "June", "Jun"],
    7: ["Juli", "July", "Jul"],
    8: ["Agustus", "August", "Agu", "Agt", "Aug"],
    9: ["September", "Sep", "Sept"],
    10: ["Oktober", "October", "Okt", "Oct"],
    11: ["November", "Nopember", "Nov"],
    12: ["Desember", "December", "Des", "Dec"],
}


@pytest.mark.parametrize(
    ("month", "name"), [(m, name) for m, names in MONTHS.items() for name in names]
)
def test_every_month_name(month, name):
    assert parse_date(f"5 {name} 2021") == datetime(2021, month, 5)
    assert parse_date(f"{name.lower()} 5, 2021") == datetime(2021, month, 5)


def test_epoch_numbers_seconds_and_milliseconds():
    assert parse_date(1646870400) == MAR10
    assert parse_date(1646870400.25) == datetime(2022, 3, 10, 0, 0, 0, 250000)
    assert parse_date(1646870400000) == MAR10  # JavaScript milliseconds
    assert parse_date(100_000_000) == datetime(1973, 3, 3, 9, 46, 40)


@pytest.mark.parametrize("value", [2022, "2022", 0, "0", -86400, 99_999_999])
def test_small_numbers_are_not_read_as_unix_time(value):
    with pytest.raises(ValueError, match="too small to be a Unix time"):
        parse_date(value)


def test_datetime_and_date_objects():
    aware = datetime(2022, 3, 10, 14, 30, tzinfo=timezone(timedelta(hours=7)))
    assert parse_date(aware) == datetime(2022, 3, 10, 7, 30)
    assert parse_date(aware).tzinfo is None
    assert parse_date(datetime(2022, 3, 10, 14, 30)) == datetime(2022, 3, 10, 14, 30)
    assert parse_date(date(2022, 3, 10)) == MAR10


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2022", r"impossible date '31/02/2022': day is out of range"),
        ("2022-02-29", r"impossible date '2022-02-29'"),
        ("30 Februari 2022", r"impossible date '30 Februari 2022'"),
        ("2022-13-01", r"impossible date '2022-13-01': month"),
        ("10/13/2022", r"impossible date '10/13/2022'"),  # day first: there is no month 13
        ("2022-03-10 24:00", r"impossible date '2022-03-10 24:00': hour"),
        ("2022-03-10 10:61", r"impossible date"),
        ("Mar 10, 2022 13:00 PM", r"impossible date .*AM/PM"),
        ("10 Marc 2022", r"unknown month name 'marc' in date '10 Marc 2022'"),
        ("10 Maret 2022 14:30 +19:00", r"impossible time zone offset"),
        ("10/03/22", r"unrecognized date '10/03/22'"),
        ("kemarin", r"unrecognized date 'kemarin'"),
        ("Senin", r"unrecognized date 'Senin'"),
        ("10 Maret 2022 14:30 PST", r"unrecognized date"),
        ("", r"empty date"),
        ("   ", r"empty date"),
    ],
)
def test_refusals_name_the_value(text, message):
    with pytest.raises(ValueError, match=message):
        parse_date(text)


def test_wrong_types_and_out_of_range_numbers():
    with pytest.raises(ValueError, match="a date must be a string or a number, got bool"):
        parse_date(True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="got list"):
        parse_date([2022, 3, 10])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="out of range"):
        parse_date(10**20)
    with pytest.raises(ValueError, match="not a date"):
        parse_date(float("nan"))
