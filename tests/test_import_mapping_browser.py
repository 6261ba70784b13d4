"""In Chromium: an unrecognised CRM export is imported by mapping its columns on the Import page, its
funnel shows, and the next export with the same header is recognised without mapping again."""
from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from live import errors_on, settle, streamlit_server, upload

ROOT = Path(__file__).resolve().parent.parent
ENV = dict(os.environ, FULLFUNNEL_TZ="Europe/Moscow")
HEADER = "Номер заявки;Дата;utm_source;Статус\n"


def count(dbf, sql) -> int:
    con = duckdb.connect(str(dbf), read_only=True)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def dbf(tmp_path_factory):
    return tmp_path_factory.mktemp("map_browser") / "ff.duckdb"   # no database yet: a newcomer's first file


@pytest.fixture(scope="module")
def server(dbf, tmp_path_factory):
    with streamlit_server(dbf, tmp_path_factory.mktemp("log") / "server.log", env=ENV) as base:
        yield base


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1400}, locale="en-US")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def pick(page, label: str, option: str) -> None:
    """Choose an option of the Streamlit selectbox with this label (a combobox).

    A rerun that lands while the list is open closes it: open it again (a busy machine does that)."""
    for attempt in range(4):
        settle(page)
        page.get_by_role("combobox", name=label, exact=True).click()
        choice = page.get_by_role("option").filter(has_text=option).first
        try:
            choice.wait_for(timeout=20_000)
            choice.click()
            break
        except Exception:
            if attempt == 3:
                raise
            page.keyboard.press("Escape")
    settle(page)
    assert option in page.get_by_role("combobox", name=label, exact=True).input_value()


def test_map_columns_in_the_page_then_the_next_file_is_recognised(server, page, dbf, tmp_path):
    first = tmp_path / "crm_may.csv"
    first.write_text(HEADER + "A-1;01.05.2026;yandex;Новый\nA-2;02.05.2026;google;Спам\nA-3;02.05.2026;vk;Новый\n",
                     encoding="utf-8")
    page.goto(f"{server}/import")
    settle(page)
    upload(page, first, "Map the columns yourself")
    settle(page)
    assert "is not recognised" in page.inner_text("body")
    pick(page, "lead_id *", "Номер заявки")
    pick(page, "created_at *", "Дата")
    pick(page, "source", "utm_source")
    page.get_by_text("Recognised as", exact=False).wait_for(timeout=180_000)
    assert errors_on(page) == []
    body = page.inner_text("body")
    assert "crm_may" in body and "Will be added" in body
    page.get_by_role("button", name="Save the mapping and use it").click()
    page.get_by_text("Mapping saved as", exact=False).wait_for(timeout=180_000)
    settle(page)
    assert (dbf.parent / "mappings" / "crm_may.json").exists()
    page.get_by_role("button", name="Import 1 file(s)").click()
    page.get_by_text("Import finished", exact=False).wait_for(timeout=180_000)
    settle(page)
    assert errors_on(page) == [] and count(dbf, "select count(*) from leads") == 3
    # the funnel opens on the imported days and shows the three leads
    page.get_by_text("Open the funnel for the imported days", exact=False).click()
    page.get_by_text("Leads", exact=True).first.wait_for(timeout=180_000)
    settle(page)
    assert errors_on(page) == []
    assert "holds no data" not in page.inner_text("body")

    second = tmp_path / "crm_june.csv"
    second.write_text(HEADER + "A-4;01.06.2026;yandex;Новый\n", encoding="utf-8")
    page.goto(f"{server}/import")
    settle(page)
    upload(page, second, "Recognised as")
    settle(page)
    assert "Map the columns yourself" not in page.inner_text("body")
    page.get_by_role("button", name="Import 1 file(s)").click()
    page.get_by_text("Import finished", exact=False).wait_for(timeout=180_000)
    assert count(dbf, "select count(*) from leads") == 4
