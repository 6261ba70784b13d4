"""The demo database: deterministic, complete, internally consistent, and showing the planted patterns.

Built once per module: 120 days ending 2026-11-27 at 5 % of the full size (~1.6k leads, ~40k visits),
so the whole module runs in a few seconds. Dead-channel windows follow METRICS.md: for an end date D,
the window is D−13 … D (14 days) and the baseline D−69 … D−14 (56 days).
"""
from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from fullfunnel import FullfunnelError, cli, demo

END = date(2026, 11, 27)
DAYS = 120
SCALE = 0.05
DATA_TABLES = ["stages", "spend", "sessions", "leads", "deals", "deal_stages", "activities",
               "orders", "reviews", "plans"]


def build(path, seed=42, days=DAYS, scale=SCALE):
    return demo.build(path, days=days, seed=seed, scale=scale, end=END)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    counts = build(path)
    return path, counts


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db[0]), read_only=True)
    c.execute("set timezone = 'Europe/Moscow'")  # ::date below means the business day
    yield c
    c.close()


def one(con, sql, params=None):
    return con.execute(sql, params or {}).fetchall()[0][0]


def fingerprint(path) -> dict:
    """Row count and a hash over every row of each data table."""
    c = duckdb.connect(str(path), read_only=True)
    try:
        return {t: tuple(c.execute(f"select count(*), sum(hash(x)) from {t} as x").fetchall()[0])
                for t in DATA_TABLES}
    finally:
        c.close()


def test_same_seed_gives_identical_data_and_another_seed_does_not(demo_db, tmp_path):
    path, counts = demo_db
    again = build(tmp_path / "again.duckdb")
    assert again == counts
    assert fingerprint(tmp_path / "again.duckdb") == fingerprint(path)
    other = build(tmp_path / "other.duckdb", seed=7)
    assert fingerprint(tmp_path / "other.duckdb") != fingerprint(path)
    assert other["leads"] != counts["leads"] or other["sessions"] != counts["sessions"]


def test_every_table_is_filled_and_counts_are_returned(demo_db, con):
    _, counts = demo_db
    assert list(counts) == DATA_TABLES
    for table in DATA_TABLES:
        assert counts[table] == one(con, f"select count(*) from {table}") > 0, table
    assert one(con, "select count(*) from stages") == 7
    # 5 % of ~270 leads a day for 120 days, minus the dead channels
    assert 1000 < counts["leads"] < 2500
    assert counts["sessions"] > 15 * counts["leads"]


def test_settings_and_one_import_owning_every_row(con):
    assert dict(con.execute("select key, value from settings").fetchall()) == {
        "business_tz": "Europe/Moscow", "currency": "RUB"}
    log = con.execute("select import_id, format, rows_added from import_log").fetchall()
    assert len(log) == 1 and log[0][1] == "demo"
    import_id = log[0][0]
    total = 0
    for table in DATA_TABLES:
        rows, owned = con.execute(
            f"select count(*), count(*) filter (where import_id = ?) from {table}", [import_id]).fetchall()[0]
        assert rows == owned, table
        total += rows
    assert log[0][2] == total


def test_data_covers_exactly_the_requested_days(con):
    start = END - timedelta(days=DAYS - 1)
    assert one(con, "select max(created_at::date) from leads") == END
    assert one(con, "select min(created_at::date) from leads") == start
    assert one(con, "select max(started_at::date) from sessions") == END
    assert one(con, "select max(date) from spend") == END
    assert one(con, "select min(date) from spend") == start
    assert one(con, "select count(distinct date) from spend") == DAYS
    for sql in ["select max(\"at\"::date) from activities", "select max(closed_at::date) from deals",
                "select max(entered_at::date) from deal_stages", "select max(ordered_at::date) from orders",
                "select max(date) from reviews"]:
        assert one(con, sql) <= END, sql


def test_default_end_is_yesterday_in_moscow():
    from datetime import datetime
    from zoneinfo import ZoneInfo
    assert demo.default_end() == datetime.now(ZoneInfo("Europe/Moscow")).date() - timedelta(days=1)


def leads_in(con, channel, first_back, last_back):
    """Leads of a channel created from END − first_back to END − last_back (business days, inclusive)."""
    return one(con, "select count(*) from leads where channel = $c and created_at::date between $a and $b",
               {"c": channel, "a": END - timedelta(days=first_back), "b": END - timedelta(days=last_back)})


def test_vk_ads_died_recently_while_its_spend_continues(con):
    assert leads_in(con, "vk_ads", 13, 0) == 0
    assert leads_in(con, "vk_ads", 69, 14) >= 5
    assert leads_in(con, "vk_ads", 69, 14) * 14 / 56 >= 5  # "dead": expected ≥ 5 in 14 days
    spend = one(con, "select sum(spend) from spend where channel = 'vk_ads' and date > $d",
                {"d": END - timedelta(days=14)})
    assert spend > 0


def test_email_declines_to_well_below_its_usual_rate(con):
    window = leads_in(con, "email", 13, 0)
    expected = leads_in(con, "email", 69, 14) * 14 / 56
    assert expected >= 10
    assert 0 < window <= 0.6 * expected


def test_telegram_ads_burns_money_for_the_second_half(con):
    half = END - timedelta(days=DAYS // 2 - 1)
    assert one(con, "select count(*) from leads where channel = 'telegram_ads' and created_at::date >= $d",
               {"d": half}) == 0
    assert one(con, "select count(*) from leads where channel = 'telegram_ads'") > 0
    assert one(con, "select max(date) from spend where channel = 'telegram_ads'") == END
    assert one(con, "select count(distinct campaign) from spend where channel = 'telegram_ads'") >= 2


def test_channels_paid_and_free_with_utm_values(con):
    channels = {r[0] for r in con.execute("select distinct channel from leads").fetchall()}
    assert channels == {"yandex_direct", "google_ads", "vk_ads", "telegram_ads", "seo", "email", "direct",
                        "referral", "social"}
    paid = con.execute("select channel, count(distinct campaign), min(spend), min(currency), max(currency) "
                       "from spend group by 1 order by 1").fetchall()
    assert [p[0] for p in paid] == ["google_ads", "telegram_ads", "vk_ads", "yandex_direct"]
    for channel, campaigns, lowest, cur_min, cur_max in paid:
        assert 2 <= campaigns <= 4 and lowest > 0 and cur_min == cur_max == "RUB", channel
    # a lead's utm values are those of its channel, and its visit carries the same ones
    assert one(con, "select count(*) from leads where channel = 'yandex_direct' and "
                    "(source <> 'yandex' or medium <> 'cpc')") == 0
    assert one(con, "select count(*) from leads where channel = 'seo' and medium <> 'organic'") == 0
    assert one(con, """select count(*) from leads as l where l.visitor_id is not null and not exists (
                       select 1 from sessions as s
                       where s.visitor_id = l.visitor_id and s.converted
                         and s.started_at between l.created_at - interval 2 hour and l.created_at
                         and s.channel = l.channel and s.source = l.source
                         and s.campaign is not distinct from l.campaign
                         and s.landing_page = l.landing_page)""") == 0


def test_weekdays_are_busier_than_weekends_and_leads_come_in_office_hours(con):
    per_day = dict(con.execute("select isodow(created_at) >= 6, count(*) / count(distinct created_at::date) "
                               "from leads group by 1").fetchall())
    assert per_day[False] > 2 * per_day[True]
    office = one(con, "select avg((hour(created_at) between 9 and 18)::int) from leads")
    assert office > 0.75


def test_junk_reason_exactly_for_junk_leads(con):
    rows = dict(con.execute("""select coalesce(qualification, 'null'), count(*) from leads
                               group by 1""").fetchall())
    assert rows["target"] > rows["junk"] > 0 and rows.get("null", 0) > 0
    assert one(con, "select count(*) from leads where (qualification = 'junk') <> (junk_reason is not null)") == 0
    assert one(con, "select count(*) from leads where qualification is null and junk_reason is not null") == 0
    reasons = {r[0] for r in con.execute("select distinct junk_reason from leads where junk_reason is not null")
               .fetchall()}
    assert reasons <= {"unreachable", "not_target", "duplicate", "spam", "other"} and len(reasons) >= 4
    # not yet qualified = recent
    assert one(con, "select min(created_at::date) from leads where qualification is null") >= END - timedelta(days=7)


def test_deals_follow_their_leads(con):
    assert one(con, """select count(*) from deals as d join leads as l using (lead_id)
                       where l.qualification <> 'target' or d.client_id <> l.client_id
                          or d.manager <> l.manager or d.created_at <= l.created_at""") == 0
    assert one(con, "select count(*) from deals where lead_id not in (select lead_id from leads)") == 0


def test_stage_history_is_ordered_and_status_matches_stage(con):
    stages = con.execute("select stage, position, kind from stages where pipeline = 'Sales' "
                         "order by position").fetchall()
    assert [s[0] for s in stages] == ["New", "Qualified", "Meeting", "Proposal", "Negotiation", "Won", "Lost"]
    assert [s[2] for s in stages].count("open") == 5
    # status is the kind of the current stage; closed_at and lost_reason only where they belong
    assert one(con, """select count(*) from deals as d join stages as s using (stage)
                       where s.kind <> d.status
                          or (d.closed_at is null) <> (d.status = 'open')
                          or (d.lost_reason is null) <> (d.status <> 'lost')
                          or d.amount <= 0 or d.currency <> 'RUB'""") == 0
    # history: positions and times both increase, starts at New, ends at the current stage
    bad = one(con, """with h as (
            select ds.deal_id, ds.entered_at, s.position,
                lag(s.position) over w as prev_position, lag(ds.entered_at) over w as prev_at,
                row_number() over w as n, count(*) over (partition by ds.deal_id) as total, s.stage
            from deal_stages as ds join stages as s using (stage)
            window w as (partition by ds.deal_id order by ds.entered_at))
        select count(*) from h join deals as d using (deal_id)
        where (n > 1 and (position <= prev_position or entered_at <= prev_at))
           or (n = 1 and h.stage <> 'New')
           or (n = total and h.stage <> d.stage)""")
    assert bad == 0
    assert one(con, "select count(distinct deal_id) from deal_stages") == one(con, "select count(*) from deals")
    # later stages are reached by fewer deals
    reached = [r[1] for r in con.execute("""select s.position, count(distinct ds.deal_id)
        from deal_stages as ds join stages as s using (stage) where s.kind <> 'lost'
        group by 1 order by 1""").fetchall()]
    assert reached == sorted(reached, reverse=True) and reached[-1] > 0
    # recent cohorts are still maturing
    open_recent = one(con, "select avg((status = 'open')::int) from deals where created_at::date > $d",
                      {"d": END - timedelta(days=14)})
    open_old = one(con, "select avg((status = 'open')::int) from deals where created_at::date < $d",
                   {"d": END - timedelta(days=90)})
    assert open_recent > 0.5 > open_old


def test_won_revenue_equals_its_order_rows(con):
    assert one(con, """select count(*) from deals as d
                       left join (select deal_id, sum(revenue) as revenue, count(distinct order_id) as orders,
                                         min(client_id) as client_id, max(client_id) as client_id2
                                  from orders group by 1) as o using (deal_id)
                       where d.status = 'won' and (o.revenue is distinct from d.amount or o.orders <> 1
                             or o.client_id <> d.client_id or o.client_id2 <> d.client_id)""") == 0
    assert one(con, "select count(*) from orders as o join deals as d using (deal_id) where d.status <> 'won'") == 0
    assert one(con, "select count(*) from orders where cost <= 0 or revenue <= 0 or quantity < 1 "
                    "or currency <> 'RUB'") == 0
    assert 15 <= one(con, "select count(distinct product) from orders") <= 25


def test_clients_buy_again(con):
    assert one(con, """select count(*) from (select client_id from deals where status = 'won'
                       group by 1 having count(*) > 1)""") > 0


def test_converted_sessions_are_the_leads_visits(con):
    # every converted visit belongs to a lead's visitor, every web lead has its converted visit
    assert one(con, """select count(*) from sessions as s where s.converted and not exists
                       (select 1 from leads as l where l.visitor_id = s.visitor_id)""") == 0
    assert one(con, """select count(*) from leads as l where l.visitor_id is not null and not exists
                       (select 1 from sessions as s where s.visitor_id = l.visitor_id and s.converted
                        and s.started_at <= l.created_at)""") == 0
    assert one(con, "select count(*) from sessions where converted") == one(
        con, "select count(*) from leads where visitor_id is not null")


def test_visitors_come_back_and_many_visits_bounce(con):
    returning = one(con, """select avg((n > 1)::int) from (select row_number() over
                            (partition by visitor_id order by started_at) as n from sessions)""")
    assert 0.3 < returning < 0.5
    assert one(con, "select min(pageviews) from sessions") >= 1
    single = one(con, "select avg((pageviews = 1)::int) from sessions")
    assert 0.3 < single < 0.7
    assert one(con, "select max(duration_s) from sessions where pageviews = 1 and duration_s < 15") < 15


def test_activities_calls_and_meetings(con):
    managers = one(con, "select count(distinct manager) from activities")
    assert managers >= 6
    types = dict(con.execute("select type, count(*) from activities group by 1").fetchall())
    assert types["call"] > one(con, "select count(*) from leads")
    meetings = one(con, """select count(distinct a.deal_id) from activities as a where a.type = 'meeting'""")
    reached_meeting = one(con, "select count(distinct deal_id) from deal_stages where stage = 'Meeting'")
    assert meetings == reached_meeting > 0
    assert one(con, "select count(*) from activities where lead_id is null or activity_id is null") == 0
    assert one(con, "select count(*) from activities where type = 'call' and duration_s is null") == 0


def test_reviews_and_plans(con):
    ratings = dict(con.execute("select rating, count(*) from reviews group by 1").fetchall())
    assert set(ratings) <= {1, 2, 3, 4, 5}
    assert ratings.get(4, 0) + ratings.get(5, 0) > 0.6 * sum(ratings.values())
    plans = con.execute("select distinct metric from plans where manager = ''").fetchall()
    assert {p[0] for p in plans} == {"leads", "new_clients", "won_deals", "revenue"}
    assert one(con, "select count(*) from plans where day(month) <> 1") == 0
    assert one(con, "select count(distinct manager) from plans where manager <> '' and metric = 'revenue'") >= 6
    assert one(con, "select max(month) from plans") == date(END.year, END.month, 1)


def test_bad_arguments_are_one_sentence_errors(tmp_path, capsys):
    with pytest.raises(FullfunnelError):
        demo.build(tmp_path / "x.duckdb", days=0)
    assert cli.main(["demo", "--db", str(tmp_path / "x.duckdb"), "--scale", "0"]) == 1
    assert "scale" in capsys.readouterr().err
    assert not (tmp_path / "x.duckdb").exists()


def test_if_missing_keeps_an_existing_database(tmp_path, capsys):
    path = tmp_path / "mine.duckdb"
    assert cli.main(["demo", "--db", str(path), "--days", "30", "--scale", "0.01", "--if-missing"]) == 0
    out = capsys.readouterr().out
    assert path.exists() and "leads" in out
    before = (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes())
    assert cli.main(["demo", "--db", str(path), "--days", "30", "--scale", "0.02", "--seed", "1",
                     "--if-missing"]) == 0
    assert "already exists" in capsys.readouterr().out
    assert (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes()) == before
    # without --if-missing the file is replaced
    assert cli.main(["demo", "--db", str(path), "--days", "30", "--scale", "0.01", "--seed", "1"]) == 0
    assert path.stat().st_ino != before[0] or path.read_bytes() != before[2]


def test_a_big_scale_is_built_in_blocks_that_add_up(tmp_path, monkeypatch):
    """Above BLOCK_SCALE the demo is made of equal blocks (seeds 42, 43, …) generated one at a time:
    every row of every block is there once under its own id, deals point at their block's leads,
    and the daily spend is the blocks' sum (one row per day and campaign)."""
    monkeypatch.setattr(demo, "BLOCK_SCALE", SCALE / 2)
    counts = build(tmp_path / "blocks.duckdb")
    parts = [demo.generate(days=DAYS, seed=s, scale=SCALE / 2, end=END) for s in (42, 43)]
    for table in ("sessions", "leads", "deals", "deal_stages", "activities", "orders", "reviews"):
        assert counts[table] == sum(len(p[table]) for p in parts), table
    assert counts["spend"] == len(parts[0]["spend"])          # the same days and campaigns, summed
    con = duckdb.connect(str(tmp_path / "blocks.duckdb"), read_only=True)
    spend = sum(float(p["spend"]["spend"].sum()) for p in parts)
    assert float(con.execute("select sum(spend) from spend").fetchone()[0]) == pytest.approx(spend, abs=0.01)
    for table, key in (("sessions", "session_id"), ("leads", "lead_id"), ("deals", "deal_id"),
                       ("activities", "activity_id"), ("orders", "order_id || product")):
        assert con.execute(f"select count(distinct {key}) from {table}").fetchone()[0] == counts[table], table
    # no block's visitor or client is another's: as many distinct as the blocks have between them
    visitors = sum(p["sessions"]["visitor"].nunique() for p in parts)
    assert con.execute("select count(distinct visitor_id) from sessions").fetchone()[0] == visitors
    assert con.execute("select count(*) from deals d anti join leads l using (lead_id)").fetchone()[0] == 0
    assert con.execute("select count(*) from leads l where visitor_id is not null and visitor_id not in "
                       "(select visitor_id from sessions)").fetchone()[0] == 0
    con.close()
