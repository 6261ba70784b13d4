"""The rules that decide when a change or a forecast is shown (METRICS.md "Periods", "Marketer KPIs"):
a year-ago month is the same calendar month, a comparison period the data does not cover shows no
change (and says so), and a pace forecast needs seven complete days."""
from datetime import date

import duckdb
import pytest

from fullfunnel import periods
from fullfunnel.filters import Filters, build
from fullfunnel.periods import Period


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_last_month_a_year_ago_is_the_same_calendar_month_at_every_grain(grain):
    november = Period(date(2026, 11, 1), date(2026, 11, 30))
    assert periods.comparison(november, "year_ago", grain) == Period(date(2025, 11, 1), date(2025, 11, 30))


def test_a_year_ago_february_of_a_leap_year_is_the_whole_february_before():
    assert Period(date(2028, 2, 1), date(2028, 2, 29)).year_ago("week") == Period(date(2027, 2, 1), date(2027, 2, 28))
    # a quarter and a year are whole months too
    assert Period(date(2026, 7, 1), date(2026, 9, 30)).year_ago("week") == Period(date(2025, 7, 1), date(2025, 9, 30))


def test_a_part_of_a_month_at_week_grain_still_moves_52_weeks_so_weekdays_align():
    p = Period(date(2026, 11, 2), date(2026, 11, 29))  # Monday … Sunday
    assert p.year_ago("week") == Period(date(2025, 11, 3), date(2025, 11, 30))


def test_a_comparison_before_the_data_starts_is_not_a_change():
    this_year = Period(date(2026, 1, 1), date(2026, 11, 30))
    f = Filters(this_year, compare="previous", data_start=date(2025, 9, 1))
    # the previous 334 days, 2025-02-01 … 2025-12-31, start seven months before the first import
    assert f.uncovered_comparison == Period(date(2025, 2, 1), date(2025, 12, 31))
    assert f.comparison_period is None
    covered = Filters(Period(date(2026, 11, 1), date(2026, 11, 30)), compare="previous", data_start=date(2025, 9, 1))
    assert covered.comparison_period == Period(date(2026, 10, 2), date(2026, 10, 31))
    assert covered.uncovered_comparison is None
    # starting exactly on the first day of data is covered
    edge = Filters(Period(date(2025, 9, 8), date(2025, 9, 14)), data_start=date(2025, 9, 1))
    assert edge.comparison_period == Period(date(2025, 9, 1), date(2025, 9, 7))
    # no comparison chosen: nothing is uncovered
    assert Filters(this_year, compare="none", data_start=date(2025, 9, 1)).uncovered_comparison is None


def test_data_start_is_the_first_day_anything_was_imported_for(tmp_path):
    """spend from 2025-05-10, sessions from 2025-04-02 23:30 UTC (= 04-03 in Moscow), daily traffic
    from 2025-04-20, leads from 2025-06-01, no orders → the data starts on 2025-04-03."""
    from fullfunnel import db

    path = db.create_empty(tmp_path / "ff.duckdb")
    con = duckdb.connect(str(path))
    con.execute("insert into leads (lead_id, created_at, channel) values ('L1', '2025-06-01 10:00:00+00', 'seo')")
    con.execute("insert into spend (date, channel, campaign, spend, currency) "
                "values ('2025-05-10', 'vk_ads', '', 100, 'RUB')")
    con.execute("insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s, channel) "
                "values ('S1', 'V1', '2025-04-02 23:30:00+00', 1, 5, 'seo')")
    con.execute("insert into traffic (date, channel, sessions, visitors) values ('2025-04-20', 'seo', 3, 3)")
    con.close()

    def run(name, params):
        return db.Reader(str(path)).query(name, params)

    f = build(run, preset="this_year", tz="Europe/Moscow")
    assert f.data_start == date(2025, 4, 3)
    con = duckdb.connect(str(path))
    con.execute("delete from sessions")
    con.close()
    assert build(run, preset="this_year", tz="Europe/Moscow").data_start == date(2025, 4, 20)
    assert build(run, preset="this_year", tz="UTC").data_start == date(2025, 4, 20)


@pytest.mark.parametrize("so_far,days,month_days,expected", [
    (10.0, 0, 30, None),     # the 1st: no day is over
    (10.0, 1, 30, None),     # one day would forecast 300
    (10.0, 6, 30, None),
    (14.0, 7, 28, 56.0),     # from the 7th complete day: 14 × 28 / 7
    (0.0, 10, 31, 0.0),
    (None, 10, 31, None),
])
def test_pace_forecast_needs_seven_complete_days(so_far, days, month_days, expected):
    assert periods.pace_forecast(so_far, days, month_days) == expected
