"""A real `streamlit run` server and Debian's Chromium: every page opens without an error, charts are
drawn, and the filter state lives in the URL (reload or share it and the view comes back)."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from test_app import ROOT, app_pages

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def page_urls() -> list[tuple[str, str]]:
    import ast

    tree = ast.parse((ROOT / "app.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES":
            pairs = [(e.elts[0].value, e.elts[1].value) for e in node.value.elts]
    existing = set(app_pages())
    # the first page is the default one: it lives at the root URL
    return [(f, "" if i == 0 else url) for i, (f, url) in enumerate(pairs) if f in existing]


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    subprocess.run([sys.executable, "-m", "fullfunnel", "demo", "--db", str(path), "--days", "120",
                    "--scale", "0.05"], cwd=ROOT, check=True, capture_output=True)
    return path


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    port = free_port()
    log = open(tmp_path_factory.mktemp("log") / "server.log", "w")
    env = dict(os.environ, FULLFUNNEL_DB=str(demo_db))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run the tests with `python3 -m fullfunnel test`"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="en-US")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def settle(pg) -> None:
    """Wait until the script run is over and the page is drawn."""
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
    pg.wait_for_timeout(700)
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)


def errors_on(pg) -> list[str]:
    return [e.inner_text()[:300] for e in pg.query_selector_all("[data-testid='stException']")]


def test_first_click_after_start_up_keeps_the_other_filters(server, page):
    # Defined first so it runs against a freshly started server: the first run of a process is the
    # one that could lose widget state.
    page.goto(f"{server}/?period=last_month")
    settle(page)
    page.get_by_text("Week", exact=True).click()
    settle(page)
    assert "grain=week" in page.url and "period=last_month" in page.url
    assert page.get_by_role("radio", name="Week").is_checked()


@pytest.mark.parametrize("file,url", page_urls())
def test_every_page_opens_without_an_error(server, page, file, url):
    page.goto(f"{server}/{url}")
    settle(page)
    assert errors_on(page) == []
    assert page.locator("h1").first.is_visible()


def test_overview_draws_its_charts_and_numbers(server, page):
    page.goto(f"{server}/")
    settle(page)
    page.wait_for_selector("[data-testid='stVegaLiteChart'], [data-testid='stArrowVegaLiteChart']", timeout=30_000)
    charts = page.query_selector_all("[data-testid='stVegaLiteChart'], [data-testid='stArrowVegaLiteChart']")
    assert len(charts) >= 2
    metrics = page.query_selector_all("[data-testid='stMetric']")
    assert len(metrics) == 7
    assert all(m.inner_text().strip() for m in metrics)


def test_filter_state_round_trips_through_the_url(server, page):
    page.goto(f"{server}/?grain=week&lang=ru&period=last_month")
    settle(page)
    assert page.locator("h1").first.inner_text() == "Обзор"
    week = page.get_by_role("radio", name="Неделя")
    assert week.is_checked()
    page.get_by_text("Месяц", exact=True).click()
    settle(page)
    assert "grain=month" in page.url and "lang=ru" in page.url and "period=last_month" in page.url
    page.reload()
    settle(page)
    assert page.get_by_role("radio", name="Месяц").is_checked()
    assert page.locator("h1").first.inner_text() == "Обзор"
