"""The ROI page in a real browser on a demo database: cards, table and both charts drawn, and the
attribution model and the campaign view switched by clicking, without an error."""
from playwright.sync_api import expect
from test_browser import errors_on, page, server, settle  # noqa: F401  (fixtures)

CHARTS = "[data-testid='stVegaLiteChart'], [data-testid='stArrowVegaLiteChart']"


def test_roi_page_draws_and_switches_model(server, page):
    page.goto(f"{server}/roi")
    settle(page)
    assert errors_on(page) == []
    expect(page.locator(CHARTS)).to_have_count(2, timeout=30_000)   # both drawn (Vega draws after the run)
    # a fresh tab can report "not running" before its first run has started: wait for the cards too
    expect(page.locator("[data-testid='stMetric']")).to_have_count(8, timeout=30_000)
    metrics = page.query_selector_all("[data-testid='stMetric']")
    assert all(m.inner_text().strip() for m in metrics)
    assert page.query_selector("[data-testid='stDataFrame']") is not None
    assert "last non-direct touch" in page.inner_text("[data-testid='stAlert']")

    page.get_by_text("Linear", exact=True).first.click()
    settle(page)
    assert errors_on(page) == []
    assert "Attribution: linear" in page.inner_text("[data-testid='stAlert']")

    page.get_by_text("Show campaigns", exact=True).first.click()
    settle(page)
    assert errors_on(page) == []
    expect(page.locator(CHARTS)).to_have_count(2, timeout=30_000)   # both drawn (Vega draws after the run)
