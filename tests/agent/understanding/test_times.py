from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wabotiq.agent.understanding.times import TimeAsked, parse_time

NAIROBI = ZoneInfo("Africa/Nairobi")
# A Thursday morning in Nairobi.
THURSDAY = datetime(2026, 12, 3, 9, 0, tzinfo=NAIROBI)


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    year = 2026 if month == 12 else 2027
    return datetime(year, month, day, hour, minute, tzinfo=NAIROBI)


def parsed(text: str, now: datetime = THURSDAY) -> TimeAsked:
    found = parse_time(text, now=now, tz=NAIROBI)
    assert found is not None, text
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("saa moja asubuhi", at(4, 7)),  # 07:00 has passed at 09:00: tomorrow
        ("saa nne asubuhi", at(3, 10)),
        ("saa tatu na nusu", at(3, 9, 30)),
        ("saa nne kasorobo", at(3, 9, 45)),
        ("saa tano na robo", at(3, 11, 15)),
        ("saa sita mchana", at(3, 12)),
        ("saa saba mchana", at(3, 13)),
        ("saa kumi jioni", at(3, 16)),
        ("saa kumi na mbili jioni", at(3, 18)),
        ("saa moja jioni", at(3, 19)),
        ("saa mbili usiku", at(3, 20)),
        ("saa tano usiku", at(3, 23)),
        ("saa 4", at(3, 10)),  # a digit is said the Swahili way too
        ("saa 10am", at(3, 10)),  # unless am/pm makes it a clock time
        ("saa nane", at(3, 14)),  # no part of the day: the hours shops keep
    ],
)
def test_swahili_hours_count_from_six_in_the_morning(text: str, expected: datetime) -> None:
    found = parsed(text)
    assert found.exact
    assert found.start == found.end == expected


def test_saa_sita_usiku_is_midnight_at_the_start_of_the_next_day() -> None:
    assert parsed("saa sita usiku").start == at(4, 0)
    assert parsed("Ijumaa saa sita usiku").start == at(5, 0)  # Friday night: 00:00 Saturday
    assert parsed("kesho saa saba usiku").start == at(5, 1)


def test_the_night_wraps_over_the_end_of_the_month_and_year() -> None:
    new_years_eve = datetime(2026, 12, 31, 20, 0, tzinfo=NAIROBI)
    assert parsed("saa sita usiku", new_years_eve).start == at(1, 0, month=1)


def test_jumamosi_saa_nne_asubuhi_is_next_saturday_at_ten() -> None:
    assert parsed("Nataka kusukwa box braids Jumamosi saa nne asubuhi").start == at(5, 10)


def test_a_weekday_asked_on_that_weekday_means_a_week_later() -> None:
    saturday = datetime(2026, 12, 5, 8, 0, tzinfo=NAIROBI)
    assert parsed("Jumamosi saa nne asubuhi", saturday).start == at(12, 10)
    assert parsed("leo saa nne asubuhi", saturday).start == at(5, 10)


def test_days_by_name_and_by_distance() -> None:
    assert parsed("kesho").start == at(4, 0)
    assert parsed("kesho").end == at(5, 0)
    assert parsed("keshokutwa").start == at(5, 0)
    assert parsed("the day after tomorrow").start == at(5, 0)
    assert parsed("leo").start == at(3, 0)
    assert parsed("Jumatatu ijayo").start == at(7, 0)
    assert parsed("next Monday").start == at(7, 0)
    assert parsed("Friday").start == at(4, 0)
    assert parsed("Alhamisi").start == at(10, 0)  # asked on a Thursday: next week's
    assert parsed("Ijumaa wiki ijayo").start == at(11, 0)  # Friday of next week
    assert parsed("next week on Friday").start == at(11, 0)


def test_parts_of_the_day_are_windows() -> None:
    evening = parsed("kesho jioni")
    assert (evening.start, evening.end, evening.exact) == (at(4, 17), at(4, 19), False)
    morning = parsed("Jumamosi asubuhi")
    assert (morning.start, morning.end) == (at(5, 6), at(5, 12))
    assert parsed("usiku").end == at(4, 6)
    late = datetime(2026, 12, 3, 20, 0, tzinfo=NAIROBI)
    assert parsed("jioni", late).start == at(4, 17)  # today's evening is over


def test_english_times() -> None:
    assert parsed("tomorrow 3pm").start == at(4, 15)
    assert parsed("I'd like to book a haircut tomorrow at 10am").start == at(4, 10)
    assert parsed("Friday 2:30pm").start == at(4, 14, 30)
    assert parsed("at 3").start == at(3, 15)
    assert parsed("16:30").start == at(3, 16, 30)
    assert parsed("tonight").start == at(3, 19)


def test_dates_of_the_month() -> None:
    assert parsed("on the 5th").start == at(5, 0)
    assert parsed("tarehe 5").start == at(5, 0)
    assert parsed("tarehe 3").start == at(3, 0)  # today is the 3rd
    assert parsed("tarehe 2").start == at(2, 0, month=1)  # the 2nd has passed: next month's
    assert parsed("December 25").start == at(25, 0)
    assert parsed("tarehe 10 mwezi wa 1").start == at(10, 0, month=1)


def test_now_in_another_timezone_is_read_in_the_tenants() -> None:
    # 22:30 UTC on Thursday is 01:30 on Friday in Nairobi: "kesho" is Saturday.
    late_utc = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)
    found = parsed("kesho saa nne asubuhi", late_utc)
    assert found.start == at(5, 10)
    assert found.start.utcoffset() == timedelta(hours=3)


@pytest.mark.parametrize(
    "text",
    ["nina 2 phones", "budget ni 50k", "Samsung A54 iko?", "Niongeze number 2", "TV ya inchi 43"],
)
def test_messages_without_a_time_have_none(text: str) -> None:
    assert parse_time(text, now=THURSDAY, tz=NAIROBI) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("baada ya saa mbili", at(3, 11)),  # in two hours, not 08:00
        ("baada ya masaa matatu", at(3, 12)),
        ("baada ya dakika kumi", at(3, 9, 10)),
        ("baada ya nusu saa", at(3, 9, 30)),
        ("in 30 minutes", at(3, 9, 30)),
        ("in an hour", at(3, 10)),
        ("in 2 hours", at(3, 11)),
    ],
)
def test_delays_count_from_now(text: str, expected: datetime) -> None:
    found = parsed(text)
    assert found.exact and found.start == expected


def test_midnight_ends_the_day_it_is_said_with() -> None:
    assert parsed("midnight").start == at(4, 0)
    assert parsed("Friday midnight").start == at(5, 0)
