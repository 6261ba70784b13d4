"""The same number on two pages agrees when the definitions are the same (METRICS.md).

Part 1 runs every report on the tiny fixture week (tests/conftest.py docstring: spend 4000,
sessions 3, leads 5, target 3, won 3, revenue 16000) and checks the pages against each other.

Part 2, attribution: a revenue figure per channel uses the default model, last non-direct touch
(METRICS.md "Attribution"), on every page — Channels, ROI (cash view), Overview and KPIs with a
channel filter. A small database, business zone UTC, RUB, week 2026-11-01 … 11-07:
  C1: lead LA vk_ads 10-20; lead LB direct 11-03 → deal DB won 11-05, 1000
      → credited to vk_ads (the client's last non-direct touch 14 days before)
  C2: session S2 seo 10-25 by visitor V2; lead LC direct 11-02 of V2 → deal DC won 11-04, 500
      → credited to seo (a session touch)
  C3: lead LD vk_ads 07-01 (more than 90 days before); lead LE direct 11-02 → deal DE won 11-06, 300
      → stays direct
  spend vk_ads 11-02: 200.
So in the week: vk_ads revenue 1000, 1 won deal, 1 new client, 0 leads, ROMI (1000 − 200) / 200
= 400 %; seo revenue 500, 1 new client; direct revenue 300, 1 new client, leads LB LC LE = 3.
"""
from datetime import date

import pytest

from fullfunnel import cli, db
from fullfunnel.filters import Filters
from fullfunnel.periods import Period
from fullfunnel.reports import get
from fullfunnel.reports.kpis import kpis_full


def _metrics(df):
    return dict(zip(df["metric"], df["value"]))


# ---------------------------------------------------------------- part 1: the tiny week, page by page


def test_leads_spend_revenue_and_won_agree_across_pages(tiny_run, week):
    ov = _metrics(get("overview").func(tiny_run, week))
    assert (ov["spend"], ov["sessions"], ov["leads"], ov["target_leads"], ov["won_deals"], ov["revenue"]) == \
        (4000, 3, 5, 3, 3, 16000)

    ch = get("channels").func(tiny_run, week)
    assert (ch["leads"].sum(), ch["target_leads"].sum(), ch["spend"].sum(), ch["revenue"].sum()) == (5, 3, 4000, 16000)

    roi = get("roi").func(tiny_run, week, view="cash")
    total = roi[roi["channel"] == "total"].iloc[0]
    assert (total.spend, total.sessions, total.leads, total.target_leads, total.won_deals, total.revenue) == \
        (4000, 3, 5, 3, 3, 16000)
    assert total.romi_pct == pytest.approx(ov["romi_pct"])       # 300 %
    assert total.new_clients == ch["new_clients"].sum()          # C1, C3, C9

    fn = dict(zip(*get("funnel").func(tiny_run, week, view="cash")[["step", "count"]].T.values))
    assert (fn["paid_sessions"] + fn["other_sessions"], fn["leads"], fn["target_leads"], fn["won"]) == (3, 5, 3, 3)

    team = get("sales-team").func(tiny_run, week)
    t = team[team["manager"] == "(total)"].iloc[0]
    assert (t.leads, t.won_deals, t.revenue) == (5, 3, 16000)

    tr = _metrics(get("traffic-summary").func(tiny_run, week))
    assert tr["sessions"] == ov["sessions"] == 3

    trend = get("trend").func(tiny_run, week)
    assert (trend["spend"].sum(), trend["leads"].sum(), trend["won_deals"].sum(), trend["revenue"].sum()) == \
        (4000, 5, 3, 16000)


def test_weekly_headline_is_the_overview_of_the_week(tiny_run, week):
    wk = get("weekly").func(tiny_run, week, week="2026-11-01", today=date(2026, 11, 20))
    v = dict(zip(wk["metric"], wk["value"]))
    ov = _metrics(get("overview").func(tiny_run, Filters(period=Period(date(2026, 10, 26), date(2026, 11, 1)),
                                                          tz=week.tz, currency="RUB")))
    assert (v["spend"], v["leads"], v["revenue"]) == (ov["spend"], ov["leads"], ov["revenue"])


def test_report_help_prints_percent_signs_as_they_are(capsys):
    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    out = capsys.readouterr().out
    assert "change in % and the average" in out and "option_strings" not in out


# ---------------------------------------------------------------- part 2: attribution on every page

ATTRIBUTION_SQL = """
insert into settings values ('business_tz', 'UTC'), ('currency', 'RUB');
insert into spend (date, channel, campaign, spend, currency) values ('2026-11-02', 'vk_ads', 'retarget', 200, 'RUB');
insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s, channel) values
    ('S2', 'V2', '2026-10-25 10:00:00+00', 3, 60, 'seo');
insert into leads (lead_id, created_at, channel, client_id, visitor_id, qualification) values
    ('LA', '2026-10-20 10:00:00+00', 'vk_ads', 'C1', null, 'target'),
    ('LB', '2026-11-03 10:00:00+00', 'direct', 'C1', null, 'target'),
    ('LC', '2026-11-02 10:00:00+00', 'direct', 'C2', 'V2', 'target'),
    ('LD', '2026-07-01 10:00:00+00', 'vk_ads', 'C3', null, 'target'),
    ('LE', '2026-11-02 11:00:00+00', 'direct', 'C3', null, 'target');
insert into deals (deal_id, created_at, stage, status, lead_id, client_id, closed_at, amount, currency) values
    ('DB', '2026-11-03 12:00:00+00', 'Won', 'won', 'LB', 'C1', '2026-11-05 12:00:00+00', 1000, 'RUB'),
    ('DC', '2026-11-02 12:00:00+00', 'Won', 'won', 'LC', 'C2', '2026-11-04 12:00:00+00', 500, 'RUB'),
    ('DE', '2026-11-02 12:00:00+00', 'Won', 'won', 'LE', 'C3', '2026-11-06 12:00:00+00', 300, 'RUB');
"""


@pytest.fixture(scope="module")
def attr_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("attr") / "attr.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(ATTRIBUTION_SQL)
    return db.Reader(path).query


@pytest.fixture
def attr_week():
    return Filters(period=Period(date(2026, 11, 1), date(2026, 11, 7)), tz="UTC", currency="RUB")


def test_channels_credit_revenue_by_last_non_direct_touch(attr_run, attr_week):
    r = {row.channel: row for row in get("channels").func(attr_run, attr_week).itertuples()}
    assert (r["vk_ads"].leads, r["vk_ads"].revenue, r["vk_ads"].new_clients, r["vk_ads"].spend) == (0, 1000, 1, 200)
    assert r["vk_ads"].romi_pct == pytest.approx(400.0)
    assert (r["seo"].revenue, r["seo"].new_clients) == (500, 1)
    assert (r["direct"].leads, r["direct"].revenue, r["direct"].new_clients) == (3, 300, 1)


def test_channels_equal_roi_cash_view_per_channel(attr_run, attr_week):
    ch = get("channels").func(attr_run, attr_week).set_index("channel")
    roi = get("roi").func(attr_run, attr_week, view="cash")
    roi = roi[roi["channel"] != "total"].set_index("channel")
    for c in ("vk_ads", "seo", "direct"):
        assert (ch.loc[c, "revenue"], ch.loc[c, "new_clients"]) == (roi.loc[c, "revenue"], roi.loc[c, "new_clients"])


def test_overview_and_trend_with_a_channel_filter_use_the_same_credit(attr_run, attr_week):
    vk = Filters(period=attr_week.period, channels=("vk_ads",), tz="UTC", currency="RUB")
    ov = _metrics(get("overview").func(attr_run, vk))
    assert (ov["leads"], ov["won_deals"], ov["revenue"], ov["romi_pct"]) == (0, 1, 1000, 400)
    assert get("trend").func(attr_run, vk)["revenue"].sum() == 1000
    direct = Filters(period=attr_week.period, channels=("direct",), tz="UTC", currency="RUB")
    assert _metrics(get("overview").func(attr_run, direct))["revenue"] == 300


def test_kpis_new_clients_of_a_channel_use_the_same_credit(attr_run, attr_week):
    for channel, expected in (("vk_ads", 1), ("seo", 1), ("direct", 1)):
        f = Filters(period=attr_week.period, channels=(channel,), tz="UTC", currency="RUB")
        _, df = kpis_full(attr_run, f, month="2026-11", today=date(2026, 12, 5))
        assert dict(zip(df["kpi"], df["value"]))["new_clients"] == expected, channel


def test_funnel_impressions_and_clicks_are_the_roi_pages(tiny_run, week):
    # the 50 USD google_ads row (800 impressions, 20 clicks) is another currency's spend: neither the
    # ROI page nor the funnel counts its impressions and clicks in a RUB report
    fn = dict(zip(*get("funnel").func(tiny_run, week)[["step", "count"]].T.values))
    roi = get("roi").func(tiny_run, week)
    total = roi[roi["channel"] == "total"].iloc[0]
    assert (fn["impressions"], fn["clicks"]) == (total.impressions, total.clicks) == (35000, 550)


def test_cli_from_without_to_ends_yesterday(tmp_path, capsys):
    # METRICS.md: today is incomplete, and `--to` says "default: yesterday"; a lead of today is not counted
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc)
    yesterday = (now - timedelta(days=1)).date()
    path = tmp_path / "today.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute("insert into settings values ('business_tz', 'UTC')")
        con.execute("insert into leads (lead_id, created_at, channel) values ('T', ?, 'seo'), ('Y', ?, 'seo')",
                    [now, datetime.combine(yesterday, datetime.min.time(), timezone.utc) + timedelta(hours=12)])
    rc = cli.main(["report", "overview", "--db", str(path), "--from", yesterday.isoformat(), "--compare", "none"])
    assert rc == 0
    rows = dict(line.split(",")[:2] for line in capsys.readouterr().out.splitlines()[1:])
    assert float(rows["leads"]) == 1
