"""The Traffic page: the bounce definition in use is shown and can be switched, and daily aggregates
are labelled visitor-days. DB: yesterday, S1 (V1, 1 pageview, 5 s) and S2 (V2, 1 pageview, 12 s):
Metrica counts both as bounces (100 %), GA4 only S1 (S2 is engaged: ≥ 10 s) → 50 %."""
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from streamlit.testing.v1 import AppTest

from fullfunnel import db, periods

ROOT = Path(__file__).resolve().parent.parent


def _db(path, extra=""):
    y = periods.today_in("UTC") - timedelta(days=1)
    noon = datetime.combine(y, time(12), timezone.utc)
    with db.writer(path, fresh=True) as con:
        con.execute("insert into settings values ('business_tz', 'UTC'), ('currency', 'RUB')" + extra)
        con.executemany("insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s, channel) "
                        "values (?, ?, ?, 1, ?, 'seo')", [("S1", "V1", noon, 5), ("S2", "V2", noon, 12)])
    return path


def _open(path, monkeypatch, **widgets):
    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in widgets.items():
        at.session_state[key] = value
    at.switch_page("pages/traffic.py")
    at.run()
    assert not at.exception
    return at


def bounce_card(at):
    return next(m.value for m in at.metric if m.label == "Bounce rate")


def test_switching_the_bounce_definition(tmp_path, monkeypatch):
    at = _open(_db(tmp_path / "t.duckdb"), monkeypatch)
    assert bounce_card(at) == "100.0%"
    assert any("Yandex Metrica way" in c.value for c in at.caption)
    at.segmented_control(key="bounce").set_value("ga4").run()
    assert bounce_card(at) == "50.0%"
    assert any("GA4 way" in c.value for c in at.caption)


def test_the_setting_picks_the_default(tmp_path, monkeypatch):
    at = _open(_db(tmp_path / "g.duckdb", ", ('bounce_definition', 'ga4')"), monkeypatch)
    assert bounce_card(at) == "50.0%"


def test_daily_aggregates_say_visitor_days(tmp_path, monkeypatch):
    p = tmp_path / "a.duckdb"
    y = periods.today_in("UTC") - timedelta(days=1)
    with db.writer(p, fresh=True) as con:
        con.execute("insert into settings values ('business_tz', 'UTC')")
        con.execute("insert into traffic (date, channel, sessions, visitors, bounces) values (?, 'seo', 10, 7, 2)", [y])
    at = _open(p, monkeypatch)
    labels = {m.label: m.value for m in at.metric}
    assert labels["Visitor-days"] == "7" and labels["Sessions"] == "10"
    assert any("visitor-days" in i.value for i in at.info)


def test_only_the_open_breakdown_is_read_and_drawn(tmp_path, monkeypatch):
    """By channel on a page load; by landing page once its tab is opened (a click reruns the page)."""
    path = _db(tmp_path / "b.duckdb")
    with db.writer(path) as con:   # a third visit, on a landing page (the rollup is rebuilt with it)
        con.execute("insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s, channel, "
                    "landing_page) select 'S3', 'V3', started_at, 2, 30, 'seo', '/price' from sessions "
                    "where session_id = 'S1'")
    at = _open(path, monkeypatch)
    by_channel, by_landing = at.tabs
    assert [tab.label for tab in at.tabs] == ["By channel", "By landing page"]
    assert len(by_channel.children) == 1 and len(by_landing.children) == 0
    (table,) = at.dataframe
    assert table.value["channel"].tolist() == ["seo"]
    at = _open(path, monkeypatch, tr_tab="By landing page")
    by_channel, by_landing = at.tabs
    assert len(by_channel.children) == 0 and len(by_landing.children) == 1
    (table,) = at.dataframe
    assert table.value["landing_page"].tolist() == ["/price"]
