"""Periods per METRICS.md: presets, ISO weeks, months, comparison ranges, incomplete buckets, zone."""
from datetime import date, datetime, timezone

import pytest

from fullfunnel import FullfunnelError, periods
from fullfunnel.periods import Period

SUNDAY = date(2026, 11, 29)  # a Sunday


@pytest.mark.parametrize("preset,start,end", [
    ("today", "2026-11-29", "2026-11-29"),
    ("yesterday", "2026-11-28", "2026-11-28"),
    ("last_7_days", "2026-11-22", "2026-11-28"),     # ends yesterday: today is incomplete
    ("last_30_days", "2026-10-30", "2026-11-28"),
    ("this_week", "2026-11-23", "2026-11-29"),       # ISO week starts on Monday
    ("last_week", "2026-11-16", "2026-11-22"),
    ("this_month", "2026-11-01", "2026-11-29"),
    ("last_month", "2026-10-01", "2026-10-31"),
    ("this_quarter", "2026-10-01", "2026-11-29"),
    ("this_year", "2026-01-01", "2026-11-29"),
])
def test_presets(preset, start, end):
    p = periods.preset_range(preset, SUNDAY)
    assert (p.start.isoformat(), p.end.isoformat()) == (start, end)


def test_last_month_in_january_is_december_of_last_year():
    p = periods.preset_range("last_month", date(2027, 1, 15))
    assert (p.start, p.end) == (date(2026, 12, 1), date(2026, 12, 31))


def test_previous_period_is_the_same_number_of_days_just_before():
    p = Period(date(2026, 11, 1), date(2026, 11, 30))
    assert p.days == 30
    assert p.previous() == Period(date(2026, 10, 2), date(2026, 10, 31))


def test_year_ago_same_dates_and_52_weeks_for_week_grain():
    p = Period(date(2026, 11, 23), date(2026, 11, 29))
    assert p.year_ago("day") == Period(date(2025, 11, 23), date(2025, 11, 29))
    wk = p.year_ago("week")
    assert wk == Period(date(2025, 11, 24), date(2025, 11, 30))
    assert wk.start.weekday() == p.start.weekday() == 0


def test_year_ago_of_leap_day():
    assert Period(date(2028, 2, 29), date(2028, 2, 29)).year_ago() == Period(date(2027, 2, 28), date(2027, 2, 28))


def test_comparison_choices():
    p = Period(date(2026, 11, 1), date(2026, 11, 7))
    assert periods.comparison(p, "none") is None
    assert periods.comparison(p, "previous") == Period(date(2026, 10, 25), date(2026, 10, 31))
    with pytest.raises(FullfunnelError):
        periods.comparison(p, "last_decade")


def test_buckets_are_labelled_by_their_first_day():
    p = Period(date(2026, 11, 1), date(2026, 11, 30))
    weeks = periods.buckets(p, "week")
    assert weeks[0] == date(2026, 10, 26) and weeks[-1] == date(2026, 11, 30) and len(weeks) == 6
    assert periods.buckets(Period(date(2026, 1, 31), date(2026, 3, 1)), "month") == [
        date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert len(periods.buckets(p, "day")) == 30


def test_bucket_end():
    assert periods.bucket_end(date(2026, 2, 1), "month") == date(2026, 2, 28)
    assert periods.bucket_end(date(2028, 2, 1), "month") == date(2028, 2, 29)
    assert periods.bucket_end(date(2026, 12, 1), "month") == date(2026, 12, 31)
    assert periods.bucket_end(date(2026, 11, 23), "week") == date(2026, 11, 29)


def test_incomplete_current_bucket():
    today = date(2026, 11, 25)
    assert periods.is_incomplete(date(2026, 11, 23), "week", today)
    assert not periods.is_incomplete(date(2026, 11, 16), "week", today)
    assert periods.is_incomplete(date(2026, 11, 1), "month", today)
    assert not periods.is_incomplete(date(2026, 11, 24), "day", today)
    # a month cut by the period end is incomplete too
    cut = Period(date(2026, 10, 1), date(2026, 10, 15))
    assert periods.is_incomplete(date(2026, 10, 1), "month", today, cut)


def test_today_in_business_zone():
    late = datetime(2026, 11, 28, 22, 30, tzinfo=timezone.utc)
    assert periods.today_in("UTC", late) == date(2026, 11, 28)
    assert periods.today_in("Europe/Moscow", late) == date(2026, 11, 29)


def test_business_zone_setting_env_and_bad_name(monkeypatch):
    assert periods.business_tz("Asia/Yekaterinburg") == "Asia/Yekaterinburg"
    monkeypatch.setenv("FULLFUNNEL_TZ", "Europe/Moscow")
    assert periods.business_tz() == "Europe/Moscow"
    with pytest.raises(FullfunnelError, match="Unknown time zone"):
        periods.business_tz("Mars/Olympus")


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(FullfunnelError, match="ends"):
        Period(date(2026, 11, 2), date(2026, 11, 1))
