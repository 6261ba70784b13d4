"""Periods (METRICS.md "Periods"): presets, ISO-week and month buckets, comparison ranges, time zone."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fullfunnel import FullfunnelError

GRAINS = ("day", "week", "month")
COMPARES = ("previous", "year_ago", "none")
PRESETS = (
    "today", "yesterday", "last_7_days", "last_30_days", "this_week", "last_week",
    "this_month", "last_month", "this_quarter", "this_year", "custom",
)


# Dates a filter may name: far enough for any business, and far from the calendar's ends, where
# a comparison period or a bucket would fall off it (0001-01-01, 9999-12-31 from a URL or the CLI)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


def check_date(d: date, what: str = "date") -> date:
    """`d` itself, or a one-sentence error when it is outside FIRST_DAY … LAST_DAY."""
    if not FIRST_DAY <= d <= LAST_DAY:
        raise FullfunnelError(f"The {what} {d.isoformat()} is out of range; pick a date between "
                              f"{FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}.")
    return d


@dataclass(frozen=True)
class Period:
    """[start, end], both dates inclusive, in the business time zone."""

    start: date
    end: date

    def __post_init__(self):
        check_date(self.start, "start date")
        check_date(self.end, "end date")
        if self.end < self.start:
            raise FullfunnelError(f"The period ends ({self.end}) before it starts ({self.start}).")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The same number of days immediately before the start."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @property
    def whole_months(self) -> bool:
        """Starts on a month's 1st and ends on a month's last day (last month, a quarter, a year...)."""
        return self.start.day == 1 and self.end == bucket_end(self.end.replace(day=1), "month")

    def year_ago(self, grain: str = "day") -> "Period":
        """The same dates a year earlier; 52 weeks earlier for the week grain, so weekdays align —
        except that whole calendar months compare with the same calendar months a year earlier."""
        if self.whole_months:
            return Period(_minus_year(self.start), bucket_end(_minus_year(self.end).replace(day=1), "month"))
        if grain == "week":
            return Period(self.start - timedelta(weeks=52), self.end - timedelta(weeks=52))
        return Period(_minus_year(self.start), _minus_year(self.end))

    def __str__(self) -> str:
        return f"{self.start.isoformat()} … {self.end.isoformat()}"


def _minus_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def comparison(period: Period, compare: str, grain: str = "day") -> Period | None:
    """The comparison period for `compare` (previous / year_ago / none)."""
    if compare == "previous":
        return period.previous()
    if compare == "year_ago":
        return period.year_ago(grain)
    if compare == "none":
        return None
    raise FullfunnelError(f"Unknown comparison {compare!r}; use one of: {', '.join(COMPARES)}.")


def bucket_start(d: date, grain: str) -> date:
    """The first day of the bucket holding d: the day, the ISO week's Monday, the month's 1st."""
    if grain == "day":
        return d
    if grain == "week":
        return d - timedelta(days=d.weekday())
    if grain == "month":
        return d.replace(day=1)
    raise FullfunnelError(f"Unknown grain {grain!r}; use one of: {', '.join(GRAINS)}.")


def bucket_end(start: date, grain: str) -> date:
    """The last day of the bucket that starts on `start`."""
    if grain == "day":
        return start
    if grain == "week":
        return start + timedelta(days=6)
    nxt = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def buckets(period: Period, grain: str) -> list[date]:
    """Bucket labels (first days) that overlap the period, in order."""
    out, b = [], bucket_start(period.start, grain)
    while b <= period.end:
        out.append(b)
        b = bucket_end(b, grain) + timedelta(days=1)
    return out


def is_incomplete(bucket: date, grain: str, today: date, period: Period | None = None) -> bool:
    """A bucket is incomplete while it still has days from today on (or it is cut by the period)."""
    end = bucket_end(bucket, grain)
    if end >= today:
        return True
    return period is not None and (bucket < period.start or end > period.end)


def preset_range(name: str, today: date) -> Period:
    """The dates of a preset; "last N days" end yesterday because today is incomplete."""
    y = today - timedelta(days=1)
    if name == "today":
        return Period(today, today)
    if name == "yesterday":
        return Period(y, y)
    if name == "last_7_days":
        return Period(today - timedelta(days=7), y)
    if name == "last_30_days":
        return Period(today - timedelta(days=30), y)
    if name == "this_week":
        return Period(bucket_start(today, "week"), today)
    if name == "last_week":
        monday = bucket_start(today, "week") - timedelta(weeks=1)
        return Period(monday, monday + timedelta(days=6))
    if name == "this_month":
        return Period(today.replace(day=1), today)
    if name == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last)
    if name == "this_quarter":
        return Period(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)
    if name == "this_year":
        return Period(date(today.year, 1, 1), today)
    raise FullfunnelError(f"Unknown period preset {name!r}; use one of: {', '.join(PRESETS[:-1])}.")


MIN_PACE_DAYS = 7  # a pace forecast rests on at least a week of complete days (METRICS.md "Marketer KPIs")


def pace_forecast(so_far: float | None, days_elapsed: int, days_in_month: int) -> float | None:
    """The month's pace forecast = so far × days in month / complete days elapsed; None before the
    7th complete day, when a forecast would mostly measure which weekdays have passed."""
    if so_far is None or days_elapsed < MIN_PACE_DAYS:
        return None
    return so_far * days_in_month / days_elapsed


def business_tz(setting: str | None = None) -> str:
    """The business time zone: the setting, else $FULLFUNNEL_TZ, else this machine's zone."""
    name = setting or os.environ.get("FULLFUNNEL_TZ")
    if not name:
        try:
            from tzlocal import get_localzone_name

            name = get_localzone_name() or "UTC"
        except Exception:  # no zone configured on the machine
            name = "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FullfunnelError(f"Unknown time zone {name!r}; use an IANA name such as Europe/Moscow.") from None
    return name


def today_in(tz: str, now: datetime | None = None) -> date:
    """Today's date in the business time zone."""
    return (now or datetime.now(ZoneInfo("UTC"))).astimezone(ZoneInfo(tz)).date()


def parse_date(text: str, what: str = "date") -> date:
    try:
        d = date.fromisoformat(text)
    except (TypeError, ValueError):
        raise FullfunnelError(f"The {what} {text!r} is not a date like 2026-11-30.") from None
    return check_date(d, what)
