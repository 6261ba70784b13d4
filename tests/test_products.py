"""Products, the daily product report, on a tiny hand-worked database.

Business time zone Europe/Moscow (UTC+3); margin_pct setting 40 %. The period is the week
2026-03-01 (a Sunday) … 03-07; the comparison period is 02-22 … 02-28. Order lines (times UTC):

  O8  02-25 10:00  K1  Alpha    q10  rev 1000  cost 800   RUB  yandex_direct    (previous period)
  O9  02-26 10:00  K6  Charlie  q1   rev 2000  cost 400   RUB  yandex_direct    (previous period)
  O0  02-28 21:30  K5  Alpha    q5   rev  500  cost 400   RUB  yandex_direct    = 03-01 00:30 in Moscow
  O1  03-01 10:00  K1  Alpha    q10  rev 1000  cost 800   RUB  yandex_direct
  O1  03-01 10:00  K1  Bravo    q1   rev  500  no cost    RUB  yandex_direct
  O2  03-02 12:00  K2  Alpha    q10  rev 1000  cost 800   (no currency = RUB)  yandex_direct
  O3  03-03 09:00  K1  Charlie  q1   rev 2000  cost 400   RUB  yandex_direct
  O4  03-04 09:00  K3  Delta    q4   rev 1200  cost 600   RUB  no channel, deal D1 ← lead L1 (vk_ads)
  O5  03-05 09:00  K3  Delta    q2   rev  600  cost 300   RUB  no channel, deal D1 ← lead L1 (vk_ads)
  O5  03-05 09:00  K3  Bravo    no q rev  500  no cost    RUB  no channel, deal D1 ← lead L1 (vk_ads)
  O6  03-06 09:00  K4  Echo     q1   rev  100  cost 10    USD  (another currency: left out)
  O7  03-07 21:30  K5  Charlie  q1   rev 2000  cost 400   RUB  = 03-08 00:30 in Moscow: outside

Per product in the period (RUB; Bravo has no cost: cost = revenue × (1 − 40 %) = 300 a line):
  rank product  qty  orders  revenue  cost  profit  margin  repeat orders (client ordered before)
  1    Alpha     25    3      2500    2000    500    20 %   1 (O1: K1 had O8)
  2    Charlie    1    1      2000     400   1600    80 %   1 (O3: K1)
  3    Delta      6    2      1800     900    900    50 %   1 (O5: K3 had O4)
  4    Bravo      2    2      1000     600    400    40 %   2 (O1, O5)
  median quantity (1, 2, 6, 25) = 4; median margin (20, 40, 50, 80) = 45 %
  promote (margin > 45 and qty < 4): Charlie only (Bravo sells little but at 40 %).
  With the default margin 100 % Bravo's margin is 100 %, the median margin (20, 50, 80, 100) = 65 %,
  and Bravo (qty 2) joins Charlie.
Totals: revenue 7300, cost 3900, gross profit 3400, margin 46.58 %, orders 6 (O0…O5),
  average check 7300 / 6 = 1216.67, repeat orders 3 (O1, O3, O5), 1 line in another currency.
Previous period: Alpha (O8) 1000, Charlie (O9) 2000 → revenue 3000, cost 1200, orders 2, check 1500;
  ranks Charlie 1, Alpha 2. Changes: revenue +143.3 %, orders +200 %, check −18.9 %; Alpha +150 %.
In UTC instead: O0 falls on 02-28 (out), O7 on 03-07 (in): Alpha qty 20, Charlie qty 2.
Weeks (Monday first): 02-23 holds only 03-01: Alpha 1500 (q15), Bravo 500; 03-02 … 03-07: Alpha 1000,
  Charlie 2000, Delta 1800, Bravo 500.
"""
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from fullfunnel import FullfunnelError, cli, db
from fullfunnel.filters import Filters
from fullfunnel.periods import Period
from fullfunnel.reports import get
from fullfunnel.reports.products import bestsellers, bestsellers_with_change, revenue_over_time, totals
from fullfunnel.reports.roi import BadMargin

SQL = """
insert into settings values ('business_tz', 'Europe/Moscow'), ('currency', 'RUB'), ('margin_pct', '40');
insert into leads (lead_id, created_at, channel, client_id) values ('L1', '2026-03-03 09:00:00+00', 'vk_ads', 'K3');
insert into deals (deal_id, created_at, stage, status, lead_id, client_id, closed_at, amount, currency) values
    ('D1', '2026-03-03 10:00:00+00', 'Won', 'won', 'L1', 'K3', '2026-03-04 09:00:00+00', 1800, 'RUB');
insert into orders (order_id, ordered_at, client_id, product, revenue, quantity, cost, deal_id, channel, currency) values
    ('O8', '2026-02-25 10:00:00+00', 'K1', 'Alpha',   1000, 10,   800,  null, 'yandex_direct', 'RUB'),
    ('O9', '2026-02-26 10:00:00+00', 'K6', 'Charlie', 2000, 1,    400,  null, 'yandex_direct', 'RUB'),
    ('O0', '2026-02-28 21:30:00+00', 'K5', 'Alpha',    500, 5,    400,  null, 'yandex_direct', 'RUB'),
    ('O1', '2026-03-01 10:00:00+00', 'K1', 'Alpha',   1000, 10,   800,  null, 'yandex_direct', 'RUB'),
    ('O1', '2026-03-01 10:00:00+00', 'K1', 'Bravo',    500, 1,    null, null, 'yandex_direct', 'RUB'),
    ('O2', '2026-03-02 12:00:00+00', 'K2', 'Alpha',   1000, 10,   800,  null, 'yandex_direct', null),
    ('O3', '2026-03-03 09:00:00+00', 'K1', 'Charlie', 2000, 1,    400,  null, 'yandex_direct', 'RUB'),
    ('O4', '2026-03-04 09:00:00+00', 'K3', 'Delta',   1200, 4,    600,  'D1', null,            'RUB'),
    ('O5', '2026-03-05 09:00:00+00', 'K3', 'Delta',    600, 2,    300,  'D1', null,            'RUB'),
    ('O5', '2026-03-05 09:00:00+00', 'K3', 'Bravo',    500, null, null, 'D1', null,            'RUB'),
    ('O6', '2026-03-06 09:00:00+00', 'K4', 'Echo',     100, 1,    10,   null, 'yandex_direct', 'USD'),
    ('O7', '2026-03-07 21:30:00+00', 'K5', 'Charlie', 2000, 1,    400,  null, 'yandex_direct', 'RUB');
"""
ROOT = Path(__file__).resolve().parent.parent
WEEK = Filters(period=Period(date(2026, 3, 1), date(2026, 3, 7)), tz="Europe/Moscow", currency="RUB")


@pytest.fixture(scope="module")
def shop_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("products") / "shop.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(SQL)
    return path


@pytest.fixture(scope="module")
def run(shop_db):
    return db.Reader(shop_db).query


def rows(df):
    return {r["product"]: r for _, r in df.iterrows()}


def test_bestsellers_hand_worked(run):
    df = get("products").func(run, WEEK)
    assert list(df.columns) == ["rank", "product", "quantity", "orders", "revenue", "cost", "gross_profit",
                                "margin_pct", "promote"]
    assert df["product"].tolist() == ["Alpha", "Charlie", "Delta", "Bravo"]  # by revenue; Echo is USD
    assert df["rank"].tolist() == [1, 2, 3, 4]
    got = {r.product: (r.quantity, r.orders, r.revenue, r.cost, r.gross_profit) for r in df.itertuples()}
    assert got == {"Alpha": (25, 3, 2500, 2000, 500), "Charlie": (1, 1, 2000, 400, 1600),
                   "Delta": (6, 2, 1800, 900, 900), "Bravo": (2, 2, 1000, 600, 400)}
    assert df["margin_pct"].tolist() == pytest.approx([20, 80, 50, 40])
    assert df.loc[df["promote"], "product"].tolist() == ["Charlie"]


def test_medians_repeat_orders_and_average_check(run):
    r = rows(bestsellers(run, WEEK))
    assert r["Alpha"].median_quantity == 4 and r["Alpha"].median_margin_pct == pytest.approx(45)
    assert {p: r[p].repeat_orders for p in r} == {"Alpha": 1, "Charlie": 1, "Delta": 1, "Bravo": 2}
    assert r["Delta"].avg_check == 900 and r["Alpha"].revenue_share_pct == pytest.approx(2500 / 73)


def test_margin_setting_and_option_drive_cost_when_absent(run):
    df = get("products").func(run, WEEK, margin_pct="100")  # the --margin-pct option beats the setting
    b = rows(df)["Bravo"]
    assert (b.cost, b.gross_profit, b.margin_pct) == (0, 1000, 100)
    assert df.loc[df["promote"], "product"].tolist() == ["Charlie", "Bravo"]  # median margin now 65 %
    with pytest.raises(BadMargin):
        get("products").func(run, WEEK, margin_pct="150")


def test_time_zone_decides_the_day(run):
    r = rows(get("products").func(run, replace(WEEK, tz="UTC")))
    assert r["Alpha"].quantity == 20 and r["Charlie"].quantity == 2  # O0 is Feb 28, O7 Mar 7 in UTC


def test_channel_filter_uses_the_deals_lead_channel(run):
    df = get("products").func(run, replace(WEEK, channels=("vk_ads",)))
    assert {r.product: (r.quantity, r.revenue) for r in df.itertuples()} == {"Delta": (6, 1800), "Bravo": (1, 500)}


def test_totals_and_summary_with_change(run):
    tot = totals(run, WEEK)
    assert (tot["revenue"], tot["cost"], tot["gross_profit"], tot["orders"]) == (7300, 3900, 3400, 6)
    assert tot["avg_check"] == pytest.approx(7300 / 6) and tot["margin_pct"] == pytest.approx(340 / 7.3)
    assert (tot["repeat_orders"], tot["other_currency_lines"], tot["no_cost_revenue"]) == (3, 1, 1000)
    s = get("products-summary").func(run, WEEK).set_index("metric")
    assert s.index.tolist() == ["revenue", "gross_profit", "margin_pct", "orders", "avg_check"]
    assert s.loc["revenue", "previous"] == 3000 and s.loc["revenue", "change_pct"] == pytest.approx(430 / 3)
    assert s.loc["orders", "change_pct"] == pytest.approx(200)
    assert s.loc["avg_check", "change_pct"] == pytest.approx((7300 / 6 - 1500) / 15)
    none = get("products-summary").func(run, replace(WEEK, compare="none"))
    assert none["previous"].isna().all() and none["change_pct"].isna().all()


def test_bestsellers_change_vs_previous_period(run):
    r = rows(bestsellers_with_change(run, WEEK))
    assert r["Alpha"].rank_prev == 2 and r["Alpha"].revenue_change_pct == pytest.approx(150)
    assert r["Charlie"].rank_prev == 1 and r["Charlie"].revenue_change_pct == 0
    assert pd.isna(r["Delta"].rank_prev) and r["Delta"].revenue_prev == 0 and pd.isna(r["Delta"].revenue_change_pct)


def test_products_by_period_top_and_other(run):
    df = get("products-by-period").func(run, replace(WEEK, grain="week"), top="2")
    assert list(df.columns) == ["bucket", "product", "revenue", "quantity"]
    got = {(b.isoformat(), p): (rev, q) for b, p, rev, q in df.itertuples(index=False)}
    assert got == {("2026-02-23", "Alpha"): (1500, 15), ("2026-02-23", "Charlie"): (0, 0),
                   ("2026-02-23", "other"): (500, 1),
                   ("2026-03-02", "Alpha"): (1000, 10), ("2026-03-02", "Charlie"): (2000, 1),
                   ("2026-03-02", "other"): (2300, 7)}
    days = revenue_over_time(run, WEEK)  # default top 8: every product by name, no "other"
    assert len(days) == 7 * 4 and not days["is_other"].any() and days["revenue"].sum() == 7300
    with pytest.raises(FullfunnelError):
        get("products-by-period").func(run, WEEK, top="0")


def test_invariants_products_add_up_to_the_totals(run):
    for f in (WEEK, replace(WEEK, tz="UTC"), replace(WEEK, channels=("vk_ads",)), replace(WEEK, grain="month")):
        df = bestsellers(run, f)
        tot = totals(run, f)
        assert df["revenue"].sum() == pytest.approx(tot["revenue"]) and df["cost"].sum() == pytest.approx(tot["cost"])
        assert (df["gross_profit"] == df["revenue"] - df["cost"]).all()
        assert df["orders"].sum() >= tot["orders"]  # an order of two products counts once in the total
        assert get("products-by-period").func(run, f, top=1)["revenue"].sum() == pytest.approx(tot["revenue"])


def test_no_orders_in_the_period(run):
    empty = replace(WEEK, period=Period(date(2025, 1, 1), date(2025, 1, 7)))
    assert get("products").func(run, empty).empty
    assert totals(run, empty)["orders"] == 0


def test_cli_prints_the_report(shop_db, capsys):
    rc = cli.main(["report", "products", "--db", str(shop_db), "--from", "2026-03-01", "--to", "2026-03-07",
                   "--format", "json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert [(r["rank"], r["product"], r["revenue"], r["promote"]) for r in out] == [
        (1, "Alpha", 2500, False), (2, "Charlie", 2000, True), (3, "Delta", 1800, False), (4, "Bravo", 1000, False)]
    rc = cli.main(["report", "products", "--db", str(shop_db), "--from", "2026-03-01", "--to", "2026-03-07",
                   "--margin-pct", "abc"])
    assert rc == 1 and "not a number" in capsys.readouterr().err


# ---------------------------------------------------------------- the page


def open_page(monkeypatch, path, **widgets) -> AppTest:
    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in widgets.items():
        at.session_state[key] = value
    at.switch_page("pages/products.py")
    return at.run()


def test_page_shows_cards_table_and_promote(monkeypatch, shop_db):
    at = open_page(monkeypatch, shop_db, period="custom", **{"from": date(2026, 3, 1), "to": date(2026, 3, 7)})
    assert not at.exception
    cards = {m.label: m.value for m in at.metric}
    assert cards == {"Revenue": "₽7,300", "Gross profit": "₽3,400", "Margin": "46.6%", "Orders": "6",
                     "Average check": "₽1,217"}
    table = at.dataframe[0].value
    assert table["product"].tolist() == ["Alpha", "Charlie", "Delta", "Bravo"]
    assert table["promote"].tolist() == ["", "★", "", ""]
    assert any("Charlie" in s.value for s in at.success)
    assert any("other currencies" in c.value for c in at.caption)
    assert at.number_input(key="pr_margin").value == 40  # Bravo has no cost: the margin is asked for


def test_page_in_russian_and_without_orders_in_period(monkeypatch, shop_db):
    at = open_page(monkeypatch, shop_db, lang="ru", period="custom",
                   **{"from": date(2025, 1, 1), "to": date(2025, 1, 7)})
    assert not at.exception
    assert at.title[0].value == "Товары"
    assert any("нет заказов" in i.value for i in at.info)


def test_page_says_what_to_import_without_orders(monkeypatch, tmp_path):
    at = open_page(monkeypatch, db.create_empty(tmp_path / "empty.duckdb"))
    assert not at.exception
    assert any("Import" in i.value and "order_id" in i.value for i in at.info)


def test_page_with_two_products_skips_the_medians(monkeypatch, shop_db):
    """02-22 … 02-28 (Moscow) sold only Alpha (O8) and Charlie (O9): nothing to compare with medians."""
    at = open_page(monkeypatch, shop_db, period="custom", grain="week",
                   **{"from": date(2026, 2, 22), "to": date(2026, 2, 28)})
    assert not at.exception
    assert at.dataframe[0].value["product"].tolist() == ["Charlie", "Alpha"]
    assert any("Too few products" in i.value for i in at.info)
