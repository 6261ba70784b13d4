"""Names from imported files are shown literally: never as a link, image, HTML, colour or formula.

Streamlit renders markdown in st.markdown / st.caption / st.info / st.error / metric labels; a channel
called `[click](http://evil)` must come out as those very characters. `fmt.md` (ui.md in pages)
backslash-escapes every markdown character; the pages must pass user values through it.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fullfunnel import fmt
from fullfunnel.importing import import_bytes

ROOT = Path(__file__).resolve().parent.parent
EVIL = "[click](http://evil) **bold** <img src=x onerror=alert(1)> :red[x] $x$ _i_ `c` # h"
NASTY = ["[click](http://evil)", "**bold**", "<img src=x onerror=alert(1)>", ":red[x]", "$x$",
         ":material/home:", "a\\*b", "&lt;b&gt;", "line1\n\n# line2", "1. item", "| a | b |",
         "http://evil.com/x", "www.evil.com", "anna@corp.ru"]
# Streamlit turns these into links / icons after parsing, escapes or not: they need a word joiner
LINKED = re.compile(r"(?i)https?://|www\.|[\w.+-]@[\w-]|:material/")


def unescape(s: str) -> str:
    """What the reader sees: backslash escapes of ASCII punctuation shown as the character, word joiners
    (zero-width, invisible) as nothing."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", s).replace("\u2060", "")


@pytest.mark.parametrize("value", NASTY)
def test_md_escapes_every_markdown_character(value):
    out = fmt.md(value)
    assert unescape(out) == re.sub(r"\s*\n+\s*", " ", value)   # shown as written, on one line
    # every character markdown, Streamlit's colour/icon directives, HTML or LaTeX react to is escaped
    assert not re.search(r"(?<!\\)[\[\]()*_<>:$`&#|]", re.sub(r"\\.", "", out))
    assert "\n" not in out
    assert not LINKED.search(out.replace("\\", ""))


@pytest.fixture(scope="module")
def evil_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile_render") / "ff.duckdb"
    spend = "date,channel,spend,campaign\n" + "".join(
        f'2026-11-{d:02d},"{EVIL}",1000,"{EVIL}"\n2026-11-{d:02d},seo,0,\n' for d in range(1, 29))
    import_bytes(spend.encode(), "spend.csv", db_file=path)
    leads = "lead_id,created_at,channel,manager\n" + "".join(
        f"L{d},2026-11-{d:02d} 10:00,seo,\"{EVIL}\"\n" for d in range(1, 29))
    import_bytes(leads.encode(), "leads.csv", db_file=path)
    return path


def open_page(monkeypatch, path, page, **state) -> AppTest:
    monkeypatch.setenv("FULLFUNNEL_DB", str(path))
    monkeypatch.setenv("FULLFUNNEL_TZ", "Europe/Moscow")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in {"period": "custom", "from": date(2026, 11, 1), "to": date(2026, 11, 28), **state}.items():
        at.session_state[k] = v
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    return at


def markdown_texts(at) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success"):
        out += [e.value for e in at.get(kind)]
    return out


def assert_literal(texts: list[str]):
    """The name appears escaped (so it shows literally) and never raw (where it would render)."""
    joined = "\n".join(texts)
    assert fmt.md(EVIL) in joined
    assert unescape(fmt.md(EVIL)) == EVIL
    for t in texts:
        live = re.sub(r"\\.", "", t)   # what markdown would act on: the text without escaped characters
        assert "](http" not in live and "<img" not in live and ":red[" not in live and "$x$" not in live


def test_roi_page_lists_a_spending_channel_literally(monkeypatch, evil_db):
    at = open_page(monkeypatch, evil_db, "roi")
    assert_literal(markdown_texts(at))


def test_kpis_and_weekly_show_the_channel_filter_literally(monkeypatch, evil_db):
    for page in ("kpis", "weekly"):
        at = open_page(monkeypatch, evil_db, page, channels=[EVIL])
        assert_literal(markdown_texts(at))


def test_a_database_file_that_is_not_one_gets_a_sentence(monkeypatch, tmp_path):
    bad = tmp_path / "my_notes.duckdb"
    bad.write_text("hello\n")
    monkeypatch.setenv("FULLFUNNEL_DB", str(bad))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "is not a fullfunnel database" in errors[0]
    assert unescape(errors[0]).startswith(str(bad))   # the underscores in the path are not italics
    assert bad.read_text() == "hello\n"


def test_import_page_shows_file_names_and_headers_literally(monkeypatch, tmp_path):
    monkeypatch.setenv("FULLFUNNEL_DB", str(tmp_path / "ff.duckdb"))
    monkeypatch.setenv("FULLFUNNEL_TZ", "Europe/Moscow")
    at = AppTest.from_file(str(ROOT / "pages" / "import.py"), default_timeout=60).run()
    bad_name, good_name = "**evil**_[x](http://e).csv", "<img src=x>.csv"
    good = f'date,channel,spend,"{EVIL}"\n2026-11-02,seo,5,1\n'.encode()
    at.get("file_uploader")[0].set_value([(bad_name, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "text/csv"),
                                          (good_name, good, "text/csv")])
    at.run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    texts = markdown_texts(at)
    assert f"**{fmt.md(bad_name)}**" in texts and f"**{fmt.md(good_name)}**" in texts
    error = next(e.value for e in at.error)
    assert unescape(error) == f"{bad_name} is a binary file, not a table: save it as CSV, TSV or XLSX and import that."
    assert any(fmt.md(EVIL) in c for c in texts)   # the ignored column, named after the hostile string
    for t in texts:
        live = re.sub(r"\\.", "", t)
        assert "](http" not in live and "<img" not in live and ":red[" not in live
