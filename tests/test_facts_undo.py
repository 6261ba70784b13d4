"""An undo redoes only what its rows touched, and leaves every fact and the traffic rollup as a build from scratch.

The tiny database of tests/conftest.py gets a day of sessions and leads (2026-11-09, Moscow), which
is then undone. Through the undo, fullfunnel/facts.py and fullfunnel/rollups.py must rebuild only
the business days and visitors of the rows it took out (or put back, when the import had replaced
rows) — no fact table and no rollup is built again whole — and the result must equal a build from
scratch: the facts their definitions, the rollup a forced rebuild on a copy.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from fullfunnel import db, facts, rollups
from fullfunnel.importing import import_bytes
from fullfunnel.importing.load import undo
from tests.conftest import make_tiny_db, q
from tests.test_facts import assert_facts_match_definitions

SESSIONS = "session_id,visitor_id,started_at,pageviews,duration_s,channel,campaign"
LEADS = "lead_id,created_at,channel,campaign,client_id,visitor_id,qualification"


def _csv(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def _rollup(path: Path) -> pd.DataFrame:
    """The traffic rollup by visitor id (the keys are only a numbering)."""
    con = db.Reader(path).cursor()
    return con.execute("select k.visitor_id, r.* exclude (visitor_key) from traffic_rollup as r "
                       "join visitor_keys as k using (visitor_key) order by all").df()


def assert_rollup_as_from_scratch(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "scratch.duckdb"
    shutil.copyfile(path, copy)
    with db.writer(copy) as con:
        rollups.refresh(con, force=True)
    pd.testing.assert_frame_equal(_rollup(path), _rollup(copy), check_exact=True)
    # no key is left for a visitor without sessions, as a build from scratch leaves none
    assert q(path, "select count(*) from visitor_keys")[0][0] == \
        q(path, "select count(distinct visitor_id) from sessions")[0][0]


@pytest.fixture
def spies(monkeypatch):
    """The fact tables built again whole, and whether the rollup took the undo's visitors only."""
    seen = {"rebuilt": [], "scoped": []}
    rebuild, scope = facts._rebuild, rollups._undone_scope

    def spy_rebuild(con, name, tz):
        seen["rebuilt"].append(name)
        rebuild(con, name, tz)

    def spy_scope(con, built, now):
        done = scope(con, built, now)
        seen["scoped"].append(done)
        return done

    monkeypatch.setattr(facts, "_rebuild", spy_rebuild)
    monkeypatch.setattr(rollups, "_undone_scope", spy_scope)
    return seen


def _day(path: Path, table: str, day: str) -> dict:
    return dict(q(path, f"select channel, sum({'sessions_n' if 'sessions' in table else 'leads_n'}) "
                        f"from {table} where day = ? group by channel", [day]))


def test_undo_of_a_day_of_sessions_and_leads_redoes_only_that_day(tmp_path, spies):
    path = make_tiny_db(tmp_path / "tiny.duckdb")
    # V1 has sessions on 1 and 3 November already; V9 is new. No `converted` column: a lead of the
    # visitor on the same day marks the session converted.
    sessions = import_bytes(_csv([SESSIONS, "S10,V1,2026-11-09 10:00:00+03,2,30,yandex_direct,brand",
                                  "S11,V9,2026-11-09 23:30:00+03,1,3,vk_ads,retarget"]),
                            "sessions.csv", db_file=path).import_id
    # new enquiries of new clients, no deal: no deal fact can see them
    leads = import_bytes(_csv([LEADS, "L20,2026-11-09 23:45:00+03,vk_ads,retarget,C20,V9,target",
                               "L21,2026-11-09 12:00:00+03,seo,,C21,,junk"]), "leads.csv", db_file=path).import_id
    assert _day(path, "fact_sessions_day", "2026-11-09") == {"yandex_direct": 1, "vk_ads": 1}
    assert _day(path, "fact_leads_day", "2026-11-09") == {"vk_ads": 1, "seo": 1}
    assert q(path, "select sum(converted_n) from traffic_rollup join visitor_keys using (visitor_key) "
                   "where visitor_id = 'V9'")[0][0] == 1
    spies["rebuilt"].clear(), spies["scoped"].clear()

    undo(leads, db_file=path)
    assert spies["rebuilt"] == []  # fact_leads_day by its day; the deal facts left alone
    assert spies["scoped"] == [True]  # the rollup: V9 only (its session is no longer converted)
    assert _day(path, "fact_leads_day", "2026-11-09") == {}
    assert q(path, "select sum(converted_n) from traffic_rollup join visitor_keys using (visitor_key) "
                   "where visitor_id = 'V9'")[0][0] == 0
    assert_facts_match_definitions(path)
    assert_rollup_as_from_scratch(path, tmp_path)

    undo(sessions, db_file=path)
    assert spies["rebuilt"] == []  # fact_sessions_day by its day; sessions after every lead and deal
    assert spies["scoped"] == [True, True]  # V1 and V9 only
    assert _day(path, "fact_sessions_day", "2026-11-09") == {}
    assert q(path, "select count(*) from visitor_keys where visitor_id = 'V9'")[0][0] == 0
    assert_facts_match_definitions(path)
    assert_rollup_as_from_scratch(path, tmp_path)


def test_undo_that_puts_replaced_rows_back_ends_exactly_right(tmp_path, spies):
    path = make_tiny_db(tmp_path / "tiny.duckdb")
    import_bytes(_csv([SESSIONS, "S10,V1,2026-11-09 10:00:00+03,2,30,yandex_direct,brand",
                       "S11,V9,2026-11-09 23:30:00+03,1,3,vk_ads,retarget"]), "sessions.csv", db_file=path)
    import_bytes(_csv([LEADS, "L20,2026-11-09 12:00:00+03,vk_ads,retarget,C20,V9,target"]),
                 "leads.csv", db_file=path)
    # the same sessions again: S11 now seo with 5 pageviews on the next day, and a new S12
    again = import_bytes(_csv([SESSIONS, "S11,V9,2026-11-10 09:00:00+03,5,300,seo,",
                               "S12,V10,2026-11-10 10:00:00+03,1,3,seo,"]),
                         "sessions2.csv", db_file=path).import_id
    # L20 again, now junk from seo a day later
    lead = import_bytes(_csv([LEADS, "L20,2026-11-10 12:00:00+03,seo,,C20,V9,junk"]),
                        "leads2.csv", db_file=path).import_id
    assert _day(path, "fact_sessions_day", "2026-11-10") == {"seo": 2}
    assert _day(path, "fact_leads_day", "2026-11-10") == {"seo": 1}
    spies["rebuilt"].clear(), spies["scoped"].clear()

    undo(lead, db_file=path)  # L20 of 9 November is back
    assert "fact_leads_day" not in spies["rebuilt"]  # by the two days; deal facts may be rebuilt
    assert spies["scoped"] == [True]
    assert _day(path, "fact_leads_day", "2026-11-10") == {}
    assert _day(path, "fact_leads_day", "2026-11-09") == {"vk_ads": 1}
    assert_facts_match_definitions(path)
    assert_rollup_as_from_scratch(path, tmp_path)

    undo(again, db_file=path)  # S11 of 9 November is back, S12 (and visitor V10) gone
    assert "fact_sessions_day" not in spies["rebuilt"]
    assert spies["scoped"] == [True, True]
    assert _day(path, "fact_sessions_day", "2026-11-10") == {}
    assert _day(path, "fact_sessions_day", "2026-11-09") == {"yandex_direct": 1, "vk_ads": 1}
    assert q(path, "select count(*) from visitor_keys where visitor_id = 'V10'")[0][0] == 0
    assert_facts_match_definitions(path)
    assert_rollup_as_from_scratch(path, tmp_path)


def test_a_note_of_undone_rows_that_does_not_add_up_rebuilds_everything(tmp_path, spies):
    """The note is trusted only when the signatures prove nothing else changed."""
    path = make_tiny_db(tmp_path / "tiny.duckdb")
    with db.writer(path) as con:
        # S4 (seo, 27 October, 1 page) goes, but the note says S2 (yandex_direct, 3 November, 3 pages) did
        con.execute(f"create temp table {facts.UNDONE.format(table='sessions')} as "
                    "select *, -1 as sign from sessions where session_id = 'S2'")
        con.execute("delete from sessions where session_id = 'S4'")
    assert "fact_sessions_day" in spies["rebuilt"]
    assert spies["scoped"] == [False]
    assert _day(path, "fact_sessions_day", "2026-10-27") == {}
    assert _day(path, "fact_sessions_day", "2026-11-03") == {"yandex_direct": 1}
    assert_facts_match_definitions(path)
    assert_rollup_as_from_scratch(path, tmp_path)
