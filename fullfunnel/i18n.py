"""The UI text in every language, from gettext catalogs: `t(key, lang)` looks a message up.

The texts live in `fullfunnel/locale/` (README "Translations"): `fullfunnel.pot` is the template
(msgctxt = the message key the code uses, msgid = the English source text) and
`<lang>/LC_MESSAGES/fullfunnel.po` is one language's catalog, compiled to `fullfunnel.mo` by
`python3 -m fullfunnel up` / `test` (`compile_catalogs`). A language is the set of catalogs present:
a third one is one new folder. Without a fresh `.mo` (a checkout run straight with streamlit) the
`.po` is compiled in memory, so the text is never older than its catalog.
"""
from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "fullfunnel"
DEFAULT_LANG = "en"


def catalog_path(lang: str, ext: str = "po") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.{ext}"


def _langs() -> tuple[str, ...]:
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return tuple([DEFAULT_LANG] + [x for x in found if x != DEFAULT_LANG])


LANGS = _langs()
_STRINGS: dict[str, dict[str, str]] = {}


def compile_catalogs() -> list[Path]:
    """Compile every language's .po into its .mo (what `pybabel compile -d fullfunnel/locale -D
    fullfunnel` does); returns the files written. Fuzzy entries are left out, as gettext does."""
    written = []
    for lang in LANGS:
        po, mo = catalog_path(lang), catalog_path(lang, "mo")
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=lang, domain=DOMAIN)
        with open(mo, "wb") as fh:
            write_mo(fh, catalog)
        written.append(mo)
    return written


@cache
def messages(lang: str) -> dict[str, str]:
    """{message key: text} of one language's compiled catalog (its .mo, or its .po compiled in memory)."""
    po, mo = catalog_path(lang), catalog_path(lang, "mo")
    if not po.exists():
        return {}
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        data = mo.read_bytes()
    else:
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=lang, domain=DOMAIN)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        data = buf.getvalue()
    compiled = read_mo(io.BytesIO(data))
    return {m.context: m.string for m in compiled if m.id and m.context and m.string}


def register(strings: dict[str, dict[str, str]]) -> None:
    """Texts kept in code rather than in the catalogs ({key: {"en": ..., "ru": ...}}); the catalogs win.
    Only for code not moved to the catalogs yet — tests/test_i18n.py fails while any is left."""
    for key, texts in strings.items():
        missing = [lang for lang in ("en", "ru") if lang not in texts]
        if missing:
            raise ValueError(f"string {key!r} lacks {missing}")
        _STRINGS[key] = texts


def t(key: str, lang: str, **fmt) -> str:
    """The text for key in lang (English as a fallback language), formatted with **fmt; the key itself
    when no catalog has it."""
    text = messages(lang).get(key) or messages(DEFAULT_LANG).get(key)
    if text is None:
        texts = _STRINGS.get(key)
        if texts is None:
            return key
        text = texts.get(lang) or texts[DEFAULT_LANG]
    return text.format(**fmt) if fmt else text


def language_name(lang: str) -> str:
    """A language's own name, as its speakers write it: English, Русский."""
    from babel import Locale

    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def pick_lang(locale: str | None) -> str:
    """The UI language for a browser locale such as 'ru-RU': its language when there is a catalog for it,
    English otherwise."""
    if locale:
        base = locale.lower().split("-")[0].split("_")[0]
        if base in LANGS:
            return base
    return DEFAULT_LANG
