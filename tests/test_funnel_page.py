"""The funnel page in Streamlit's AppTest on the hand-made pipeline of tests/test_funnel.py."""
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fullfunnel import db
from fullfunnel.filters import Filters
from fullfunnel.periods import Period
from fullfunnel.reports.funnel import funnel_items

from test_funnel import FUNNEL_SQL, PAID_PATH_SQL

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def funnel_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("funnel_page") / "funnel.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(FUNNEL_SQL)
    return path


def open_funnel(monkeypatch, path, **widgets) -> AppTest:
    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    widgets = {"period": "custom", "from": date(2026, 11, 2), "to": date(2026, 11, 8), **widgets}
    for key, value in widgets.items():
        at.session_state[key] = value
    at.switch_page("pages/funnel.py")
    return at.run()


def test_funnel_table_and_notes(monkeypatch, funnel_db):
    at = open_funnel(monkeypatch, funnel_db)
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert at.title[0].value == "Funnel"
    table = at.dataframe[0].value
    assert table["Step"].tolist() == ["Impressions", "Clicks", "Sessions after an ad", "Leads", "Target leads",
                                      "New", "Meeting", "Proposal", "Won"]
    assert table["Count"].tolist() == ["2,000", "150", "90", "8", "4", "4", "3", "2", "1"]
    assert table["% of previous"].tolist()[-1] == "50.0%"
    assert table["Comparison period"].tolist()[3] == "2"
    assert table["Change"].tolist()[3] == "+300.0%"      # leads (8 − 2) / 2
    captions = " ".join(c.value for c in at.caption)
    assert "still maturing" in captions and "by their own date" in captions
    assert any("no stage history" in w.value for w in at.warning)   # D4: lost without history


def test_other_visits_are_an_entry_of_their_own(monkeypatch, tmp_path):
    """vk_ads: 10 clicks, 8 visits; seo and direct: 32 other visits; 4 leads (tests/test_funnel.py)."""
    path = tmp_path / "paid.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(PAID_PATH_SQL.format(vk=8))
    at = open_funnel(monkeypatch, path)
    assert not at.exception, at.exception[0].message if at.exception else ""
    table = at.dataframe[0].value
    assert table["Step"].tolist() == ["Impressions", "Clicks", "Sessions after an ad", "Other visits", "Leads"]
    assert table["% of previous"].tolist() == ["—", "10.0%", "80.0%", "—", "10.0%"]
    assert table["Drop-off"].tolist() == ["—", "90", "2", "—", "36"]
    captions = " ".join(c.value for c in at.caption)
    assert "32 other visits" in captions and "all 40 visits" in captions


def test_drill_down_lists_the_deals_and_offers_csv(monkeypatch, funnel_db):
    at = open_funnel(monkeypatch, funnel_db, drill_step="Meeting")
    assert not at.exception, at.exception[0].message if at.exception else ""
    picker = next(s for s in at.selectbox if s.label == "Row")
    assert picker.value == "Meeting"
    items = next(d.value for d in at.dataframe if "item_id" in d.value.columns)
    assert sorted(items["item_id"]) == ["D1", "D2", "D7"]
    buttons = at.get("download_button")
    assert len(buttons) == 1 and "Download CSV" in buttons[0].proto.label


def test_cash_view_and_russian(monkeypatch, funnel_db):
    at = open_funnel(monkeypatch, funnel_db, view="cash", lang="ru")
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert at.title[0].value == "Воронка"
    table = at.dataframe[0].value
    assert table["Количество"].tolist()[5:] == ["4", "4", "3", "1"]


def test_the_leads_bar_says_its_conversion_is_of_all_visits(tmp_path):
    """Paid path fixture: leads 4 of all 40 visits = 10 %, shown under the leads bar as such."""
    import pandas as pd

    from fullfunnel.charts import funnel as fchart
    from fullfunnel.filters import Filters
    from fullfunnel.periods import Period
    from fullfunnel.reports import funnel as rep

    path = tmp_path / "paid.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(PAID_PATH_SQL.format(vk=8))
    f = Filters(period=Period(date(2026, 11, 2), date(2026, 11, 8)), tz="UTC", currency="RUB")
    table = rep.with_change(rep.funnel(db.Reader(path).query, f))
    chain = table[~table["step"].isin(rep.ENTRY_STEPS)].reset_index(drop=True)
    spec = fchart.funnel(chain, {}, "en", of_all_visits="leads")[0].to_dict()
    rows = pd.DataFrame(next(iter(spec["datasets"].values()))).set_index("step")
    assert "other_sessions" not in rows.index
    assert rows.loc["leads", "text"] == "4\n10.0% of all visits · 4.0% of first"
    assert rows.loc["paid_sessions", "text"] == "8\n80.0% of previous · 8.0% of first"


def test_a_long_drill_down_is_shown_a_thousand_rows_at_a_time(monkeypatch, tmp_path):
    """1,201 leads on 2026-11-03 (L0001 … L1201): page 1 shows L0001 … L1000, page 2 the other 201
    (the list is in date order, then by id); the count and the CSV are of all 1,201."""
    path = tmp_path / "many.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute("""
            insert into settings values ('business_tz', 'UTC'), ('currency', 'RUB');
            insert into leads (lead_id, created_at, channel, qualification)
            select 'L' || lpad(i::varchar, 4, '0'), timestamptz '2026-11-03 10:00:00+00', 'seo', 'target'
            from range(1, 1202) as r(i);
        """)
    at = open_funnel(monkeypatch, path, drill_step="leads")
    assert not at.exception, at.exception[0].message if at.exception else ""
    captions = " ".join(c.value for c in at.caption)
    assert "1,201 item(s)" in captions and "Rows 1–1,000 of 1,201, in date order" in captions
    items = next(d.value for d in at.dataframe if "item_id" in d.value.columns)
    assert items["item_id"].tolist() == [f"L{i:04d}" for i in range(1, 1001)]
    pager = next(n for n in at.number_input if n.label == "Page (of 2)")
    pager.set_value(2).run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    items = next(d.value for d in at.dataframe if "item_id" in d.value.columns)
    assert items["item_id"].tolist() == [f"L{i:04d}" for i in range(1001, 1202)]
    assert "Rows 1,001–1,201 of 1,201" in " ".join(c.value for c in at.caption)
    assert len(at.get("download_button")) == 1
    # the report behind it: every row without a page (what the CSV holds), one page with one, and
    # the last page for a page past the end (the list got shorter since the page was chosen)
    run = db.Reader(path).query
    week = Filters(Period(date(2026, 11, 2), date(2026, 11, 8)), tz="UTC")
    assert len(funnel_items(run, week, step="leads")) == 1201
    second = funnel_items(run, week, step="leads", page=2)
    assert second["item_id"].tolist() == [f"L{i:04d}" for i in range(1001, 1202)]
    assert (second.attrs["rows_total"], second.attrs["page"]) == (1201, 2)
    assert "campaign" not in second.attrs["filled"] and "status" in second.attrs["filled"]
    past = funnel_items(run, week, step="leads", page=5)
    assert (past.attrs["page"], len(past), past["item_id"].iloc[0]) == (2, 201, "L1001")


def test_only_the_open_tab_is_read_and_drawn(monkeypatch, funnel_db):
    """The tabs under the funnel are drawn when opened (a click reruns the page): a page load reads
    and draws the first one only; the one chosen later is drawn in full, the others left empty."""
    at = open_funnel(monkeypatch, funnel_db)
    assert not at.exception
    drawn = {tab.label: len(tab.children) for tab in at.tabs}
    assert list(drawn) == ["Junk leads", "Lost deals", "By channel", "Time in stage"]
    assert drawn["Junk leads"] > 0 and drawn["Lost deals"] == drawn["By channel"] == drawn["Time in stage"] == 0
    assert [m.label for m in at.metric] == ["Junk leads", "Junk rate"]

    at = open_funnel(monkeypatch, funnel_db, fn_tab="Lost deals")
    assert not at.exception
    junk, lost, by_channel, time_in_stage = at.tabs
    assert len(junk.children) == len(by_channel.children) == len(time_in_stage.children) == 0
    assert not at.metric   # the junk cards are not drawn
    (table,) = lost.dataframe
    assert list(table.value.columns) == ["Stage where lost", "Lost reason", "Deals"] and len(table.value) > 0
