"""``parse_date``: the date formats Indonesian news data comes in, to naive UTC datetimes.

Accepted (case-insensitive, extra spaces ignored):

* ISO 8601: ``2022-03-10``, ``2022-03-10T14:30``, ``2022-03-10 14:30:05.123+07:00``, ``...Z``;
* day first, the Indonesian convention: ``10/03/2022``, ``10-03-2022``, ``10.03.2022``;
* year first: ``2022/03/10``, ``2022.03.10``; compact ``20220310``;
* month names, Indonesian or English, full or abbreviated: ``10 Maret 2022``,
  ``10 Mar 2022``, ``10-Agu-2022``, ``March 10, 2022``, with an optional weekday in front
  (``Kamis, 10 Maret 2022``);
* any of those (except compact) followed by a time ``14:30``, ``14.30``, ``14:30:05``,
  ``pukul 14.30``, ``2:30 PM``, and a zone: ``WIB`` (UTC+7), ``WITA`` (+8), ``WIT`` (+9),
  ``UTC``/``GMT``, ``Z``, ``+07:00``, ``GMT+7``; the time may follow the date after a
  space, a comma, ``|`` or `` - ``, as news sites print it (``Senin, 07 Jul 2025 | 10:00
  WIB``, ``Kamis, 10 Jul 2025 - 08:30 WIB``);
* Unix epoch numbers (int, float or a numeric string) from 10^8 (March 1973) on; smaller
  numbers are refused (``2022`` is a year, not 33 minutes past 1970). Values of 10^11 and
  more are milliseconds, as JavaScript writes them (10^11 seconds would be the year 5138).

A value with a zone is converted to UTC; a value without one is taken as in ``tz`` (an index's
time zone; without ``tz`` it is kept as written). Dates without a time are midnight. A time
without a date (``Jum'at, 13.45 WIB``, as a page prints the day's own articles) names no day:
it is refused with an error that says so, since any day chosen for it would be a guess.
Two-digit years are read only after a month name (``17-Aug-20``, ``17 Agu 20``: 00-68 are
2000-2068, 69-99 the 1900s, as POSIX ``%y``); in all-digit dates they are refused as
ambiguous.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo

__all__ = ["parse_date"]

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "januari january jan",
        "februari pebruari february feb peb",
        "maret march mar",
        "april apr",
        "mei may",
        "juni june jun",
        "juli july jul",
        "agustus august agu agt ags aug",
        "september sept sep",
        "oktober october okt oct",
        "november nopember nov nop",
        "desember december des dec",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_WEEKDAYS = (
    *("senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu", "ahad"),
    *("sen", "sel", "rab", "kam", "jum", "sab", "min"),
    *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    *("mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"),
)

_ZONE_HOURS = {"wib": 7, "wita": 8, "wit": 9, "utc": 0, "gmt": 0, "z": 0}

_WEEKDAY = r"(?:(?:" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\s*,?\s+)?"
_TIME = (
    r"(?:t|\s*[,|]\s*|\s+-\s+|\s+)(?:(?:pukul|jam|at)\s+)?"
    r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?"
    r"(?:\s*(?P<ampm>[ap])\.?m\.?)?"
)
_ZONE = (
    r"(?:\s*(?P<tz>z|[+-]\d{2}(?::?\d{2})?|(?:utc|gmt)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?"
    r"|wita|wib|wit))?"
)
_TAIL = rf"(?:{_TIME})?{_ZONE}"
_FORMS = [
    re.compile(rf"(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}}){_TAIL}"),
    re.compile(rf"(?P<y>\d{{4}})([/.])(?P<m>\d{{1,2}})\2(?P<d>\d{{1,2}}){_TAIL}"),
    re.compile(rf"{_WEEKDAY}(?P<d>\d{{1,2}})([/.-])(?P<m>\d{{1,2}})\2(?P<y>\d{{4}}){_TAIL}"),
    re.compile(
        rf"{_WEEKDAY}(?P<d>\d{{1,2}})(?:\s+|-)(?P<mon>[a-z]+)\.?(?:\s+|-)(?P<y>\d{{4}}|\d{{2}})"
        rf"{_TAIL}"
    ),
    re.compile(
        rf"{_WEEKDAY}(?P<mon>[a-z]+)\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+"
        rf"(?P<y>\d{{4}}){_TAIL}"
    ),
]
#: A weekday and a time with no date: what a page prints for the day's own articles.
_TIME_ONLY = re.compile(
    rf"{_WEEKDAY}(?:(?:pukul|jam)\s+)?\d{{1,2}}[:.]\d{{2}}(?:[:.]\d{{2}})?"
    rf"(?:\s*[ap]\.?m\.?)?{_ZONE}"
)
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_OFFSET = re.compile(r"([+-])(\d{1,2})(?::?(\d{2}))?")
_EPOCH = datetime(1970, 1, 1)
_MILLIS_FROM = 10**11
#: Smaller numbers are years, counts or placeholders far more often than 1970s timestamps.
_EPOCH_FROM = 10**8
_HINT = "use e.g. 2022-03-10, 2022-03-10T14:30:00+07:00, 10 Maret 2022, 10/03/2022"


def parse_date(value: str | int | float | datetime | date, tz: tzinfo | None = None) -> datetime:
    """``value`` as a naive UTC datetime; ``ValueError`` names the value when it is not a date.

    A value without a zone is taken as in ``tz``; without ``tz`` it is kept as written."""
    if isinstance(value, datetime):
        return _to_utc(value, tz)
    if isinstance(value, date):
        return _to_utc(datetime(value.year, value.month, value.day), tz)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"a date must be a string or a number, got {type(value).__name__}")
    if not isinstance(value, str):
        return _from_epoch(value, value)
    text = " ".join(value.replace("\u2019", "'").split()).lower()
    if not text:
        raise ValueError("empty date")
    m = _COMPACT.fullmatch(text)
    if m:
        return _to_utc(_build(value, m.group("y"), m.group("m"), m.group("d")), tz)
    if _TIME_ONLY.fullmatch(text):
        raise ValueError(
            f"{value!r} is a time without a date: give the day too "
            "(e.g. Jumat, 11 Jul 2025 13:45 WIB)"
        )
    if _NUMBER.fullmatch(text):
        return _from_epoch(float(text) if "." in text else int(text), value)
    for form in _FORMS:
        m = form.fullmatch(text)
        if m:
            return _from_match(value, m, tz)
    raise ValueError(f"unrecognized date {value!r} ({_HINT})")


def _to_utc(value: datetime, tz: tzinfo | None) -> datetime:
    """``value`` (naive: in ``tz``, or as written without one) as a naive UTC datetime."""
    if value.tzinfo is None:
        if tz is None:
            return value
        value = value.replace(tzinfo=tz)
    try:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    except OverflowError:
        raise ValueError(f"date {value.isoformat()!r} is out of range in UTC") from None


def _from_match(value: str, m: re.Match[str], tz: tzinfo | None) -> datetime:
    groups = m.groupdict()
    month: str | int | None = groups.get("m")
    if month is None:
        name = groups["mon"]
        if name not in _MONTHS:
            raise ValueError(f"unknown month name {name!r} in date {value!r}")
        month = _MONTHS[name]
    year = groups["y"]
    if len(year) == 2:  # POSIX %y: 69-99 are 1969-1999, 00-68 are 2000-2068
        year = ("19" if year >= "69" else "20") + year
    hour = int(groups["H"]) if groups["H"] else 0
    if groups["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"impossible date {value!r}: hour {hour} with AM/PM")
        hour = hour % 12 + (12 if groups["ampm"] == "p" else 0)
    micro = int((groups["frac"] or "0").ljust(6, "0")[:6])
    result = _build(
        value, year, month, groups["d"], hour, groups["M"] or 0, groups["S"] or 0, micro
    )
    zone = groups["tz"]
    if zone:
        return result - _zone_offset(zone, value)
    return _to_utc(result, tz)


def _build(value: object, year: str, month: str | int, day: str, *time: str | int) -> datetime:
    try:
        hour, minute, second, micro = (int(t) for t in time) if time else (0, 0, 0, 0)
        return datetime(int(year), int(month), int(day), hour, minute, second, micro)
    except ValueError as error:
        raise ValueError(f"impossible date {value!r}: {error}") from None


def _zone_offset(zone: str, value: str) -> timedelta:
    name = zone.rstrip("0123456789:+- ")
    offset = timedelta(hours=_ZONE_HOURS[name]) if name else timedelta()
    rest = zone[len(name) :].strip()
    if rest:
        m = _OFFSET.fullmatch(rest)
        if m is None:  # the zone pattern only lets offsets through
            raise ValueError(f"unrecognized time zone in date {value!r}")
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours > 14 or minutes > 59:
            raise ValueError(f"impossible time zone offset in date {value!r}")
        sign = -1 if m.group(1) == "-" else 1
        offset += sign * timedelta(hours=hours, minutes=minutes)
    return offset


def _from_epoch(number: int | float, value: object) -> datetime:
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"not a date: {value!r}")
    if abs(number) < _EPOCH_FROM:
        raise ValueError(
            f"{value!r} is too small to be a Unix time (before 1973); a year alone is not a date"
        )
    seconds = number / 1000 if abs(number) >= _MILLIS_FROM else number
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"epoch time {value!r} is out of range") from None
