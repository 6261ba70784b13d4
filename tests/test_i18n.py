"""The translations (fullfunnel/locale, README "Translations"): every message the code asks for has a
text in every language's catalog, and every catalog entry is asked for by the code."""
import ast
import contextlib
import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from fullfunnel import i18n

ROOT = Path(__file__).resolve().parent.parent
CODE = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "fullfunnel").rglob("*.py"))]
KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$")
PREFIX = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)*\.$")


def read(path: Path, locale=None):
    with open(path, "rb") as fh:
        return read_po(fh, locale=locale, domain=i18n.DOMAIN)


def template() -> dict[str, str]:
    return {m.context: m.id for m in read(i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot") if m.id}


def named_in_code() -> set[str]:
    """Message keys the code asks for by name: Babel's extraction of t("key", ...) with babel.cfg."""
    with open(ROOT / "babel.cfg") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    with contextlib.redirect_stderr(io.StringIO()):  # "skipping f-string": t(f"fn.step.{x}") is not a name
        found = list(extract_from_dir(str(ROOT), method_map=method_map, options_map=options_map,
                                      keywords={"t": None}))
    # what Babel reads as one name but is not one (t("a" if x else "b") reads "ab") is left to the scan below
    named = {msg for _, _, msg, *_ in found if isinstance(msg, str) and KEY.match(msg)} & mentioned_in_code()[0]
    # Babel does not look inside f-strings: f"{t('wk.title', lang)} · {week}"
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "t"
                    and node.args):
                arg = node.args[0]
                for part in (arg.body, arg.orelse) if isinstance(arg, ast.IfExp) else (arg,):
                    if isinstance(part, ast.Constant) and isinstance(part.value, str) and KEY.match(part.value):
                        named.add(part.value)
    return named


def mentioned_in_code() -> tuple[set[str], set[str]]:
    """Every string in the code that names a message key, and the constant start of every f-string that
    builds one (t(f"fn.step.{step}", lang) uses every fn.step.* message)."""
    keys, prefixes = set(), set()
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if KEY.match(node.value):
                    keys.add(node.value)
                elif PREFIX.match(node.value):
                    prefixes.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                start = str(node.values[0].value)
                if PREFIX.match(start):
                    prefixes.add(start)
    return keys, prefixes


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_english_and_russian_catalogs_are_there_and_english_comes_first():
    assert i18n.LANGS[0] == "en" and "ru" in i18n.LANGS
    assert i18n.t("fn.title", "ru") == "Воронка" and i18n.t("fn.title", "en") == "Funnel"
    assert i18n.t("app.data_span", "en", first="1 Nov", last="7 Nov") == "Data: 1 Nov – 7 Nov"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_message_has_a_text_in_every_catalog(lang):
    source = template()
    catalog = {m.context: m for m in read(i18n.catalog_path(lang), lang) if m.id}
    assert sorted(set(source) - set(catalog)) == [], f"messages missing from the {lang} catalog"
    assert sorted(set(catalog) - set(source)) == [], f"{lang} entries not in fullfunnel.pot"
    untranslated = sorted(k for k, m in catalog.items() if not m.string or m.fuzzy)
    assert untranslated == [], f"untranslated or fuzzy in {lang}"
    changed = sorted(k for k, m in catalog.items() if m.id != source[k])
    assert changed == [], f"{lang} translates an older English text: run pybabel update"
    # the same {placeholders} as the English, or formatting would fail in that language
    assert sorted(k for k, m in catalog.items() if fields(m.string) != fields(m.id)) == []


def test_every_message_the_code_asks_for_by_name_is_in_the_catalogs():
    assert {"fn.title", "app.period", "wk.title", "fn.drill"} <= named_in_code()
    missing = sorted(named_in_code() - set(template()))
    assert missing == [], "t() asks for messages no catalog has"


def test_every_catalog_entry_is_used_by_the_code():
    keys, prefixes = mentioned_in_code()
    unused = sorted(k for k in template() if k not in keys and not any(k.startswith(p) for p in prefixes))
    assert unused == [], "catalog entries nothing uses"


def test_no_text_tables_are_left_in_the_code():
    left = [str(p.relative_to(ROOT)) for p in CODE
            if re.search(r"^\s*(i18n\.)?register\(\{", p.read_text(), re.M)]
    assert left == [], "move these modules' texts into fullfunnel/locale"


def test_the_compiled_catalogs_say_what_the_po_files_say(tmp_path, monkeypatch):
    # up and test compile the .mo files; a stale or missing .mo is compiled in memory instead
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    for lang in ("en", "ru"):
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        (tmp_path / lang / "LC_MESSAGES" / "fullfunnel.po").write_text(
            f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
            f'msgctxt "x.hello"\nmsgid "Hello, {{name}}"\nmsgstr "{"Привет" if lang == "ru" else "Hello"}, {{name}}"\n',
            encoding="utf-8")
    i18n.messages.cache_clear()
    try:
        assert i18n.t("x.hello", "ru", name="Анна") == "Привет, Анна"
        monkeypatch.setattr(i18n, "LANGS", ("en", "ru"))
        written = i18n.compile_catalogs()
        assert [p.name for p in written] == ["fullfunnel.mo", "fullfunnel.mo"] and all(p.exists() for p in written)
        i18n.messages.cache_clear()
        assert i18n.t("x.hello", "en", name="Ann") == "Hello, Ann"
        assert i18n.t("x.missing", "ru") == "x.missing"
    finally:
        i18n.messages.cache_clear()


def test_a_third_language_is_one_more_catalog(tmp_path, monkeypatch):
    """A German catalog made from the template (pybabel init) is offered as soon as it exists."""
    import shutil

    for lang in ("en", "ru"):
        shutil.copytree(i18n.LOCALE_DIR / lang, tmp_path / lang, ignore=shutil.ignore_patterns("*.mo"))
    de = tmp_path / "de" / "LC_MESSAGES"
    de.mkdir(parents=True)
    (de / "fullfunnel.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                                      'msgctxt "fn.title"\nmsgid "Funnel"\nmsgstr "Trichter"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.messages.cache_clear()
    try:
        assert i18n._langs() == ("en", "de", "ru")
        assert i18n.t("fn.title", "de") == "Trichter"
        assert i18n.t("fn.view", "de") == "View"          # not translated yet: English
        assert i18n.language_name("de") == "Deutsch"
    finally:
        i18n.messages.cache_clear()
