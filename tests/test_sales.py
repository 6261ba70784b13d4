"""Sales team report, series, plan pace and page on a small hand-made database (business zone UTC, RUB).

Managers Anna and Boris, and work nobody owns. November 2026 (the period), by hand:
  activities: Anna calls A1 (11-02), A2 (11-03), meeting A3 (11-05), email A4 (ignored);
              Boris call A5 (11-10), meeting A6 (11-20); Boris call A7 is 10-31 23:30 → October.
  leads:      Anna L1 L2 L3; Boris L4 L5; nobody L6 (11-06). L0 (Anna) is from October.
  won deals:  Anna D1 (L1, 10 000 RUB, 11-10), D2 (L2, 6 000, no currency = RUB, 11-12),
              D3 (L0, 2 000 RUB, 11-15);  Boris D4 (L4, 500 USD, 11-20), D5 (L5, 9 000 RUB, 11-21);
              nobody D7 (no lead, 3 000 RUB, 11-25). Not won in November: D6 (L5, won 12-02),
              D8 (L3, lost), D9 (open), D10 (Anna, won 10-25, 9 000 RUB).
  plans:      revenue Anna 20 000 / Boris 10 000 for November, Anna 31 000 for October;
              a team plan (no manager) and a 'leads' plan are not manager revenue plans.

  manager     calls meetings leads won revenue avg_check  leads_won conv     plan    plan %
  Anna            2        1     3   3  18 000  6 000     L1 L2 = 2  66.7 %  20 000  90 %
  Boris           1        1     2   2   9 000  9 000 (¹) L4 L5 = 2 100 %    10 000  90 %
  (no manager)    0        0     1   1   3 000  3 000          0     0 %       —      —
  total           3        2     6   6  30 000  6 000 (²)      4   66.7 %  30 000 100 %
  (¹) D4 is in USD: a won deal, but not in revenue nor in the average check (9 000 / 1).
  (²) 30 000 / 5 won deals in RUB. L5 has two won deals (D5, D6) and counts once.

Previous period (the 30 days before: 10-02 … 10-31): Anna leads 1 (L0), won 1 (D10), revenue 9 000
  → Anna revenue +100 %, won deals +200 %; Boris calls 1 (A7) → calls 0 %; Anna calls 0 → "—".
Proration, 10-25 … 11-07: Anna 31 000 × 7/31 + 20 000 × 7/30 = 7 000 + 4 666.67 = 11 666.67;
  Boris 10 000 × 7/30 = 2 333.33.
Pace on 2026-11-11 (10 complete days of 30): Anna so far D1 = 10 000 → forecast 10 000 × 30 / 10 = 30 000
  = 150 % of 20 000 (fact 50 %); Boris 0 → 0 %; team 10 000 → 30 000 = 100 % of 30 000.
"""
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from fullfunnel import cli, db
from fullfunnel.filters import Filters
from fullfunnel.periods import Period
from fullfunnel.reports import get
from fullfunnel.reports.sales import pace, plan_by_month, team_with_change, won_over_time

ROOT = Path(__file__).resolve().parent.parent
NOV = Period(date(2026, 11, 1), date(2026, 11, 30))

SALES_SQL = """
insert into settings values ('business_tz', 'UTC'), ('currency', 'RUB');
insert into activities (activity_id, "at", manager, type) values
    ('A1', '2026-11-02 10:00:00+00', 'Anna', 'call'),
    ('A2', '2026-11-03 10:00:00+00', 'Anna', 'call'),
    ('A3', '2026-11-05 10:00:00+00', 'Anna', 'meeting'),
    ('A4', '2026-11-05 11:00:00+00', 'Anna', 'email'),
    ('A5', '2026-11-10 10:00:00+00', 'Boris', 'call'),
    ('A6', '2026-11-20 10:00:00+00', 'Boris', 'meeting'),
    ('A7', '2026-10-31 23:30:00+00', 'Boris', 'call');
insert into leads (lead_id, created_at, channel, manager) values
    ('L0', '2026-10-20 10:00:00+00', 'seo', 'Anna'),
    ('L1', '2026-11-01 10:00:00+00', 'seo', 'Anna'),
    ('L2', '2026-11-02 10:00:00+00', 'vk_ads', 'Anna'),
    ('L3', '2026-11-03 10:00:00+00', 'seo', 'Anna'),
    ('L4', '2026-11-04 10:00:00+00', 'seo', 'Boris'),
    ('L5', '2026-11-05 10:00:00+00', 'vk_ads', 'Boris'),
    ('L6', '2026-11-06 10:00:00+00', 'seo', null);
insert into deals (deal_id, created_at, stage, status, lead_id, closed_at, amount, currency, manager) values
    ('D1', '2026-11-01 12:00:00+00', 'Won', 'won', 'L1', '2026-11-10 10:00:00+00', 10000, 'RUB', 'Anna'),
    ('D2', '2026-11-02 12:00:00+00', 'Won', 'won', 'L2', '2026-11-12 10:00:00+00', 6000, null, 'Anna'),
    ('D3', '2026-10-20 12:00:00+00', 'Won', 'won', 'L0', '2026-11-15 10:00:00+00', 2000, 'RUB', 'Anna'),
    ('D4', '2026-11-04 12:00:00+00', 'Won', 'won', 'L4', '2026-11-20 10:00:00+00', 500, 'USD', 'Boris'),
    ('D5', '2026-11-05 12:00:00+00', 'Won', 'won', 'L5', '2026-11-21 10:00:00+00', 9000, 'RUB', 'Boris'),
    ('D6', '2026-11-06 12:00:00+00', 'Won', 'won', 'L5', '2026-12-02 10:00:00+00', 1000, 'RUB', 'Boris'),
    ('D7', '2026-11-20 12:00:00+00', 'Won', 'won', null, '2026-11-25 10:00:00+00', 3000, 'RUB', null),
    ('D8', '2026-11-03 12:00:00+00', 'Lost', 'lost', 'L3', '2026-11-20 10:00:00+00', 4000, 'RUB', 'Anna'),
    ('D9', '2026-11-05 12:00:00+00', 'New', 'open', null, null, 7000, 'RUB', 'Boris'),
    ('D10', '2026-10-01 12:00:00+00', 'Won', 'won', null, '2026-10-25 10:00:00+00', 9000, 'RUB', 'Anna');
insert into plans (month, metric, value, channel, manager) values
    ('2026-11-01', 'revenue', 20000, '', 'Anna'),
    ('2026-11-01', 'revenue', 10000, '', 'Boris'),
    ('2026-10-01', 'revenue', 31000, '', 'Anna'),
    ('2026-11-01', 'revenue', 99000, '', ''),
    ('2026-11-01', 'leads', 50, '', 'Anna');
"""


@pytest.fixture(scope="module")
def sales_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("sales") / "sales.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(SALES_SQL)
    return path


@pytest.fixture(scope="module")
def run(sales_db):
    return db.Reader(sales_db).query


@pytest.fixture
def nov():
    return Filters(period=NOV, tz="UTC", currency="RUB")


def rows(df):
    """Rows by manager; the total row of the raw queries (manager null, is_total) as "(total)"."""
    total = df["is_total"] if "is_total" in df else [False] * len(df)
    return {("(total)" if t else r["manager"]): r for t, (_, r) in zip(total, df.iterrows())}


def test_sales_team_columns_and_hand_counted_numbers(run, nov):
    df = get("sales-team").func(run, nov)
    assert list(df.columns) == ["manager", "calls", "meetings", "leads", "won_deals", "revenue", "avg_check",
                                "lead_to_won_pct", "revenue_plan", "plan_pct"]
    assert df["manager"].tolist() == ["Anna", "Boris", "(no manager)", "(total)"]  # most revenue first
    r = rows(df)
    a, b, nobody, total = r["Anna"], r["Boris"], r["(no manager)"], r["(total)"]
    assert (a.calls, a.meetings, a.leads, a.won_deals, a.revenue, a.avg_check) == (2, 1, 3, 3, 18000, 6000)
    assert a.lead_to_won_pct == pytest.approx(200 / 3)
    assert (a.revenue_plan, a.plan_pct) == (20000, 90)
    assert (b.calls, b.meetings, b.leads, b.won_deals, b.revenue, b.avg_check) == (1, 1, 2, 2, 9000, 9000)
    assert b.lead_to_won_pct == 100 and (b.revenue_plan, b.plan_pct) == (10000, 90)
    assert (nobody.leads, nobody.won_deals, nobody.revenue, nobody.lead_to_won_pct) == (1, 1, 3000, 0)
    assert pd.isna(nobody.revenue_plan) and pd.isna(nobody.plan_pct)
    assert (total.calls, total.meetings, total.leads, total.won_deals, total.revenue) == (3, 2, 6, 6, 30000)
    assert total.avg_check == 6000 and total.lead_to_won_pct == pytest.approx(400 / 6)
    assert (total.revenue_plan, total.plan_pct) == (30000, 100)


def test_total_row_is_the_sum_of_the_rows_and_matches_the_overview(run, nov):
    df = get("sales-team").func(run, nov)
    body, total = df.iloc[:-1], df.iloc[-1]
    for c in ("calls", "meetings", "leads", "won_deals", "revenue", "revenue_plan"):
        assert body[c].sum() == total[c], c
    ov = dict(zip(*get("overview").func(run, nov)[["metric", "value"]].T.values))
    assert (ov["leads"], ov["won_deals"], ov["revenue"]) == (total.leads, total.won_deals, total.revenue)


def test_channel_filter_does_not_apply(run, nov):
    a = get("sales-team").func(run, nov)
    b = get("sales-team").func(run, replace(nov, channels=("vk_ads",)))
    pd.testing.assert_frame_equal(a, b)


def test_plan_is_prorated_by_day_over_the_months_of_the_period(run, nov):
    r = rows(get("sales-team").func(run, replace(nov, period=Period(date(2026, 10, 25), date(2026, 11, 7)))))
    assert r["Anna"].revenue_plan == pytest.approx(31000 * 7 / 31 + 20000 * 7 / 30)
    assert r["Boris"].revenue_plan == pytest.approx(10000 * 7 / 30)
    half = rows(get("sales-team").func(run, replace(nov, period=Period(date(2026, 11, 1), date(2026, 11, 15)))))
    assert half["Anna"].revenue_plan == 10000 and half["Anna"].revenue == 18000 and half["Anna"].plan_pct == 180


def test_team_plan_by_month_is_prorated_like_the_table(run, nov):
    df = plan_by_month(run, replace(nov, period=Period(date(2026, 10, 25), date(2026, 11, 7))))
    got = dict(zip(df["bucket"], df["revenue_plan"]))
    assert got == pytest.approx({date(2026, 10, 1): 7000, date(2026, 11, 1): (20000 + 10000) * 7 / 30})


def test_a_period_with_nothing_has_only_a_zero_total(run, nov):
    df = get("sales-team").func(run, replace(nov, period=Period(date(2020, 1, 1), date(2020, 1, 31))))
    assert df["manager"].tolist() == ["(total)"] and df["revenue"].iloc[0] == 0
    assert pd.isna(df["avg_check"].iloc[0]) and pd.isna(df["plan_pct"].iloc[0])


def test_change_vs_previous_period(run, nov):
    r = rows(team_with_change(run, nov))
    a, b = r["Anna"], r["Boris"]
    assert (a.revenue_prev, a.revenue_change_pct) == (9000, 100)
    assert (a.won_deals_prev, a.won_deals_change_pct) == (1, 200)
    assert a.calls_prev == 0 and pd.isna(a.calls_change_pct)          # nothing before → "—"
    assert (b.calls_prev, b.calls_change_pct) == (1, 0)
    assert r["(total)"].revenue_prev == 9000 and r["(total)"].calls_prev == 1


def test_won_over_time_by_week(run, nov):
    df = won_over_time(run, replace(nov, grain="week"))
    got = {(b.isoformat(), m): (n, rev) for b, m, n, rev in df[["bucket", "manager", "won_deals", "revenue"]].itertuples(index=False)
           if n}
    assert got == {("2026-11-09", "Anna"): (3, 18000), ("2026-11-16", "Boris"): (2, 9000),
                   ("2026-11-23", ""): (1, 3000)}
    assert sorted(df["bucket"].unique()) == [date(2026, 10, 26), date(2026, 11, 2), date(2026, 11, 9),
                                             date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
    assert df["won_deals"].sum() == 6 and df["revenue"].sum() == 30000  # = the team total
    by_period = get("sales-by-period").func(run, replace(nov, grain="month"))
    assert set(by_period["manager"]) == {"Anna", "Boris", "(no manager)"}


def test_pace_forecast_for_the_current_month(run, nov):
    df = pace(run, nov, date(2026, 11, 11))
    r = rows(df)
    a, b, total = r["Anna"], r["Boris"], r["(total)"]
    assert (a.days_elapsed, a.days_in_month, a.revenue_so_far, a.forecast) == (10, 30, 10000, 30000)
    assert (a.forecast_pct, a.fact_pct) == (150, 50)
    assert (b.revenue_so_far, b.forecast, b.forecast_pct) == (0, 0, 0)
    assert (total.forecast, total.revenue_plan, total.forecast_pct) == (30000, 30000, 100)


def test_pace_counts_complete_days_only(run, nov):
    # On 11-10 the deal won that day is not in yet: 9 complete days, nothing won so far.
    a = rows(pace(run, nov, date(2026, 11, 10)))["Anna"]
    assert (a.days_elapsed, a.revenue_so_far, a.forecast) == (9, 0, 0)
    # On the 1st no day of the month is over: there is no forecast yet.
    first = rows(pace(run, nov, date(2026, 11, 1)))["Anna"]
    assert first.days_elapsed == 0 and first.forecast != first.forecast  # NaN


def test_cli_sales_team_and_pace(sales_db, capsys):
    rc = cli.main(["report", "sales-team", "--db", str(sales_db), "--from", "2026-11-01", "--to", "2026-11-30",
                   "--format", "json"])
    assert rc == 0
    out = {r["manager"]: r for r in json.loads(capsys.readouterr().out)}
    assert out["Anna"]["revenue"] == 18000 and out["(total)"]["plan_pct"] == 100
    rc = cli.main(["report", "sales-pace", "--db", str(sales_db), "--today", "2026-11-11"])
    assert rc == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "manager,month,days_elapsed,days_in_month,revenue_so_far,forecast,revenue_plan,fact_pct,forecast_pct"
    assert lines[1].startswith("Anna,2026-11-01,10,30,10000.0,30000.0,20000.0,50.0,150.0")


def _page(monkeypatch, path, **widgets) -> AppTest:
    # The page file on its own (tests/test_app.py opens it through app.py as well).
    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    monkeypatch.syspath_prepend(str(ROOT))
    at = AppTest.from_file(str(ROOT / "pages" / "sales_team.py"), default_timeout=60)
    for k, v in widgets.items():
        at.session_state[k] = v
    return at.run()


def test_page_shows_the_team_and_the_managers(monkeypatch, sales_db):
    at = _page(monkeypatch, sales_db, lang="en", period="custom", **{"from": NOV.start, "to": NOV.end})
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert at.title[0].value == "Sales team"
    cards = {m.label: m.value for m in at.metric}
    assert cards["Revenue"] == "₽30,000" and cards["Plan done"] == "100%" and cards["Won deals"] == "6"
    assert cards["Calls"] == "3" and cards["Meetings"] == "2" and cards["Lead → won"] == "66.7%"
    table = at.dataframe[0].value
    table = table.data if hasattr(table, "data") else table  # a Styler
    assert table["manager"].tolist() == ["Anna", "Boris", "(no manager)", "Team total"]
    assert table["revenue"].tolist() == [18000, 9000, 3000, 30000]
    assert table["plan_pct"].tolist() == [90, 90, float("inf"), 100]  # inf is shown as "—"


def test_page_on_a_period_with_nothing_and_by_month(monkeypatch, sales_db):
    at = _page(monkeypatch, sales_db, lang="en", period="custom", **{"from": date(2020, 1, 1), "to": date(2020, 1, 31)})
    assert not at.exception
    assert "No deal was won in this period." in [i.value for i in at.info]
    at = _page(monkeypatch, sales_db, lang="en", period="custom", grain="month",
               **{"from": date(2026, 10, 1), "to": NOV.end})
    assert not at.exception
    assert any(c.value.startswith("Black marks: the team's revenue plan") for c in at.caption)


def test_page_in_russian_and_on_an_empty_database(monkeypatch, tmp_path, sales_db):
    at = _page(monkeypatch, sales_db, lang="ru", period="custom", **{"from": NOV.start, "to": NOV.end})
    assert not at.exception and at.title[0].value == "Отдел продаж"
    assert {m.label: m.value for m in at.metric}["Выручка"] == "30\u00a0000\u00a0₽"
    empty = db.create_empty(tmp_path / "empty.duckdb")
    at = _page(monkeypatch, empty, lang="en")
    assert not at.exception
    assert "import" in at.info[0].value.lower()


@pytest.mark.parametrize("tz, first, last", [
    # UTC+14: 2026-11-01 00:00 there is 10-31 10:00 UTC; 11-30 24:00 there is 11-30 10:00 UTC
    ("Pacific/Kiritimati", "2026-10-31 10:00:00+00", "2026-11-30 09:59:00+00"),
    # UTC−11: 2026-11-01 00:00 there is 11-01 11:00 UTC; 11-30 24:00 there is 12-01 11:00 UTC
    ("Pacific/Pago_Pago", "2026-11-01 11:00:00+00", "2026-12-01 10:59:00+00"),
])
def test_the_period_ends_on_business_days_in_far_zones(tmp_path, tz, first, last):
    """An activity, lead or won deal a minute inside either end of the period counts; one outside does not."""
    from datetime import datetime, timedelta

    path = tmp_path / "far.duckdb"
    t0, t1 = datetime.fromisoformat(first), datetime.fromisoformat(last)
    with db.writer(path, fresh=True) as con:
        for i, at in enumerate([t0, t1, t0 - timedelta(minutes=1), t1 + timedelta(minutes=2)]):
            con.execute("insert into activities (activity_id, \"at\", manager, type) values (?, ?, 'Anna', 'call')",
                        [f"A{i}", at])
            con.execute("insert into leads (lead_id, created_at, channel, manager) values (?, ?, 'seo', 'Anna')",
                        [f"L{i}", at])
            con.execute("insert into deals (deal_id, created_at, stage, status, closed_at, amount, currency, manager) "
                        "values (?, ?, 'Won', 'won', ?, 100, 'RUB', 'Anna')", [f"D{i}", at, at])
    df = get("sales-team").func(db.Reader(path).query, Filters(period=NOV, tz=tz, currency="RUB"))
    anna = rows(df)["Anna"]
    assert (anna["calls"], anna["leads"], anna["won_deals"], anna["revenue"]) == (2, 2, 2, 200)
