"""Marketer KPIs (METRICS.md "Marketer KPIs") on a tiny DB of three months, UTC, RUB, "today" = 2026-03-11.

March is in progress: days 1–10 of 31 are counted (up to yesterday; everything dated 03-11 is left out).

Leads:   Jan LA (seo, target), LJ (vk_ads, junk)                 → 2 leads, 1 target
         Feb LB, LC (vk_ads, target), LX (seo, junk)             → 3 leads, 2 target (vk_ads: 2, 2)
         Mar LD (seo, target) 03-05; LE (vk_ads) 03-11 = today   → 1 lead, 1 target so far
Spend:   Jan seo 1000; Feb vk_ads 3000 + seo 1000 (+ 99 USD, never added); Mar vk_ads 2000 on 03-02
         (+ seo 500 on 03-11 = today)                           → 1000 / 4000 / 2000 so far
Purchases (won deal or order; an order linked to a won deal is the same purchase):
  A: DA1 won 01-20 (lead LA, seo) = first; DA2 won 02-10 (no lead → unknown) = repeat;
     order O1 03-03 (two product rows, channel email) = repeat
  B: DB1 won 02-12 (lead LB, vk_ads) = first; order O4 03-08 (no channel → unknown) = repeat
  C: DC1 won 02-20 (lead LC, vk_ads) = first; order O2 02-25 is linked to DC1 → not a second purchase;
     DC2 lost → not a purchase
  D: order O3 03-06 (seo) = first.  E: order O5 03-11 = today → not counted yet
  → new clients Jan 1 (A), Feb 2 (B, C), Mar 1 (D); repeat Jan 0, Feb 1 (DA2), Mar 2 (O1, O4)
  → cost per client Jan 1000/1 = 1000, Feb 4000/2 = 2000, Mar 2000/1 = 2000;
    target CPL Jan 1000/1 = 1000, Feb 4000/2 = 2000, Mar 2000/1 = 2000
Reviews: Jan 5, 3 → 1 positive; Feb 4, 4, 3, 5 → 3; Mar 5, 2 (+ 4 on 03-11) → 1 so far
Plans:   Feb new_clients 2, positive_reviews 4 (company-wide), revenue 999 (not a KPI); per channel: leads
         vk_ads 2, seo 1; cac (alias of cost_per_client) vk_ads 1500;
         Mar clients 4 (alias of new_clients), leads 3, positive_reviews 2; new_clients 10 for manager Anna (ignored)

March (in progress, forecast = so far × 31 / 10):
  new clients 1 → forecast 3.1, vs Feb 2: growth (3.1 − 2) / 2 = 55 %; plan 4 → 25 %, forecast 77.5 %
  leads 1 → 3.1 vs 3: 3.33 %; plan 3 → 33.3 %.   spend 2000 → 6200 vs 4000: 55 %
  repeat purchases 2 → 6.2 vs 1: 520 %.   positive reviews 1 → 3.1 vs 3: 3.33 %; plan 2 → 50 %
  cost per client 2000 → forecast 2000 (a ratio keeps its value) vs 2000: 0 %
February (full month): new clients 2 vs 1: +100 %, plan 2 → 100 %; repeat 1 vs 0: "—"; positive 3 vs 1: +200 %,
  plan 4 → 75 %; no forecast.
February, channel vk_ads: leads 2, target 2, spend 3000, new clients 2 (B, C), cost per client 1500,
  repeat 0 (DA2 is 'unknown'), positive reviews still 3 (company-wide); plans: leads 2 (vk_ads row) → 100 %,
  new_clients none (the company-wide plan is not a vk_ads plan), positive_reviews 4 → 75 %,
  cost per client 1500 → 100 %.
February, channels vk_ads + seo: leads 3 (LB, LC, LX), plan 2 + 1 = 3 → 100 %; cost per client 4000 / 2 = 2000,
  no plan (a ratio plan is not added over channels).
"""
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from fullfunnel import FullfunnelError, cli, db
from fullfunnel.filters import Filters
from fullfunnel.periods import Period
from fullfunnel.reports import get
from fullfunnel.reports.kpis import default_month, kpis_full, month_info

TODAY = date(2026, 3, 11)
ROOT = Path(__file__).resolve().parent.parent

KPI_SQL = """
insert into settings values ('business_tz', 'UTC'), ('currency', 'RUB');
insert into leads (lead_id, created_at, channel, client_id, qualification) values
    ('LA', '2026-01-05 10:00:00+00', 'seo', 'A', 'target'),
    ('LJ', '2026-01-06 10:00:00+00', 'vk_ads', null, 'junk'),
    ('LB', '2026-02-02 10:00:00+00', 'vk_ads', 'B', 'target'),
    ('LC', '2026-02-03 10:00:00+00', 'vk_ads', 'C', 'target'),
    ('LX', '2026-02-04 10:00:00+00', 'seo', null, 'junk'),
    ('LD', '2026-03-05 10:00:00+00', 'seo', 'D', 'target'),
    ('LE', '2026-03-11 09:00:00+00', 'vk_ads', 'E', 'target');
insert into spend (date, channel, campaign, spend, currency) values
    ('2026-01-10', 'seo', '', 1000, 'RUB'),
    ('2026-02-10', 'vk_ads', '', 3000, 'RUB'),
    ('2026-02-11', 'seo', '', 1000, null),
    ('2026-02-12', 'google_ads', '', 99, 'USD'),
    ('2026-03-02', 'vk_ads', '', 2000, 'RUB'),
    ('2026-03-11', 'seo', '', 500, 'RUB');
insert into deals (deal_id, created_at, stage, status, lead_id, client_id, closed_at, amount, currency) values
    ('DA1', '2026-01-06 10:00:00+00', 'Won', 'won', 'LA', 'A', '2026-01-20 10:00:00+00', 100, 'RUB'),
    ('DA2', '2026-02-01 10:00:00+00', 'Won', 'won', null, 'A', '2026-02-10 10:00:00+00', 100, 'RUB'),
    ('DB1', '2026-02-02 11:00:00+00', 'Won', 'won', 'LB', 'B', '2026-02-12 10:00:00+00', 100, 'RUB'),
    ('DC1', '2026-02-03 11:00:00+00', 'Won', 'won', 'LC', 'C', '2026-02-20 10:00:00+00', 100, 'RUB'),
    ('DC2', '2026-02-21 11:00:00+00', 'Lost', 'lost', 'LC', 'C', '2026-02-22 10:00:00+00', 100, 'RUB');
insert into orders (order_id, ordered_at, client_id, product, revenue, deal_id, channel) values
    ('O1', '2026-03-03 10:00:00+00', 'A', 'cup', 10, null, 'email'),
    ('O1', '2026-03-03 10:00:00+00', 'A', 'plate', 20, null, 'email'),
    ('O2', '2026-02-25 10:00:00+00', 'C', 'cup', 10, 'DC1', null),
    ('O3', '2026-03-06 10:00:00+00', 'D', 'cup', 10, null, 'seo'),
    ('O4', '2026-03-08 10:00:00+00', 'B', 'cup', 10, null, null),
    ('O5', '2026-03-11 08:00:00+00', 'E', 'cup', 10, null, 'vk_ads');
insert into reviews (review_id, date, rating) values
    ('R1', '2026-01-10', 5), ('R2', '2026-01-11', 3),
    ('R3', '2026-02-01', 4), ('R4', '2026-02-02', 4), ('R5', '2026-02-03', 3), ('R6', '2026-02-04', 5),
    ('R7', '2026-03-04', 5), ('R8', '2026-03-05', 2), ('R9', '2026-03-11', 4);
insert into plans (month, metric, value, channel, manager) values
    ('2026-02-01', 'new_clients', 2, '', ''),
    ('2026-02-01', 'positive_reviews', 4, '', ''),
    ('2026-02-01', 'leads', 2, 'vk_ads', ''),
    ('2026-02-01', 'leads', 1, 'seo', ''),
    ('2026-02-01', 'cac', 1500, 'vk_ads', ''),
    ('2026-02-01', 'revenue', 999, '', ''),
    ('2026-03-01', 'clients', 4, '', ''),
    ('2026-03-01', 'leads', 3, '', ''),
    ('2026-03-01', 'positive_reviews', 2, '', ''),
    ('2026-03-01', 'new_clients', 10, '', 'Anna');
"""


@pytest.fixture(scope="module")
def kpi_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("kpis") / "kpis.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(KPI_SQL)
    return path


@pytest.fixture()
def run(kpi_db):
    return db.Reader(kpi_db).query


# the sidebar period is ignored: KPIs are monthly
F = Filters(period=Period(date(2026, 1, 1), date(2026, 1, 7)), tz="UTC", currency="RUB")


def rows(df):
    return {r["kpi"]: r for _, r in df.iterrows()}


def test_march_in_progress_value_so_far_growth_plan_and_pace_forecast(run):
    df = get("kpis").func(run, F, month="2026-03", today="2026-03-11")
    assert list(df.columns) == ["kpi", "value", "previous", "growth_pct", "plan", "plan_pct", "forecast"]
    assert df["kpi"].tolist() == ["new_clients", "cost_per_client", "leads", "target_leads", "target_cpl",
                                  "spend", "repeat_purchases", "positive_reviews"]
    r = rows(df)
    nc = r["new_clients"]
    assert (nc.value, nc.previous, nc.plan) == (1, 2, 4)
    assert nc.forecast == pytest.approx(3.1) and nc.growth_pct == pytest.approx(55.0)
    assert nc.plan_pct == pytest.approx(25.0)
    assert (r["leads"].value, r["leads"].previous, r["leads"].plan) == (1, 3, 3)
    assert r["leads"].growth_pct == pytest.approx(100 / 30) and r["leads"].plan_pct == pytest.approx(100 / 3)
    assert (r["spend"].value, r["spend"].previous) == (2000, 4000) and r["spend"].forecast == pytest.approx(6200)
    assert r["spend"].growth_pct == pytest.approx(55.0) and pd.isna(r["spend"].plan)
    rp = r["repeat_purchases"]
    assert (rp.value, rp.previous) == (2, 1) and rp.forecast == pytest.approx(6.2)
    assert rp.growth_pct == pytest.approx(520.0)
    pr = r["positive_reviews"]
    assert (pr.value, pr.previous, pr.plan, pr.plan_pct) == (1, 3, 2, 50)
    cpc = r["cost_per_client"]
    assert (cpc.value, cpc.previous, cpc.forecast, cpc.growth_pct) == (2000, 2000, 2000, 0)
    assert (r["target_cpl"].value, r["target_cpl"].previous) == (2000, 2000)


def test_full_month_has_no_forecast_and_growth_dash_from_zero(run):
    r = rows(get("kpis").func(run, F, month="2026-02", today="2026-03-11"))
    nc = r["new_clients"]
    assert (nc.value, nc.previous, nc.growth_pct, nc.plan, nc.plan_pct) == (2, 1, 100, 2, 100)
    assert pd.isna(nc.forecast)
    rp = r["repeat_purchases"]
    assert (rp.value, rp.previous) == (1, 0) and pd.isna(rp.growth_pct)  # previous 0 → "—"
    pr = r["positive_reviews"]
    assert (pr.value, pr.previous, pr.growth_pct, pr.plan, pr.plan_pct) == (3, 1, 200, 4, 75)
    assert pd.isna(r["leads"].plan)  # only a vk_ads plan exists for February's leads
    assert (r["cost_per_client"].value, r["target_cpl"].value) == (2000, 2000)


def test_forecast_plan_pct_for_the_page(run):
    _, df = kpis_full(run, F, "2026-03", TODAY)
    assert rows(df)["new_clients"].forecast_plan_pct == pytest.approx(77.5)  # 3.1 / 4


def test_channel_filter_applies_to_leads_spend_clients_but_not_reviews(run):
    r = rows(get("kpis").func(run, replace(F, channels=("vk_ads",)), month="2026-02", today="2026-03-11"))
    assert (r["leads"].value, r["target_leads"].value, r["spend"].value) == (2, 2, 3000)
    assert (r["new_clients"].value, r["cost_per_client"].value, r["repeat_purchases"].value) == (2, 1500, 0)
    assert r["positive_reviews"].value == 3
    assert (r["leads"].plan, r["leads"].plan_pct) == (2, 100)
    assert pd.isna(r["new_clients"].plan)
    assert (r["positive_reviews"].plan, r["positive_reviews"].plan_pct) == (4, 75)
    assert (r["cost_per_client"].plan, r["cost_per_client"].plan_pct) == (1500, 100)


def test_channel_plans_are_summed_only_for_counts(run):
    r = rows(get("kpis").func(run, replace(F, channels=("vk_ads", "seo")), month="2026-02", today="2026-03-11"))
    assert (r["leads"].value, r["leads"].plan, r["leads"].plan_pct) == (3, 3, 100)
    assert r["cost_per_client"].value == 2000 and pd.isna(r["cost_per_client"].plan)
    assert pd.isna(r["new_clients"].plan)  # neither channel has a new_clients plan


def test_kpis_by_month_twelve_months_oldest_first(run):
    df = get("kpis-by-month").func(run, F, month="2026-03", today="2026-03-11")
    assert list(df.columns) == ["month", "new_clients", "cost_per_client", "leads", "target_leads", "target_cpl",
                                "spend", "repeat_purchases", "positive_reviews"]
    assert len(df) == 12 and df["month"].iloc[0] == date(2025, 4, 1) and df["month"].iloc[-1] == date(2026, 3, 1)
    got = df.set_index("month").loc[[date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]]
    assert got["new_clients"].tolist() == [1, 2, 1]
    assert got["repeat_purchases"].tolist() == [0, 1, 2]
    assert got["leads"].tolist() == [2, 3, 1] and got["target_leads"].tolist() == [1, 2, 1]
    assert got["spend"].tolist() == [1000, 4000, 2000]
    assert got["cost_per_client"].tolist() == [1000, 2000, 2000]
    assert got["positive_reviews"].tolist() == [1, 3, 1]
    assert df.set_index("month").loc[date(2025, 12, 1), "leads"] == 0
    assert pd.isna(df.set_index("month").loc[date(2025, 12, 1), "cost_per_client"])  # no clients → "—"


def test_default_month_and_days_counted():
    assert default_month(date(2026, 3, 11)) == date(2026, 3, 1)
    assert default_month(date(2026, 3, 1)) == date(2026, 2, 1)  # the 1st has no full day of data yet
    m = month_info(None, TODAY)
    assert (m.start, m.data_to, m.days_elapsed, m.days_in_month, m.in_progress) == (
        date(2026, 3, 1), date(2026, 3, 10), 10, 31, True)
    assert not month_info("2026-02", TODAY).in_progress


@pytest.mark.parametrize("month, words", [("2026-04", "has not started yet"), ("March", "not a month like"),
                                          ("2026-13", "not a month like")])
def test_bad_month_is_one_sentence(run, month, words):
    with pytest.raises(FullfunnelError, match=words):
        get("kpis").func(run, F, month=month, today="2026-03-11")
    with pytest.raises(FullfunnelError, match="no full day of data yet"):
        get("kpis").func(run, F, month="2026-03", today="2026-03-01")


def test_cli(kpi_db, capsys):
    rc = cli.main(["report", "kpis", "--db", str(kpi_db), "--month", "2026-03", "--today", "2026-03-11",
                   "--format", "json"])
    assert rc == 0
    out = {r["kpi"]: r for r in json.loads(capsys.readouterr().out)}
    assert out["new_clients"]["value"] == 1 and out["new_clients"]["forecast"] == pytest.approx(3.1)
    assert out["new_clients"]["plan_pct"] == pytest.approx(25.0)
    rc = cli.main(["report", "kpis", "--db", str(kpi_db), "--month", "2026-04", "--today", "2026-03-11"])
    assert rc == 1 and "has not started yet" in capsys.readouterr().err


# ---------------------------------------------------------------- the page


def open_kpis(monkeypatch, path, **state):
    from streamlit.testing.v1 import AppTest

    from fullfunnel import periods

    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    monkeypatch.setattr(periods, "today_in", lambda tz, now=None: TODAY)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in state.items():
        at.session_state[k] = v
    at.switch_page("pages/kpis.py")
    return at.run()


def test_page_cards_show_so_far_growth_forecast_and_plan(monkeypatch, kpi_db):
    at = open_kpis(monkeypatch, kpi_db)
    assert not at.exception
    m = {x.label: x for x in at.metric}
    assert m["New clients"].value == "1" and m["New clients"].delta == "+55.0%"
    assert m["Ad spend"].value == "₽2,000"
    assert any("March 2026 so far: Mar 1, 2026 – Mar 10, 2026, 10 of 31 days" in x.value for x in at.markdown)
    captions = " ".join(c.value for c in at.caption)
    assert "days 1–10 of 31" in captions
    assert "Plan 4 · done 25% · forecast 3 (78%)" in captions


def test_page_past_month_in_russian_with_a_channel(monkeypatch, kpi_db):
    at = open_kpis(monkeypatch, kpi_db, lang="ru", kpi_month="2026-02", channels=["vk_ads"])
    assert not at.exception
    assert at.title[0].value == "KPI маркетолога"
    m = {x.label: x for x in at.metric}
    assert m["Новые клиенты"].value == "2" and m["Цена клиента"].value == "1\u00a0500\u00a0₽"
    assert m["Положительные отзывы"].value == "3"
    captions = " ".join(c.value for c in at.caption)
    assert "фильтр по каналам к ним не применяется" in captions
