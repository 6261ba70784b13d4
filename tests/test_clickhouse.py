"""ClickHouse gives every report the same table as DuckDB, and imports and undos there land whole.

The same fixtures are built through `db.writer` on both engines (DuckDB file and ClickHouse, in
process through chdb), then every registered report runs with every choice of its options (as
tests/test_facts.py enumerates them) on both, and the tables must be identical value for value:
same columns, same dtypes, same numbers.

With FULLFUNNEL_TEST_CLICKHOUSE=clickhouse://user:password@host:8123/scratch_db the same tests
run against that server instead of chdb (they replace every table in that database).
"""
from __future__ import annotations

import itertools
import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from fullfunnel import FullfunnelError, db, demo, facts
from fullfunnel.engines import clickhouse as ch
from fullfunnel.importing import import_bytes
from fullfunnel.importing.load import undo
from fullfunnel.reports import load_all
from tests.conftest import make_tiny_db
from tests.test_facts import _extra, _filters, _option_sets, _result
from tests.test_funnel import FUNNEL_SQL

SERVER = os.environ.get("FULLFUNNEL_TEST_CLICKHOUSE")
_n = itertools.count()


@pytest.fixture(scope="session")
def chdb_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("chdb")   # chdb holds one folder per process


@pytest.fixture
def url(chdb_folder, monkeypatch) -> str:
    """A ClickHouse database to write: the server named by FULLFUNNEL_TEST_CLICKHOUSE, else chdb."""
    monkeypatch.setitem(ch.SETTINGS, "max_threads", 1)   # float sums in one order, as DuckDB's below
    if SERVER:
        client = ch.connect(SERVER)
        for t in client.arrow("select name from system.tables where database = currentDatabase()").to_pylist():
            client.command(f"drop table if exists `{t['name']}`")
        return SERVER
    return f"chdb://{chdb_folder}?database=t{os.getpid()}_{next(_n)}"


def assert_engines_equal(path: Path, url: str, filters, defaults_only: bool = False) -> int:
    """Every report with every option set (or its defaults only) on the DuckDB file and on ClickHouse;
    tables compared."""
    duck, click = db.Reader(path), db.Reader(url)
    assert isinstance(click, ch.Reader)
    duck.connection().execute("set threads = 1")
    n = 0
    for report in load_all().values():
        for f in filters:
            for opts in _option_sets(report, duck.query, f)[:1 if defaults_only else None]:
                opts = {**opts, **_extra(report.name, f)}
                want = _result(report.func, duck.query, f, opts)
                got = _result(report.func, click.query, f, opts)
                where = f"{report.name} {opts} {f.period} {f.tz} {f.channels}"
                if isinstance(want, str) or isinstance(got, str):
                    assert isinstance(got, str) and isinstance(want, str) and got == want, (where, got, want)
                else:
                    pd.testing.assert_frame_equal(got, want, check_exact=True, obj=where)
                n += 1
    return n


def test_every_report_is_the_same_on_clickhouse_for_the_tiny_database(tmp_path, url):
    path = make_tiny_db(tmp_path / "tiny.duckdb")
    make_tiny_db(url)   # the same rows through the ClickHouse writer
    f = _filters(date(2026, 11, 1), date(2026, 11, 7), "Europe/Moscow")
    weekly = replace(f[0], grain="week", compare="year_ago", channels=("yandex_direct", "direct"))
    n = assert_engines_equal(path, url, f + [weekly])
    assert n > 100


def test_a_report_in_another_zone_is_the_same_on_clickhouse(tmp_path, url):
    """In a zone other than the one the facts were built in, the queries read the fact definitions
    themselves (fullfunnel/facts.py resolve): every report, with its default options, in UTC."""
    path = make_tiny_db(tmp_path / "tiny.duckdb")
    make_tiny_db(url)
    utc = replace(_filters(date(2026, 11, 1), date(2026, 11, 7), "UTC")[0], channels=("yandex_direct", "direct"))
    assert assert_engines_equal(path, url, [utc], defaults_only=True) == len(load_all())


def test_every_report_is_the_same_on_clickhouse_for_the_funnel_fixture(tmp_path, url):
    path = tmp_path / "funnel.duckdb"
    for target in (path, url):
        with db.writer(target, fresh=True) as con:
            con.execute(FUNNEL_SQL)
    assert_engines_equal(path, url, _filters(date(2026, 11, 2), date(2026, 11, 8), "UTC", ("vk_ads",)))


def test_every_report_is_the_same_on_clickhouse_for_a_small_demo(tmp_path, url):
    path = tmp_path / "demo.duckdb"
    demo.build(path, days=40, scale=0.01, end=date(2026, 11, 29))
    ch.copy_from(path, url)   # the DuckDB file moved to ClickHouse as it is
    assert_engines_equal(path, url, _filters(date(2026, 11, 1), date(2026, 11, 28), "Europe/Moscow"))


def test_the_tables_are_merge_trees_partitioned_by_month(tmp_path, url):
    make_tiny_db(url)
    client = ch.connect(url)
    rows = {r["name"]: r for r in client.arrow(
        "select name, engine, partition_key, sorting_key from system.tables "
        "where database = currentDatabase()").to_pylist()}
    assert rows["sessions"]["engine"] == "MergeTree"
    assert rows["sessions"]["partition_key"] == "toYYYYMM(started_at)"
    assert rows["fact_sessions_day"]["sorting_key"] == "day, channel, campaign"
    # the tiny sessions fall in October and November 2026: two partitions
    parts = client.arrow("select distinct partition from system.parts where database = currentDatabase() "
                         "and table = 'sessions' and active order by partition").column(0).to_pylist()
    assert parts == ["202610", "202611"]
    assert ch.schema_version(client) == db.SCHEMA_VERSION


def _csv(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def _rows(target, sql: str) -> list[tuple]:
    df = db.Reader(target).sql(sql)
    return [tuple(None if pd.isna(v) else v for v in r) for r in df.itertuples(index=False)]


def test_import_and_undo_on_clickhouse_leave_exactly_the_rows_they_should(tmp_path, url):
    path = make_tiny_db(tmp_path / "tiny.duckdb")
    make_tiny_db(url)
    sessions = ["session_id,visitor_id,started_at,pageviews,duration_s,channel,campaign",
                # S11 is new; S1 replaces the fixture's S1 (natural key session_id)
                "S11,V9,2026-11-09 23:30:00+03,1,3,vk_ads,retarget",
                "S1,V1,2026-11-01 10:00:00+03,9,900,seo,"]
    before = _rows(url, "select session_id, channel, pageviews from sessions order by session_id")
    assert ("S1", "yandex_direct", 1) in before
    ids = {}
    for target in (path, url):
        ids[target] = import_bytes(_csv(sessions), "sessions.csv", db_file=target).import_id
    after = _rows(url, "select session_id, channel, pageviews from sessions order by session_id")
    assert after == _rows(path, "select session_id, channel, pageviews from sessions order by session_id")
    assert len(after) == len(before) + 1          # one added, one replaced: never a duplicate S1
    assert ("S1", "seo", 9) in after and ("S11", "vk_ads", 1) in after
    assert ("S1", "yandex_direct", 1) not in after
    # the fact table the pages read follows at once (not eventually)
    nov9 = "select sum(sessions_n) from fact_sessions_day where day = date '2026-11-09'"
    assert _rows(url, nov9) == [(1,)]
    assert_engines_equal(path, url, _filters(date(2026, 11, 1), date(2026, 11, 9), "Europe/Moscow")[:1])
    for target in (path, url):
        undo(ids[target], db_file=target)
    assert _rows(url, "select session_id, channel, pageviews from sessions order by session_id") == before
    assert _rows(url, nov9) == [(None,)]
    log = _rows(url, f"select undone_at is not null from import_log where import_id = {int(ids[url])}")
    assert log == [(True,)]


def test_a_failed_write_leaves_clickhouse_as_it_was(tmp_path, url):
    make_tiny_db(url)
    sql = "select lead_id, channel from leads order by lead_id"
    before = _rows(url, sql)
    with pytest.raises(RuntimeError):
        with db.writer(url) as con:
            con.execute("delete from leads")
            raise RuntimeError("the import failed half-way")
    assert _rows(url, sql) == before
    bad = ["lead_id,created_at,channel", "L90,not a date,seo"]
    with pytest.raises(FullfunnelError):
        import_bytes(_csv(bad), "leads.csv", db_file=url, strict=True)
    assert _rows(url, sql) == before
    client = ch.connect(url)
    left = client.arrow("select name from system.tables where database = currentDatabase() "
                        "and name like '\\_ff\\_new\\_%'").num_rows
    assert left == 0   # no staging table left behind


def test_every_query_translates_to_clickhouse():
    """sqlglot turns each queries/ file into ClickHouse SQL (run for real by the tests above)."""
    names = sorted(str(p.relative_to(db.QUERIES))[:-4] for p in db.QUERIES.rglob("*.sql")
                   if not p.name.endswith(".clickhouse.sql") and p.parent.name != "schema")
    for name in names:
        text = ch.translate(db.query_text(name))
        assert "$" not in text.replace("'$'", ""), name   # every parameter became {name:Type}


def test_the_roi_twin_exists_because_clickhouse_cannot_run_correlated_subqueries(tmp_path, url):
    """channel_campaign_roi.sql asks "no earlier order of this client" with a correlated `not exists`,
    which ClickHouse refuses; its twin says the same with a left join (and is proved equal above)."""
    make_tiny_db(url)
    reader = db.Reader(url)
    reader.connection()
    sql = db.query_text("roi/channel_campaign_roi")
    translated, params = ch.bind(ch.translate(sql), db.bind(sql, {
        "from": date(2026, 11, 1), "to": date(2026, 11, 7), "tz": "UTC", "channels": [], "currency": "RUB",
        "by": "channel", "view": "cohort", "attribution": "last_non_direct", "margin_pct": None,
        "grain": "day", "bucketed": False, "whole": False, "won_by": None}))
    with pytest.raises(ch.ClickHouseError, match="correlated"):
        ch.connect(url).arrow(translated, params)
    assert ch.twin("roi/channel_campaign_roi") is not None
    body = "\n".join(line for line in ch.twin("roi/channel_campaign_roi").splitlines() if not line.startswith("--"))
    assert "not exists" in sql.lower() and "exists" not in body.lower()


def test_a_clickhouse_url_is_the_engine_switch(monkeypatch, tmp_path):
    monkeypatch.setenv("FULLFUNNEL_DB", "clickhouse://me:s3cret@db.example:8123/sales")
    target = db.db_path()
    assert str(target) == "clickhouse://me:s3cret@db.example:8123/sales"
    assert target.name == "clickhouse://me:***@db.example:8123/sales"   # never the password in messages
    monkeypatch.setenv("FULLFUNNEL_DB", str(tmp_path / "x.duckdb"))
    assert db.db_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv("FULLFUNNEL_DB")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[database]\nurl = "chdb:///srv/ff"\n')
    monkeypatch.setenv("FULLFUNNEL_SECRETS", str(secrets))
    assert str(db.db_path()) == "chdb:///srv/ff"


def test_every_page_shows_the_same_tables_on_clickhouse(tmp_path, url, monkeypatch):
    """Each page runs (AppTest) on the DuckDB file; every query it asked for gives the same table on
    ClickHouse; and each page runs on ClickHouse itself without an exception."""
    from streamlit.testing.v1 import AppTest

    from tests.test_app import PAGES, ROOT

    path = make_tiny_db(tmp_path / "tiny.duckdb")
    make_tiny_db(url)
    calls: dict[tuple, tuple] = {}
    query = db.Reader.query

    def recorded(self, name, params=None):
        key = (name, repr(sorted((params or {}).items())))
        calls.setdefault(key, (name, dict(params or {})))
        return query(self, name, params)

    monkeypatch.setattr(db.Reader, "query", recorded)
    week = {"period": "custom", "from": "2026-11-01", "to": "2026-11-07"}
    for target in (path, url):
        monkeypatch.setenv("FULLFUNNEL_DB", str(target))
        for page in PAGES:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.query_params.update(week)
            at.switch_page(f"pages/{page}").run()
            assert not at.exception, (target, page, at.exception and at.exception[0].message)
    assert len(calls) > 30
    duck, click = db.Reader(path), db.Reader(url)
    duck.connection().execute("set threads = 1")
    for name, params in calls.values():
        pd.testing.assert_frame_equal(click.query(name, params), query(duck, name, params), check_exact=True,
                                      obj=f"{name} {params}")


def test_a_null_list_parameter_means_no_restriction_and_a_list_restricts(url):
    """ClickHouse has no NULL array: `$fact_deals::varchar[] is null` is told apart from an empty list."""
    sql = ("with d as (select unnest(['a', 'b', 'c']) as deal_id) "
           "select deal_id from d where $fact_deals::varchar[] is null "
           "or deal_id in (select unnest($fact_deals::varchar[])) order by deal_id")
    client = ch.connect(url)
    for value, want in ((None, ["a", "b", "c"]), (["b"], ["b"]), ([], [])):
        text, params = ch.bind(ch.translate(sql), {"fact_deals": value})
        assert [r["deal_id"] for r in client.arrow(text, params).to_pylist()] == want, value


def test_a_ctes_star_in_a_join_keeps_plain_column_names(url):
    """`b.*` next to a joined table: ClickHouse would name the columns `b.k`; the translation lists them."""
    sql = ("with b as (select 1 as k, 'x' as v), c as (select 1 as k, 'y' as w), "
           "r as (select b.*, c.w from b join c on c.k = b.k) select r.k, r.v, r.w from r")
    text, params = ch.bind(ch.translate(sql), {})
    assert ch.connect(url).arrow(text, params).to_pylist() == [{"k": 1, "v": "x", "w": "y"}]


def test_a_star_expands_to_the_columns_of_the_cte_in_its_own_scope(url):
    """Fact definitions put in front of a query each bring their own `deal_base`: `b.*` takes the
    columns of the one in its scope, not of a namesake elsewhere."""
    sql = ("with f1 as (with b as (select 1 as k, 'x' as cohort_at) select b.*, 1 as n from b join b as c on c.k = b.k), "
           "f2 as (with b as (select 1 as k, 'y' as cohort_day) select b.*, 2 as n from b join b as c on c.k = b.k) "
           "select f1.cohort_at, f2.cohort_day from f1 join f2 on f2.k = f1.k")
    text, params = ch.bind(ch.translate(sql), {})
    assert ch.connect(url).arrow(text, params).to_pylist() == [{"cohort_at": "x", "cohort_day": "y"}]
