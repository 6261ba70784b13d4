"""Web traffic (METRICS.md "Web traffic") on a hand-made DB, Moscow time (UTC+3).

Period 2026-03-02 (Mon) … 03-15 (Sun) = two ISO weeks; previous period 02-16 … 03-01.
  S1 V1 03-02 01:00 MSK (03-01 22:00 UTC)  1 pv   5 s  seo  /a  not converted
  S2 V1 03-03            1 pv  12 s  seo  /a  not converted
  S3 V2 03-03            2 pv   3 s  ads  /b  not converted
  S4 V2 03-10            1 pv   0 s  ads  /b  converted (flag)
  S5 V3 03-10            1 pv  20 s  seo  /a  flag missing, but V3 left a lead on 03-10 → converted
  S6 V1 03-11            4 pv 100 s  ads  /c  not converted
  S7 V4 03-01 23:00 MSK (20:00 UTC) 1 pv 1 s seo /a  → previous period
Period: 6 sessions; visitors V1 V2 V3 = 3 (week 1: V1 V2 = 2, week 2: V1 V2 V3 = 3 — not 5);
  pageviews 10 → 1.67 per session; duration 140 s → 23.3 s average;
  Metrica bounces (≤ 1 pv and < 15 s) S1 S2 S4 = 3 → 50 %; GA4 bounces (not engaged) S1 = 1 → 16.7 %;
  converted S4 S5 → exits without conversion 4 / 6 = 66.7 %.
  seo: S1 S2 S5, visitors V1 V3 = 2; ads: S3 S4 S6, visitors V2 V1 = 2 (2 + 2 ≠ 3).
  /a: S1 S2 S5 (V1 V3); /b: S3 S4 (V2); /c: S6 (V1).
"""
import json
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from fullfunnel import FullfunnelError, cli, db, periods, rollups
from fullfunnel.filters import Filters
from fullfunnel.periods import Period
from fullfunnel.reports import get

TZ = "Europe/Moscow"
SQL = """
insert into settings values ('business_tz', 'Europe/Moscow'), ('currency', 'RUB');
insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s, channel, landing_page, converted) values
    ('S1', 'V1', '2026-03-01 22:00:00+00', 1, 5, 'seo', '/a', false),
    ('S2', 'V1', '2026-03-03 12:00:00+03', 1, 12, 'seo', '/a', false),
    ('S3', 'V2', '2026-03-03 13:00:00+03', 2, 3, 'ads', '/b', false),
    ('S4', 'V2', '2026-03-10 12:00:00+03', 1, 0, 'ads', '/b', true),
    ('S5', 'V3', '2026-03-10 14:00:00+03', 1, 20, 'seo', '/a', null),
    ('S6', 'V1', '2026-03-11 12:00:00+03', 4, 100, 'ads', '/c', false),
    ('S7', 'V4', '2026-03-01 20:00:00+00', 1, 1, 'seo', '/a', false);
insert into leads (lead_id, created_at, channel, visitor_id) values
    ('L1', '2026-03-10 14:05:00+03', 'seo', 'V3');
"""


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    p = tmp_path_factory.mktemp("traffic") / "traffic.duckdb"
    with db.writer(p, fresh=True) as con:
        con.execute(SQL)
    return p


@pytest.fixture(scope="module")
def run(path):
    return db.Reader(path).query


@pytest.fixture
def f():
    return Filters(period=Period(date(2026, 3, 2), date(2026, 3, 15)), grain="week", tz=TZ)


def summary(run, f, **kw):
    df = get("traffic-summary").func(run, f, **kw)
    return dict(zip(df["metric"], df["value"])), df


def test_cards_match_the_hand_counted_period(run, f):
    v, df = summary(run, f)
    assert v["sessions"] == 6 and v["visitors"] == 3
    assert v["pageviews_per_session"] == pytest.approx(10 / 6)
    assert v["avg_duration_s"] == pytest.approx(140 / 6)
    assert v["bounce_rate_pct"] == pytest.approx(50.0)
    assert v["exit_without_conversion_pct"] == pytest.approx(400 / 6)
    assert set(df["visitors_kind"]) == {"visitors"} and set(df["source"]) == {"sessions"}
    prev = dict(zip(df["metric"], df["previous"]))
    assert prev["sessions"] == 1 and prev["visitors"] == 1
    assert dict(zip(df["metric"], df["change_pct"]))["sessions"] == pytest.approx(500.0)


def test_ga4_bounce_is_not_engaged(run, f):
    v, _ = summary(run, f, bounce="ga4")
    assert v["bounce_rate_pct"] == pytest.approx(100 / 6)


def test_bounce_definition_setting_is_the_default(path, f, tmp_path):
    p = tmp_path / "ga4.duckdb"
    with db.writer(p, fresh=True) as con:
        con.execute(SQL)
        con.execute("insert into settings values ('bounce_definition', 'ga4')")
    v, _ = summary(db.Reader(p).query, f)
    assert v["bounce_rate_pct"] == pytest.approx(100 / 6)
    v, _ = summary(db.Reader(p).query, f, bounce="metrica")
    assert v["bounce_rate_pct"] == pytest.approx(50.0)


def test_series_visitors_are_distinct_per_bucket(run, f):
    df = get("traffic").func(run, f)
    assert list(df.columns) == ["bucket", "sessions", "visitors", "pageviews_per_session", "avg_duration_s",
                                "bounce_rate_pct", "exit_without_conversion_pct"]
    assert df["bucket"].tolist() == [date(2026, 3, 2), date(2026, 3, 9)]
    assert df["sessions"].tolist() == [3, 3]
    assert df["visitors"].tolist() == [2, 3]        # 5 in sum, 3 over the period
    assert df["bounce_rate_pct"].tolist() == pytest.approx([200 / 3, 100 / 3])


def test_days_without_sessions_are_zero_rows(run, f):
    df = get("traffic").func(run, replace(f, grain="day"))
    assert len(df) == 14 and df["sessions"].sum() == 6
    assert df.set_index("bucket").loc[date(2026, 3, 4), "sessions"] == 0


def test_period_starting_mid_week_counts_visitors_from_its_start(run, f):
    # from 03-03: V1 was also active on 03-02, outside the period, and must still count on 03-03
    df = get("traffic").func(run, replace(f, period=Period(date(2026, 3, 3), date(2026, 3, 15))))
    assert df["visitors"].tolist() == [2, 3] and df["sessions"].tolist() == [2, 3]


def test_breakdown_by_channel_and_landing_page(run, f):
    ch = get("traffic-breakdown").func(run, f, by="channel").set_index("channel")
    assert ch.loc["seo", "sessions"] == 3 and ch.loc["seo", "visitors"] == 2
    assert ch.loc["ads", "sessions"] == 3 and ch.loc["ads", "visitors"] == 2
    lp = get("traffic-breakdown").func(run, f, by="landing_page").set_index("landing_page")
    assert lp["visitors"].to_dict() == {"/a": 2, "/b": 1, "/c": 1}
    assert lp.loc["/b", "sessions"] == 2 and lp.loc["/b", "bounce_rate_pct"] == 50.0


def test_series_by_channel(run, f):
    df = get("traffic").func(run, f, by="channel")
    got = {(b, c): (s, v) for b, c, s, v in df[["bucket", "channel", "sessions", "visitors"]].itertuples(index=False)}
    assert got == {(date(2026, 3, 2), "seo"): (2, 1), (date(2026, 3, 2), "ads"): (1, 1),
                   (date(2026, 3, 9), "seo"): (1, 1), (date(2026, 3, 9), "ads"): (2, 2)}


def test_channel_filter_one_or_several(run, f):
    v, _ = summary(run, replace(f, channels=("seo",)))
    assert v["sessions"] == 3 and v["visitors"] == 2
    v, _ = summary(run, replace(f, channels=("seo", "ads")))
    assert v["sessions"] == 6 and v["visitors"] == 3
    lp = get("traffic-breakdown").func(run, replace(f, channels=("ads",)), by="landing_page").set_index("landing_page")
    assert lp["visitors"].to_dict() == {"/b": 1, "/c": 1}


def test_daily_aggregates_give_visitor_days(tmp_path, f):
    """Only daily aggregates: 03-02 10 sessions 8 visitors 30 pv 600 s 4 bounces 1 conversion;
    03-03 5 sessions 5 visitors 5 pv 100 s 3 bounces → 15 sessions, 13 visitor-days, 7 bounces."""
    p = tmp_path / "agg.duckdb"
    with db.writer(p, fresh=True) as con:
        con.execute("""insert into traffic (date, channel, sessions, visitors, pageviews, duration_s, bounces, conversions)
                       values ('2026-03-02', 'seo', 10, 8, 30, 600, 4, 1), ('2026-03-03', 'seo', 5, 5, 5, 100, 3, 0)""")
    v, df = summary(db.Reader(p).query, f)
    assert v["sessions"] == 15 and v["visitors"] == 13
    assert set(df["visitors_kind"]) == {"visitor_days"} and set(df["source"]) == {"traffic"}
    assert v["bounce_rate_pct"] == pytest.approx(700 / 15)
    assert v["exit_without_conversion_pct"] == pytest.approx(1400 / 15)
    assert v["pageviews_per_session"] == pytest.approx(35 / 15)
    assert v["avg_duration_s"] == pytest.approx(700 / 15)
    assert get("traffic-breakdown").func(db.Reader(p).query, f, by="landing_page").empty


def test_empty_database_gives_empty_cards(tmp_path, f):
    p = tmp_path / "empty.duckdb"
    db.create_empty(p)
    v, df = summary(db.Reader(p).query, f)
    assert all(pd.isna(x) for x in v.values())
    assert get("traffic").func(db.Reader(p).query, f)["sessions"].tolist() == [0, 0]


def test_rollup_rebuilds_only_when_sessions_change(path, tmp_path):
    p = tmp_path / "copy.duckdb"
    with db.writer(p, fresh=True) as con:
        con.execute(SQL)
    with db.writer(p) as con:
        assert rollups.refresh(con) is False  # nothing changed since the last write
        con.execute("insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s, channel) "
                    "values ('S8', 'V9', '2026-03-12 12:00:00+03', 3, 30, 'seo')")
        assert rollups.refresh(con) is True
        assert rollups.refresh(con) is False
    f = Filters(period=Period(date(2026, 3, 2), date(2026, 3, 15)), tz=TZ)
    v, _ = summary(db.Reader(p).query, f)
    assert v["sessions"] == 7 and v["visitors"] == 4


def test_other_time_zone_than_the_rollup_is_one_clear_sentence(run, f):
    with pytest.raises(FullfunnelError, match="time zone"):
        get("traffic").func(run, replace(f, tz="UTC"))


def test_cli_traffic_by_landing_page_with_ga4(path, capsys):
    rc = cli.main(["report", "traffic", "--db", str(path), "--from", "2026-03-02", "--to", "2026-03-15",
                   "--grain", "month", "--by", "landing_page", "--bounce", "ga4", "--format", "json"])
    assert rc == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["landing_page"]: r["visitors"] for r in rows} == {"/a": 2, "/b": 1, "/c": 1}
    assert {r["landing_page"]: r["bounce_rate_pct"] for r in rows}["/a"] == pytest.approx(100 / 3)  # S1 only
    assert rows[0]["bucket"].startswith("2026-03-01")


def test_a_later_lead_marks_an_unflagged_session_converted(tmp_path):
    """One session without a conversion flag: 100 % exits; after V1's lead that day is imported, 0 %."""
    p = tmp_path / "late.duckdb"
    f = Filters(period=Period(date(2026, 3, 2), date(2026, 3, 2)), tz="UTC")
    with db.writer(p, fresh=True) as con:
        con.execute("insert into settings values ('business_tz', 'UTC')")
        con.execute("insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s, channel) "
                    "values ('S1', 'V1', '2026-03-02 10:00:00+00', 1, 3, 'seo')")
    assert summary(db.Reader(p).query, f)[0]["exit_without_conversion_pct"] == 100.0
    with db.writer(p) as con:
        con.execute("insert into leads (lead_id, created_at, channel, visitor_id) "
                    "values ('L1', '2026-03-02 10:01:00+00', 'seo', 'V1')")
    v, _ = summary(db.Reader(p).query, f)
    assert v["exit_without_conversion_pct"] == 0.0
    assert v["bounce_rate_pct"] == 100.0  # Metrica: 1 pageview, 3 s — a conversion does not change that
    assert summary(db.Reader(p).query, f, bounce="ga4")[0]["bounce_rate_pct"] == 0.0  # GA4: engaged


def test_period_without_sessions_is_zero_not_missing(run):
    v, df = summary(run, Filters(period=Period(date(2026, 4, 1), date(2026, 4, 7)), tz=TZ))
    assert v["sessions"] == 0 and v["visitors"] == 0
    assert pd.isna(v["bounce_rate_pct"]) and pd.isna(v["pageviews_per_session"])  # nothing to divide: "—"
    assert set(df["visitors_kind"]) == {"visitors"}


def test_several_channels_series_counts_each_visitor_once_per_bucket(run, f):
    # V1 is in seo and in ads in both weeks: once per week; from 03-03 V1's 03-02 visit is outside
    for start in (date(2026, 3, 2), date(2026, 3, 3)):
        df = get("traffic").func(run, replace(f, channels=("seo", "ads"), period=Period(start, date(2026, 3, 15))))
        assert df["visitors"].tolist() == [2, 3]


ROLLUP_ROWS = """
select r.day, r.channel, r.landing_page, k.visitor_id, r.sessions_n, r.pageviews_n, r.duration_s,
    r.bounces_metrica_n, r.bounces_ga4_n, r.converted_n, r.prev_any_day, r.prev_channel_day, r.prev_landing_day
from traffic_rollup as r join visitor_keys as k using (visitor_key)
order by all
"""


def _sessions(con, rows, import_id):
    con.executemany(
        "insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s, channel, landing_page,"
        " converted, import_id) values (?, ?, ?, ?, ?, ?, ?, false, ?)", [(*r, import_id) for r in rows])


def test_an_import_that_only_adds_sessions_rebuilds_just_its_visitors_exactly(tmp_path):
    import duckdb

    path = tmp_path / "inc.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute("insert into settings values ('business_tz', 'UTC')")
        _sessions(con, [("a1", "A", "2026-11-02 10:00+00", 1, 5, "seo", "/"),
                        ("a2", "A", "2026-11-05 10:00+00", 3, 90, "email", "/price"),
                        ("b1", "B", "2026-11-03 10:00+00", 2, 30, "seo", "/")], 1)
    with db.writer(path) as con:
        built = con.execute("select value from ff_meta where key = 'traffic_rollup_signature'").fetchone()[0]
        # the next day's export: A comes back (and an older visit of A turns up, and another visit
        # on a day, channel and page A already has a row for, which adds to that row), C is new
        _sessions(con, [("a3", "A", "2026-11-04 09:00+00", 1, 3, "seo", "/"),
                        ("a4", "A", "2026-11-06 10:00+00", 1, 8, "seo", "/"),
                        ("a5", "A", "2026-11-05 18:00+00", 1, 4, "email", "/price"),
                        ("c1", "C", "2026-11-06 11:00+00", 4, 200, "direct", "/")], 2)
        assert rollups._only_added(con, built, rollups.signature(con, "UTC")) == 1
    incremental = duckdb.connect(str(path), read_only=True).execute(ROLLUP_ROWS).fetchall()
    with db.writer(path) as con:
        rollups.refresh(con, force=True)
    full = duckdb.connect(str(path), read_only=True).execute(ROLLUP_ROWS).fetchall()
    assert incremental == full
    # B was not touched and kept its row; A's rows were rebuilt with the new previous days, and its
    # row of 11-05 holds both visits: 2 sessions, 4 pageviews, 94 s, one of them a bounce
    a_rows = [r for r in full if r[3] == "A"]
    assert [r[4:10] for r in a_rows if str(r[0]) == "2026-11-05"] == [(2, 4, 94, 1, 1, 0)]
    assert [(str(r[0]), str(r[10])) for r in a_rows] == [
        ("2026-11-02", "1900-01-01"), ("2026-11-04", "2026-11-02"), ("2026-11-05", "2026-11-04"),
        ("2026-11-06", "2026-11-05")]


def test_replaced_or_removed_sessions_rebuild_everything(tmp_path):
    path = tmp_path / "rep.duckdb"
    with db.writer(path, fresh=True) as con:
        _sessions(con, [("a1", "A", "2026-11-02 10:00+00", 1, 5, "seo", "/")], 1)
    with db.writer(path) as con:
        built = con.execute("select value from ff_meta where key = 'traffic_rollup_signature'").fetchone()[0]
        con.execute("delete from sessions where session_id = 'a1'")  # a re-import replaces a1
        _sessions(con, [("a1", "A", "2026-11-02 10:00+00", 2, 50, "seo", "/")], 2)
        assert rollups._only_added(con, built, rollups.signature(con, periods.business_tz())) is None
