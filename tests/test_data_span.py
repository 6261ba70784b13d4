"""Open where the data is: the sidebar shows the span of the data; an empty period offers the one that has it."""
from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from fullfunnel import db

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def old_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("span") / "old.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute("insert into settings values ('business_tz', 'UTC'), ('currency', 'RUB')")
        con.execute("insert into leads (lead_id, created_at, channel, qualification) values "
                    "('L1', '2014-09-14 10:00:00+00', 'seo', 'target'), ('L2', '2014-10-02 10:00:00+00', 'seo', 'junk')")
        con.execute("insert into traffic (date, sessions, visitors, channel, campaign) values "
                    "('2014-09-13', 5, 5, 'seo', '')")
    return path


def test_the_span_query_covers_every_kind(old_db):
    span = db.Reader(old_db).query("meta/data_span", {"tz": "UTC"})
    assert (span["first_day"].iloc[0].date(), span["last_day"].iloc[0].date()) == (date(2014, 9, 13), date(2014, 10, 2))


def test_an_empty_period_says_so_and_one_click_opens_the_data(old_db, monkeypatch):
    monkeypatch.setenv("FULLFUNNEL_DB", str(old_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("Data: Sep 13, 2014 – Oct 2, 2014" in c.value for c in at.sidebar.caption)
    assert any("holds no data" in w.value and "Sep 13, 2014" in w.value for w in at.warning)
    at.button(key="ff_show_span").click().run()
    assert not at.exception
    assert at.session_state["period"] == "custom"
    assert (at.session_state["from"], at.session_state["to"]) == (date(2014, 9, 13), date(2014, 10, 2))
    assert not any("holds no data" in w.value for w in at.warning)
