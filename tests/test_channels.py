"""Channel leaderboard and leads over time on the tiny fixture (tests/conftest.py docstring), plus a
small DB of repeat clients for "new client".

Tiny week 2026-11-01 … 11-07, RUB, by channel (hand-counted from conftest.py):
  yandex_direct: leads L1 L2 L3 = 3, junk L2 → target 2, junk 33.3 %; spend 1000 + 2000 = 3000;
                 CPL 1000, target CPL 1500; won D1 (L1, 10000) + D2 (L3, 6000) → revenue 16000,
                 new clients C1, C3 = 2 → CAC 1500; ROMI (16000 − 3000) / 3000 = 433.3 %
  vk_ads:        lead L4 (junk) → target 0, junk 100 %; spend 1000; CPL 1000; target CPL —; ROMI −100 %
  seo:           lead L5 → target 1; no spend, no won deal
  unknown:       D5 (no lead, USD) → new client C9, revenue 0 in RUB
Previous week 10-25 … 10-31: yandex_direct L7, spend 1500; seo L6, won D3 (3000), new client C6.
"""
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from fullfunnel import cli, db
from fullfunnel.charts.channels import sparklines
from fullfunnel.filters import Filters
from fullfunnel.periods import Period
from fullfunnel.reports import get
from fullfunnel.reports.channels import leaderboard_with_change, leads_over_time


def by_channel(df):
    return {r["channel"]: r for _, r in df.iterrows()}


def test_leaderboard_columns_and_hand_counted_numbers(tiny_run, week):
    df = get("channels").func(tiny_run, week)
    assert list(df.columns) == ["channel", "leads", "target_leads", "junk_pct", "spend", "cpl", "target_cpl",
                                "new_clients", "cac", "revenue", "romi_pct"]
    assert df["channel"].tolist() == ["yandex_direct", "vk_ads", "seo", "unknown"]  # most leads first
    r = by_channel(df)
    y = r["yandex_direct"]
    assert (y.leads, y.target_leads, y.spend, y.cpl, y.target_cpl) == (3, 2, 3000, 1000, 1500)
    assert y.junk_pct == pytest.approx(100 / 3)
    assert (y.new_clients, y.cac, y.revenue) == (2, 1500, 16000)
    assert y.romi_pct == pytest.approx(13000 / 3000 * 100)
    vk = r["vk_ads"]
    assert (vk.leads, vk.target_leads, vk.junk_pct, vk.spend, vk.cpl) == (1, 0, 100, 1000, 1000)
    assert pd.isna(vk.target_cpl) and vk.romi_pct == -100
    seo = r["seo"]
    assert seo.leads == 1 and seo.spend == 0 and pd.isna(seo.cpl) and pd.isna(seo.romi_pct)
    assert r["unknown"].new_clients == 1 and r["unknown"].revenue == 0


def test_sums_by_channel_equal_the_overview_totals(tiny_run, week):
    ch = get("channels").func(tiny_run, week)
    ov = dict(zip(*get("overview").func(tiny_run, week)[["metric", "value"]].T.values))
    assert ch["leads"].sum() == ov["leads"] and ch["target_leads"].sum() == ov["target_leads"]
    assert ch["spend"].sum() == ov["spend"] and ch["revenue"].sum() == ov["revenue"]


def test_channel_filter_keeps_only_those_rows(tiny_run, week):
    df = get("channels").func(tiny_run, replace(week, channels=("vk_ads", "seo")))
    assert sorted(df["channel"]) == ["seo", "vk_ads"]


def test_change_vs_previous_week(tiny_run, week):
    r = by_channel(leaderboard_with_change(tiny_run, week))
    y = r["yandex_direct"]
    assert y.leads_prev == 1 and y.leads_change_pct == pytest.approx(200.0)      # (3 − 1) / 1
    assert y.spend_prev == 1500 and y.spend_change_pct == pytest.approx(100.0)
    assert pd.isna(y.new_clients_change_pct)                                      # previous 0 → "—"
    seo = r["seo"]
    assert seo.revenue_prev == 3000 and seo.revenue_change_pct == -100.0
    assert r["vk_ads"].leads_prev == 0 and pd.isna(r["vk_ads"].leads_change_pct)  # absent before → 0, "—"


def test_by_campaign_adds_the_campaign_column(tiny_run, week):
    df = get("channels").func(tiny_run, week, by="campaign")
    assert list(df.columns[:2]) == ["channel", "campaign"]
    # spend is booked on campaigns, the tiny leads carry none: both stay visible, never merged
    brand = df[(df.channel == "yandex_direct") & (df.campaign == "brand")].iloc[0]
    assert brand.spend == 3000 and brand.leads == 0
    assert df[df.channel == "yandex_direct"]["leads"].sum() == 3


def test_leads_by_period_every_bucket_and_channel(tiny_run, week):
    df = get("leads-by-period").func(tiny_run, replace(week, grain="week"))
    assert list(df.columns) == ["bucket", "channel", "leads"]
    got = {(b.isoformat(), c): n for b, c, n in df.itertuples(index=False)}
    assert got == {("2026-10-26", "seo"): 0, ("2026-10-26", "vk_ads"): 0, ("2026-10-26", "yandex_direct"): 1,
                   ("2026-11-02", "seo"): 1, ("2026-11-02", "vk_ads"): 1, ("2026-11-02", "yandex_direct"): 2}


def test_junk_rate_over_time_and_sparklines(tiny_run, week):
    df = leads_over_time(tiny_run, week)
    nov2 = df[(df.bucket == date(2026, 11, 2))].set_index("channel")
    assert nov2.loc["yandex_direct", "junk_pct"] == 100.0      # L2 is the only lead that day
    assert pd.isna(df[(df.bucket == date(2026, 11, 1)) & (df.channel == "vk_ads")]["junk_pct"]).all()
    spark = sparklines(df, ["channel"])
    assert spark[("yandex_direct",)] == [1, 1, 1, 0, 0, 0, 0]  # L1 11-01, L2 11-02, L3 11-03
    assert len(spark[("seo",)]) == 7


def test_cli_by_campaign(tiny_db, capsys):
    rc = cli.main(["report", "channels", "--db", str(tiny_db), "--from", "2026-11-01", "--to", "2026-11-07",
                   "--by", "campaign", "--format", "json"])
    assert rc == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    assert {r["campaign"] for r in rows if r["channel"] == "vk_ads"} == {"", "retarget"}


NEW_CLIENTS_SQL = """
insert into settings values ('business_tz', 'UTC');
insert into leads (lead_id, created_at, channel, campaign, client_id) values
    ('A1', '2026-01-10 10:00:00+00', 'seo', null, 'A'),
    ('A2', '2026-02-05 10:00:00+00', 'vk_ads', 'promo', 'A'),
    ('B1', '2026-02-03 10:00:00+00', 'vk_ads', 'promo', 'B');
insert into deals (deal_id, created_at, stage, status, lead_id, client_id, closed_at, amount, currency) values
    ('DA1', '2026-01-10 11:00:00+00', 'Won', 'won', 'A1', 'A', '2026-01-20 10:00:00+00', 100, 'RUB'),
    ('DA2', '2026-02-05 11:00:00+00', 'Won', 'won', 'A2', 'A', '2026-02-10 10:00:00+00', 200, 'RUB'),
    ('DB1', '2026-02-03 11:00:00+00', 'Won', 'won', 'B1', 'B', '2026-02-12 10:00:00+00', 300, 'RUB');
insert into orders (order_id, ordered_at, client_id, product, revenue, channel) values
    ('O1', '2026-02-15 10:00:00+00', 'C', 'widget', 50, 'email'),
    ('O2', '2026-01-15 10:00:00+00', 'B', 'widget', 50, 'email');
insert into spend (date, channel, campaign, spend, currency) values ('2026-02-01', 'vk_ads', 'promo', 600, 'RUB');
"""


def test_new_client_is_a_first_purchase_in_the_period(tmp_path):
    """February 2026: A bought first in January (seo) → not new; B's first purchase is a January
    order → not new; C's first order (email) is in February → new. vk_ads: revenue 500 from
    DA2 + DB1 but no new client, so CAC is "—"; email: 1 new client, no leads → conversion "—"."""
    path = tmp_path / "nc.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(NEW_CLIENTS_SQL)
    f = Filters(period=Period(date(2026, 2, 1), date(2026, 2, 28)), tz="UTC", currency="RUB")
    r = by_channel(get("channels").func(db.Reader(path).query, f))
    assert r["vk_ads"].new_clients == 0 and r["vk_ads"].revenue == 500 and pd.isna(r["vk_ads"].cac)
    assert r["email"].new_clients == 1 and "seo" not in r
    jan = replace(f, period=Period(date(2026, 1, 1), date(2026, 1, 31)))
    r = by_channel(get("channels").func(db.Reader(path).query, jan))
    assert r["seo"].new_clients == 1 and r["email"].new_clients == 1  # A by DA1, B by order O2
