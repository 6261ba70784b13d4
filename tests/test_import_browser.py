"""A real `streamlit run` server in Chromium: the Import page uploads, previews, imports and undoes;
the dashboard stays usable (no error, never half an import) while the command line imports."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from live import errors_on, settle, streamlit_server, upload

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "imports"
ENV = dict(os.environ, FULLFUNNEL_TZ="Europe/Moscow")


def count(dbf, table) -> int:
    con = duckdb.connect(str(dbf), read_only=True)
    try:
        return con.execute(f"select count(*) from {table}").fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def dbf(tmp_path_factory):
    path = tmp_path_factory.mktemp("imp_browser") / "ff.duckdb"
    subprocess.run([sys.executable, "-m", "fullfunnel", "import", str(FIX / "amocrm_deals.csv"), "--db", str(path)],
                   cwd=ROOT, env=ENV, check=True, capture_output=True)
    return path


@pytest.fixture(scope="module")
def server(dbf, tmp_path_factory):
    with streamlit_server(dbf, tmp_path_factory.mktemp("log") / "server.log", env=ENV) as base:
        yield base


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="en-US")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def test_upload_preview_import_and_undo(server, page, dbf):
    page.goto(f"{server}/import")
    settle(page)
    upload(page, FIX / "google_ads_campaigns.csv", "Recognised as")
    settle(page)
    assert "Google Ads report" in page.inner_text("body")
    assert count(dbf, "spend") == 0                     # the preview changed nothing
    page.get_by_role("button", name="Import 1 file(s)").click()
    page.get_by_text("Import finished", exact=False).wait_for(timeout=60_000)
    settle(page)
    assert errors_on(page) == []
    assert "3 row(s) added" in page.inner_text("body")
    assert count(dbf, "spend") == 3
    page.get_by_role("button", name="Undo", exact=True).click()
    page.get_by_text(re.compile(r"Import #\d+ undone\.")).wait_for(timeout=60_000)
    settle(page)
    assert errors_on(page) == []
    assert count(dbf, "spend") == 0 and count(dbf, "deals") == 3   # the newest import went, not the older one


def test_dashboard_keeps_working_while_the_command_line_imports(server, page, dbf, tmp_path):
    day = (date.today() - timedelta(days=1)).isoformat()
    files = []
    for k in range(3):
        f = tmp_path / f"spend{k}.csv"
        f.write_text("date,channel,campaign,spend\n" + "".join(f"{day},seo,k{k}c{i},1\n" for i in range(20000)))
        files.append(f)
    codes = []

    def imports():
        for f in files:
            codes.append(subprocess.run([sys.executable, "-m", "fullfunnel", "import", str(f), "--db", str(dbf)],
                                        cwd=ROOT, env=ENV, capture_output=True).returncode)

    worker = threading.Thread(target=imports)
    page.goto(f"{server}/")
    settle(page)
    worker.start()
    loads = 0
    while worker.is_alive() or loads == 0:
        page.reload()
        settle(page)
        assert errors_on(page) == []
        loads += 1
    worker.join()
    assert codes == [0, 0, 0]
    page.reload()
    settle(page)
    assert errors_on(page) == []
    spend_card = page.locator("[data-testid='stMetric']").filter(has_text="Ad spend").first.inner_text()
    assert "60,000" in spend_card
