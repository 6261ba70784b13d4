"""The fact layer changes no number: every report, through the fact tables and through the raw definitions.

fullfunnel/facts.py keeps small day-grain tables equal to the queries in queries/facts/, and the
report queries read those tables. `db.Reader(live_facts=True)` reads every fact through its
definition over the raw tables instead; here every registered report, with every choice of its
options, runs both ways on the test fixtures — and after incremental imports and their undo — and
the two tables must be identical, value for value.
"""
from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from fullfunnel import FullfunnelError, db, demo, facts
from fullfunnel.filters import Filters
from fullfunnel.importing import import_bytes
from fullfunnel.importing.load import undo
from fullfunnel.periods import Period
from fullfunnel.reports import load_all
from fullfunnel.reports.funnel import item_steps
from tests.conftest import make_tiny_db
from tests.test_funnel import FUNNEL_SQL

FIXED = {"--pipeline": [None], "--top": ["5"], "--margin-pct": [None, "40"]}


def _option_sets(report, run, f: Filters) -> list[dict]:
    """Every combination of the report's option choices (steps, weeks and months from the period)."""
    names, values = [], []
    for o in report.options:
        key = o.flag.lstrip("-").replace("-", "_")
        if o.choices:
            vals = list(o.choices) + ([None] if o.default is None else [])
        elif o.flag == "--step":
            vals = None  # filled per view below
        elif o.flag == "--week":
            vals = [f.period.start.isoformat()]
        elif o.flag == "--month":
            vals = [f.period.end.strftime("%Y-%m")]
        elif o.flag == "--today":
            vals = [(f.period.end + timedelta(days=1)).isoformat()]
        else:
            vals = FIXED.get(o.flag, [o.default])
        names.append(key)
        values.append(vals)
    # the defaults, then each other value of each option once (not every product: it would be slow)
    default = {n: v[0] for n, v in zip(names, values) if v is not None}
    sets = [default] + [{**default, n: x} for n, v in zip(names, values) if v is not None for x in v[1:]]
    if "step" not in names:
        return sets
    return [{**o, "step": step} for o in sets if o.get("pipeline") is None
            for step in item_steps(run, f, o.get("view", "cohort"), o.get("pipeline"))]


def _extra(name: str, f: Filters) -> dict:
    # the weekly reports take "today" from the clock; pin it after the chosen week
    return {"today": f.period.end + timedelta(days=8)} if name.startswith("weekly") else {}


def _result(func, run, f, opts):
    try:
        return func(run, f, **opts)
    except FullfunnelError as e:
        return f"{type(e).__name__}: {e}"


def assert_reports_equal(path: Path, filters: list[Filters]) -> int:
    """Run every report with every option set both ways; the number of tables compared."""
    fact, raw = db.Reader(path), db.Reader(path, live_facts=True)
    for r in (fact, raw):  # one thread: float sums in one order, so "exactly" means exactly
        r.connection().execute("set threads = 1")
    fact_run, raw_run = fact.query, raw.query
    n = 0
    for report in load_all().values():
        for f in filters:
            for opts in _option_sets(report, raw_run, f):
                opts = {**opts, **_extra(report.name, f)}
                got = _result(report.func, fact_run, f, opts)
                want = _result(report.func, raw_run, f, opts)
                where = f"{report.name} {opts} {f.period} {f.tz} {f.channels}"
                if isinstance(want, str) or isinstance(got, str):
                    assert got == want, where
                else:
                    pd.testing.assert_frame_equal(got, want, check_exact=True, obj=where)
                n += 1
    return n


def assert_facts_match_definitions(path: Path) -> None:
    """Each fact table holds exactly the rows of its definition (order aside)."""
    con = db.Reader(path).cursor()
    tz = con.execute("select value from ff_meta where key = ?", [facts.TZ_KEY]).fetchone()[0]
    for name in facts.TABLES:
        sql = facts.definition(name)
        table = con.execute(f"select * from {name} order by all").df()
        want = con.execute(f"select * from ({sql}) order by all",
                           db.bind(sql, {"tz": tz, "fact_lo": None, "fact_hi": None, "fact_deals": None})).df()
        pd.testing.assert_frame_equal(table, want, check_exact=True, obj=name)


def _filters(start: date, end: date, tz: str, channels: tuple[str, ...] = ()) -> list[Filters]:
    return [Filters(period=Period(start, end), grain="day", compare="previous", tz=tz, currency="RUB",
                    channels=channels)]


def test_every_report_is_the_same_on_the_tiny_database(tmp_path):
    path = make_tiny_db(tmp_path / "tiny.duckdb")
    assert_facts_match_definitions(path)
    f = _filters(date(2026, 11, 1), date(2026, 11, 7), "Europe/Moscow")
    utc = replace(f[0], grain="week", compare="year_ago", tz="UTC", channels=("yandex_direct", "direct"))
    n = assert_reports_equal(path, f + [utc])
    assert n > 50


def test_every_report_is_the_same_on_the_funnel_fixture(tmp_path):
    path = tmp_path / "funnel.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(FUNNEL_SQL)
    assert_facts_match_definitions(path)
    assert_reports_equal(path, _filters(date(2026, 11, 2), date(2026, 11, 8), "UTC", ("vk_ads",)))


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("facts") / "demo.duckdb"
    demo.build(path, days=70, scale=0.01, end=date(2026, 11, 29))
    return path


def test_every_report_is_the_same_on_a_small_demo(small_demo):
    assert_facts_match_definitions(small_demo)
    assert_reports_equal(small_demo, _filters(date(2026, 11, 1), date(2026, 11, 28), "Europe/Moscow"))


def _csv(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def test_facts_follow_imports_day_by_day_and_undo(tmp_path):
    """Added days rebuild only themselves; replaced rows, channel rules and undo rebuild right too."""
    path = make_tiny_db(tmp_path / "inc.duckdb")
    ids = []
    sessions = ["session_id,visitor_id,started_at,pageviews,duration_s,channel,campaign",
                "S10,V1,2026-11-09 10:00:00+03,2,30,yandex_direct,brand",
                "S11,V9,2026-11-09 23:30:00+03,1,3,vk_ads,retarget"]
    ids.append(import_bytes(_csv(sessions), "sessions.csv", db_file=path).import_id)
    assert_facts_match_definitions(path)  # sessions after every lead: the attribution facts stand
    leads = ["lead_id,created_at,channel,campaign,client_id,qualification,junk_reason",
             "L20,2026-11-09 11:00:00+03,yandex_direct,brand,C1,junk,spam",
             "L21,2026-11-09 12:00:00+03,direct,,C1,target,"]
    ids.append(import_bytes(_csv(leads), "leads.csv", db_file=path).import_id)
    assert_facts_match_definitions(path)
    # a new enquiry of a client with a won deal, naming a visitor with an earlier session: a new touch
    touch = ["lead_id,created_at,channel,campaign,client_id,visitor_id,qualification",
             "L22,2026-11-09 14:00:00+03,direct,,C3,V2,target"]
    ids.append(import_bytes(_csv(touch), "leads2.csv", db_file=path).import_id)
    assert_facts_match_definitions(path)
    # a new enquiry nobody's deal or won client knows
    lone = ["lead_id,created_at,channel,campaign,client_id,visitor_id,qualification",
            "L23,2026-11-09 15:00:00+03,seo,,C99,V99,target"]
    ids.append(import_bytes(_csv(lone), "leads3.csv", db_file=path).import_id)
    assert_facts_match_definitions(path)
    deals = ["deal_id,created_at,stage,status,lead_id,client_id,closed_at,amount,currency",
             "D20,2026-11-09 13:00:00+03,Won,won,L21,C1,2026-11-10 10:00:00+03,500,RUB",
             # replaces D6 of the fixture (was open in Proposal)
             "D6,2026-11-04 12:00:00+03,Won,won,L4,C4,2026-11-09 12:00:00+03,7000,RUB"]
    ids.append(import_bytes(_csv(deals), "deals.csv", db_file=path).import_id)
    # the next day's sessions again, one of them replacing S11 with another channel
    more = ["session_id,visitor_id,started_at,pageviews,duration_s,channel,campaign",
            "S11,V9,2026-11-09 23:30:00+03,1,3,seo,",
            "S12,V2,2026-11-10 09:00:00+03,4,200,seo,"]
    ids.append(import_bytes(_csv(more), "sessions2.csv", db_file=path).import_id)
    assert_facts_match_definitions(path)
    f = _filters(date(2026, 11, 3), date(2026, 11, 10), "Europe/Moscow")[:1]
    assert_reports_equal(path, f)
    days = db.Reader(path).sql("select day, sum(sessions_n) as n from fact_sessions_day group by day order by day")
    assert dict(zip(days["day"].astype(str), days["n"])) == {
        "2026-10-27": 1, "2026-11-01": 1, "2026-11-03": 1, "2026-11-07": 1, "2026-11-09": 2, "2026-11-10": 1}
    for i in reversed(ids):
        undo(i, db_file=path)
        assert_facts_match_definitions(path)
    assert_reports_equal(path, f)


def test_a_query_for_another_zone_reads_the_definitions(tmp_path):
    """Facts are built in the business zone; a report asked in UTC must still count UTC days."""
    path = make_tiny_db(tmp_path / "tiny.duckdb")
    run = db.Reader(path).query
    # L1 is 2026-10-31 22:30 UTC: 1 November in Moscow, 31 October in UTC
    oct31 = Filters(period=Period(date(2026, 10, 31), date(2026, 10, 31)), tz="UTC", currency="RUB",
                    compare="none")
    moscow = replace(oct31, tz="Europe/Moscow")
    leads = {r.metric: r.value for r in load_all()["overview"].func(run, oct31).itertuples()}
    assert leads["leads"] == 2  # L1 and L7 (20:00 UTC)
    leads = {r.metric: r.value for r in load_all()["overview"].func(run, moscow).itertuples()}
    assert leads["leads"] == 1  # L7 is 23:00 on 31 October in Moscow, L1 01:30 on 1 November


def test_deal_facts_follow_deal_imports_deal_by_deal_and_undo(tmp_path, monkeypatch):
    """Deals and stage history imported, replaced and undone: only those deals' rows are redone, and right."""
    path = tmp_path / "deals.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(FUNNEL_SQL)
    by_deal = []
    real = facts._by_deal

    def spy(con, name, tz, memo):
        done = real(con, name, tz, memo)
        by_deal.append((name, done, tuple(sorted(memo.get("deals") or ()))))
        return done

    monkeypatch.setattr(facts, "_by_deal", spy)
    ids = []
    deals = ["deal_id,created_at,stage,status,lead_id,closed_at,amount,currency,lost_reason,manager",
             # new: won on the day after, its lead L4 already has the lost deal D4
             "D8,2026-11-08 09:00:00+00,Won,won,L4,2026-11-09 15:00:00+00,900,RUB,,Boris",
             # replaces D7 (open in Proposal): now lost, a day later
             "D7,2026-11-06 12:00:00+00,Lost,lost,L7,2026-11-08 12:00:00+00,700,RUB,price,Anna",
             # D1 exported again unchanged: not redone
             "D1,2026-11-02 09:00:00+00,Won,won,L1,2026-11-10 09:00:00+00,1000,RUB,,Anna"]
    assert _stays(path, "D7") == [("New", "11-06 12:00", "11-07 12:00")]  # in Proposal since 11-07: going on
    ids.append(import_bytes(_csv(deals), "deals.csv", db_file=path, kind="deals").import_id)
    assert_facts_match_definitions(path)
    # D7 lost on 11-08: its stay in Proposal is over, ended by the close
    assert _stays(path, "D7") == [("New", "11-06 12:00", "11-07 12:00"), ("Proposal", "11-07 12:00", "11-08 12:00")]
    redone = {name for name, done, _ in by_deal if done}
    assert redone == set(facts.DEAL_KEYED) | set(facts.DEAL_SUMS)
    assert {scope for _, done, scope in by_deal if done} == {("D7", "D8")}
    by_deal.clear()
    history = ["deal_id,stage,entered_at",
               "D8,New,2026-11-08 09:00:00+00", "D8,Proposal,2026-11-09 10:00:00+00",
               "D4,Meeting,2026-11-06 10:00:00+00"]
    ids.append(import_bytes(_csv(history), "stages.csv", db_file=path, kind="deal_stages").import_id)
    assert_facts_match_definitions(path)
    # D8: New ended by the entry into Proposal, Proposal by winning (closed 11-09 15:00)
    assert _stays(path, "D8") == [("New", "11-08 09:00", "11-09 10:00"), ("Proposal", "11-09 10:00", "11-09 15:00")]
    # D4 (lost 11-09, no history before): one entry, into Meeting, ended by the close
    assert _stays(path, "D4") == [("Meeting", "11-06 10:00", "11-09 12:00")]
    assert {scope for _, done, scope in by_deal if done} == {("D4", "D8")}
    f = _filters(date(2026, 11, 2), date(2026, 11, 9), "UTC")
    assert_reports_equal(path, f)
    for i in reversed(ids):
        by_deal.clear()
        undo(i, db_file=path)
        assert_facts_match_definitions(path)
        assert any(done for _, done, _ in by_deal)
    assert_reports_equal(path, f)
    assert _stays(path, "D8") == [] and _stays(path, "D4") == []
    assert _stays(path, "D7") == [("New", "11-06 12:00", "11-07 12:00")]


def _stays(path: Path, deal: str) -> list[tuple[str, str, str]]:
    """A deal's rows of fact_deal_stays: (stage, entered, left) as 'MM-DD HH:MM' in UTC."""
    con = db.Reader(path).cursor()
    rows = con.execute("select stage, strftime(timezone('UTC', entered_at), '%m-%d %H:%M'), "
                       "strftime(timezone('UTC', left_at), '%m-%d %H:%M') from fact_deal_stays "
                       "where deal_id = ? order by entered_at, stage", [deal]).fetchall()
    return [tuple(r) for r in rows]


def test_a_stay_across_a_clock_change_counts_the_hours_that_passed(tmp_path):
    """A stay from Sat 2026-03-28 12:00 to Mon 2026-03-30 12:00 Berlin time lasted 47 hours (the
    clocks went forward on the Sunday): 47/24 days, whatever zone the machine's clock is in — here
    a DuckDB whose own zone is Berlin, where subtracting the two instants gives '2 days'."""
    path = tmp_path / "dst.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute("""
            insert into settings values ('business_tz', 'Europe/Berlin'), ('currency', 'EUR');
            insert into stages (pipeline, stage, position, kind) values
                ('', 'New', 1, 'open'), ('', 'Meeting', 2, 'open'), ('', 'Won', 3, 'won');
            insert into deals (deal_id, created_at, stage, status, lead_id, closed_at, amount, currency) values
                ('D1', '2026-03-28 11:00:00+00', 'Meeting', 'open', null, null, 100, 'EUR');
            insert into deal_stages (deal_id, stage, entered_at) values
                ('D1', 'New', '2026-03-28 11:00:00+00'), ('D1', 'Meeting', '2026-03-30 10:00:00+00');
        """)
    reader = db.Reader(path)
    reader.connection().execute("set global TimeZone = 'Europe/Berlin'")
    f = _filters(date(2026, 3, 23), date(2026, 3, 29), "Europe/Berlin")[0]
    times = load_all()["stage-time"].func(reader.query, f)
    assert times["stage"].tolist() == ["New"]
    assert times["median_days"].tolist() == [47 / 24]
    assert times["mean_days"].tolist() == [47 / 24]


STAYS_SQL = """
insert into settings values ('business_tz', 'UTC'), ('currency', 'RUB');
insert into stages (pipeline, stage, position, kind) values
    ('', 'New', 1, 'open'), ('', 'Meeting', 2, 'open'), ('', 'Proposal', 3, 'open'),
    ('', 'Won', 4, 'won'), ('', 'Lost', 5, 'lost');
insert into leads (lead_id, created_at, channel, campaign, qualification) values
    ('LA', '2026-11-02 08:00:00+00', 'yandex_direct', 'brand', 'target'),
    ('LB', '2026-11-02 11:00:00+00', 'vk_ads', 'retarget', 'target');
insert into deals (deal_id, created_at, stage, status, lead_id, closed_at, amount, currency) values
    ('DA', '2026-11-02 09:00:00+00', 'Won', 'won', 'LA', '2026-11-05 09:00:00+00', 100, 'RUB'),
    ('DB', '2026-11-02 12:00:00+00', 'Proposal', 'open', 'LB', null, 200, 'RUB'),
    ('DC', '2026-11-03 00:00:00+00', 'Lost', 'lost', null, null, 300, 'RUB'),
    ('DD', '2026-11-04 10:00:00+00', 'Lost', 'lost', null, '2026-11-05 10:00:00+00', 400, 'RUB'),
    ('DE', '2026-11-02 10:00:00+00', 'Lost', 'lost', null, '2026-11-04 10:00:00+00', 500, 'RUB');
insert into deal_stages (deal_id, stage, entered_at) values
    ('DA', 'New', '2026-11-02 09:00:00+00'), ('DA', 'Meeting', '2026-11-03 21:00:00+00'),
    ('DB', 'New', '2026-11-02 12:00:00+00'), ('DB', 'Proposal', '2026-11-04 12:00:00+00'),
    ('DC', 'New', '2026-11-03 00:00:00+00'),
    ('DD', 'New', '2026-11-04 10:00:00+00'), ('DD', 'Meeting', '2026-11-04 10:00:00+00'),
    ('DE', 'New', '2026-11-02 10:00:00+00'), ('DE', 'Meeting', '2026-11-06 10:00:00+00');
"""


def test_a_stay_ends_at_the_next_entry_else_at_the_close(tmp_path):
    """The stay rule on five deals, by hand (UTC):
    DA won: New 11-02 09:00 → Meeting 11-03 21:00 (1.5 d, ended by the next entry); Meeting → closed
        11-05 09:00 (1.5 d, ended by the close: no entry into Won was exported).
    DB open: New 11-02 12:00 → Proposal 11-04 12:00 (2 d); Proposal still going on: left out.
    DC lost without a close date: its New stay has no end: left out.
    DD lost: New and Meeting entered at the same moment 11-04 10:00 — in stage-name order, Meeting's
        stay ends at New's entry (0 d) and New's at the close 11-05 10:00 (1 d).
    DE lost: New 11-02 10:00 → Meeting 11-06 10:00 (4 d); Meeting entered after the close (11-04):
        a stay ending before it starts is left out.
    Time in stage, cohort of 11-02 … 11-08 (every deal): New 1.5, 2, 1, 4 → median 1.75, mean 2.125;
    Meeting 1.5, 0 → median 0.75, mean 0.75; Proposal none (DB's stay is going on) → no row.
    """
    path = tmp_path / "stays.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(STAYS_SQL)
    assert_facts_match_definitions(path)
    assert {d: _stays(path, d) for d in ("DA", "DB", "DC", "DD", "DE")} == {
        "DA": [("New", "11-02 09:00", "11-03 21:00"), ("Meeting", "11-03 21:00", "11-05 09:00")],
        "DB": [("New", "11-02 12:00", "11-04 12:00")],
        "DC": [],
        "DD": [("Meeting", "11-04 10:00", "11-04 10:00"), ("New", "11-04 10:00", "11-05 10:00")],
        "DE": [("New", "11-02 10:00", "11-06 10:00")],
    }
    f = _filters(date(2026, 11, 2), date(2026, 11, 8), "UTC")
    times = load_all()["stage-time"].func(db.Reader(path).query, f[0])
    assert times["stage"].tolist() == ["New", "Meeting"]
    assert times["stays"].tolist() == [4, 2]
    assert times["median_days"].tolist() == [1.75, 0.75]
    assert times["mean_days"].tolist() == [2.125, 0.75]
    # cash view: the stays that began in 11-03 … 11-04: DA Meeting (1.5), DD New (1) and Meeting (0)
    cash = load_all()["stage-time"].func(db.Reader(path).query, replace(f[0], period=Period(date(2026, 11, 3),
                                                                                            date(2026, 11, 4))),
                                         view="cash")
    assert dict(zip(cash["stage"], cash["stays"])) == {"New": 1, "Meeting": 2}
    assert dict(zip(cash["stage"], cash["mean_days"])) == {"New": 1.0, "Meeting": 0.75}
    assert_reports_equal(path, f)
