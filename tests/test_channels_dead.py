"""Dead / declining / burning-money rules (METRICS.md "Dead channels") at their exact thresholds.

The period ends D = 2026-06-30 (business zone Europe/Moscow, UTC+3). Baseline = D−69 … D−14 =
2026-04-22 … 2026-06-16 (56 days); window = D−13 … D = 2026-06-17 … 2026-06-30 (14 days).
μ = 14 · baseline / 56 = baseline / 4, so 20 baseline leads give μ = 5 exactly.
One channel per case, every lead at noon Moscow time unless said otherwise:
  dead20      20 baseline (05-01), 0 in the window               → μ 5, dead
  alive19     19 baseline, 0 in the window                       → μ 4.75, nothing
  one_lead    20 baseline, 1 on 06-30                            → n 1, P(X≤1|5) = 6e⁻⁵ = 4.04 %, nothing
  decl2       40 baseline, 2 in the window                       → μ 10, P(X≤2) = 61e⁻¹⁰ = 0.28 %, declining
  ok3         40 baseline, 3 in the window                       → P(X≤3) = 227.7e⁻¹⁰ = 1.03 %, nothing
  edge_d14    19 on 05-01 + 1 on 06-16 (D−14)                    → baseline 20, dead
  edge_d70    19 on 05-01 + 1 on 04-21 (D−70)                    → baseline 19, nothing
  edge_d13    20 baseline + 1 on 06-17 (D−13)                    → n 1, nothing
  edge_tz     20 baseline + 1 at 2026-06-16 22:30 UTC = 06-17 01:30 Moscow → in the window, nothing
  future      20 baseline + 1 on 07-01 (after D)                 → still dead
  burn        no lead ever, 100 ₽ spent on 06-17                 → burning_money (μ 0, not dead)
  noburn      no lead ever, 100 ₽ spent on 06-16 (before the window) → nothing
  burn_lead   100 ₽ on 06-20 and 1 lead on 06-30                 → nothing
  burn_usd    no lead, 100 USD on 06-20                          → nothing in a RUB report
  vk          20 baseline, 0 in the window, 7 000 ₽ spent 06-18  → dead and burning_money
  camp        campaign A: 20 baseline, 0 window; campaign B: 20 baseline + 20 in the window
              → the channel is fine (μ 10, n 20), campaign A is dead
"""
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from fullfunnel import cli, db
from fullfunnel.charts.channels import alert_sentence
from fullfunnel.filters import Filters
from fullfunnel.periods import Period
from fullfunnel.reports import get
from fullfunnel.reports.channels import alerts

TZ = "Europe/Moscow"
D = date(2026, 6, 30)
MSK = timezone(timedelta(hours=3))


def _leads(channel, day, n, campaign=None, hour=12):
    at = datetime(day.year, day.month, day.day, hour, 0, tzinfo=MSK)
    return [(channel, at, campaign)] * n


def _rows():
    base = date(2026, 5, 1)
    rows = []
    rows += _leads("dead20", base, 20)
    rows += _leads("alive19", base, 19)
    rows += _leads("one_lead", base, 20) + _leads("one_lead", D, 1)
    rows += _leads("decl2", base, 40) + _leads("decl2", date(2026, 6, 20), 2)
    rows += _leads("ok3", base, 40) + _leads("ok3", date(2026, 6, 20), 3)
    rows += _leads("edge_d14", base, 19) + _leads("edge_d14", date(2026, 6, 16), 1)
    rows += _leads("edge_d70", base, 19) + _leads("edge_d70", date(2026, 4, 21), 1)
    rows += _leads("edge_d13", base, 20) + _leads("edge_d13", date(2026, 6, 17), 1)
    rows += _leads("edge_tz", base, 20)
    rows += [("edge_tz", datetime(2026, 6, 16, 22, 30, tzinfo=timezone.utc), None)]
    rows += _leads("future", base, 20) + _leads("future", date(2026, 7, 1), 1)
    rows += _leads("burn_lead", D, 1)
    rows += _leads("vk", base, 20)
    rows += _leads("camp", base, 20, "A") + _leads("camp", base, 20, "B") + _leads("camp", date(2026, 6, 25), 20, "B")
    return rows


SPEND = [
    ("2026-06-17", "burn", "", 100, "RUB"),
    ("2026-06-16", "noburn", "", 100, "RUB"),
    ("2026-06-20", "burn_lead", "", 100, "RUB"),
    ("2026-06-20", "burn_usd", "", 100, "USD"),
    ("2026-06-18", "vk", "", 7000, "RUB"),
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    path = tmp_path_factory.mktemp("dead") / "dead.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute("insert into settings values ('business_tz', 'Europe/Moscow'), ('currency', 'RUB')")
        con.executemany(
            "insert into leads (lead_id, created_at, channel, campaign) values (?, ?, ?, ?)",
            [(f"L{i}", at, ch, camp) for i, (ch, at, camp) in enumerate(_rows())])
        con.executemany("insert into spend (date, channel, campaign, spend, currency) values (?, ?, ?, ?, ?)", SPEND)
    return db.Reader(path).query


def _filters(end=D, currency="RUB"):
    return Filters(period=Period(end - timedelta(days=29), end), tz=TZ, currency=currency)


def _status(df):
    return {(r.channel, None if pd.isna(r.campaign) else r.campaign, r.status) for r in df.itertuples()}


def test_each_rule_fires_exactly_at_its_threshold(run):
    df = get("dead-channels").func(run, _filters())
    assert list(df.columns) == ["channel", "campaign", "status", "baseline_per_day", "window_leads",
                                "expected_leads", "last_lead_at", "window_spend"]
    assert _status(df) == {
        ("dead20", None, "dead"),
        ("decl2", None, "declining"),
        ("edge_d14", None, "dead"),
        ("future", None, "dead"),
        ("burn", None, "burning_money"),
        ("vk", None, "dead"),
        ("vk", None, "burning_money"),
        ("camp", "A", "dead"),
    }


def test_numbers_of_a_dead_channel(run):
    df = get("dead-channels").func(run, _filters())
    r = df[(df.channel == "dead20")].iloc[0]
    assert r.baseline_per_day == pytest.approx(20 / 56)
    assert r.expected_leads == 5.0 and r.window_leads == 0
    assert r.last_lead_at == date(2026, 5, 1)
    # the lead after D is not "the last lead" either
    assert df[df.channel == "future"].iloc[0].last_lead_at == date(2026, 5, 1)


def test_most_costly_alert_comes_first(run):
    df = get("dead-channels").func(run, _filters())
    assert df.iloc[0].channel == "vk" and df.iloc[0].window_spend == 7000
    assert df.iloc[2].channel == "burn" and df.iloc[2].window_spend == 100


def test_other_currency_spend_does_not_burn_a_rub_report(run):
    assert "burn_usd" not in set(get("dead-channels").func(run, _filters()).channel)
    usd = get("dead-channels").func(run, _filters(currency="USD"))
    assert ("burn_usd", None, "burning_money") in _status(usd)


def test_moving_the_end_date_moves_the_window(run):
    # D = 06-16: 06-16 is now inside the window, so edge_d14's lead there keeps it alive,
    # and burn's spend on 06-17 lies after D.
    s = _status(get("dead-channels").func(run, _filters(end=date(2026, 6, 16))))
    assert ("edge_d14", None, "dead") not in s
    assert ("burn", None, "burning_money") not in s
    assert ("noburn", None, "burning_money") in s


def test_channel_filter(run):
    f = Filters(period=Period(date(2026, 6, 1), D), tz=TZ, currency="RUB", channels=("vk",))
    assert _status(get("dead-channels").func(run, f)) == {("vk", None, "dead"), ("vk", None, "burning_money")}


def test_alerts_merge_statuses_and_read_as_one_sentence(run):
    a = alerts(run, _filters())
    assert [x["channel"] for x in a][:2] == ["vk", "burn"]
    vk = a[0]
    assert vk["statuses"] == ["dead", "burning_money"] and vk["campaign"] is None
    assert alert_sentence(vk, "en", "RUB") == (
        "vk: 0 leads in 14 days, usually ~5; last lead May 1, 2026; spent ₽7,000 in the window.")
    assert alert_sentence(vk, "ru", "RUB") == (
        "vk: 0 лидов за 14 дней, обычно ~5; последний лид 01.05.2026; потрачено 7\u00a0000\u00a0₽ за эти дни.")
    decl = next(x for x in a if x["channel"] == "decl2")
    assert alert_sentence(decl, "en", "RUB") == (
        "decl2: 2 leads in 14 days, usually ~10 — far fewer than usual (a drop this big by chance: 0.3%).")
    camp = next(x for x in a if x["channel"] == "camp")
    assert camp["campaign"] == "A" and alert_sentence(camp, "en", "RUB").startswith("camp / A: 0 leads in 14 days")


def test_cli_prints_the_alerts(run, tmp_path, capsys):
    # the module DB path is private to the fixture; rebuild a one-channel DB for the CLI
    p = tmp_path / "one.duckdb"
    with db.writer(p, fresh=True) as con:
        con.execute("insert into settings values ('business_tz', 'Europe/Moscow')")
        con.executemany("insert into leads (lead_id, created_at, channel) values (?, ?, ?)",
                        [(f"L{i}", at, ch) for i, (ch, at, _) in enumerate(_leads("vk", date(2026, 5, 1), 20))])
    rc = cli.main(["report", "dead-channels", "--db", str(p), "--from", "2026-06-01", "--to", "2026-06-30"])
    out = capsys.readouterr().out.strip().splitlines()
    assert rc == 0
    assert out == ["channel,campaign,status,baseline_per_day,window_leads,expected_leads,last_lead_at,window_spend",
                   "vk,,dead,0.35714285714285715,0,5.0,2026-05-01,0.0"]


def test_demo_flags_the_dying_and_the_declining_channel(tmp_path):
    """The demo plants vk_ads dying (spend continues), telegram_ads dead earlier with spend going on,
    and email declining; healthy big channels raise nothing."""
    from fullfunnel import demo

    end = date(2026, 11, 27)
    p = tmp_path / "demo.duckdb"
    demo.build(p, days=100, seed=42, scale=0.3, end=end)
    f = Filters(period=Period(end - timedelta(days=29), end), tz=TZ, currency="RUB")
    s = {(c, st) for c, camp, st in _status(get("dead-channels").func(db.Reader(p).query, f)) if camp is None}
    assert {("vk_ads", "dead"), ("vk_ads", "burning_money"), ("telegram_ads", "burning_money"),
            ("email", "declining")} <= s
    assert not {c for c, _ in s} & {"yandex_direct", "google_ads", "seo", "direct"}
