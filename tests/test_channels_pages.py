"""The Channels and Overview pages show the same alerts, in words, for the default period (last 30
days, ending yesterday). DB: vk_ads had 20 leads 30 days before yesterday and none since, and spent
500 ₽ yesterday → dead and burning money; seo brought a lead yesterday → no alert."""
from datetime import datetime, timedelta, timezone

import pytest
from streamlit.testing.v1 import AppTest

from fullfunnel import db, periods

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dead_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("pages") / "alerts.duckdb"
    yesterday = periods.today_in("UTC") - timedelta(days=1)
    old = datetime.combine(yesterday - timedelta(days=30), datetime.min.time(), timezone.utc) + timedelta(hours=12)
    with db.writer(path, fresh=True) as con:
        con.execute("insert into settings values ('business_tz', 'UTC'), ('currency', 'RUB')")
        con.executemany("insert into leads (lead_id, created_at, channel) values (?, ?, 'vk_ads')",
                        [(f"V{i}", old) for i in range(20)])
        con.execute("insert into leads (lead_id, created_at, channel) values ('S1', ?, 'seo')",
                    [old + timedelta(days=30)])
        con.execute("insert into spend (date, channel, spend, currency) values (?, 'vk_ads', 500, 'RUB')", [yesterday])
    return path


def _page(path, monkeypatch, page):
    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(page)
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize("page", ["pages/channels.py", "pages/overview.py"])
def test_alert_sentence_on_both_pages(dead_db, monkeypatch, page):
    at = _page(dead_db, monkeypatch, page)
    texts = [w.value.replace("\\_", "_") for w in at.warning]   # channel names are markdown-escaped
    vk = [x for x in texts if "vk_ads: 0 leads in 14 days, usually ~5" in x]
    assert len(vk) == 1 and "Dead" in vk[0] and "Burning money" in vk[0] and "₽500" in vk[0]
    assert not any("seo" in x for x in texts)


def test_campaign_rows_and_traffic_page_open(dead_db, monkeypatch):
    at = _page(dead_db, monkeypatch, "pages/channels.py")
    at.segmented_control(key="rows").set_value("campaign").run()
    assert not at.exception and len(at.dataframe) == 1
    at = _page(dead_db, monkeypatch, "pages/traffic.py")
    assert any("No web traffic imported yet" in i.value for i in at.info)


def test_junk_rate_is_said_unknown_when_no_lead_has_a_qualification(dead_db, monkeypatch):
    # no lead of this database has a qualification: no 0 % junk heatmap, a sentence instead
    at = _page(dead_db, monkeypatch, "pages/channels.py")
    assert any("junk rate is unknown" in i.value for i in at.info)
