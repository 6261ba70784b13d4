"""Every page runs under Streamlit's AppTest without an exception, on an empty and a tiny database."""
import ast
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fullfunnel import db

ROOT = Path(__file__).resolve().parent.parent


def app_pages() -> list[str]:
    """Page files listed in app.py's PAGES that exist."""
    tree = ast.parse((ROOT / "app.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES":
            files = [elt.elts[0].value for elt in node.value.elts]
            return [f for f in files if (ROOT / "pages" / f).exists()]
    raise AssertionError("app.py has no PAGES list")


PAGES = app_pages()


def open_page(monkeypatch, path, page: str | None = None, **widgets) -> AppTest:
    """A fresh app run with the shared filters preset (widget key → value), on one page.

    AppTest treats pages/ as old-style pages and reruns a page without app.py, so each scenario
    starts a new AppTest with its widget values preset instead of clicking and rerunning.
    """
    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in widgets.items():
        at.session_state[key] = value
    if page:
        at.switch_page(f"pages/{page}")
    return at.run()


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_the_tiny_database(monkeypatch, tiny_db, page):
    at = open_page(monkeypatch, tiny_db, page)
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert at.title, f"{page} has no title"
    if page != "overview.py":  # the page itself ran, not the default page
        assert at.title[0].value != "Overview", f"{page} opened the Overview instead"


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_an_empty_database(monkeypatch, tmp_path, page):
    path = db.create_empty(tmp_path / "empty.duckdb")
    at = open_page(monkeypatch, path, page)
    assert not at.exception, at.exception[0].message if at.exception else ""


def test_overview_shows_the_headline_numbers(monkeypatch, tiny_db):
    at = open_page(monkeypatch, tiny_db, period="custom", **{"from": date(2026, 11, 1), "to": date(2026, 11, 7)})
    metrics = {m.label: m for m in at.metric}
    assert metrics["Leads"].value == "5"
    assert metrics["Revenue"].value == "₽16,000"
    assert metrics["ROMI"].value == "300%"
    assert metrics["Leads"].delta == "+150.0%"
    assert metrics["Ad spend"].delta == "+166.7%"


def test_overview_speaks_russian(monkeypatch, tiny_db):
    at = open_page(monkeypatch, tiny_db, lang="ru")
    assert at.title[0].value == "Обзор"
    labels = [m.label for m in at.metric]
    assert "Лиды" in labels and "Выручка" in labels


def test_empty_database_says_what_to_import(monkeypatch, tmp_path):
    path = db.create_empty(tmp_path / "empty.duckdb")
    at = open_page(monkeypatch, path)
    notes = " ".join(i.value for i in at.info)
    assert "No ad spend imported yet" in notes and "No leads imported yet" in notes
    assert all(m.value == "—" for m in at.metric)


def test_missing_database_is_a_sentence_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("FULLFUNNEL_DB", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert "There is no database" in at.warning[0].value


def test_filters_and_page_choices_come_from_the_url(monkeypatch, tiny_db):
    monkeypatch.setenv("FULLFUNNEL_DB", str(tiny_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"period": "custom", "from": "2026-11-01", "to": "2026-11-07", "grain": "week",
                            "channels": "yandex_direct,no_such_channel", "view": "cash", "model": "linear"})
    at.switch_page("pages/roi.py").run()
    assert not at.exception
    assert at.selectbox(key="period").value == "custom"
    assert at.date_input(key="from").value == date(2026, 11, 1)
    assert at.radio(key="grain").value == "week"
    assert at.multiselect(key="channels").value == ["yandex_direct"]  # unknown channels are dropped
    assert at.session_state["view"] == "cash" and at.session_state["model"] == "linear"


def test_a_mangled_url_falls_back_to_defaults(monkeypatch, tiny_db):
    monkeypatch.setenv("FULLFUNNEL_DB", str(tiny_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"period": "custom", "from": "31.02.2026", "grain": "fortnight", "view": "<script>"})
    at.switch_page("pages/funnel.py").run()
    assert not at.exception
    assert at.radio(key="grain").value == "day"
    assert at.session_state["view"] == "cohort"
