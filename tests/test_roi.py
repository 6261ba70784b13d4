"""End-to-end ROI: ratios, totals and attribution on a tiny hand-made database.

Period: November 2026 (time zone UTC), compared with October. Margin setting 50 %.

Spend in November (RUB): yandex_direct/brand 3000 (10000 impressions, 300 clicks) and
yandex_direct/generic 2000 (20000, 100), vk_ads/retarget 1000 (5000, 50). google_ads 100 USD is
another currency and never added to roubles. October: yandex_direct/brand 500.

Clients and their touches (sessions belong to a client through leads.visitor_id):
  A  lead LA0 2026-09-01 seo (won DA0 in September, so A is not a new client in November);
     session 10-10 seo; session 11-05 yandex_direct/brand; session 11-07 direct;
     lead LA 11-10 **direct** → DA won 11-20, 12000.
  B  lead LB1 2026-06-01 email (more than 90 days before); lead LB2 11-08 direct → DB won 11-15, 6000.
  C  session 11-01 vk_ads/retarget; session 11-03 yandex_direct/brand;
     lead LC 11-06 yandex_direct/generic → DC won 11-25, 9000, with an order costing 3000.
  D  lead LD 11-12 seo → deal lost.       E  lead LE 11-14 yandex_direct/brand, junk.
  F  no lead: DF created 11-18, won 11-18, 3000 → channel unknown.
  G  lead LG 11-09 yandex_direct/brand → DG won 11-19, 500 **USD** (a won deal, no roubles).
  H  lead LH 10-25 yandex_direct/brand → DH won 11-03, 5000 (cash view only).
  I  order on 10-01 (not a new client); lead LI 11-28 seo → DI won 12-02, 2000 (cohort view only).
  One more session 11-07 seo of an anonymous visitor.

November counts under every model: sessions 5 (yandex_direct 2, vk_ads 1, direct 1, seo 1);
leads 7 (yandex_direct 3 of which 1 junk, direct 2, seo 2).

Cohort view (leads created in November): DA, DB, DC, DF, DG, DI = 6 won deals, revenue 32000,
gross profit DA 6000 + DB 3000 + DC (9000 − 3000) 6000 + DF 1500 + DG 0 + DI 1000 = 17500;
new clients DB, DC, DF, DG = 4.
  last non-direct: DA → yandex_direct/brand (latest earlier non-direct touch; the direct session
    is skipped), DB → direct (email is older than 90 days), DC → yandex_direct/generic, DF → unknown,
    DG → yandex_direct/brand, DI → seo.
    yandex_direct: revenue 21000, gross profit 12000, won 3, new clients 2, spend 5000 →
    CPL 5000/3, CPO 5000/3, CAC 2500, ROMI 320 %, profit ROMI 140 %, ROAS 4.2, ДРР 23.8 %.
    total: spend 6000, revenue 32000 → ROMI 433.3 %, profit ROMI 191.7 %, ROAS 5.33, ДРР 18.75 %,
    CPL 6000/7, CPO 1000, CAC 1500, CTR 450/35000, CPC 6000/450.
  first touch: DA → seo (LA0), DB → email, DC → vk_ads, DF → unknown, DG → yandex_direct, DI → seo:
    seo 14000, email 6000, vk_ads 9000, unknown 3000, yandex_direct 0.
  linear (90 days up to the lead): DA over seo, yandex_direct, direct = 4000 each; DB direct 6000;
    DC over vk_ads and yandex_direct = 4500 each, yandex's half split over brand and generic = 2250
    each; DF unknown 3000; DI seo 2000:
    seo 6000, yandex_direct 8500, direct 10000, vk_ads 4500, unknown 3000.
Cash view (won in November): DA, DB, DC, DF, DG, DH: revenue 35000; last non-direct
  yandex_direct 12000 + 9000 + 5000 = 26000.
October, cohort, last non-direct: spend 500, DH → yandex_direct 5000.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from fullfunnel import FullfunnelError, cli, db
from fullfunnel.filters import Filters
from fullfunnel.periods import Period
from fullfunnel.reports import get
from fullfunnel.reports import roi as roi_mod

NOV = Period(date(2026, 11, 1), date(2026, 11, 30))

ROI_SQL = """
insert into settings values ('business_tz', 'UTC'), ('currency', 'RUB'), ('margin_pct', '50');
insert into spend (date, channel, campaign, spend, impressions, clicks, currency) values
    ('2026-11-02', 'yandex_direct', 'brand', 3000, 10000, 300, 'RUB'),
    ('2026-11-03', 'yandex_direct', 'generic', 2000, 20000, 100, 'RUB'),
    ('2026-11-04', 'vk_ads', 'retarget', 1000, 5000, 50, 'RUB'),
    ('2026-11-05', 'google_ads', 'search', 100, 1000, 10, 'USD'),
    ('2026-10-20', 'yandex_direct', 'brand', 500, 1000, 20, 'RUB');
insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s, channel, campaign) values
    ('SA1', 'VA', '2026-10-10 10:00:00+00', 2, 60, 'seo', null),
    ('SA2', 'VA', '2026-11-05 10:00:00+00', 2, 60, 'yandex_direct', 'brand'),
    ('SA3', 'VA', '2026-11-07 10:00:00+00', 2, 60, 'direct', null),
    ('SC1', 'VC', '2026-11-01 10:00:00+00', 2, 60, 'vk_ads', 'retarget'),
    ('SC2', 'VC', '2026-11-03 10:00:00+00', 2, 60, 'yandex_direct', 'brand'),
    ('SX1', 'VX', '2026-11-07 11:00:00+00', 1, 5, 'seo', null);
insert into leads (lead_id, created_at, channel, campaign, client_id, visitor_id, qualification) values
    ('LA0', '2026-09-01 10:00:00+00', 'seo', null, 'A', 'VA', 'target'),
    ('LA', '2026-11-10 10:00:00+00', 'direct', null, 'A', 'VA', 'target'),
    ('LB1', '2026-06-01 10:00:00+00', 'email', 'june', 'B', null, 'target'),
    ('LB2', '2026-11-08 10:00:00+00', 'direct', null, 'B', null, 'target'),
    ('LC', '2026-11-06 10:00:00+00', 'yandex_direct', 'generic', 'C', 'VC', 'target'),
    ('LD', '2026-11-12 10:00:00+00', 'seo', null, 'D', null, 'target'),
    ('LE', '2026-11-14 10:00:00+00', 'yandex_direct', 'brand', 'E', null, 'junk'),
    ('LG', '2026-11-09 10:00:00+00', 'yandex_direct', 'brand', 'G', null, 'target'),
    ('LH', '2026-10-25 10:00:00+00', 'yandex_direct', 'brand', 'H', null, 'target'),
    ('LI', '2026-11-28 10:00:00+00', 'seo', null, 'I', null, 'target');
insert into deals (deal_id, created_at, stage, status, lead_id, client_id, closed_at, amount, currency) values
    ('DA0', '2026-09-01 12:00:00+00', 'Won', 'won', 'LA0', 'A', '2026-09-05 12:00:00+00', 1000, 'RUB'),
    ('DA', '2026-11-10 12:00:00+00', 'Won', 'won', 'LA', 'A', '2026-11-20 12:00:00+00', 12000, 'RUB'),
    ('DB', '2026-11-08 12:00:00+00', 'Won', 'won', 'LB2', 'B', '2026-11-15 12:00:00+00', 6000, 'RUB'),
    ('DC', '2026-11-06 12:00:00+00', 'Won', 'won', 'LC', 'C', '2026-11-25 12:00:00+00', 9000, 'RUB'),
    ('DD', '2026-11-12 12:00:00+00', 'Lost', 'lost', 'LD', 'D', '2026-11-13 12:00:00+00', 4000, 'RUB'),
    ('DF', '2026-11-18 09:00:00+00', 'Won', 'won', null, 'F', '2026-11-18 12:00:00+00', 3000, 'RUB'),
    ('DG', '2026-11-09 12:00:00+00', 'Won', 'won', 'LG', 'G', '2026-11-19 12:00:00+00', 500, 'USD'),
    ('DH', '2026-10-25 12:00:00+00', 'Won', 'won', 'LH', 'H', '2026-11-03 12:00:00+00', 5000, 'RUB'),
    ('DI', '2026-11-28 12:00:00+00', 'Won', 'won', 'LI', 'I', '2026-12-02 12:00:00+00', 2000, 'RUB');
insert into orders (order_id, ordered_at, client_id, product, revenue, quantity, cost, deal_id, currency) values
    ('O1', '2026-11-25 13:00:00+00', 'C', 'kit', 9000, 1, 3000, 'DC', 'RUB'),
    ('O2', '2026-10-01 10:00:00+00', 'I', 'sample', 100, 1, 50, null, 'RUB');
"""


@pytest.fixture(scope="module")
def roi_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("roi") / "roi.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(ROI_SQL)
    return path


@pytest.fixture(scope="module")
def run(roi_db):
    return db.Reader(roi_db).query


@pytest.fixture
def nov() -> Filters:
    return Filters(period=NOV, grain="week", compare="previous", tz="UTC", currency="RUB")


def roi(run, f, **opts) -> pd.DataFrame:
    return get("roi").func(run, f, **opts)


def rows(df: pd.DataFrame) -> dict:
    """channel (or channel/campaign) → row as a dict, the total row under 'total'."""
    out = {}
    for r in df.to_dict("records"):
        key = r["channel"] if not r["campaign"] else f"{r['channel']}/{r['campaign']}"
        out[key] = r
    return out


def col(df: pd.DataFrame, name: str) -> dict:
    return {k: v[name] for k, v in rows(df).items()}


# ---------------------------------------------------------------- ratios (METRICS.md)


def test_columns_and_total_row_last(run, nov):
    df = roi(run, nov)
    assert list(df.columns) == roi_mod.COLUMNS
    assert df["channel"].iloc[-1] == "total"
    assert (df["channel"] == "total").sum() == 1


def test_paid_channel_ratios_match_metrics(run, nov):
    y = rows(roi(run, nov))["yandex_direct"]
    assert y["spend"] == 5000 and y["impressions"] == 30000 and y["clicks"] == 400
    assert y["sessions"] == 2 and y["leads"] == 3 and y["target_leads"] == 2
    assert y["won_deals"] == 3 and y["new_clients"] == 2
    assert y["revenue"] == 21000 and y["gross_profit"] == 12000
    assert y["ctr_pct"] == pytest.approx(400 / 30000 * 100)
    assert y["cpc"] == pytest.approx(12.5)
    assert y["cpl"] == pytest.approx(5000 / 3)
    assert y["cpo"] == pytest.approx(5000 / 3)
    assert y["cac"] == pytest.approx(2500)
    assert y["romi_pct"] == pytest.approx(320)
    assert y["profit_romi_pct"] == pytest.approx(140)
    assert y["roas"] == pytest.approx(4.2)
    assert y["drr_pct"] == pytest.approx(5000 / 21000 * 100)


def test_total_ratios_come_from_total_sums(run, nov):
    t = rows(roi(run, nov))["total"]
    assert t["spend"] == 6000 and t["impressions"] == 35000 and t["clicks"] == 450
    assert t["sessions"] == 5 and t["leads"] == 7 and t["target_leads"] == 6
    assert t["won_deals"] == 6 and t["new_clients"] == 4
    assert t["revenue"] == 32000 and t["gross_profit"] == 17500
    assert t["romi_pct"] == pytest.approx((32000 - 6000) / 6000 * 100)
    assert t["profit_romi_pct"] == pytest.approx((17500 - 6000) / 6000 * 100)
    assert t["roas"] == pytest.approx(32000 / 6000)
    assert t["drr_pct"] == pytest.approx(18.75)
    assert t["cpl"] == pytest.approx(6000 / 7)
    assert t["cpo"] == pytest.approx(1000)
    assert t["cac"] == pytest.approx(1500)
    assert t["ctr_pct"] == pytest.approx(450 / 35000 * 100)
    assert t["cpc"] == pytest.approx(6000 / 450)


def test_rows_where_money_and_results_do_not_meet_are_kept(run, nov):
    r = rows(roi(run, nov))
    # spend with nothing tracked: ROMI −100 %, no cost per lead
    vk = r["vk_ads"]
    assert vk["spend"] == 1000 and vk["leads"] == 0 and vk["revenue"] == 0
    assert vk["romi_pct"] == pytest.approx(-100) and pd.isna(vk["cpl"]) and pd.isna(vk["drr_pct"])
    assert roi_mod.status(vk) == "no_results"
    # leads and revenue without spend: shown, money ratios empty (nothing to pay back)
    d = r["direct"]
    assert d["spend"] == 0 and d["leads"] == 2 and d["revenue"] == 6000
    assert pd.isna(d["romi_pct"]) and pd.isna(d["cpl"]) and pd.isna(d["roas"])
    assert roi_mod.status(d) == "organic"
    # revenue of a deal without a lead
    u = r["unknown"]
    assert u["revenue"] == 3000 and u["won_deals"] == 1 and u["leads"] == 0
    assert roi_mod.status(u) == "unknown"
    assert roi_mod.status(r["yandex_direct"]) == "profitable"


def test_margin_option_overrides_the_setting_and_order_costs_win(run, nov):
    # margin 100 %: gross profit = revenue except DC, whose order cost 3000 is known
    t = rows(roi(run, nov, margin_pct="100"))["total"]
    assert t["gross_profit"] == 32000 - 3000
    t = rows(roi(run, nov, margin_pct="20"))["total"]
    # DA 2400 + DB 1200 + DC 6000 + DF 600 + DI 400
    assert t["gross_profit"] == pytest.approx(10600)


def test_default_margin_is_100_without_a_setting(tmp_path, nov):
    path = tmp_path / "nomargin.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(ROI_SQL.replace("('margin_pct', '50')", "('language', 'en')"))
    r = db.Reader(path).query
    assert roi_mod.margin_pct(r) == (100.0, "default")
    assert rows(roi(r, nov))["total"]["gross_profit"] == 29000


@pytest.mark.parametrize("bad", ["abc", "150", "-1"])
def test_bad_margin_is_one_sentence(run, nov, bad):
    with pytest.raises(FullfunnelError) as e:
        roi(run, nov, margin_pct=bad)
    assert "0 to 100" in str(e.value) and "\n" not in str(e.value)


def test_other_currency_never_enters_the_sums(run, nov):
    assert "google_ads" not in rows(roi(run, nov))
    usd = rows(roi(run, replace(nov, currency="USD")))
    assert usd["google_ads"]["spend"] == 100 and usd["google_ads"]["clicks"] == 10
    assert usd["yandex_direct"]["revenue"] == 500 and usd["yandex_direct"]["spend"] == 0
    assert usd["total"]["spend"] == 100 and usd["total"]["revenue"] == 500


# ---------------------------------------------------------------- attribution


def test_last_non_direct_skips_direct_and_old_touches(run, nov):
    rev = col(roi(run, nov, by="campaign"), "revenue")
    assert rev["yandex_direct/brand"] == 12000      # DA: the latest non-direct touch before LA
    assert rev["yandex_direct/generic"] == 9000     # DC: its own lead
    assert rev["direct"] == 6000                    # DB: email was 160 days earlier
    assert rev["seo"] == 2000 and rev["unknown"] == 3000


def test_first_touch(run, nov):
    rev = col(roi(run, nov, attribution="first"), "revenue")
    assert rev == {"seo": 14000, "email": 6000, "vk_ads": 9000, "unknown": 3000, "yandex_direct": 0,
                   "direct": 0, "total": 32000}


def test_first_touch_leaves_the_paid_channel_unprofitable(run, nov):
    y = rows(roi(run, nov, attribution="first"))["yandex_direct"]
    assert y["revenue"] == 0 and y["won_deals"] == 1 and y["romi_pct"] == pytest.approx(-100)
    assert roi_mod.status(y) == "unprofitable"


def test_linear_splits_equally_over_distinct_channels(run, nov):
    df = roi(run, nov, attribution="linear")
    rev = col(df, "revenue")
    assert rev["seo"] == pytest.approx(6000)
    assert rev["yandex_direct"] == pytest.approx(8500)
    assert rev["direct"] == pytest.approx(10000)
    assert rev["vk_ads"] == pytest.approx(4500)
    assert rev["unknown"] == pytest.approx(3000)
    won = col(df, "won_deals")
    assert won["yandex_direct"] == pytest.approx(1 / 3 + 1 / 2 + 1)   # DA, DC, DG
    assert won["total"] == pytest.approx(6)


def test_linear_campaigns_split_their_channel_share(run, nov):
    rev = col(roi(run, nov, attribution="linear", by="campaign"), "revenue")
    # DC: vk_ads 4500; yandex_direct 4500 over brand and generic; DA gives brand 4000 more
    assert rev["vk_ads/retarget"] == pytest.approx(4500)
    assert rev["yandex_direct/generic"] == pytest.approx(2250)
    assert rev["yandex_direct/brand"] == pytest.approx(4000 + 2250)


@pytest.mark.parametrize("model", roi_mod.MODELS)
@pytest.mark.parametrize("view", roi_mod.VIEWS)
@pytest.mark.parametrize("by", roi_mod.BY)
def test_totals_equal_the_sum_of_rows_under_every_model(run, nov, model, view, by):
    df = roi(run, nov, attribution=model, view=view, by=by)
    body, total = df[df["channel"] != "total"], df[df["channel"] == "total"].iloc[0]
    for c in roi_mod.ADDITIVE:
        assert body[c].sum() == pytest.approx(total[c]), c
    # revenue is the same under every model; only the split changes
    assert total["revenue"] == (32000 if view == "cohort" else 35000)
    assert total["won_deals"] == pytest.approx(6)


@pytest.mark.parametrize("model", roi_mod.MODELS)
def test_campaign_rows_add_up_to_their_channel_row(run, nov, model):
    by_channel = roi(run, nov, attribution=model).set_index("channel")
    by_campaign = roi(run, nov, attribution=model, by="campaign").groupby("channel")[roi_mod.ADDITIVE].sum()
    for ch in by_channel.index.drop("total"):
        for c in roi_mod.ADDITIVE:
            assert by_campaign.loc[ch, c] == pytest.approx(by_channel.loc[ch, c]), (ch, c)


def test_no_touch_history_every_model_is_the_lead_channel(run, nov):
    # DG (own lead yandex_direct/brand, no other touch) is a won deal there under every model
    for model in roi_mod.MODELS:
        assert col(roi(run, nov, attribution=model, by="campaign"), "won_deals")["yandex_direct/brand"] >= 1


# ---------------------------------------------------------------- views, filters, change, trend


def test_cash_view_counts_deals_won_in_the_period(run, nov):
    r = rows(roi(run, nov, view="cash"))
    assert r["total"]["revenue"] == 35000
    assert r["yandex_direct"]["revenue"] == 26000
    assert r["seo"]["revenue"] == 0                 # DI is won in December
    assert r["yandex_direct"]["spend"] == 5000      # spend is by its own date in both views


def test_channel_filter_keeps_only_that_channel(run, nov):
    df = roi(run, replace(nov, channels=("yandex_direct",)))
    assert df["channel"].tolist() == ["yandex_direct", "total"]
    assert df.iloc[1]["revenue"] == 21000 and df.iloc[1]["spend"] == 5000


def test_change_vs_previous_period(run, nov):
    cur = roi(run, nov)
    prev = roi(run, nov.shifted(nov.comparison_period))
    out = rows(roi_mod.with_change(cur, prev, ["spend", "revenue"]))
    # October: spend 500, DH 5000 (cohort of October leads)
    assert out["yandex_direct"]["spend_change_pct"] == pytest.approx(900)
    assert out["yandex_direct"]["revenue_change_pct"] == pytest.approx(320)
    assert pd.isna(out["vk_ads"]["spend_change_pct"])   # nothing in October: "—"


def test_trend_buckets_add_up_to_the_table(run, nov):
    tr = get("roi_trend").func(run, nov)
    totals = tr[tr["channel"] == "total"]
    # ISO weeks touching November: 10-26 … 11-30 → 6 buckets, each with a total row
    assert len(totals) == 6
    assert totals["spend"].sum() == 6000 and totals["revenue"].sum() == 32000
    body = tr[tr["channel"] != "total"]
    assert body.groupby("bucket")["revenue"].sum().sum() == 32000
    wk = totals.set_index(pd.to_datetime(totals["bucket"]).dt.date)
    # week of 11-02 … 11-08: spend 3000 + 2000 + 1000 = 6000; revenue of its leads' deals:
    # DC (lead 11-06) 9000 + DB (lead 11-08) 6000
    assert wk.loc[date(2026, 11, 2), "spend"] == 6000
    assert wk.loc[date(2026, 11, 2), "revenue"] == 15000
    assert wk.loc[date(2026, 11, 2), "romi_pct"] == pytest.approx((15000 - 6000) / 6000 * 100)


def test_empty_database_gives_a_zero_total(tmp_path, nov):
    path = tmp_path / "empty.duckdb"
    db.create_empty(path)
    df = roi(db.Reader(path).query, nov)
    assert df["channel"].tolist() == ["total"]
    assert df.iloc[0]["spend"] == 0 and pd.isna(df.iloc[0]["romi_pct"])


# ---------------------------------------------------------------- CLI


def test_cli_prints_the_table_with_the_total_last(roi_db, capsys):
    rc = cli.main(["report", "roi", "--db", str(roi_db), "--from", "2026-11-01", "--to", "2026-11-30",
                   "--attribution", "linear", "--view", "cohort", "--by", "channel", "--format", "json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out[-1]["channel"] == "total" and out[-1]["revenue"] == 32000
    assert {r["channel"]: r["revenue"] for r in out}["direct"] == pytest.approx(10000)


def test_cli_csv_header_and_margin(roi_db, capsys):
    rc = cli.main(["report", "roi", "--db", str(roi_db), "--from", "2026-11-01", "--to", "2026-11-30",
                   "--margin-pct", "100"])
    assert rc == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ",".join(roi_mod.COLUMNS)
    assert lines[-1].startswith("total,,6000.0,35000,450,")


def test_cli_bad_margin_is_one_sentence(roi_db, capsys):
    rc = cli.main(["report", "roi", "--db", str(roi_db), "--margin-pct", "lots"])
    assert rc == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err
