"""The meeting room in a real browser: a language switch keeps every choice, every page choice lives
in the URL, and no number or label is cut off at a projector's 1280×720 (both languages, with and
without presentation mode) or squeezed at a phone's 390×844."""
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from live import errors_on
from live import settle as settle_run

CLIPPED = (Path(__file__).parent / "clipped.js").read_text()
CARD_PAGES = ["", "funnel", "channels", "traffic", "roi", "kpis", "products", "sales_team", "weekly"]


@pytest.fixture
def server(demo_server):
    """The session's server on the small demo database (tests/conftest.py)."""
    return demo_server


def open_page(browser, width=1500, height=1000, lang="en"):
    ctx = browser.new_context(viewport={"width": width, "height": height},
                              locale="ru-RU" if lang == "ru" else "en-US")
    return ctx, ctx.new_page()


@pytest.fixture
def page(browser):
    ctx, pg = open_page(browser)
    yield pg
    ctx.close()


def settle(pg) -> None:
    """The page is drawn: its title is there and no script run is going on (a fresh tab reports
    'not running' before its first run has even started)."""
    settle_run(pg)
    pg.wait_for_selector("[data-testid='stMain'] h1", timeout=90_000)
    settle_run(pg)


def query(pg) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(pg.url).query).items()}


def selectbox_value(pg, label: str) -> str:
    return pg.get_by_role("combobox", name=label, exact=True).first.input_value()


def active_choices(pg) -> list[str]:
    """The chosen options of the page's segmented controls (the sidebar's grain radios left out)."""
    return pg.locator("[data-testid='stMain'] [data-testid='stButtonGroup'] [role='radio'][aria-checked='true']") \
        .all_inner_texts()


def test_switching_the_language_keeps_the_filters_and_the_page_choices(server, page):
    page.goto(f"{server}/channels?period=last_month&grain=week&channels=google_ads&rows=campaign")
    settle(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.locator("[data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="Русский").click()
    settle(page)
    q = query(page)
    assert (q.get("lang"), q.get("period"), q.get("grain"), q.get("channels"), q.get("rows")) == \
        ("ru", "last_month", "week", "google_ads", "campaign")
    # the widgets show the same choices, now in Russian
    assert selectbox_value(page, "Период") == "Прошлый месяц"
    assert selectbox_value(page, "Сравнить с") == "Предыдущий период"
    assert sidebar.get_by_role("radio", name="Неделя").is_checked()
    assert "Кампании" in active_choices(page)
    # ... and the next page opens with them
    sidebar.get_by_role("link", name="Трафик").click()
    settle(page)
    q = query(page)
    assert "/traffic" in page.url
    assert (q.get("lang"), q.get("period"), q.get("grain"), q.get("channels")) == \
        ("ru", "last_month", "week", "google_ads")
    page.reload()
    settle(page)
    assert selectbox_value(page, "Период") == "Прошлый месяц"
    assert errors_on(page) == []


# page, URL parameter, the option's label, its code
SEGMENTED = [
    ("channels", "rows", "Campaigns", "campaign"),
    ("traffic", "bounce", "GA4", "ga4"),
    ("sales_team", "measure", "Won deals", "won_deals"),
    ("roi", "view", "Cash", "cash"),
    ("funnel", "view", "Cash", "cash"),
]


@pytest.mark.parametrize("path,param,label,code", SEGMENTED)
def test_a_page_choice_goes_into_the_url_and_comes_back_from_it(server, page, path, param, label, code):
    page.goto(f"{server}/{path}?period=last_month")
    settle(page)
    page.locator("[data-testid='stMain'] [data-testid='stButtonGroup']").get_by_role(
        "radio", name=label, exact=True).first.click()
    settle(page)
    assert query(page).get(param) == code
    assert query(page).get("period") == "last_month"
    link = page.url
    ctx, other = open_page(page.context.browser)  # a colleague opens the link
    try:
        other.goto(link)
        settle(other)
        other.locator("[data-testid='stMain'] [data-testid='stButtonGroup'] [role='radio'][aria-checked='true']",
                      has_text=label).first.wait_for(timeout=60_000)
        assert label in active_choices(other)
        assert query(other).get(param) == code
    finally:
        ctx.close()


def test_roi_margin_is_kept_in_the_url(server, page):
    page.goto(f"{server}/roi?margin=35")
    settle(page)
    box = page.locator("[data-testid='stNumberInput'] input").first
    assert box.input_value() == "35"
    box.fill("40")
    box.press("Enter")
    settle(page)
    assert query(page).get("margin") == "40"
    page.goto(f"{server}/roi?margin=250")  # out of range: the default, not an error
    settle(page)
    assert errors_on(page) == [] and "margin" not in query(page)


def test_funnel_drill_down_step_is_kept_in_the_url(server, page):
    page.goto(f"{server}/funnel?period=last_month&drill_step=leads")
    settle(page)
    assert selectbox_value(page, "Row") == "Leads"
    box = page.get_by_role("combobox", name="Row", exact=True)
    box.click()
    box.fill("Won")
    page.get_by_role("option", name="Won", exact=True).first.click(timeout=60_000)
    settle(page)
    assert query(page).get("drill_step") == "won"
    page.reload()
    settle(page)
    assert selectbox_value(page, "Row") == "Won"


def clipped(pg) -> list[str]:
    return pg.evaluate(CLIPPED)


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("flag,paths", [("", CARD_PAGES), ("present=1", ["weekly", "", "roi", "kpis"])])
def test_no_number_or_label_is_cut_off_at_1280x720(server, browser, lang, flag, paths):
    ctx, pg = open_page(browser, 1280, 720, lang)
    try:
        bad = {}
        for path in paths:
            pg.goto(f"{server}/{path}?{flag}")
            settle(pg)
            assert errors_on(pg) == []
            if found := clipped(pg):
                bad[path or "overview"] = found
        assert bad == {}
    finally:
        ctx.close()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_presentation_mode_hides_the_sidebar_and_keeps_cards_whole_at_1920x1080(server, browser, lang):
    ctx, pg = open_page(browser, 1920, 1080, lang)
    try:
        for path in ("weekly", ""):
            pg.goto(f"{server}/{path}?present=1")
            settle(pg)
            assert errors_on(pg) == []
            # hidden by the page's style once drawn (a rerun may draw it a moment later than settle)
            expect(pg.locator("[data-testid='stSidebar']")).to_be_hidden(timeout=30_000)
            assert clipped(pg) == []
            cards = pg.locator("[data-testid='stMetric']").all()
            assert len(cards) >= 8
            if path == "weekly":  # all eight cards of the meeting on one screen
                assert all(c.bounding_box()["y"] + c.bounding_box()["height"] <= 1080 for c in cards[:8])
        # the mode is left the way it was entered, and the link says so
        pg.locator(".st-key-ff_present [data-testid='stCheckbox'] label, .st-key-ff_present label").first.click()
        settle(pg)
        assert "present" not in query(pg)
        expect(pg.locator("[data-testid='stSidebar']")).to_be_visible(timeout=30_000)
    finally:
        ctx.close()


CARD_BOXES = """() => [...document.querySelectorAll('.st-key-wk_cards [data-testid="stVerticalBlock"]')]
  .filter(b => parseFloat(getComputedStyle(b).borderTopWidth) > 0).map(b => b.getBoundingClientRect().toJSON())"""


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)])
def test_presentation_mode_shows_the_headline_and_all_eight_weekly_cards_on_one_screen(server, browser, lang,
                                                                                       width, height):
    ctx, pg = open_page(browser, width, height, lang)
    try:
        pg.goto(f"{server}/weekly?present=1")
        settle(pg)
        assert errors_on(pg) == []
        assert clipped(pg) == []
        cards = pg.evaluate(CARD_BOXES)
        assert len(cards) == 8
        title = pg.locator("[data-testid='stMain'] h1").first.bounding_box()
        assert title["y"] >= 0 and title["y"] + title["height"] <= min(c["top"] for c in cards)
        # every card whole inside the screen, none squeezed narrower than its text
        assert [round(c["bottom"]) for c in cards if c["bottom"] > height] == []
        assert all(c["left"] >= 0 and c["right"] <= width for c in cards)
    finally:
        ctx.close()


def test_at_phone_width_two_cards_share_a_row_and_nothing_is_cut(server, browser):
    ctx, pg = open_page(browser, 390, 844, "ru")
    try:
        pg.goto(f"{server}/")
        settle(pg)
        boxes = [c.bounding_box() for c in pg.locator("[data-testid='stMetric']").all()[:2]]
        assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2 and boxes[1]["x"] > boxes[0]["x"]
        assert all(b["x"] + b["width"] <= 390 for b in boxes)
        for path in ("", "funnel", "weekly"):
            pg.goto(f"{server}/{path}")
            settle(pg)
            assert clipped(pg) == []
            # the page never scrolls sideways: wide tables and charts scroll inside themselves
            assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        ctx.close()


def test_the_bench_reads_when_the_weekly_cards_were_drawn_from_the_page_itself(server, browser):
    """`bench` times the Weekly page by the page's own clock: from the navigation's start for its
    address, from the click for its sidebar link (not from the earlier page's start)."""
    import time

    from fullfunnel import bench_browser as bb

    ctx, pg = open_page(browser, 1920, 1080)
    try:
        bb.recording(pg)
        t = time.perf_counter()
        opened, seen = bb._ready_ms(pg, f"{server}/weekly")
        elapsed = (time.perf_counter() - t) * 1000
        assert 0 < opened <= elapsed and 0 < seen <= elapsed
        expect(pg.locator(".st-key-wk_cards [data-testid='stMetric']")).to_have_count(8)   # the Weekly page it is
        bb._ready_ms(pg, f"{server}/kpis", bb.DRAWN)
        pg.wait_for_timeout(1500)   # the KPIs page has been on screen a while before the click
        t = time.perf_counter()
        clicked, seen = bb._clicked_ms(pg)
        elapsed = (time.perf_counter() - t) * 1000
        assert 0 < clicked <= elapsed and 0 < seen <= elapsed
        assert "/weekly" in pg.url
    finally:
        ctx.close()
