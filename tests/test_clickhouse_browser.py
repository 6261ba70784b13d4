"""The dashboard on ClickHouse (chdb, inside the Streamlit server's process): every page opens
without an error in a real browser."""
from __future__ import annotations

import pytest

from live import errors_on, settle, small_demo, streamlit_server
from test_browser import page_urls


@pytest.fixture(scope="module")
def ch_url(tmp_path_factory) -> str:
    # built by a child process (chdb holds its folder for the process that opened it), read by the server
    return small_demo(f"chdb://{tmp_path_factory.mktemp('chdb') / 'data'}")


@pytest.fixture(scope="module")
def server(ch_url, tmp_path_factory):
    with streamlit_server(ch_url, tmp_path_factory.mktemp("log") / "server.log") as base:
        yield base


@pytest.fixture
def page(browser):   # the session's shared Chromium (tests/conftest.py)
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="en-US")
    pg = ctx.new_page()
    yield pg
    ctx.close()


@pytest.mark.parametrize("file,url", page_urls())
def test_every_page_opens_on_clickhouse_without_an_error(server, page, file, url):
    page.goto(f"{server}/{url}")
    settle(page)
    assert errors_on(page) == []
    assert page.locator("h1").first.is_visible()
