"""The funnel page in a real browser: the funnel is drawn, clicking a bar lists its deals, the CSV downloads.

Runs the hand-made pipeline of tests/test_funnel.py shifted so its last event (D1 won) is two days
ago: the default period (last 30 days, ending yesterday) then holds both fixture weeks, so the
Meeting row holds D0, D1, D2 and D7 (D4 was lost without history and counts only in New).
"""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest

from fullfunnel import db, periods

from test_funnel import FUNNEL_SQL

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
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
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    log = open(path.with_suffix(".log"), "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=dict(os.environ, FULLFUNNEL_DB=str(path)), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the Streamlit server never became healthy")
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def page():
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run the tests with `python3 -m fullfunnel test`"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx = b.new_context(viewport={"width": 1500, "height": 1000}, locale="en-US", accept_downloads=True)
        yield ctx.new_page()
        b.close()


def settle(pg) -> None:
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
    pg.wait_for_timeout(700)
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)


def test_click_a_bar_then_download_its_deals(server, page):
    page.goto(f"{server}/funnel")
    settle(page)
    assert page.query_selector_all("[data-testid='stException']") == []
    chart = page.locator(CHART).first
    bars = chart.locator("g.mark-rect path")
    assert bars.count() == 9  # impressions … won, one bar per funnel row
    chart.locator("g.mark-rect path[aria-label*='label: Meeting;']").first.click()
    settle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("funnel_Meeting_")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("item_id,item_type,created_date,step_date,channel,campaign,manager,amount")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["D0", "D1", "D2", "D7"]
