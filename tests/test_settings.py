"""Settings: checked before they are stored, listed and changed from the CLI and the page, and used."""
import hashlib
import shutil
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from fullfunnel import cli, db, settings
from fullfunnel.reports import get

from test_app import ROOT


@pytest.fixture
def copy_db(tiny_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(tiny_db, path)
    return path


def test_set_list_and_unset_from_the_cli(copy_db, capsys):
    assert cli.main(["settings", "set", "margin_pct", "35,5%", "--db", str(copy_db)]) == 0
    assert cli.main(["settings", "set", "currency", "usd", "--db", str(copy_db)]) == 0
    assert settings.read(copy_db) == {"business_tz": "Europe/Moscow", "currency": "USD", "margin_pct": "35.5"}
    capsys.readouterr()
    assert cli.main(["settings", "--db", str(copy_db)]) == 0
    listing = capsys.readouterr().out
    assert "margin_pct" in listing and "35.5" in listing and "(default: metrica)" in listing
    assert cli.main(["settings", "unset", "margin_pct", "--db", str(copy_db)]) == 0
    assert "margin_pct" not in settings.read(copy_db)


@pytest.mark.parametrize("key,value,words", [
    ("business_tz", "Mars/Olympus", "Unknown time zone"),
    ("currency", "рубли", "three-letter code"),
    ("margin_pct", "150", "between 0 and 100"),
    ("bounce_definition", "ya", "metrica, ga4"),
    ("import_max_mb", "-5", "more than 0"),
    ("colour", "blue", "There is no setting"),
])
def test_bad_values_are_one_sentence_and_change_nothing(copy_db, capsys, key, value, words):
    before = hashlib.sha256(copy_db.read_bytes()).hexdigest()
    assert cli.main(["settings", "set", key, value, "--db", str(copy_db)]) == 1
    err = capsys.readouterr().err.strip()
    assert words in err and "\n" not in err
    assert hashlib.sha256(copy_db.read_bytes()).hexdigest() == before


def test_the_currency_setting_picks_the_report_currency(copy_db, capsys):
    settings.set_value("currency", "USD", copy_db)
    assert cli.main(["report", "overview", "--db", str(copy_db), "--from", "2026-11-01", "--to", "2026-11-07",
                     "--format", "json"]) == 0
    rows = {r["metric"]: r for r in __import__("json").loads(capsys.readouterr().out)}
    assert rows["spend"]["value"] == 50 and rows["revenue"]["value"] == 2000  # the USD rows only


def test_the_margin_setting_feeds_gross_profit(copy_db, week):
    settings.set_value("margin_pct", "40", copy_db)
    roi = get("roi").func(db.Reader(copy_db).query, week, by="channel", attribution="last_non_direct", view="cash")
    total = roi[roi["channel"] == "total"].iloc[0]
    assert total["revenue"] == 16000 and total["gross_profit"] == pytest.approx(16000 * 0.40)


def test_the_page_saves_and_refuses(monkeypatch, copy_db):
    # The page file on its own: clicks rerun it directly (tests/test_app.py opens it through app.py).
    monkeypatch.setenv("FULLFUNNEL_DB", str(copy_db))
    monkeypatch.syspath_prepend(str(ROOT))
    at = AppTest.from_file(str(ROOT / "pages" / "settings.py"), default_timeout=60).run()
    assert not at.exception and at.title[0].value == "Settings"
    at.text_input[1].set_value("EUR")
    at.button[0].click().run()
    assert not at.exception and at.success
    assert settings.read(copy_db)["currency"] == "EUR"
    at.text_input[0].set_value("Nowhere/Town")
    at.button[0].click().run()
    assert "Unknown time zone" in at.error[0].value
    assert settings.read(copy_db)["business_tz"] == "Europe/Moscow"


def test_the_first_import_pins_the_time_zone_it_was_read_in(tmp_path, monkeypatch, capsys):
    # A database made on a machine in Yekaterinburg must mean the same days when opened elsewhere.
    monkeypatch.setenv("FULLFUNNEL_TZ", "Asia/Yekaterinburg")
    csv = tmp_path / "leads.csv"
    csv.write_text("lead_id,created_at,channel\nL1,2026-11-02 01:30,seo\n", encoding="utf-8")
    path = tmp_path / "new.duckdb"
    assert cli.main(["import", str(csv), "--db", str(path)]) == 0
    assert settings.read(path)["business_tz"] == "Asia/Yekaterinburg"
    monkeypatch.setenv("FULLFUNNEL_TZ", "UTC")  # another machine: the stored zone still wins
    capsys.readouterr()
    assert cli.main(["report", "trend", "--db", str(path), "--from", "2026-11-01", "--to", "2026-11-02",
                     "--format", "json"]) == 0
    rows = __import__("json").loads(capsys.readouterr().out)
    assert [r["leads"] for r in rows] == [0, 1]  # 01:30 in Yekaterinburg is 2 November (20:30 UTC on the 1st)
