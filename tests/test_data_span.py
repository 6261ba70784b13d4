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


def test_the_span_is_the_first_and_last_business_day_of_every_row_in_any_zone(tmp_path):
    """The query converts only rows near each table's edges; the span is still every row's."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    path = tmp_path / "edges.duckdb"
    sessions = [datetime(2024, 4, 7, 3, 30, tzinfo=timezone.utc), datetime(2024, 4, 6, 2, 59, tzinfo=timezone.utc),
                datetime(2024, 5, 1, 23, 59, tzinfo=timezone.utc), datetime(2024, 5, 2, 0, 1, tzinfo=timezone.utc)]
    leads = [datetime(2024, 4, 5, 11, 0, tzinfo=timezone.utc), datetime(2024, 4, 20, 12, 0, tzinfo=timezone.utc)]
    with db.writer(path, fresh=True) as con:
        for i, at in enumerate(sessions):
            con.execute("insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s, channel) "
                        "values (?, 'V', ?, 1, 5, 'seo')", [f"S{i}", at])
        for i, at in enumerate(leads):
            con.execute("insert into leads (lead_id, created_at, channel, qualification) values (?, ?, 'seo', 'target')",
                        [f"L{i}", at])
    reader = db.Reader(path)
    for tz in ["UTC", "America/Santiago", "Pacific/Kiritimati", "Pacific/Pago_Pago"]:
        days = [at.astimezone(ZoneInfo(tz)).date() for at in sessions + leads]
        span = reader.query("meta/data_span", {"tz": tz})
        assert (span["first_day"].iloc[0].date(), span["last_day"].iloc[0].date()) == (min(days), max(days)), tz
