"""When a customer asks for something: Swahili and English times, in the tenant's timezone.

Swahili hours count from sunrise, 06:00: "saa moja asubuhi" is 07:00, "saa nne" 10:00, "saa sita
mchana" noon, "saa saba" 13:00, "saa mbili usiku" 20:00, "saa sita usiku" midnight. "saa 4"
written with a digit is read the same way (it is how it is said); "4pm", "16:00" and "saa 10am"
are clock times. A part of the day ("jioni", "asubuhi", "evening") picks the half of the clock
and, alone, gives a window. The night belongs to the day before it: "Ijumaa saa sita usiku" is
the midnight that ends Friday, 00:00 on Saturday.

A delay counts from now: "baada ya saa mbili" is in two hours (not 08:00), "in 30 minutes".

Days: "leo"/"today", "kesho"/"tomorrow", "keshokutwa"/"the day after tomorrow", weekday names in
Swahili and English (always the next such day after today: "Jumamosi" asked on a Saturday is a
week later, because "leo" says today; "ijayo"/"next" change nothing, "wiki ijayo"/"next week"
moves to the following Monday-to-Sunday week), "tarehe 5"/"on the 5th" (the next 5th, today
included), "5/12". A time with no day is today if it is still ahead, else tomorrow.

dateparser (1.x) was tried for the English half and not used. Its `search_dates` is quick (1-2
ms a message here) and right on "tomorrow 3pm" or "Friday 2:30pm", but it read "on the 5th" as
3 May, "the day after tomorrow" as tomorrow at the current hour, gives no windows for a day or an
evening, and has no Swahili hours, so mixes ("kesho 3pm") would need two parsers that disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_SW_NUMBERS = {
    "moja": 1, "mbili": 2, "tatu": 3, "nne": 4, "tano": 5, "sita": 6, "saba": 7, "nane": 8,
    "tisa": 9, "kumi": 10, "kumi na moja": 11, "kumi na mbili": 12,
}  # fmt: skip
_SW_HOUR = r"kumi na moja|kumi na mbili|moja|mbili|tatu|nne|tano|sita|saba|nane|tisa|kumi"
# Part of day: the window it names when said alone (hours, end exclusive; past 24 is after
# midnight), and the hours an hour said with it may take ("saa kumi jioni" is 16:00).
_PARTS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "alfajiri": ((4, 6), (3, 6)),
    "asubuhi": ((6, 12), (5, 12)),
    "morning": ((6, 12), (5, 12)),
    "mchana": ((12, 16), (11, 16)),
    "afternoon": ((12, 17), (12, 17)),
    "alasiri": ((15, 17), (14, 17)),
    "jioni": ((17, 19), (15, 19)),
    "evening": ((17, 20), (16, 21)),
    "usiku": ((19, 30), (19, 29)),
    "night": ((19, 30), (19, 29)),
    "tonight": ((19, 30), (19, 29)),
    "noon": ((12, 12), (12, 12)),
    "midnight": ((24, 24), (24, 24)),
    "midday": ((12, 12), (12, 12)),
}
_PART_WORDS = "|".join(sorted(_PARTS, key=len, reverse=True))
_WEEKDAYS = {
    "jumatatu": 0, "jumanne": 1, "jumatano": 2, "alhamisi": 3, "ijumaa": 4, "jumamosi": 5,
    "jumapili": 6, "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
_MONTHS = {
    "january": 1, "jan": 1, "januari": 1, "february": 2, "feb": 2, "februari": 2, "march": 3,
    "mar": 3, "machi": 3, "april": 4, "apr": 4, "aprili": 4, "may": 5, "mei": 5, "june": 6,
    "jun": 6, "juni": 6, "july": 7, "jul": 7, "julai": 7, "august": 8, "aug": 8, "agosti": 8,
    "september": 9, "sep": 9, "sept": 9, "septemba": 9, "october": 10, "oct": 10,
    "oktoba": 10, "november": 11, "nov": 11, "novemba": 11, "december": 12, "dec": 12,
    "desemba": 12,
}  # fmt: skip
_B, _E = r"(?<![a-z0-9])", r"(?![a-z0-9])"
_MINUTES = (
    r"(?:\s+(?P<extra>na\s+nusu|na\s+robo|kasorobo|kasoro\s+robo"
    r"|na\s+dakika\s+(?P<min>\d{1,2})))?"
)
_SWAHILI_TIME = re.compile(
    rf"{_B}saa\s+(?P<hour>{_SW_HOUR}|\d{{1,2}})(?![\d:.]|\s*(?:am|pm|a\.m|p\.m){_E}){_E}{_MINUTES}"
)
_CLOCK = re.compile(
    rf"{_B}(?:saa\s+|(?P<at>at|by|from)\s+)?(?P<hour>\d{{1,2}})(?:[:.](?P<minute>\d{{2}}))?\s*"
    rf"(?P<ampm>am|pm|a\.m\.?|p\.m\.?|hrs|o'?clock)?{_E}"
)
_PART = re.compile(rf"{_B}(?P<part>{_PART_WORDS}){_E}")
_RELATIVE_DAYS = {
    "leo": 0, "today": 0, "tonight": 0, "kesho": 1, "tomorrow": 1, "keshokutwa": 2,
    "kesho kutwa": 2, "day after tomorrow": 2, "the day after tomorrow": 2,
}  # fmt: skip
_RELATIVE = re.compile(
    rf"{_B}(?P<word>{'|'.join(sorted(map(re.escape, _RELATIVE_DAYS), key=len, reverse=True))}){_E}"
)
_DAY_WORDS = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_WEEKDAY = re.compile(
    rf"{_B}(?:(?P<next_week>next\s+week\s+|wiki\s+ijayo\s+)(?:on\s+|siku\s+ya\s+)?)?"
    rf"(?:this\s+|next\s+|coming\s+|on\s+)?(?P<day>{_DAY_WORDS})"
    rf"(?P<ijayo>\s+(?:ijayo|hii|next\s+week|wiki\s+ijayo))?{_E}"
)
_MONTH_WORDS = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    rf"{_B}(?:tarehe\s+(?P<tarehe>\d{{1,2}})(?:\s+(?:mwezi\s+(?:wa\s+)?)?(?P<tmonth>\d{{1,2}}|{_MONTH_WORDS}))?"
    rf"|(?:on\s+)?(?:the\s+)?(?P<ord>\d{{1,2}})(?:st|nd|rd|th)(?:\s+(?:of\s+)?(?P<omonth>{_MONTH_WORDS}))?"
    rf"|(?P<mname>{_MONTH_WORDS})\s+(?P<mday>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<dday>\d{{1,2}})\s+(?P<dmonth>{_MONTH_WORDS})"
    rf"|(?P<sday>\d{{1,2}})/(?P<smonth>\d{{1,2}})(?:/(?P<syear>\d{{2,4}}))?){_E}"
)
# "baada ya saa mbili" is in two hours, not 08:00; "in 30 minutes", "baada ya dakika kumi".
_COUNT = {
    "a": 1, "an": 1, "one": 1, "moja": 1, "two": 2, "mbili": 2, "mawili": 2, "three": 3,
    "tatu": 3, "matatu": 3, "four": 4, "nne": 4, "manne": 4, "five": 5, "tano": 5, "matano": 5,
    "ten": 10, "kumi": 10, "fifteen": 15, "thirty": 30, "thelathini": 30,
}  # fmt: skip
_COUNT_WORDS = "|".join(sorted(_COUNT, key=len, reverse=True))
_AFTER = re.compile(
    rf"{_B}(?:baada\s+ya|in|after)\s+(?:(?P<half>half\s+an?\s+hour|nusu\s+saa)"
    rf"|(?:saa|masaa)\s+(?P<hours_sw>\d{{1,2}}|{_COUNT_WORDS})"
    rf"|dakika\s+(?P<minutes_sw>\d{{1,3}}|{_COUNT_WORDS})"
    rf"|(?P<count>\d{{1,3}}|{_COUNT_WORDS})\s+(?P<unit>hours?|hrs?|minutes?|mins?)){_E}"
)
_NEXT_WEEK = re.compile(rf"{_B}(?:next\s+week|wiki\s+ijayo){_E}")
_WEEKEND = re.compile(rf"{_B}(?:weekend|wikendi|wiki\s*end){_E}")


@dataclass(frozen=True, slots=True)
class TimeAsked:
    """A moment or a window the customer named, in the tenant's timezone.

    `exact` is True when a clock time was said (then `start == end`); otherwise [start, end) is
    the window: a whole day, a part of a day, a weekend.
    """

    start: datetime
    end: datetime
    exact: bool


@dataclass(frozen=True, slots=True)
class _Clock:
    hour: int  # 0-23, or 24-29 for the small hours after the named day's night
    minute: int


def _swahili_hour(word: str) -> int:
    return int(word) if word.isdigit() else _SW_NUMBERS[re.sub(r"\s+", " ", word)]


def _swahili_clock(match: re.Match[str], part: str | None) -> _Clock | None:
    """A Swahili hour (1-12, counted from 06:00) read in the part of the day said with it."""
    spoken = _swahili_hour(match["hour"])
    if not 1 <= spoken <= 12:
        return None
    minute = 0
    extra = re.sub(r"\s+", " ", match["extra"] or "")
    if extra == "na nusu":
        minute = 30
    elif extra == "na robo":
        minute = 15
    elif extra in ("kasorobo", "kasoro robo"):
        spoken, minute = spoken - 1, 45
    elif match["min"]:
        minute = int(match["min"])
    face = (spoken + 6) % 12  # the Western 12-hour face, 0 for twelve
    return _Clock(_in_part(face, part), minute)


def _in_part(face: int, part: str | None) -> int:
    """The 24-hour reading of a 12-hour face hour (0 for twelve) said with `part`."""
    if part is None:
        return face + 12 if face < 6 else face  # 06:00 to 17:59, the hours shops keep
    low, high = _PARTS[part][1]
    readings = (face, face + 12, face + 24)
    inside = [hour for hour in readings if low <= hour <= high]
    if inside:
        return inside[0]
    # An hour outside its part ("saa nne usiku"): the reading nearest to the part.
    return min(readings, key=lambda hour: min(abs(hour - low), abs(hour - high)))


def _clock_time(match: re.Match[str], part: str | None) -> _Clock | None:
    """A clock time: "4pm", "16:00", "10.30", "at 3" (15:00, the hours shops keep)."""
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    ampm = (match["ampm"] or "").replace(".", "")
    if minute > 59 or hour > 23:
        return None
    if ampm in ("am", "pm"):
        if not 1 <= hour <= 12:
            return None
        return _Clock(hour % 12 + (12 if ampm == "pm" else 0), minute)
    if not (match["minute"] or ampm or match["at"]):
        return None  # a bare number is a quantity or a price, not a time
    if 1 <= hour <= 12 and ampm != "hrs":
        return _Clock(_in_part(hour % 12, part), minute)
    return _Clock(hour, minute)


def _find_clock(text: str, part: str | None) -> tuple[_Clock | None, str]:
    """The time of day said in `text`, and the text without it."""
    for pattern, read in ((_SWAHILI_TIME, _swahili_clock), (_CLOCK, _clock_time)):
        for match in pattern.finditer(text):
            clock = read(match, part)
            if clock is not None:
                return clock, text[: match.start()] + " " + text[match.end() :]
    return None, text


def _next_date(today: date, day: int, month: int | None) -> date | None:
    """The next date (today included) with this day of month, in this month if given."""
    for offset in range(0, 13):
        year = today.year + (today.month - 1 + offset) // 12
        candidate_month = (today.month - 1 + offset) % 12 + 1
        if month is not None and candidate_month != month:
            continue
        try:
            candidate = date(year, candidate_month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _month(word: str | None) -> int | None:
    if word is None:
        return None
    return int(word) if word.isdigit() else _MONTHS[word]


def _find_date(text: str, today: date) -> date | None:
    """The calendar day named in `text`, if any."""
    match = _RELATIVE.search(text)
    if match:
        return today + timedelta(days=_RELATIVE_DAYS[re.sub(r"\s+", " ", match["word"])])
    match = _WEEKDAY.search(text)
    if match:
        return _weekday(today, _WEEKDAYS[match["day"]], match["next_week"], match["ijayo"], text)
    match = _DATE.search(text)
    if match:
        day = match["tarehe"] or match["ord"] or match["mday"] or match["dday"] or match["sday"]
        month = match["tmonth"] or match["omonth"] or match["mname"] or match["dmonth"]
        month = month or match["smonth"]
        found_month = _month(month)
        if found_month is not None and not 1 <= found_month <= 12:
            return None
        return _next_date(today, int(day), found_month)
    return None


def _weekday(today: date, weekday: int, before: str | None, after: str | None, text: str) -> date:
    ahead = (weekday - today.weekday()) % 7 or 7  # never today: "leo" says today
    if (before or (after and re.search("week|wiki", after))) or _NEXT_WEEK.search(text):
        monday = today + timedelta(days=7 - today.weekday())
        return monday + timedelta(days=weekday)
    return today + timedelta(days=ahead)


def _at(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=hour // 24), time(hour % 24, minute), tz)


def _after(text: str, now: datetime) -> datetime | None:
    """The moment a delay from now names: "baada ya saa mbili", "in 30 minutes"."""
    match = _AFTER.search(text)
    if match is None:
        return None
    if match["half"]:
        return now + timedelta(minutes=30)
    if match["hours_sw"] or match["minutes_sw"]:
        word = match["hours_sw"] or match["minutes_sw"]
        count = int(word) if word.isdigit() else _COUNT[word]
        return now + (timedelta(hours=count) if match["hours_sw"] else timedelta(minutes=count))
    count = int(match["count"]) if match["count"].isdigit() else _COUNT[match["count"]]
    hours = match["unit"].startswith("h")
    return now + (timedelta(hours=count) if hours else timedelta(minutes=count))


def parse_time(text: str, *, now: datetime, tz: ZoneInfo) -> TimeAsked | None:
    """The moment or window `text` names, relative to `now`, in `tz`; None if it names none."""
    text = text.lower()
    local_now = now.astimezone(tz)
    later = _after(text, local_now)
    if later is not None:
        moment = later.replace(second=0, microsecond=0)
        return TimeAsked(moment, moment, exact=True)
    part_match = _PART.search(text)
    part = part_match["part"] if part_match else None
    clock, rest = _find_clock(text, part)
    day = _find_date(rest, local_now.date())
    if day is None and _WEEKEND.search(text):
        saturday = local_now.date() + timedelta(days=(5 - local_now.weekday()) % 7)
        return _window(saturday, 0, 48, tz) if clock is None else _exact(saturday, clock, tz)
    if clock is not None:
        if day is None:
            moment = _at(local_now.date(), clock.hour, clock.minute, tz)
            return _exact(local_now.date() + timedelta(days=moment <= local_now), clock, tz)
        return _exact(day, clock, tz)
    if part is not None:
        low, high = _PARTS[part][0]
        if day is None:
            ends = _at(local_now.date(), max(high, low + 1), 0, tz)
            day = local_now.date() + timedelta(days=ends <= local_now)
        if low == high:
            return _exact(day, _Clock(low, 0), tz)
        return _window(day, low, high, tz)
    if day is not None:
        return _window(day, 0, 24, tz)
    if _NEXT_WEEK.search(text):
        monday = local_now.date() + timedelta(days=7 - local_now.weekday())
        return _window(monday, 0, 24 * 7, tz)
    return None


def _exact(day: date, clock: _Clock, tz: ZoneInfo) -> TimeAsked:
    moment = _at(day, clock.hour, clock.minute, tz)
    return TimeAsked(moment, moment, exact=True)


def _window(day: date, low: int, high: int, tz: ZoneInfo) -> TimeAsked:
    return TimeAsked(_at(day, low, 0, tz), _at(day, high, 0, tz), exact=False)
