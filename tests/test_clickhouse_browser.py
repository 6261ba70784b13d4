"""The dashboard on ClickHouse (chdb, inside the Streamlit server's process): every page opens
without an error in a real browser."""
from __future__ import annotations

import pytest

from live import errors_on, settle, small_demo, streamlit_server
from test_browser import page, page_urls  # noqa: F401  (the page fixture)


@pytest.fixture(scope="module")
def ch_url(tmp_path_factory) -> str:
    # built by a child process (chdb holds its folder for the process that opened it), read by the server
    return small_demo(f"chdb://{tmp_path_factory.mktemp('chdb') / 'data'}")


@pytest.fixture(scope="module")
def server(ch_url, tmp_path_factory):
    with streamlit_server(ch_url, tmp_path_factory.mktemp("log") / "server.log") as base:
        yield base


@pytest.mark.parametrize("file,url", page_urls())
def test_every_page_opens_on_clickhouse_without_an_error(server, page, file, url):
    page.goto(f"{server}/{url}")
    settle(page)
    assert errors_on(page) == []
    assert page.locator("h1").first.is_visible()
