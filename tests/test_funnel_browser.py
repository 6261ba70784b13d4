"""The funnel page in a real browser: the funnel is drawn, clicking a bar lists its deals, the CSV downloads.

Runs the hand-made pipeline of tests/test_funnel.py shifted so its last event (D1 won) is two days
ago: the default period (last 30 days, ending yesterday) then holds both fixture weeks, so the
Meeting row holds D0, D1, D2 and D7 (D4 was lost without history and counts only in New).
"""
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from fullfunnel import db, periods

from live import settle, streamlit_server
from test_funnel import FUNNEL_SQL

CHART = "[data-testid='stVegaLiteChart'], [data-testid='stArrowVegaLiteChart']"


def shifted_sql() -> str:
    delta = periods.today_in("UTC") - timedelta(days=2) - date(2026, 11, 10)
    return re.sub(r"'(\d{4}-\d{2}-\d{2})",
                  lambda m: "'" + (date.fromisoformat(m.group(1)) + delta).isoformat(), FUNNEL_SQL)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("funnel_browser") / "funnel.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(shifted_sql())
    with streamlit_server(path, path.with_suffix(".log")) as base:
        yield base


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="en-US", accept_downloads=True)
    yield ctx.new_page()
    ctx.close()


def test_click_a_bar_then_download_its_deals(server, page):
    page.goto(f"{server}/funnel")
    settle(page)
    assert page.query_selector_all("[data-testid='stException']") == []
    chart = page.locator(CHART).first
    bars = chart.locator("g.mark-rect path")
    expect(bars).to_have_count(9, timeout=30_000)  # impressions … won, one bar per funnel row (Vega draws after the run)
    chart.locator("g.mark-rect path[aria-label*='label: Meeting;']").first.click()
    settle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("funnel_Meeting_")
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel opens Cyrillic names correctly
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("item_id,item_type,created_date,step_date,channel,campaign,manager,amount")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["D0", "D1", "D2", "D7"]
