"""The weekly meeting on a tiny database of two whole ISO weeks (plus one older week for the 4-week average).

Business zone UTC, currency RUB. Week W = 2026-W47 = Mon 2026-11-16 … Sun 11-22; previous week
P = 2026-W46 = 11-09 … 11-15; the 4-week baseline = W43 … W46 = 10-19 … 11-15 (P included).
Rows dated 2026-11-23 (the Monday after W) must never be counted.

                      W (11-16…22)                    P (11-09…15)           W43…W45 (baseline only)
  spend       google_ads 3000, yandex 1000 = 4000   google 2000, yandex 2000   google 4000 (10-20)
  leads       google G1 G2 G3 G4(junk)               google G5                  seo S2 S3 (10-27)
              yandex Y1, seo S1(junk) = 6, junk 2    yandex Y2 Y3 Y4(junk) = 4
  won deals   DW1 (G1, 10000, Anna)                  DP1 (Y2, 20000, Boris)     DB1 (S2, 4000, Anna, 10-28)
              DW2 (Y1, 5000, Boris) = 2, 15000       = 1, 20000

Headline, W vs P, and the 4-week average (baseline totals: spend 8000, leads 6, junk 1, won 2, revenue 24000):
  spend 4000 / 4000 (0 %), avg 2000;   leads 6 / 4 (+50 %), avg 1.5;   target 4 / 3 (+33.3 %), avg 1.25
  junk rate 2/6 = 33.3 % / 1/4 = 25 % (+33.3 % growth, +8.3 pp), avg 1/6 = 16.7 %
  won 2 / 1 (+100 %), avg 0.5;   revenue 15000 / 20000 (−25 %), avg 6000
  ROMI (15000 − 4000)/4000 = 275 % / (20000 − 4000)/4000 = 400 % (−31.25 %), avg (24000 − 8000)/8000 = 200 %
  CPL 4000/6 = 666.7 / 4000/4 = 1000 (−33.3 %), avg 8000/6 = 1333.3
  target CPL 4000/4 = 1000 / 4000/3 = 1333.3 (−25 %), avg 8000/5 = 1600
Movers (share = |change| ÷ both weeks' total of the metric: leads 6 + 4 = 10, revenue 15000 + 20000 = 35000):
  1. yandex_direct revenue 5000 vs 20000, −15000 → 42.9 %
  2. google_ads leads 4 vs 1, +3 → 30 %
  3. google_ads revenue 10000 vs 0, +10000 → 28.6 %
  4. yandex_direct leads 1 vs 3, −2 → 20 %
  5. seo leads 1 vs 0, +1 → 10 %
Managers: Anna won 1 (10000) in W, none in P; Boris won 1 (5000) in W, 1 (20000) in P.
Only google_ads: spend 3000 / 2000, leads 4 / 1, junk 1 / 0, won 1 / 0, revenue 10000 / 0.
"""
from __future__ import annotations

import io
import math
from contextlib import redirect_stdout
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from fullfunnel import FullfunnelError, cli, db
from fullfunnel.filters import Filters
from fullfunnel.periods import Period
from fullfunnel.reports import channels as channels_report
from fullfunnel.reports import get
from fullfunnel.reports import weekly as W

WEEKLY_SQL = """
insert into settings values ('business_tz', 'UTC'), ('currency', 'RUB');
insert into spend (date, channel, campaign, spend, impressions, clicks, currency) values
    ('2026-11-17', 'google_ads', 'search', 3000, 3000, 60, 'RUB'),
    ('2026-11-18', 'yandex_direct', 'brand', 1000, 1000, 20, 'RUB'),
    ('2026-11-10', 'google_ads', 'search', 2000, 2000, 40, 'RUB'),
    ('2026-11-11', 'yandex_direct', 'brand', 2000, 2000, 40, 'RUB'),
    ('2026-10-20', 'google_ads', 'search', 4000, 4000, 80, 'RUB'),
    ('2026-11-23', 'google_ads', 'search', 999, 999, 9, 'RUB');
insert into leads (lead_id, created_at, channel, source, client_id, qualification, junk_reason, manager) values
    ('G1', '2026-11-16 00:30:00+00', 'google_ads', 'google', 'C1', 'target', null, 'Anna'),
    ('G2', '2026-11-17 10:00:00+00', 'google_ads', 'google', 'C2', 'target', null, 'Anna'),
    ('G3', '2026-11-18 10:00:00+00', 'google_ads', 'google', 'C3', 'target', null, 'Boris'),
    ('G4', '2026-11-19 10:00:00+00', 'google_ads', 'google', 'C4', 'junk', 'spam', 'Boris'),
    ('Y1', '2026-11-20 10:00:00+00', 'yandex_direct', 'yandex', 'C5', 'target', null, 'Boris'),
    ('S1', '2026-11-22 23:30:00+00', 'seo', 'google', 'C6', 'junk', 'spam', 'Anna'),
    ('G5', '2026-11-10 10:00:00+00', 'google_ads', 'google', 'C7', 'target', null, 'Anna'),
    ('Y2', '2026-11-09 10:00:00+00', 'yandex_direct', 'yandex', 'C8', 'target', null, 'Boris'),
    ('Y3', '2026-11-12 10:00:00+00', 'yandex_direct', 'yandex', 'C9', 'target', null, 'Boris'),
    ('Y4', '2026-11-15 23:59:00+00', 'yandex_direct', 'yandex', 'C10', 'junk', 'spam', 'Boris'),
    ('S2', '2026-10-27 10:00:00+00', 'seo', 'google', 'C11', 'target', null, 'Anna'),
    ('S3', '2026-10-27 11:00:00+00', 'seo', 'google', 'C12', 'target', null, 'Anna'),
    ('N1', '2026-11-23 00:00:00+00', 'google_ads', 'google', 'C13', 'target', null, 'Anna');
insert into deals (deal_id, created_at, stage, status, lead_id, client_id, closed_at, amount, currency, manager) values
    ('DW1', '2026-11-16 12:00:00+00', 'Won', 'won', 'G1', 'C1', '2026-11-19 12:00:00+00', 10000, 'RUB', 'Anna'),
    ('DW2', '2026-11-20 12:00:00+00', 'Won', 'won', 'Y1', 'C5', '2026-11-21 12:00:00+00', 5000, 'RUB', 'Boris'),
    ('DP1', '2026-11-09 12:00:00+00', 'Won', 'won', 'Y2', 'C8', '2026-11-12 12:00:00+00', 20000, 'RUB', 'Boris'),
    ('DB1', '2026-10-27 12:00:00+00', 'Won', 'won', 'S2', 'C11', '2026-10-28 12:00:00+00', 4000, 'RUB', 'Anna'),
    ('DN1', '2026-11-23 12:00:00+00', 'Won', 'won', 'N1', 'C13', '2026-11-23 13:00:00+00', 70000, 'RUB', 'Anna');
"""

W47 = date(2026, 11, 16)
TODAY = date(2026, 11, 25)  # a Wednesday of the week after W47: W47 is the last complete week


@pytest.fixture(scope="module")
def weekly_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("weekly") / "weekly.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(WEEKLY_SQL)
    return path


@pytest.fixture(scope="module")
def run(weekly_db):
    return db.Reader(weekly_db).query


@pytest.fixture
def f() -> Filters:
    """Whatever period the sidebar says (here a month) — the weekly reports ignore it."""
    return Filters(period=Period(date(2026, 10, 1), date(2026, 10, 31)), grain="month", compare="year_ago",
                   tz="UTC", currency="RUB")


def rows(df) -> dict:
    return {r["metric"]: r for _, r in df.iterrows()}


# ---------------------------------------------------------------- weeks


@pytest.mark.parametrize("today, monday", [
    (date(2026, 11, 23), date(2026, 11, 16)),  # Monday: last week just ended
    (date(2026, 11, 25), date(2026, 11, 16)),
    (date(2026, 11, 29), date(2026, 11, 16)),  # Sunday: this week is not over yet
    (date(2026, 11, 22), date(2026, 11, 9)),
    (date(2027, 1, 4), date(2026, 12, 28)),  # across the new year: 2026-W53
])
def test_last_complete_week_is_the_last_monday_to_sunday_before_today(today, monday):
    assert W.last_complete_week(today) == monday


def test_weeks_are_named_by_iso_code_or_any_date_in_them():
    assert W.parse_week("2026-W47") == W47
    assert W.parse_week("2026w47") == W47
    assert W.parse_week("2026-11-16") == W47
    assert W.parse_week("2026-11-22") == W47  # a Sunday belongs to the week that started on Monday
    assert W.week_label(W47) == "2026-W47"
    assert W.week_label(date(2026, 12, 28)) == "2026-W53"
    assert W.recent_weeks(TODAY, 3) == [W47, date(2026, 11, 9), date(2026, 11, 2)]


@pytest.mark.parametrize("text", ["2025-W53", "last week", "2026-13-01", ""])
def test_a_bad_week_is_one_plain_sentence(text):
    with pytest.raises(FullfunnelError) as e:
        W.parse_week(text)
    assert "\n" not in str(e.value)


def test_a_week_that_is_not_over_is_refused(run, f):
    with pytest.raises(FullfunnelError, match="not over yet.*2026-W47 or earlier"):
        get("weekly").func(run, f, week="2026-W48", today=TODAY)


# ---------------------------------------------------------------- headline


def test_weekly_headline_is_the_last_complete_week_vs_the_week_before(run, f):
    df = get("weekly").func(run, f, today=TODAY)  # no --week: the last complete week, W47
    assert list(df.columns) == ["metric", "value", "previous", "change_pct", "avg_4w"]
    assert df["metric"].tolist() == ["spend", "leads", "target_leads", "junk_rate_pct", "won_deals", "revenue",
                                     "romi_pct", "cpl", "target_cpl"]
    expected = {  # metric: (value, previous, change_pct, avg_4w) — see the module docstring
        "spend": (4000, 4000, 0, 2000),
        "leads": (6, 4, 50, 1.5),
        "target_leads": (4, 3, 100 / 3, 1.25),
        "junk_rate_pct": (100 / 3, 25, 100 / 3, 100 / 6),
        "won_deals": (2, 1, 100, 0.5),
        "revenue": (15000, 20000, -25, 6000),
        "romi_pct": (275, 400, -31.25, 200),
        "cpl": (4000 / 6, 1000, -100 / 3, 8000 / 6),
        "target_cpl": (1000, 4000 / 3, -25, 1600),
    }
    got = rows(df)
    for m, values in expected.items():
        r = got[m]
        assert (r.value, r.previous, r.change_pct, r.avg_4w) == pytest.approx(values), m


def test_an_earlier_week_and_the_channel_filter(run, f):
    df = rows(get("weekly").func(run, replace(f, channels=("google_ads",)), week="2026-11-18", today=TODAY))
    assert (df["spend"].value, df["spend"].previous) == (3000, 2000)
    assert (df["leads"].value, df["leads"].previous, df["leads"].change_pct) == (4, 1, 300)
    assert df["junk_rate_pct"].value == 25 and df["junk_rate_pct"].previous == 0
    assert (df["revenue"].value, df["revenue"].previous) == (10000, 0)
    assert math.isnan(df["revenue"].change_pct)  # growth from 0 is "—", not infinity
    prev = rows(get("weekly").func(run, f, week="2026-W46", today=TODAY))
    assert (prev["leads"].value, prev["leads"].previous, prev["revenue"].value) == (4, 0, 20000)


def test_weekly_matches_the_overview_for_the_same_week(run, f):
    from fullfunnel.reports.overview import overview

    week = replace(f, period=Period(W47, date(2026, 11, 22)), grain="day", compare="previous")
    ov = dict(zip(*overview(run, week)[["metric", "value"]].T.values))
    wk = dict(zip(*get("weekly").func(run, f, today=TODAY)[["metric", "value"]].T.values))
    for m in ("spend", "leads", "target_leads", "won_deals", "revenue", "romi_pct"):
        assert wk[m] == pytest.approx(ov[m]), m


# ---------------------------------------------------------------- movers


def test_movers_most_significant_first_across_leads_and_revenue(run, f):
    df = get("weekly-movers").func(run, f, today=TODAY)
    assert list(df.columns) == ["channel", "metric", "value", "previous", "change"]
    assert [tuple(r) for r in df.itertuples(index=False)] == [
        ("yandex_direct", "revenue", 5000, 20000, -15000),
        ("google_ads", "leads", 4, 1, 3),
        ("google_ads", "revenue", 10000, 0, 10000),
        ("yandex_direct", "leads", 1, 3, -2),
        ("seo", "leads", 1, 0, 1),
    ]
    shares = W.movers_scored(run, f, today=TODAY)["share_pct"].tolist()
    assert shares == pytest.approx([100 * 15000 / 35000, 30, 100 * 10000 / 35000, 20, 10])


def test_top_movers_keeps_a_few_per_metric_in_order(run, f):
    top = W.top_movers(W.movers_scored(run, f, today=TODAY), per_metric=1)
    assert list(zip(top["channel"], top["metric"])) == [("yandex_direct", "revenue"), ("google_ads", "leads")]


def test_a_channel_that_vanished_this_week_is_a_mover(run, f):
    # W46 vs W45: yandex_direct had 3 leads in W46 and none in W45; in W45 nothing happened at all
    df = get("weekly-movers").func(run, f, week="2026-W46", today=TODAY)
    y = df[(df["channel"] == "yandex_direct") & (df["metric"] == "leads")].iloc[0]
    assert (y.value, y.previous, y.change) == (3, 0, 3)
    # W45 vs W44: seo brought 2 leads in W44 and none in W45 — it must still be listed
    gone = get("weekly-movers").func(run, f, week="2026-W45", today=TODAY)
    seo = gone[(gone["channel"] == "seo") & (gone["metric"] == "leads")].iloc[0]
    assert (seo.value, seo.previous, seo.change) == (0, 2, -2)


def test_movers_respect_the_channel_filter(run, f):
    df = get("weekly-movers").func(run, replace(f, channels=("seo", "yandex_direct")), today=TODAY)
    assert set(df["channel"]) == {"seo", "yandex_direct"}


# ---------------------------------------------------------------- alerts, funnel, managers


def test_alerts_are_the_channels_report_at_the_end_of_the_week(run, f):
    week = replace(f, period=Period(W47, date(2026, 11, 22)), grain="week", compare="previous")
    assert W.alerts(run, f, today=TODAY) == channels_report.alerts(run, week)


def test_funnel_of_the_week_vs_the_week_before(run, f):
    df = W.funnel(run, f, today=TODAY).set_index("step")
    assert (df.loc["leads", "count"], df.loc["leads", "previous_count"]) == (6, 4)
    assert (df.loc["target_leads", "count"], df.loc["target_leads", "previous_count"]) == (4, 3)
    assert (df.loc["won", "count"], df.loc["won", "previous_count"]) == (2, 1)
    assert df.loc["won", "change_pct"] == 100


def test_managers_won_deals_and_revenue(run, f):
    df = get("weekly-managers").func(run, f, today=TODAY)
    assert list(df.columns) == ["manager", "won_deals", "revenue", "previous_won_deals", "previous_revenue"]
    assert [tuple(r) for r in df.itertuples(index=False)] == [
        ("Anna", 1, 10000, 0, 0),
        ("Boris", 1, 5000, 1, 20000),
    ]


# ---------------------------------------------------------------- command line


def test_cli_prints_the_weekly_report(weekly_db):
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(["report", "weekly", "--db", str(weekly_db), "--week", "2026-W47",
                         "--channel", "google_ads"])
    assert code == 0
    df = pd.read_csv(io.StringIO(out.getvalue()))
    got = rows(df)
    assert (got["leads"].value, got["leads"].previous, got["leads"].change_pct) == (4, 1, 300)
    assert (got["revenue"].value, got["won_deals"].value) == (10000, 1)
    assert got["spend"].avg_4w == pytest.approx((2000 + 4000) / 4)


def test_cli_movers_and_a_bad_week(weekly_db, capsys):
    assert cli.main(["report", "weekly-movers", "--db", str(weekly_db), "--week", "2026-W47"]) == 0
    df = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert df.iloc[0].tolist() == ["yandex_direct", "revenue", 5000, 20000, -15000]
    assert cli.main(["report", "weekly", "--db", str(weekly_db), "--week", "week 47"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "2026-W47" in err and "Traceback" not in err


# ---------------------------------------------------------------- page


def open_weekly(monkeypatch, path, **widgets):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from fullfunnel import periods

    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    monkeypatch.setattr(periods, "today_in", lambda tz, now=None: TODAY)
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    for key, value in widgets.items():
        at.session_state[key] = value
    at.switch_page("pages/weekly.py")
    return at.run()


def test_page_shows_the_last_complete_week_with_its_changes(monkeypatch, weekly_db):
    at = open_weekly(monkeypatch, weekly_db)
    assert not at.exception, at.exception[0].message if at.exception else ""
    title = at.title[0].value.replace("\u2060", "")  # word joiners keep the dates on one line
    assert "Week 47" in title and "16–22 Nov 2026" in title
    cards = {m.label: m for m in at.metric}
    assert list(cards) == ["Ad spend", "Leads", "Target leads", "Junk rate", "Won deals", "Revenue", "ROMI", "CPL"]
    assert (cards["Leads"].value, cards["Leads"].delta) == ("6", "+50.0%")
    assert (cards["Revenue"].value, cards["Revenue"].delta) == ("₽15,000", "-25.0%")
    assert (cards["Junk rate"].value, cards["Junk rate"].delta) == ("33.3%", "+8.3 pp")  # rates in points
    assert cards["CPL"].value == "₽667"
    assert "CPL = spend / leads" in cards["CPL"].help and "₽1,000" in cards["CPL"].help  # target CPL on hover
    assert all(m.help for m in at.metric)
    text = " ".join(md.value for md in at.markdown).replace("\\_", "_")   # names are markdown-escaped
    assert "**yandex_direct**: revenue ₽5,000" in text and "**google_ads**: 4 leads" in text
    assert text.index("yandex_direct**: revenue") < text.index("google_ads**: 4 leads")  # most significant first


def test_page_earlier_week_channel_filter_and_russian(monkeypatch, weekly_db):
    at = open_weekly(monkeypatch, weekly_db, week="2026-W46", channels=["yandex_direct"], lang="ru")
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert at.title[0].value.startswith("Планёрка · Неделя 46")
    cards = {m.label: m for m in at.metric}
    assert (cards["Лиды"].value, cards["Выручка"].value) == ("3", "20\u00a0000\u00a0₽")
    assert at.selectbox(key="week").value == "2026-W46"
