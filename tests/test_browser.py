"""A real `streamlit run` server and Debian's Chromium: every page opens without an error, charts are
drawn, and the filter state lives in the URL (reload or share it and the view comes back)."""

import pytest

from live import ROOT, errors_on, settle
from test_app import app_pages


def page_urls() -> list[tuple[str, str]]:
    import ast

    tree = ast.parse((ROOT / "app.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES":
            pairs = [(e.elts[0].value, e.elts[1].value) for e in node.value.elts]
    existing = set(app_pages())
    # the first page is the default one: it lives at the root URL
    return [(f, "" if i == 0 else url) for i, (f, url) in enumerate(pairs) if f in existing]


@pytest.fixture
def server(demo_server):
    """The session's server on the small demo database (tests/conftest.py)."""
    return demo_server


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="en-US")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def test_first_click_after_start_up_keeps_the_other_filters(server, page):
    # Defined first so it runs against a freshly started server: the first run of a process is the
    # one that could lose widget state.
    # ... and a deep link as that first request opens the page it names.
    page.goto(f"{server}/sales_team?period=last_month")
    settle(page)
    assert page.locator("h1").first.inner_text() != "Overview"
    assert "/sales_team" in page.url
    page.get_by_text("Week", exact=True).click()
    settle(page)
    assert "grain=week" in page.url and "period=last_month" in page.url and "/sales_team" in page.url
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
    # charts and cards are drawn as the run goes on; wait for them rather than count a half-drawn page
    page.wait_for_function("document.querySelectorAll(\"[data-testid='stVegaLiteChart'], "
                           "[data-testid='stArrowVegaLiteChart']\").length >= 2", timeout=30_000)
    page.wait_for_function("document.querySelectorAll(\"[data-testid='stMetric']\").length >= 8", timeout=30_000)
    metrics = page.query_selector_all("[data-testid='stMetric']")
    assert len(metrics) == 8
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
