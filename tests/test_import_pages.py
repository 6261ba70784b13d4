"""The Import and Data health pages under AppTest: history, undo, health tables, rules saving."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from fullfunnel.importing import import_bytes

ROOT = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.usefixtures("moscow_tz")


def open_page(monkeypatch, path, page, **state) -> AppTest:
    """The page run on its own (it draws the shared filters itself), so clicks rerun just the page."""
    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=60)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


@pytest.fixture
def loaded(tmp_path):
    path = tmp_path / "ff.duckdb"
    import_bytes(b"lead_id,created_at,source,medium\n1,2026-05-01,tiktok,cpc\n2,2026-05-02,yandex,cpc\n",
                 "crm_leads.csv", db_file=path)
    import_bytes(b"date,channel,spend\n2026-05-01,google_ads,100\n", "gads.csv", db_file=path)
    return path


def test_import_page_without_a_database(monkeypatch, tmp_path):
    at = open_page(monkeypatch, tmp_path / "none.duckdb", "import.py")
    assert not at.exception
    assert at.title[0].value == "Import data"
    assert "Nothing has been imported yet." in [i.value for i in at.info]


def test_import_page_lists_history_and_undoes(monkeypatch, loaded):
    at = open_page(monkeypatch, loaded, "import.py")
    assert not at.exception
    hist = at.dataframe[0].value
    assert hist["File"].tolist() == ["gads.csv", "crm_leads.csv"]
    assert hist["Added"].tolist() == [1, 2]
    assert at.selectbox(key="imp_undo_id_2").value == 2     # the newest standing import
    at.button(key="imp_undo").click().run()
    assert not at.exception
    assert "Import #2 undone." in [s.value for s in at.success]
    con = duckdb.connect(str(loaded), read_only=True)
    assert con.execute("select count(*) from spend").fetchall() == [(0,)]
    con.close()


def test_import_page_speaks_russian(monkeypatch, loaded):
    at = open_page(monkeypatch, loaded, "import.py", lang="ru")
    assert not at.exception and at.title[0].value == "Импорт данных"


def test_data_health_shows_unmatched_sources_and_saves_rules(monkeypatch, loaded):
    at = open_page(monkeypatch, loaded, "data_health.py")
    assert not at.exception
    assert at.title[0].value == "Data health"
    unmatched = at.dataframe[0].value
    assert unmatched[["source", "medium"]].values.tolist() == [["tiktok", "cpc"]]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Leads in channel “unknown”"] == "1"
    at.button(key="dh_save").click().run()
    assert not at.exception
    assert any("rules saved" in s.value for s in at.success)
