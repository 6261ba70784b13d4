"""Page pieces a Russian-speaking meeting reads: the channel rules' headers are Russian (the CSV keeps
its English column names), and the caption names a comparison period the data does not reach."""
import json
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def open_page(monkeypatch, path, page, **state) -> AppTest:
    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(f"pages/{page}.py")
    return at.run()


def test_channel_rule_headers_speak_russian(monkeypatch, tiny_db):
    at = open_page(monkeypatch, tiny_db, "data_health", lang="ru")
    assert not at.exception, at.exception[0].message if at.exception else ""
    editor = next(d for d in at.dataframe if "source_pattern" in json.loads(d.proto.columns or "{}"))
    labels = {k: v.get("label") for k, v in json.loads(editor.proto.columns).items()}
    assert labels["source_pattern"] == "Источник (source)"
    assert labels["medium_pattern"] == "Тип трафика (medium)"
    assert labels["campaign_pattern"] == "Кампания (campaign)"
    assert labels["channel"] == "Канал"


def test_a_year_ago_before_the_first_import_is_named_not_shown_as_a_change(monkeypatch, tiny_db):
    # the tiny database starts in October 2026: November 2025 was never imported
    at = open_page(monkeypatch, tiny_db, "overview", compare="year_ago", period="custom",
                   **{"from": date(2026, 11, 1), "to": date(2026, 11, 7)})
    assert not at.exception, at.exception[0].message if at.exception else ""
    captions = " ".join(c.value for c in at.caption)
    assert "no change is shown" in captions and "starts before your data does" in captions
    assert all(m.delta in (None, "") for m in at.metric)
    covered = open_page(monkeypatch, tiny_db, "overview", compare="previous", period="custom",
                        **{"from": date(2026, 11, 1),
                           "to": date(2026, 11, 7)})
    assert any(m.delta not in (None, "") for m in covered.metric)
