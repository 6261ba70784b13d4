"""Fixtures: a tiny DuckDB whose every total can be checked by hand.

The week of 2026-11-01 … 2026-11-07 (business zone Europe/Moscow, UTC+3) against the previous
week 2026-10-25 … 2026-10-31. Totals for the current week, all channels, in RUB:
  spend 1000 + 2000 + 1000 = 4000 (the 50 USD row is another currency and never added)
  sessions 3; leads L1…L5 = 5, junk L2 + L4 = 2, target 3
  won deals D1 + D2 + D5 = 3; revenue D1 10000 + D2 6000 = 16000 (D5 is in USD)
  ROMI (16000 − 4000) / 4000 = 300 %
Previous week: spend 1500, sessions 1, leads L6 + L7 = 2 (target 2), won D3 = 1, revenue 3000,
  ROMI (3000 − 1500) / 1500 = 100 %.
Time-zone edges: L1 is 2026-10-31 22:30 UTC = 2026-11-01 01:30 in Moscow (current week);
  L7 is 2026-10-31 20:00 UTC = 23:00 in Moscow (previous week); D2 is won 2026-11-07 20:00 UTC
  = 23:00 in Moscow (current week).
"""
from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# every chart a page draws in a test passes Altair's JSON-schema check (skipped for users: fullfunnel/ui.py)
os.environ.setdefault("FULLFUNNEL_VALIDATE_CHARTS", "1")

from fullfunnel import db  # noqa: E402
from fullfunnel.filters import Filters  # noqa: E402
from fullfunnel.periods import Period  # noqa: E402

WEEK = Period(date(2026, 11, 1), date(2026, 11, 7))
PREV_WEEK = Period(date(2026, 10, 25), date(2026, 10, 31))
TZ = "Europe/Moscow"

TINY_SQL = """
insert into settings values ('business_tz', 'Europe/Moscow'), ('currency', 'RUB');
insert into spend (date, channel, campaign, spend, impressions, clicks, currency) values
    ('2026-11-01', 'yandex_direct', 'brand', 1000, 10000, 200, 'RUB'),
    ('2026-11-03', 'yandex_direct', 'brand', 2000, 20000, 300, 'RUB'),
    ('2026-11-05', 'vk_ads', 'retarget', 1000, 5000, 50, 'RUB'),
    ('2026-10-28', 'yandex_direct', 'brand', 1500, 15000, 250, 'RUB'),
    ('2026-10-25', 'yandex_direct', 'brand', 0, 0, 0, 'RUB'),  -- the data covers the previous week
    ('2026-11-02', 'google_ads', 'search', 50, 800, 20, 'USD');
insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s, channel, converted) values
    ('S1', 'V1', '2026-11-01 10:00:00+03', 1, 5, 'yandex_direct', false),
    ('S2', 'V1', '2026-11-03 10:00:00+03', 3, 120, 'yandex_direct', true),
    ('S3', 'V2', '2026-11-07 12:00:00+03', 2, 40, 'seo', false),
    ('S4', 'V3', '2026-10-27 12:00:00+03', 1, 3, 'seo', false);
insert into leads (lead_id, created_at, channel, source, client_id, qualification, junk_reason, manager) values
    ('L1', '2026-10-31 22:30:00+00', 'yandex_direct', 'yandex', 'C1', 'target', null, 'Anna'),
    ('L2', '2026-11-02 09:00:00+03', 'yandex_direct', 'yandex', 'C2', 'junk', 'spam', 'Anna'),
    ('L3', '2026-11-03 11:00:00+03', 'yandex_direct', 'yandex', 'C3', 'target', null, 'Boris'),
    ('L4', '2026-11-04 15:00:00+03', 'vk_ads', 'vk', 'C4', 'junk', 'unreachable', 'Boris'),
    ('L5', '2026-11-06 16:00:00+03', 'seo', 'google', 'C5', 'target', null, 'Anna'),
    ('L6', '2026-10-26 12:00:00+03', 'seo', 'google', 'C6', 'target', null, 'Anna'),
    ('L7', '2026-10-31 20:00:00+00', 'yandex_direct', 'yandex', 'C7', 'target', null, 'Boris'),
    ('L8', '2026-11-08 10:00:00+03', 'seo', 'google', 'C8', 'target', null, 'Anna');
insert into deals (deal_id, created_at, stage, status, lead_id, client_id, closed_at, amount, currency, manager) values
    ('D1', '2026-11-01 12:00:00+03', 'Won', 'won', 'L1', 'C1', '2026-11-05 12:00:00+03', 10000, 'RUB', 'Anna'),
    ('D2', '2026-11-03 12:00:00+03', 'Won', 'won', 'L3', 'C3', '2026-11-07 20:00:00+00', 6000, 'RUB', 'Boris'),
    ('D3', '2026-10-26 13:00:00+03', 'Won', 'won', 'L6', 'C6', '2026-10-30 12:00:00+03', 3000, 'RUB', 'Anna'),
    ('D4', '2026-11-06 17:00:00+03', 'Lost', 'lost', 'L5', 'C5', '2026-11-06 18:00:00+03', 5000, 'RUB', 'Anna'),
    ('D5', '2026-11-01 12:00:00+03', 'Won', 'won', null, 'C9', '2026-11-02 12:00:00+03', 2000, 'USD', 'Boris'),
    ('D6', '2026-11-04 12:00:00+03', 'Proposal', 'open', 'L4', 'C4', null, 7000, 'RUB', 'Boris');
"""


def make_tiny_db(path: Path) -> Path:
    with db.writer(path, fresh=True) as con:
        con.execute(TINY_SQL)
    return path


@pytest.fixture(scope="session")
def tiny_db(tmp_path_factory) -> Path:
    """The hand-checkable database described at the top of this file (read it, don't change it)."""
    return make_tiny_db(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")


@pytest.fixture(scope="session")
def tiny_run(tiny_db):
    return db.Reader(tiny_db).query


@pytest.fixture
def week() -> Filters:
    """Filters for the fixture week against the previous week, all channels, RUB."""
    return Filters(period=WEEK, grain="day", compare="previous", tz=TZ, currency="RUB")


@pytest.fixture(autouse=True)
def _no_env_db(monkeypatch):
    # Tests pass databases explicitly; never touch the user's data/fullfunnel.duckdb.
    monkeypatch.delenv("FULLFUNNEL_DB", raising=False)
    monkeypatch.delenv("FULLFUNNEL_TZ", raising=False)
    yield


@pytest.fixture
def moscow_tz(monkeypatch):
    """Business zone Europe/Moscow for databases that have no zone setting yet (the import tests)."""
    monkeypatch.setenv("FULLFUNNEL_TZ", "Europe/Moscow")


@pytest.fixture
def dbf(tmp_path) -> Path:
    """A database path that does not exist yet (the first import creates it)."""
    return tmp_path / "ff.duckdb"


def q(path, sql: str, params=None) -> list[tuple]:
    """Rows of a query on a database file, opened read-only and closed again."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()



# --- shared by the real-browser modules: one Chromium, one demo database and one server for the session
# (each start costs seconds, and each first page run on a new server more).

@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, started once for every browser test module."""
    from live import chromium

    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A small demo database that the browser tests only read (never import into it)."""
    from live import small_demo

    return small_demo(tmp_path_factory.mktemp("browser_demo") / "demo.duckdb")


@pytest.fixture(scope="session")
def demo_server(demo_db, tmp_path_factory):
    """`streamlit run` on the small demo database, shared by the modules that only look at it."""
    from live import streamlit_server

    with streamlit_server(demo_db, tmp_path_factory.mktemp("demo_log") / "server.log") as base:
        yield base
