"""The Weekly page's download is the digest file, and that file opens offline with every chart drawn."""
from __future__ import annotations

import re
import shutil

import pytest

from live import errors_on, settle, streamlit_server


@pytest.fixture(scope="module")
def server(tiny_db, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("digest_browser")
    dbf = tmp / "ff.duckdb"
    shutil.copyfile(tiny_db, dbf)
    with streamlit_server(dbf, tmp / "server.log") as base:
        yield base


def test_weekly_page_downloads_a_file_that_opens_offline(server, browser, tmp_path):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US", accept_downloads=True)
    pg = ctx.new_page()
    try:
        pg.goto(f"{server}/weekly?week=2026-W45")
        settle(pg)
        assert errors_on(pg) == []
        with pg.expect_download(timeout=60_000) as dl:
            pg.get_by_role("button", name="Download as HTML").click()
        assert dl.value.suggested_filename == "fullfunnel-weekly-2026-W45.html"
        path = tmp_path / "weekly.html"
        dl.value.save_as(path)
        assert "₽3,000" in path.read_text(encoding="utf-8")
    finally:
        ctx.close()
    # offline: every request that is not the file itself is refused
    off = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)
    pg = off.new_page()
    fetched = []
    pg.route(re.compile(r"^(?!file:).*"), lambda route: (fetched.append(route.request.url), route.abort()))
    try:
        pg.goto(path.as_uri())
        charts = pg.query_selector_all(".chart svg")
        assert len(charts) == 2                                   # the funnel and the managers
        for c in charts:
            box = c.bounding_box()
            assert box and box["width"] > 300 and box["height"] > 50
            assert len(c.query_selector_all("path, rect")) > 3   # bars are drawn, not an empty frame
        assert "Leads" in pg.inner_text("body") and fetched == []
    finally:
        off.close()
