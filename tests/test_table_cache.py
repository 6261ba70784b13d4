"""What a page keeps between runs, never stale. Styled tables are styled once per distinct data: a
rerun with the same frame shows the same table, colours included, without styling it again; any change
of a number, an argument of the styling or the language styles it anew, and an import
(ui.clear_cache) forgets them. Reports are kept per file stamp: another process's import shows."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from fullfunnel import ui


@pytest.fixture(autouse=True)
def _forget():
    ui.clear_cache()   # the styled tables are kept per process: each test starts without any


def _script():
    import pandas as pd
    import streamlit as st

    from fullfunnel import ui

    def style(frame, currency):
        st.session_state["styled"] = st.session_state.get("styled", 0) + 1
        return frame.style.format({"spend": lambda x: f"{x:,.0f} {currency}"}).map(
            lambda v: "background-color: #fee2e2" if v > 100 else "", subset=["spend"])

    if st.session_state.get("forget"):
        st.session_state["forget"] = False
        ui.clear_cache()
    frame = pd.DataFrame({"channel": ["ads", "seo"], "spend": [150.0, st.session_state.get("seo", 40.0)]})
    left, _ = st.columns(2)
    ui.table(left, style, frame, st.session_state.get("currency", "RUB"), hide_index=True)


def _shown(at: AppTest) -> tuple[list[float], str]:
    """The numbers of the table drawn in the first column, and its styles (CSS)."""
    (table,) = at.columns[0].dataframe
    return list(table.value["spend"]), table.proto.arrow_data.styler.styles


def test_a_styled_table_is_styled_once_and_shown_again_from_the_cache():
    at = AppTest.from_function(_script).run()
    assert not at.exception
    spend, css = _shown(at)
    assert spend == [150.0, 40.0] and "#fee2e2" in css
    assert at.session_state["styled"] == 1
    for _ in range(2):   # reruns: the same table, in the same column, colours and all
        at.run()
        assert _shown(at) == (spend, css)
    assert at.session_state["styled"] == 1

    at.session_state["seo"] = 400.0   # one number changed: styled anew, the new number shown
    at.run()
    assert _shown(at)[0] == [150.0, 400.0] and at.session_state["styled"] == 2

    at.session_state["currency"] = "USD"   # an argument of the styling changed
    at.run()
    assert at.session_state["styled"] == 3
    display = at.columns[0].dataframe[0].proto.arrow_data.styler.display_values
    assert b"USD" in display and b"RUB" not in display

    at.session_state["forget"] = True   # an import forgets the styled tables with the results
    at.run()
    assert at.session_state["styled"] == 4 and _shown(at)[0] == [150.0, 400.0]


def test_another_language_styles_the_table_anew():
    at = AppTest.from_function(_script).run()
    at.session_state["lang"] = "ru"
    at.run()
    assert not at.exception
    assert at.session_state["styled"] == 2


def test_a_kept_report_never_hides_an_import(monkeypatch, tmp_path, tiny_db):
    """The Funnel's table is kept per filters and file stamp: opened again after another process added
    a lead (no ui.clear_cache in this one), it counts the new lead."""
    import shutil

    from fullfunnel import db
    from test_app import open_page

    path = tmp_path / "ff.duckdb"
    shutil.copyfile(tiny_db, path)

    def leads(at: AppTest) -> str:
        table = at.dataframe[0].value
        return table.loc[table["Step"] == "Leads", "Count"].iloc[0]

    before = leads(open_page(monkeypatch, path, "funnel.py"))
    assert leads(open_page(monkeypatch, path, "funnel.py")) == before   # kept: the same table
    with db.writer(path) as con:
        con.execute("insert into leads (lead_id, created_at, channel) "
                    "select 'L-new', max(created_at), 'seo' from leads")
    assert int(leads(open_page(monkeypatch, path, "funnel.py"))) == int(before) + 1


_THREADS: list[str] = []   # where each _leads_by_channel ran


def _leads_by_channel(run, f, fail: bool = False):
    """A report function as pages use them: from `run` and its arguments only."""
    import threading

    _THREADS.append(threading.current_thread().name)
    if fail:
        raise ValueError("no such channel")
    return run("meta/channels", {})


def test_a_section_read_ahead_is_read_once_in_a_worker_and_each_caller_gets_its_own_copy(monkeypatch, tiny_db):
    monkeypatch.setenv("FULLFUNNEL_DB", str(tiny_db))
    threads = _THREADS
    threads.clear()
    ui.ahead(_leads_by_channel, "week")
    ui.ahead(_leads_by_channel, "week")   # already on its way: not started twice
    first = ui.call(_leads_by_channel, "week")
    assert len(threads) == 1 and threads[0].startswith("ff-ahead")
    assert not first.empty and list(first.columns) == list(ui.run("meta/channels", {}).columns)
    first.iloc[0, 0] = "changed by the page"
    again = ui.call(_leads_by_channel, "week")
    assert len(threads) == 1 and again.iloc[0, 0] != "changed by the page"
    ui.call(_leads_by_channel, "month")   # other arguments: made again, in the page's thread
    assert len(threads) == 2 and not threads[1].startswith("ff-ahead")


def test_a_worker_that_failed_leaves_the_error_to_the_page(monkeypatch, tiny_db):
    monkeypatch.setenv("FULLFUNNEL_DB", str(tiny_db))
    threads = _THREADS
    threads.clear()
    ui.ahead(_leads_by_channel, "week", fail=True)
    with pytest.raises(ValueError, match="no such channel"):
        ui.call(_leads_by_channel, "week", fail=True)
    # tried in the worker, then again where the page asked, so the page shows its own error
    assert len(threads) == 2 and threads[0].startswith("ff-ahead") and not threads[1].startswith("ff-ahead")


def test_a_kept_section_is_made_again_the_next_day(monkeypatch, tiny_db):
    """A report may count "up to today" with the same arguments (a custom period, after midnight)."""
    from datetime import date

    from fullfunnel import periods

    monkeypatch.setenv("FULLFUNNEL_DB", str(tiny_db))
    _THREADS.clear()
    day = [date(2026, 12, 4)]
    monkeypatch.setattr(periods, "today_in", lambda tz, now=None: day[0])
    ui.call(_leads_by_channel, "week")
    ui.call(_leads_by_channel, "week")
    assert len(_THREADS) == 1
    day[0] = date(2026, 12, 5)
    ui.call(_leads_by_channel, "week")
    assert len(_THREADS) == 2
